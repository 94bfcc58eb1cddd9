package dev.kval.triage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The statistics core over synthetic rows (no database): counting rules, intervals, flips, classes, re-run counts. */
class StatisticsTest {
    @Test
    void wilsonIntervalMatchesTheTextbookValues() {
        double[] w = Significance.wilson(8, 10);
        assertEquals(0.4902, w[0], 1e-4);
        assertEquals(0.9433, w[1], 1e-4);
        double[] allPass = Significance.wilson(3, 3);
        assertEquals(0.4385, allPass[0], 1e-4);
        assertEquals(1.0, allPass[1], 1e-9);
        assertEquals(0.0, Significance.wilson(0, 0)[0]);
    }

    @Test
    void fisherExactOneSidedIsTheHypergeometricTail() {
        assertEquals(0.05, Significance.fisherGreater(3, 3, 0, 3), 1e-12); // 1 / C(6,3)
        assertEquals(1.0 / 35, Significance.fisherGreater(4, 4, 0, 3), 1e-12); // 1 / C(7,3)
        assertEquals(1.0, Significance.fisherGreater(0, 3, 3, 3), 1e-12);
        assertTrue(Significance.fisherGreater(30, 100, 5, 100) < 1e-4);
        assertTrue(Significance.fisherGreater(6, 100, 5, 100) > 0.3);
    }

    @Test
    void rerunsAreTheSmallestNWithFlakeRateToTheNBelowOnePercent() {
        assertEquals(7, Significance.rerunsFor(0.5)); // 0.5^7 = 0.0078, 0.5^6 = 0.0156
        assertEquals(3, Significance.rerunsFor(0.1)); // 0.1^2 = 0.01 is not below 1%
        assertEquals(2, Significance.rerunsFor(0.05));
        assertEquals(1, Significance.rerunsFor(0.0));
        assertEquals(Significance.MAX_RERUNS, Significance.rerunsFor(0.99));
        // thin history asks for more: 0 odd verdicts in 3 runs -> upper bound 0.56 -> 8; in 100 runs -> 0.037 -> 2
        assertEquals(8, GateDecision.reruns(0, 3));
        assertEquals(2, GateDecision.reruns(0, 100));
        assertEquals(7, GateDecision.reruns(0, 0));
    }

    @Test
    void infraNeverCountsSkipsAreApartXfailPasses() {
        SeriesAccumulator acc = new SeriesAccumulator();
        add(acc, "api.a", "PASS", null, 1);
        add(acc, "api.a", "ERROR", "INFRA", 2);
        add(acc, "api.a", "XFAIL", null, 3);
        add(acc, "api.a", "SKIP", null, 4);
        add(acc, "api.a", "FAIL", "KERNEL", 5);
        add(acc, "api.a", "TIMEOUT", "KERNEL", 6);
        SeriesStats s = acc.stats().get(new SeriesKey("api.a", 1, "qemu-tcg"));
        assertEquals(4, s.runs());
        assertEquals(2, s.failures());
        assertEquals(1, s.skips());
        assertEquals(1, s.flips()); // P P F F (INFRA and SKIP are not runs)
        assertEquals(1.0 / 3, s.flipRate(), 1e-12);
        assertEquals(Classification.FLAKY, s.classification());
        assertEquals(1, s.firstSeen().toEpochMilli()); // the INFRA row is not seen either way; the SKIP is
        assertEquals(6, s.lastSeen().toEpochMilli());
        assertThrows(IllegalArgumentException.class, () -> add(acc, "api.a", "BROKEN", null, 7));
    }

    @Test
    void flipsFollowTimeNotArrivalOrder() {
        SeriesAccumulator acc = new SeriesAccumulator();
        // arrival order P F P F (3 flips); in time order P P F F (1 flip)
        add(acc, "t", "PASS", null, 10);
        add(acc, "t", "FAIL", "KERNEL", 30);
        add(acc, "t", "PASS", null, 20);
        add(acc, "t", "FAIL", "KERNEL", 40);
        assertEquals(1, acc.stats().values().iterator().next().flips());
    }

