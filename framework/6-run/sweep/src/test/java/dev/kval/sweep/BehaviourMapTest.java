package dev.kval.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.ktap.KtapParser;
import dev.kval.ktap.Status;
import dev.kval.ktap.TestResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The change-point, flaky and measurement logic on small handmade maps (logic only: no kernel is involved). */
class BehaviourMapTest {
    @TempDir
    Path tmp;

    static TestResult leaf(String id, Status s, String observed) {
        return leaf(id, s, observed, "");
    }

    static TestResult leaf(String id, Status s, String observed, String reason) {
        List<String> diag = observed == null ? List.of() : List.of("observed=" + observed);
        return new TestResult(List.of("api", "api.case"), id, 1, s, reason, diag, true, 1);
    }

    static BehaviourMap.Column ok(String label, TestResult... leaves) {
        return new BehaviourMap.Column(label, label + "-amd64", KernelRun.Health.OK, null, null, List.of(), List.of(leaves));
    }

    static BehaviourMap.Column broken(String label, String attribution) {
        return new BehaviourMap.Column(label, label + "-amd64", KernelRun.Health.BROKEN, attribution, "boot: kernel panic", List.of(), List.of());
    }

    @Test
    void observedChangeIsOneChangePointBetweenTheRightKernels() {
        BehaviourMap m = BehaviourMap.build(List.of(
                ok("7.0.13", leaf("overlap", Status.PASS, "EINVAL")),
                ok("7.1.13", leaf("overlap", Status.PASS, "EINVAL")),
                ok("7.2.6", leaf("overlap", Status.PASS, "EEXIST")),
                ok("7.3.4", leaf("overlap", Status.PASS, "EEXIST"))));
        List<BehaviourMap.Change> cs = m.row("overlap").changes();
        assertEquals(1, cs.size(), cs.toString());
        BehaviourMap.Change c = cs.get(0);
        assertEquals(1, c.lastOld());
        assertEquals(2, c.firstNew());
        assertEquals("PASS observed=EINVAL", c.from());
        assertEquals("PASS observed=EEXIST", c.to());
        assertFalse(c.verdictChanged());
        assertEquals(List.of("7.1.13 -> 7.2.6"), List.copyOf(m.changesByBoundary().keySet()));
    }

    @Test
    void verdictFlipBackAndForthGivesTwoChangePoints() {
        BehaviourMap m = BehaviourMap.build(List.of(
                ok("a", leaf("x", Status.PASS, null)), ok("b", leaf("x", Status.FAIL, null)), ok("c", leaf("x", Status.PASS, null))));
        List<BehaviourMap.Change> cs = m.row("x").changes();
        assertEquals(2, cs.size());
        assertTrue(cs.get(0).verdictChanged());
        assertEquals(List.of(0, 1, 1, 2), List.of(cs.get(0).lastOld(), cs.get(0).firstNew(), cs.get(1).lastOld(), cs.get(1).firstNew()));
    }

    @Test
    void disagreeingRepeatsMakeAFlakyCellThatIsNotAChangePoint() {
        BehaviourMap m = BehaviourMap.build(List.of(
                ok("a", leaf("x", Status.PASS, "1"), leaf("x", Status.PASS, "1")),
                ok("b", leaf("x", Status.PASS, "1"), leaf("x", Status.FAIL, "1")),
                ok("c", leaf("x", Status.PASS, "1"), leaf("x", Status.PASS, "1"))));
        BehaviourMap.Row r = m.row("x");
        BehaviourMap.Cell b = r.cells().get(1);
        assertTrue(b.flaky());
        assertEquals(BehaviourMap.FLAKY, b.verdict());
        assertEquals(List.of("PASS", "FAIL"), b.verdicts());
        assertEquals(List.of(1), r.flakyColumns());
        assertTrue(r.changes().isEmpty(), "a flaky cell between two equal ones is no change: " + r.changes());
    }

