package dev.kval.bench;

import dev.kval.reports.history.AggregatedReport;
import dev.kval.reports.history.AllureGenerate;
import dev.kval.reports.history.HistoryStore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kval.reports.RunDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code kval bench allure}: kval's report with history against allure-commandline alone, on the same N results, in
 * one invocation. The N results are synthesized from a real run: its result files are replicated with a new uuid, a
 * historyId (and testCaseId) suffixed by the replica number, and start/stop shifted by the replica; its attachments are
 * copied once (replicas share them), its containers are not replicated. A first kval report, not timed, seeds the
 * history store so that the timed kval report really carries history for every synthesized test.
 */
public final class AllureBench {
    public record Report(int results, int templates, Path source, List<Long> plainMs, List<Long> kvalMs, long kvalMergeMs,
            int historyFiles, long historyTests) {
        public long bestPlain() {
            return plainMs.stream().mapToLong(Long::longValue).min().orElse(0);
        }

        public long bestKval() {
            return kvalMs.stream().mapToLong(Long::longValue).min().orElse(0);
        }

        public double ratio() {
            return bestPlain() == 0 ? 0 : (double) bestKval() / bestPlain();
        }
    }

    private AllureBench() {
    }

    public static Report run(Path realRun, int n, int reps, Path out, Path allureBin, Consumer<String> log) throws IOException {
        RunDir source = RunDir.read(realRun);
        if (source.results().isEmpty()) {
            throw new IllegalArgumentException(source.dir() + " has no Allure results to replicate");
        }
        dev.kval.kernel.KernelCache.deleteTree(out);
        Path synth = out.resolve("synthesized-run");
        int templates = synthesize(source, n, synth);
        log.accept("synthesized " + n + " results in " + synth + " from the " + templates + " real result files of " + source.dir()
                + " (replicated with new uuid/historyId/time; attachments shared, containers not replicated)");
        HistoryStore store = new HistoryStore(out.resolve("history-store"));
        log.accept("seeding the history store with a first kval report (not timed) ...");
        AggregatedReport.generate(List.of(synth), out.resolve("seed-report"), store, allureBin, s -> { });
        List<Long> plain = new ArrayList<>();
        List<Long> kval = new ArrayList<>();
        long merge = 0;
        int historyFiles = 0;
        for (int i = 1; i <= reps; i++) {
            long t = System.nanoTime();
            AllureGenerate.run(allureBin, synth.resolve("allure-results"), out.resolve("plain-report"));
            plain.add((System.nanoTime() - t) / 1_000_000);
            log.accept("rep " + i + ": allure-commandline alone " + plain.get(plain.size() - 1) / 1000.0 + " s");
            t = System.nanoTime();
            AggregatedReport.Result r = AggregatedReport.generate(List.of(synth), out.resolve("kval-report"), store, allureBin, s -> { });
            kval.add((System.nanoTime() - t) / 1_000_000);
            merge = r.mergeMs();
            historyFiles = r.historyFilesIn();
            log.accept("rep " + i + ": kval report with history " + kval.get(kval.size() - 1) / 1000.0 + " s (build #" + r.buildOrder() + ")");
        }
        long tests = 0;
        Path h = store.dir().resolve("history.json");
        if (Files.isRegularFile(h)) {
            tests = RunDir.JSON.readTree(h.toFile()).size();
        }
        return new Report(n, templates, source.dir(), plain, kval, merge, historyFiles, tests);
    }

    static int synthesize(RunDir source, int n, Path synth) throws IOException {
        Path res = Files.createDirectories(synth.resolve("allure-results"));
        Files.copy(source.dir().resolve("summary.json"), synth.resolve("summary.json"));
        List<ObjectNode> templates = new ArrayList<>();
        for (var r : source.results()) {
            templates.add((ObjectNode) RunDir.JSON.readTree(r.file().toFile()));
        }
        try (Stream<Path> s = Files.list(source.allureResults())) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                String name = f.getFileName().toString();
                if (name.contains("-attachment") || name.equals("environment.properties") || name.equals("categories.json")) {
                    Files.copy(f, res.resolve(name));
                }
            }
        }
        for (int i = 0; i < n; i++) {
            ObjectNode t = templates.get(i % templates.size()).deepCopy();
            int replica = i / templates.size();
            String uuid = UUID.randomUUID().toString();
            t.put("uuid", uuid);
            t.put("historyId", t.path("historyId").asText() + "#r" + replica);
            t.put("testCaseId", t.path("testCaseId").asText() + "#r" + replica);
            long shift = replica * 1000L;
            t.put("start", t.path("start").asLong() + shift);
            t.put("stop", t.path("stop").asLong() + shift);
            RunDir.JSON.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValue(res.resolve(uuid + "-result.json").toFile(), t);
        }
        return templates.size();
    }

    public static String format(Report r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "kval bench allure: %d results synthesized from the %d real result files of %s%n", r.results(),
                r.templates(), r.source()));
        b.append("  (replicated with new uuid, historyId and time; both sides generate a single-file report from the same 10000 result files)\n");
        b.append(String.format(Locale.ROOT, "  allure-commandline alone:      %8.1f s  (runs: %s)%n", r.bestPlain() / 1000.0, secs(r.plainMs())));
        b.append(String.format(Locale.ROOT, "  kval report with history:      %8.1f s  (runs: %s; merge %.1f s, %d history file(s) in, %d tests in history)%n",
                r.bestKval() / 1000.0, secs(r.kvalMs()), r.kvalMergeMs() / 1000.0, r.historyFiles(), r.historyTests()));
        b.append(String.format(Locale.ROOT, "  ratio kval/allure: %.2fx (goal <= 1.2x: %s)%n", r.ratio(), r.ratio() <= 1.2 ? "met" : "NOT met"));
        return b.toString();
    }

    private static String secs(List<Long> ms) {
        return String.join(", ", ms.stream().map(m -> String.format(Locale.ROOT, "%.1f", m / 1000.0)).toList());
    }

}