    @Test
    void classesOnTheirOwnAndAgainstABaseline() {
        SeriesKey k = new SeriesKey("t", 2, "c");
        SeriesStats base = new SeriesStats(k, "api", 10, 0, 0, 0, null, null);
        assertEquals(Classification.STABLE_PASS, base.classification());
        assertEquals(Classification.STABLE_FAIL, new SeriesStats(k, "api", 3, 3, 0, 0, null, null).classification());
        assertEquals(Classification.NO_VERDICT, new SeriesStats(k, "api", 0, 0, 5, 0, null, null).classification());
        SeriesStats broke = new SeriesStats(k, "api", 10, 6, 0, 1, null, null);
        assertEquals(Classification.REGRESSION, Classification.against(base, broke)); // p = 0.0054
        assertEquals(Classification.FIXED, Classification.against(broke, base));
        SeriesStats oneFailure = new SeriesStats(k, "api", 10, 1, 0, 2, null, null);
        assertEquals(Classification.FLAKY, Classification.against(base, oneFailure)); // p = 0.5: not significant
    }

    @Test
    void snapshotRanksFlakyFindsRegressionsPerKernelAndBuildsTheMatrix() {
        SeriesAccumulator acc = new SeriesAccumulator();
        long t = 0;
        for (int i = 0; i < 12; i++) {
            acc.add("api.stable", 1, "c", "api", "PASS", null, t++, t);
            acc.add("api.stable", 2, "c", "api", "PASS", null, t++, t);
            acc.add("api.breaks", 1, "c", "api", "PASS", null, t++, t);
            acc.add("api.breaks", 2, "c", "api", i % 4 == 0 ? "PASS" : "FAIL", i % 4 == 0 ? null : "KERNEL", t++, t);
            acc.add("guest.flaky", 1, "c", "guest", i % 2 == 0 ? "PASS" : "FAIL", i % 2 == 0 ? null : "KERNEL", t++, t);
            acc.add("guest.rare", 1, "c", "guest", i == 5 ? "FAIL" : "PASS", i == 5 ? "KERNEL" : null, t++, t);
        }
        FlakeSnapshot snap = new FlakeSnapshot(acc.stats(), Map.of(
                1L, new KernelInfo(1, "debian:7.2.6", "7.2.6+deb13-amd64", ""),
                2L, new KernelInfo(2, "debian:7.3.4", "7.3.4+deb13-amd64", "")));
        assertEquals("guest.flaky", snap.flakyRanked().get(0).key().testId()); // flips every run
        assertEquals("api.breaks", snap.flakyRanked().get(1).key().testId()); // 5 flips in 11 (on kernel 2)
        assertEquals("guest.rare", snap.flakyRanked().get(2).key().testId()); // 2 flips in 11
        var changes = snap.changesPerKernel().get(2L);
        assertEquals(1, changes.size());
        assertEquals("api.breaks", changes.get(0).candidate().key().testId());
        assertEquals(Classification.REGRESSION, changes.get(0).classification());
        assertEquals(Classification.REGRESSION, snap.compare("api.breaks", "c", "debian:7.2.6", "debian:7.3.4"));
        assertEquals(Classification.STABLE_PASS, snap.classify("api.stable", "7.3.4+deb13-amd64", null));
        var matrix = snap.matrix();
        assertEquals(java.util.List.of(1L, 2L), java.util.List.copyOf(matrix.keySet()));
        assertEquals(2, matrix.get(1L).get("guest").count(Classification.FLAKY));
        assertEquals(1, matrix.get(2L).get("api").count(Classification.FLAKY));
        // flake rate: the minority verdicts, pooled: guest.flaky 6/12, guest.rare 1/12
        assertEquals(7.0 / 24, snap.flakeRate("guest.*", "c").getAsDouble(), 1e-12);
        assertTrue(snap.flakeRate("nothing.*", "c").isEmpty());
        // the bisection's view: per kernel when it is known
        assertEquals(3.0 / 12, snap.rate("api.breaks", "debian:7.3.4", "c").getAsDouble(), 1e-12);
        assertEquals(0.0, snap.rate("api.breaks", "debian:7.2.6", null).getAsDouble(), 1e-12);
        assertEquals(3.0 / 24, snap.rate("api.breaks", null, null).getAsDouble(), 1e-12);
    }

    private static void add(SeriesAccumulator acc, String test, String status, String attribution, long t) {
        acc.add(test, 1, "qemu-tcg", "api", status, attribution, t, t);
    }
}