    @Test
    void changeAcrossAFlakyOrBrokenKernelNamesThemAsUnknownInBetween() {
        BehaviourMap m = BehaviourMap.build(List.of(
                ok("6.17", leaf("bind", Status.SKIP, null, "needs 6.18")),
                ok("6.18.5", leaf("bind", Status.PASS, "OK"), leaf("bind", Status.SKIP, null, "needs 6.18")),
                broken("6.18.9", "KERNEL"),
                ok("6.18.12", leaf("bind", Status.PASS, "OK"), leaf("bind", Status.PASS, "OK"))));
        List<BehaviourMap.Change> cs = m.row("bind").changes();
        assertEquals(1, cs.size());
        assertEquals(0, cs.get(0).lastOld());
        assertEquals(3, cs.get(0).firstNew());
        assertEquals(List.of(1, 2), cs.get(0).between());
        assertEquals("SKIP (needs 6.18)", cs.get(0).from());
        assertEquals(BehaviourMap.BROKEN, m.row("bind").cells().get(2).verdict());
        assertFalse(m.row("bind").cells().get(2).definite());
    }

    @Test
    void aDifferentSkipReasonIsADifferentBehaviour() {
        BehaviourMap m = BehaviourMap.build(List.of(
                ok("a", leaf("x", Status.SKIP, null, "needs CONFIG_A")), ok("b", leaf("x", Status.SKIP, null, "needs CONFIG_B"))));
        assertEquals(1, m.row("x").changes().size());
    }

    @Test
    void observedThatMovesAcrossRepeatsIsAMeasurementAndOnlyItsVerdictCounts() {
        BehaviourMap m = BehaviourMap.build(List.of(
                ok("a", leaf("inodes", Status.PASS, "912,913"), leaf("inodes", Status.PASS, "914,915")),
                ok("b", leaf("inodes", Status.PASS, "930,931"), leaf("inodes", Status.PASS, "932,933")),
                ok("c", leaf("inodes", Status.FAIL, "7,7"), leaf("inodes", Status.FAIL, "9,9"))));
        BehaviourMap.Row r = m.row("inodes");
        assertTrue(r.measurement());
        assertTrue(r.cells().get(0).observedVaries());
        assertEquals(1, r.changes().size(), r.changes().toString());
        assertEquals("PASS", r.changes().get(0).from());
        assertEquals("FAIL", r.changes().get(0).to());
    }

