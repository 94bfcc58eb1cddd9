package dev.kval.cli;

import dev.kval.engine.AllureReport;

import dev.kval.reports.history.AggregatedReport;
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
}
