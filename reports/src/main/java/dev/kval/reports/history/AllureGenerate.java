package dev.kval.reports.history;

import dev.kval.kernel.Proc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** allure-commandline's {@code generate --single-file}: one self-contained index.html from a results directory. */
public final class AllureGenerate {
    private AllureGenerate() {
    }

    /** Runs the generator; returns the report's index.html or throws with the generator's last output. */
    public static Path run(Path allureBin, Path results, Path report) throws IOException {
        if (allureBin == null || !Files.isRegularFile(allureBin)) {
            throw new IOException("allure-commandline not found at " + allureBin + " (build the CLI: ./mvnw -pl framework/9-apps/cli -am package "
                    + "-DskipTests, or set KVAL_ALLURE to its bin/allure)");
        }
        List<String> argv = List.of("sh", allureBin.toString(), "generate", "--single-file", "--clean", "-o", report.toString(),
                results.toString());
        // The script finds java through JAVA_HOME: give it the JRE kval runs on.
        Proc.Result r = Proc.run(argv, null, Duration.ofMinutes(30),
                Map.of("JAVA_HOME", System.getProperty("java.home"), "ALLURE_NO_ANALYTICS", "1"));
        Path index = report.resolve("index.html");
        if (r.exit() != 0 || !Files.isRegularFile(index)) {
            String t = (r.stdout() + r.stderr()).strip();
            throw new IOException("allure generate " + results + " exited " + r.exit() + ": " + (t.length() > 800 ? "..." + t.substring(t.length() - 800) : t));
        }
        return index;
    }
}
