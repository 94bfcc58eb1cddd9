package dev.kval.cli;

import dev.kval.engine.RunEngine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kval.reports.RunDir;
import dev.kval.reports.history.HistoryStore;
import dev.kval.result.RunSummary;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `kval report` on two real runs of Debian 7.3.4 in QEMU (one case each, ~20 s a run): the second report carries the
 * first one's history without any copying by hand, the trend has both builds in order, and several run directories
 * merge into one report.
 */
class ReportCommandTest {
    static final String OVERLAP = "api.memslot.gmem_range_overlap_errno_by_version";

    @TempDir
    Path tmp;

    static Path narrowRun(Path out) throws Exception {
        RunSummary s = new RunEngine(new PrintStream(System.err, true)).run(new RunEngine.Request("qemu", "debian:7.3.4", List.of("api"),
                "api.memslot*", null, null, out, Duration.ofMinutes(5)));
        assertEquals(0, s.exitCode(), "the narrow run passes");
        return out;
    }

    @Test
    void secondReportShowsTheFirstRunInItsHistory() throws Exception {
        Path runA = narrowRun(tmp.resolve("run-a"));
        Path runB = narrowRun(tmp.resolve("run-b"));
        Path store = tmp.resolve("history-store");
        long startA = startOf(runA, OVERLAP);

        assertEquals(0, ExportCommandTest.exec(new ReportCommand(), System.err, "--runs", runA.toString(), "--out", tmp.resolve("report-1").toString(),
                "--history", store.toString()));
        assertEquals(0, ExportCommandTest.exec(new ReportCommand(), System.err, "--runs", runB.toString(), "--out", tmp.resolve("report-2").toString(),
                "--history", store.toString()));

        // the kept history: two builds in the trend, newest first, and the leaf's two runs
        JsonNode trend = RunDir.JSON.readTree(store.resolve("history-trend.json").toFile());
        assertEquals(2, trend.size(), trend.toString());
        assertEquals(2, trend.get(0).path("buildOrder").asInt());
        assertEquals(1, trend.get(1).path("buildOrder").asInt());
        JsonNode h = RunDir.JSON.readTree(store.resolve("history.json").toFile()).path("qemu=debian:7.3.4/" + OVERLAP);
        assertEquals(2, h.path("items").size(), h.toString());

        // the second report itself shows run A in the leaf's history (Allure's test case data, embedded in index.html)
        JsonNode tc = embeddedTestCase(tmp.resolve("report-2/allure-report/index.html"), OVERLAP);
        List<Long> starts = new ArrayList<>();
        tc.path("extra").path("history").path("items").forEach(i -> starts.add(i.path("time").path("start").asLong()));
        assertTrue(starts.contains(startA), "report 2's history of " + OVERLAP + " holds run A's result (start " + startA + "): " + starts);
        assertEquals(5, HistoryStore.embedded(tmp.resolve("report-2/allure-report/index.html")).size(), "history files in the report");
        assertTrue(Files.readString(tmp.resolve("report-2/allure-results/executor.json")).contains("kval report #2: run-b"));

        // several runs in one report: all their results, one environment naming both runs
        assertEquals(0, ExportCommandTest.exec(new ReportCommand(), System.err, "--runs", runA.toString(), runB.toString(), "--out",
                tmp.resolve("report-ab").toString(), "--history", tmp.resolve("other-store").toString()));
        long results;
        try (var s = Files.list(tmp.resolve("report-ab/allure-results"))) {
            results = s.filter(p -> p.toString().endsWith("-result.json")).count();
        }
        assertEquals(RunDir.read(runA).results().size() + RunDir.read(runB).results().size(), results);
        String env = Files.readString(tmp.resolve("report-ab/allure-results/environment.properties"));
        assertTrue(env.contains("run-a") && env.contains("run-b"), env);
    }

    private static long startOf(Path run, String leaf) throws Exception {
        return RunDir.read(run).results().stream().filter(r -> r.name().equals(leaf)).findFirst().orElseThrow().start();
    }

    /** The test case JSON Allure embedded in a single-file report for a leaf name. */
    static JsonNode embeddedTestCase(Path index, String name) throws Exception {
        String html = Files.readString(index, StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("d\\('data/test-cases/[0-9a-f]+\\.json','([A-Za-z0-9+/=]*)'\\)").matcher(html);
        while (m.find()) {
            JsonNode tc = RunDir.JSON.readTree(Base64.getDecoder().decode(m.group(1)));
            if (tc.path("name").asText().equals(name)) {
                return tc;
            }
        }
        throw new AssertionError("no test case " + name + " in " + index);
    }
}
