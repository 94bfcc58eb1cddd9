package dev.kval.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

@Command(name = "version", mixinStandardHelpOptions = true, description = "Prints kval's version and the JVM it runs on.")
public class VersionCommand implements Runnable {

    @Override
    public void run() {
        for (String line : new Provider().getVersion()) {
            System.out.println(line);
        }
    }

    /** Reads the version Maven stamped into the jar, so it never drifts from the build. */
    public static class Provider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = "unknown";
            try (InputStream in = VersionCommand.class.getResourceAsStream("/kval-version.properties")) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    version = p.getProperty("version", version);
                }
            } catch (IOException e) {
                version = "unreadable (" + e.getMessage() + ")";
            }
            return new String[] {"kval " + version,
                    "java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
