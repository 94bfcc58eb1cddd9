package dev.kval.bench;

import dev.kval.engine.AllureReport;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kval bench allure}: kval's report with history vs allure-commandline alone on the same synthesized results. */
@Command(name = "allure", mixinStandardHelpOptions = true,
        header = "Times kval report against allure-commandline on N synthesized results.",
        description = {"Synthesizes N results by replicating the result files of a real run, then generates the report with",
            "allure-commandline alone and with kval report (history carried, seeded by one untimed report), side by side,",
            "and prints both times and their ratio (goal <= 1.2x)."})
public class BenchAllureCommand implements Callable<Integer> {
    @Option(names = "--run", description = "a real run directory to replicate (default: the CLI tests' framework/9-apps/cli/target/test-runs/debian-7.3.4)")
    Path run;

    @Option(names = "--results", defaultValue = "10000", description = "how many results to synthesize (default 10000)")
    int results;

    @Option(names = "--reps", defaultValue = "1", description = "timed repetitions of each side (the best is compared; default 1)")
    int reps;

    @Option(names = "--out", description = "work directory (default: runs/bench-allure-<timestamp>)")
    Path out;

    @Override
    public Integer call() {
        Path src = run != null ? run : dev.kval.kernel.KvalPaths.repo().resolve("framework/9-apps/cli/target/test-runs/debian-7.3.4");
        Path dir = out != null ? out : Path.of("runs", "bench-allure-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        try {
            AllureBench.Report r = AllureBench.run(src, results, Math.max(1, reps), dir, AllureReport.locate().orElse(null),
                    s -> System.err.println("kval bench allure: " + s));
            System.out.print(AllureBench.format(r));
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("kval bench allure: " + e.getMessage() + (run == null ? " (pass --run DIR of a real ./kval run)" : ""));
            return 2;
        } catch (Exception e) {
            System.err.println("kval bench allure: failed: " + e.getMessage());
            return 2;
        }
    }
}