    @Test
    void observedThatChangesBetweenMostNeighboursIsAMeasurementEvenWithoutRepeats() { // untyped (no unit): the heuristic
        List<BehaviourMap.Column> cols = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            cols.add(ok("k" + i, leaf("kb", Status.PASS, "1310" + (40 + i)), leaf("errno", Status.PASS, i < 3 ? "EINVAL" : "EEXIST")));
        }
        BehaviourMap m = BehaviourMap.build(cols);
        assertTrue(m.row("kb").measurement());
        assertTrue(m.row("kb").changes().isEmpty());
        assertFalse(m.row("errno").measurement(), "one change in four pairs is behaviour");
        assertEquals(1, m.row("errno").changes().size());
    }

    @Test
    void aMeasuredValueOfTwoKernelsIsNoChangePointByItself() {
        // the sweep 7.2.9 -> 7.2.11 of issue 18: page cache rose by +131040 kB on one kernel and +131072 kB on the other
        BehaviourMap m = BehaviourMap.build(List.of(
                ok("7.2.9", leaf("api.accounting.cached_rises_on_fallocate", Status.PASS, "+131040_kB"), leaf("errno", Status.PASS, "EINVAL")),
                ok("7.2.11", leaf("api.accounting.cached_rises_on_fallocate", Status.PASS, "+131072_kB"), leaf("errno", Status.PASS, "EEXIST"))));
        assertTrue(m.row("api.accounting.cached_rises_on_fallocate").changes().isEmpty(),
                () -> m.row("api.accounting.cached_rises_on_fallocate").changes().toString());
        assertEquals(1, m.row("errno").changes().size(), "an exact value still changes by itself");
        assertEquals(1, m.changes().size());
    }

    @Test
    void aMeasuredValueChangesOnlyBeyondItsSpreadAcrossRepeats() {
        BehaviourMap within = BehaviourMap.build(List.of(
                ok("a", leaf("kb", Status.PASS, "+131040_kB"), leaf("kb", Status.PASS, "+131072_kB")),
                ok("b", leaf("kb", Status.PASS, "+131100_kB"), leaf("kb", Status.PASS, "+131060_kB"))));
        assertTrue(within.row("kb").changes().isEmpty(), () -> within.row("kb").changes().toString());
        BehaviourMap beyond = BehaviourMap.build(List.of(
                ok("a", leaf("kb", Status.PASS, "+131040_kB"), leaf("kb", Status.PASS, "+131072_kB")),
                ok("b", leaf("kb", Status.PASS, "+262100_kB"), leaf("kb", Status.PASS, "+262144_kB"))));
        assertEquals(1, beyond.row("kb").changes().size(), "twice the page cache is a change, far beyond 32 kB of spread");
    }

    @Test
    void crashLosesLeavesButAbsentOnAHealthyKernelIsBehaviour() {
        BehaviourMap.Column crashed = new BehaviourMap.Column("b", "b-amd64", KernelRun.Health.CRASHED, "KERNEL", "run: kernel panic", List.of(),
                List.of(leaf("x", Status.PASS, null), leaf("y", Status.MISSING, null)));
        BehaviourMap m = BehaviourMap.build(List.of(
                ok("a", leaf("x", Status.PASS, null), leaf("y", Status.PASS, null), leaf("z", Status.PASS, null)),
                crashed,
                ok("c", leaf("x", Status.PASS, null), leaf("y", Status.PASS, null))));
        assertEquals(BehaviourMap.CRASHED, m.row("y").cells().get(1).verdict());
        assertEquals(BehaviourMap.CRASHED, m.row("z").cells().get(1).verdict());
        assertTrue(m.row("y").changes().isEmpty());
        assertEquals(BehaviourMap.ABSENT, m.row("z").cells().get(2).verdict());
        assertEquals(1, m.row("z").changes().size());
        assertEquals(0, m.row("z").changes().get(0).lastOld());
        assertEquals(List.of(1), m.row("z").changes().get(0).between());
    }

    @Test
    void filesMarkTheChangeAndFlakyCellsAndEscapeHtml() throws Exception {
        String ktapOld = "KTAP version 1\n1..1\n  KTAP version 1\n  1..1\n    KTAP version 1\n    1..2\n    # observed=EINVAL\n"
                + "    ok 1 api.memslot.overlap\n    # observed=<b>\n    ok 2 api.memslot.weird\n  ok 1 api.memslot\nok 1 api\n";
        String ktapNew = ktapOld.replace("observed=EINVAL", "observed=EEXIST");
        List<KernelRun> runs = List.of(run("7.1.13", ktapOld), run("7.2.6", ktapNew));
        BehaviourMap m = BehaviourMap.build(runs.stream().map(BehaviourMap.Column::of).toList());
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("kernels", "debian:7.1.13,debian:7.2.6");
        MapFiles.write(tmp, meta, runs, m);
        List<String> tsv = Files.readAllLines(tmp.resolve(MapFiles.TSV_FILE));
        assertTrue(tsv.contains("api.memslot.overlap\t0\t7.1.13\t7.1.13-amd64\tPASS\tEINVAL\t\told\tfalse\t"), tsv.toString());
        assertTrue(tsv.contains("api.memslot.overlap\t1\t7.2.6\t7.2.6-amd64\tPASS\tEEXIST\t\tnew\tfalse\t"), tsv.toString());
        String html = Files.readString(tmp.resolve(MapFiles.HTML_FILE));
        assertTrue(html.contains("class=\"v-PASS new\""), "first new cell highlighted");
        assertTrue(html.contains("&lt;b&gt;") && !html.contains("<small><b></small>"), "observed values are escaped");
        assertFalse(html.contains("http://") || html.contains("https://") || html.contains("<script"), "self-contained");
        var json = MapFiles.JSON.readTree(tmp.resolve(MapFiles.JSON_FILE).toFile());
        assertEquals("7.1.13", json.path("changePoints").get(0).path("lastOld").asText());
        assertEquals("7.2.6", json.path("changePoints").get(0).path("firstNew").asText());
        assertEquals("PASS observed=EEXIST", json.path("changePoints").get(0).path("to").asText());
        assertEquals(2, json.path("kernels").size());
        assertEquals(2, KtapParser.parseTree(ktapOld).leaves().size(), "the handmade KTAP parses into both leaves");
    }

    private KernelRun run(String label, String ktap) {
        SweepKernel k = new SweepKernel("debian:" + label, label, label, label + "-1");
        KernelRun.Attempt a = new KernelRun.Attempt(1, "done", true, null, "agent exit 0", List.of(), tmp.resolve(label), 1, 1);
        return new KernelRun(k, label + "-amd64", "0".repeat(64), true, KernelRun.Health.OK, List.of(a), tmp.resolve(label), ktap, List.of(), 1);
    }
}
