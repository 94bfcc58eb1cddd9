package dev.kval.cli;

import dev.kval.reports.history.AggregatedReport;
import dev.kval.reports.history.AllureBench;
import dev.kval.reports.history.HistoryStore;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "report", mixinStandardHelpOptions = true,
        header = "Merges the Allure results of run directories into one single-file report with history carried forward.",
        description = {"Merges the Allure results of one or more run directories (hosts, kernels, runs) into one single-file report",
            "OUT/allure-report/index.html with history carried forward: kval keeps the project's Allure history in",
            "$KVAL_HOME_DATA/allure-history/<project> (default ~/.local/share/kval/...), puts it into the results before generating",
            "and keeps the new one after; each report is one build (executor buildName/buildOrder) of the trend widgets.",
            "Exit: 0 report written, 2 bad input or the generator failed (the merged results stay in OUT/allure-results)."})
public class ReportCommand implements Callable<Integer> {
    @Option(names = "--runs", required = true, arity = "1..*", description = "run directories (./kval run --out DIR), oldest first")
    List<Path> runs;

    @Option(names = "--out", description = "output directory (default: runs/report-<timestamp>)")
    Path out;

    @Option(names = "--project", defaultValue = "default", description = "history project name (default: default)")
    String project;

    @Option(names = "--history", description = "history store directory (overrides --project's)")
    Path history;

    @Override
    public Integer call() {
        Path dir = out != null ? out : Path.of("runs", "report-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        try {
            HistoryStore store = history != null ? new HistoryStore(history) : HistoryStore.forProject(project);
            AggregatedReport.Result r = AggregatedReport.generate(runs, dir, store, AllureReport.locate().orElse(null),
                    s -> System.err.println("kval report: " + s));
            System.err.println("kval report: " + r.index().toAbsolutePath() + " (" + r.resultCount() + " results from " + r.runCount()
                    + " run(s), " + r.buildName() + "; generated in " + r.generateMs() / 1000.0 + " s); history kept in " + store.dir());
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("kval report: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            System.err.println("kval report: failed: " + e.getMessage() + " (the merged results stay in " + dir.resolve("allure-results") + ")");
            return 2;
        }
    }

    /** {@code kval bench allure}: kval's report with history vs allure-commandline alone on the same synthesized results. */
    @Command(name = "allure", mixinStandardHelpOptions = true,
            header = "Times kval report against allure-commandline on N synthesized results.",
            description = {"Synthesizes N results by replicating the result files of a real run, then generates the report with",
                "allure-commandline alone and with kval report (history carried, seeded by one untimed report), side by side,",
                "and prints both times and their ratio (goal <= 1.2x)."})
    public static class Bench implements Callable<Integer> {
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
}
