package dev.kval.engine;

import dev.kval.kernel.KvalPaths;
import dev.kval.kernel.Proc;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The offline HTML report: allure-commandline (unpacked by the CLI module's build into
 * framework/9-apps/cli/target/allure-commandline) turns OUT/allure-results into one self-contained OUT/allure-report/index.html.
 */
public final class AllureReport {
    private AllureReport() {
    }

    /** Either the report's index.html or why there is none. */
    public record Html(Path index, String problem, long millis) {
        boolean ok() {
            return index != null;
        }
    }

    public static Html generate(Path results, Path report) {
        long t0 = System.nanoTime();
        Optional<Path> allure = locate();
        if (allure.isEmpty()) {
            return new Html(null, "allure-commandline " + version() + " not found (looked for " + candidates()
                    + "; build the CLI: ./mvnw -pl framework/9-apps/cli -am package -DskipTests, or set KVAL_ALLURE to bin/allure)", 0);
        }
        List<String> argv = List.of("sh", allure.get().toString(), "generate", "--single-file", "--clean", "-o", report.toString(),
                results.toString());
        try {
            // The script finds java through JAVA_HOME: give it the JRE kval runs on.
            Proc.Result r = Proc.run(argv, null, Duration.ofMinutes(5),
                    java.util.Map.of("JAVA_HOME", System.getProperty("java.home"), "ALLURE_NO_ANALYTICS", "1"));
            Path index = report.resolve("index.html");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            if (r.exit() != 0 || !Files.isRegularFile(index)) {
                return new Html(null, "allure generate exited " + r.exit() + ": " + tail(r.stdout() + r.stderr()), ms);
            }
            return new Html(index, null, ms);
        } catch (IOException e) {
            return new Html(null, "running " + allure.get() + " failed: " + e.getMessage(), 0);
        }
    }

    private static String tail(String s) {
        String t = s.strip();
        return t.length() > 800 ? "..." + t.substring(t.length() - 800) : t;
    }

    public static Optional<Path> locate() {
        return candidates().stream().filter(Files::isRegularFile).findFirst();
    }

    private static List<Path> candidates() {
        List<Path> c = new ArrayList<>();
        String env = System.getenv("KVAL_ALLURE");
        if (env != null && !env.isBlank()) {
            c.add(Path.of(env));
        }
        String sub = "allure-commandline/allure-" + version() + "/bin/allure";
        c.add(KvalPaths.repo().resolve("framework/9-apps/cli/target").resolve(sub));
        // Running from the packaged CLI: target/quarkus-app/... sits next to target/allure-commandline.
        try {
            Path code = Path.of(AllureReport.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = code; p != null; p = p.getParent()) {
                if (p.getFileName() != null && p.getFileName().toString().equals("target")) {
                    c.add(p.resolve(sub));
                    break;
                }
            }
        } catch (Exception ignored) {
            // no code source (unusual class loader): the repository candidate has to do
        }
        return c;
    }

    public static String version() {
        try (InputStream in = AllureReport.class.getResourceAsStream("/kval-version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("allureCommandline", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
