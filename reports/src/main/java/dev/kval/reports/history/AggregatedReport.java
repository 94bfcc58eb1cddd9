package dev.kval.reports.history;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kval.reports.RunDir;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code kval report}: the Allure results of several runs (hosts, kernels, repetitions) merged into one results
 * directory, the project's kept history put in, an executor entry written (so trends have build names and order), one
 * single-file report generated, and the new history kept for the next report.
 *
 * <p>Per-suite and per-kernel trends come from Allure itself: every result carries the suite, kernel and host labels
 * (the Suites tab is host [kernel] > suite > case) and a historyId of host target + leaf id, so a test's history and
 * the trend widgets follow the same leaf on the same kernel from report to report. The same leaf on the same target
 * in two merged runs shares a historyId: Allure shows the later one and lists the earlier as its retry.
 */
public final class AggregatedReport {
    /** What came out: the report, how many results, which build it was, how long generation took. */
    public record Result(Path index, Path results, int resultCount, int runCount, long buildOrder, String buildName,
            int historyFilesIn, int historyFilesOut, long mergeMs, long generateMs, HistoryStore store) {
    }

    private AggregatedReport() {
    }

    public static Result generate(List<Path> runDirs, Path out, HistoryStore store, Path allureBin, Consumer<String> log) throws IOException {
        long t0 = System.nanoTime();
        List<RunDir> runs = new ArrayList<>();
        Set<Path> seen = new LinkedHashSet<>();
        for (Path d : runDirs) {
            RunDir r = RunDir.read(d);
            if (!seen.add(r.dir())) {
                throw new IllegalArgumentException("run " + r.dir() + " is given twice in --runs");
            }
            runs.add(r);
        }
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no run directories given (--runs DIR...)");
        }
        Path results = out.resolve("allure-results");
        HistoryStore.deleteTree(results);
        Files.createDirectories(results);
        int count = 0;
        Map<String, Set<String>> env = new LinkedHashMap<>();
        boolean categories = false;
        for (RunDir r : runs) {
            count += copyResults(r, results);
            mergeEnvironment(r.allureResults().resolve("environment.properties"), env);
            Path cat = r.allureResults().resolve("categories.json");
            if (!categories && Files.isRegularFile(cat)) {
                Files.copy(cat, results.resolve("categories.json"));
                categories = true;
            }
        }
        env.computeIfAbsent("kval.runs", k -> new LinkedHashSet<>()).addAll(runs.stream().map(r -> r.dir().toString()).toList());
        writeEnvironment(results.resolve("environment.properties"), env);
        int historyIn = store.copyInto(results);
        long order = store.lastBuildOrder() + 1;
        String buildName = "kval report #" + order + ": " + String.join(", ", runs.stream().map(RunDir::name).toList());
        ObjectNode exec = RunDir.JSON.createObjectNode().put("name", "kval").put("type", "kval").put("buildName", buildName)
                .put("buildOrder", order).put("reportName", "kval " + store.dir().getFileName());
        RunDir.JSON.writeValue(results.resolve("executor.json").toFile(), exec);
        long mergeMs = (System.nanoTime() - t0) / 1_000_000;
        log.accept(runs.size() + " run(s), " + count + " result(s) merged; history: " + (historyIn == 0 ? "none yet" : historyIn
                + " file(s) from " + store.dir()) + "; build #" + order);
        long t1 = System.nanoTime();
        Path index = AllureGenerate.run(allureBin, results, out.resolve("allure-report"));
        long genMs = (System.nanoTime() - t1) / 1_000_000;
        Map<String, byte[]> history = HistoryStore.embedded(index);
        store.replace(history);
        // a copy beside the report, for a look or for feeding another tool
        Path copy = out.resolve("history");
        HistoryStore.deleteTree(copy);
        Files.createDirectories(copy);
        for (Map.Entry<String, byte[]> e : history.entrySet()) {
            Files.write(copy.resolve(e.getKey()), e.getValue());
        }
        return new Result(index, results, count, runs.size(), order, buildName, historyIn, history.size(), mergeMs, genMs, store);
    }

    /** Results, containers and attachments of one run (its own history/executor/environment are not taken). */
    static int copyResults(RunDir r, Path results) throws IOException {
        int n = 0;
        try (Stream<Path> s = Files.list(r.allureResults())) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                String name = f.getFileName().toString();
                if (name.equals("environment.properties") || name.equals("categories.json") || name.equals("executor.json")) {
                    continue;
                }
                Path to = results.resolve(name);
                if (Files.exists(to)) {
                    throw new IllegalArgumentException("result file " + name + " of " + r.dir() + " is also in another run of --runs "
                            + "(a copied run directory?); give each run once");
                }
                Files.copy(f, to);
                n += name.endsWith("-result.json") ? 1 : 0;
            }
        }
        return n;
    }

    static void mergeEnvironment(Path file, Map<String, Set<String>> env) throws IOException {
        if (!Files.isRegularFile(file)) {
            return;
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        for (String k : new java.util.TreeSet<>(p.stringPropertyNames())) {
            env.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(p.getProperty(k));
        }
    }

    static void writeEnvironment(Path file, Map<String, Set<String>> env) throws IOException {
        Properties p = new Properties();
        env.forEach((k, v) -> p.setProperty(k, String.join(", ", v)));
        try (OutputStream o = Files.newOutputStream(file)) {
            p.store(o, "kval report: environments of the merged runs");
        }
    }
}
