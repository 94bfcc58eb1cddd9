package dev.kval.triage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kval.triage.GateDecision.Counts;
import dev.kval.triage.GateDecision.TestKey;
import dev.kval.triage.GateDecision.Verdict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gate's per-test rule on counts: suspects, reproduction, budgets (the runs themselves: dev.kval.cli.GateTest). */
class GateDecisionTest {
    static final TestKey K = new TestKey("api.C17.interleave", "qemu");

    @Test
    void onlyTestsFailingMoreOftenThanOnTheBaselineAreSuspects() {
        Map<TestKey, Counts> base = Map.of(K, new Counts(3, 1, 0), new TestKey("b", "qemu"), new Counts(3, 0, 0));
        Map<TestKey, Counts> cand = Map.of(K, new Counts(3, 1, 0), new TestKey("b", "qemu"), new Counts(3, 2, 0), new TestKey("c", "qemu"), new Counts(3, 0, 0));
        assertEquals(List.of(new TestKey("b", "qemu")), GateDecision.suspects(base, cand));
    }

    @Test
    void aFailureThatEveryRerunReproducesIsARegressionUnlessTheBudgetCoversIt() {
        Counts base = new Counts(3, 0, 0);
        Counts cand = new Counts(3, 3, 0);
        assertEquals(Verdict.REGRESSION, GateDecision.judge(K, base, cand, new Counts(8, 8, 0), 8, 0.56, 0, "--flake-budget").verdict());
        assertEquals(Verdict.WITHIN_BUDGET, GateDecision.judge(K, base, cand, new Counts(8, 8, 0), 8, 0.56, 1.0, "quarantine #1").verdict());
    }

    @Test
    void aFlakeTheRerunsDoNotReproduceDoesNotBlock() {
        Counts base = new Counts(3, 0, 0);
        Counts cand = new Counts(3, 1, 0);
        GateDecision.Judgement j = GateDecision.judge(K, base, cand, new Counts(8, 0, 0), 8, 0.56, 0, "--flake-budget");
        assertEquals(Verdict.NOT_REPRODUCED, j.verdict());
        // a partial but significant rise is reproduced even when not every re-run fails: 0/10 -> 10/16
        assertEquals(Verdict.REGRESSION, GateDecision.judge(K, new Counts(10, 0, 0), new Counts(4, 3, 0), new Counts(12, 7, 0), 12, 0.3, 0.2,
                "quarantine #2").verdict());
        // the same rise within a 0.7 budget
        assertEquals(Verdict.WITHIN_BUDGET, GateDecision.judge(K, new Counts(10, 0, 0), new Counts(4, 3, 0), new Counts(12, 7, 0), 12, 0.3, 0.7,
                "quarantine #2").verdict());
    }

    @Test
    void failingAsOftenAsOnTheBaselineIsStillFailing() {
        assertEquals(Verdict.STILL_FAILING, GateDecision.judge(K, new Counts(3, 3, 0), new Counts(3, 3, 0), new Counts(2, 2, 0), 2, 0.1, 0, "x").verdict());
    }

    @Test
    void newSkipsAreReported() {
        assertEquals(Map.of(K, new Counts(0, 0, 3)), GateDecision.newSkips(Map.of(K, new Counts(3, 0, 0)), Map.of(K, new Counts(0, 0, 3))));
    }
}
