package dev.kval.triage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pre-merge gate's per-test decision, given the baseline's and the candidate's results (pooled per test and host
 * class) and, for each suspect, the candidate's re-runs.
 *
 * <ul>
 * <li>Suspect: the candidate failed the test at least once, and more often than the baseline did.</li>
 * <li>Re-runs N: the smallest N with f^N < 1% for f = the upper end of the Wilson 95% interval of the test's measured
 * flake rate in the store (0.5 when it never ran), so a flake at that rate fails all N re-runs with probability < 1%
 * and thin history asks for more re-runs ({@link Significance#rerunsFor}).</li>
 * <li>Regression: (every re-run failed, or the candidate's failure rate over its runs and re-runs is higher than the
 * baseline's by Fisher's exact test, one-sided, p < 0.05) and that rate exceeds the budget — the quarantine entry's
 * budget when one matches, else {@code --flake-budget}.</li>
 * </ul>
 */
public final class GateDecision {
    public enum Verdict {
        /** reproduced and beyond the budget: blocks the merge */
        REGRESSION,
        /** reproduced or not, but the failure rate is within the quarantine / flake budget */
        WITHIN_BUDGET,
        /** the re-runs did not reproduce it: a flake */
        NOT_REPRODUCED,
        /** failing on the baseline as often: not the candidate's doing */
        STILL_FAILING
    }

    public record TestKey(String testId, String hostClass) implements Comparable<TestKey> {
        @Override
        public int compareTo(TestKey o) {
            int c = testId.compareTo(o.testId);
            return c != 0 ? c : hostClass.compareTo(o.hostClass);
        }
    }

    /** Counts of one side. */
    public record Counts(long runs, long failures, long skips) {
        public static final Counts NONE = new Counts(0, 0, 0);

        public Counts plus(Counts o) {
            return new Counts(runs + o.runs, failures + o.failures, skips + o.skips);
        }

        public double failureRate() {
            return runs == 0 ? 0 : (double) failures / runs;
        }
    }

    public record Judgement(TestKey key, Counts baseline, Counts candidate, Counts reruns, int rerunsAsked, double flakeRateUsed,
            double budget, String budgetFrom, double pValue, Verdict verdict) {
    }

    private GateDecision() {
    }

    /** Pools results into counts per (test, host class). */
    public static Map<TestKey, Counts> pool(Iterable<SeriesStats> series) {
        Map<TestKey, Counts> m = new TreeMap<>();
        for (SeriesStats s : series) {
            m.merge(new TestKey(s.key().testId(), s.key().hostClass()), new Counts(s.runs(), s.failures(), s.skips()), Counts::plus);
        }
        return m;
    }

    /** Tests the candidate failed more often than the baseline. */
    public static List<TestKey> suspects(Map<TestKey, Counts> baseline, Map<TestKey, Counts> candidate) {
        List<TestKey> out = new ArrayList<>();
        candidate.forEach((k, c) -> {
            Counts b = baseline.getOrDefault(k, Counts.NONE);
            if (c.failures() > 0 && (b.runs() == 0 || c.failureRate() > b.failureRate())) {
                out.add(k);
            }
        });
        return out;
    }

    /** N for a test whose measured history is {@code minority} odd verdicts in {@code runs} runs. */
    public static int reruns(long minority, long runs) {
        return Significance.rerunsFor(flakeRateForReruns(minority, runs));
    }

    public static double flakeRateForReruns(long minority, long runs) {
        return runs == 0 ? 0.5 : Significance.wilson(minority, runs)[1];
    }

    public static Judgement judge(TestKey key, Counts baseline, Counts candidate, Counts reruns, int rerunsAsked, double flakeRateUsed,
            double budget, String budgetFrom) {
        Counts all = candidate.plus(reruns);
        if (baseline.runs() > 0 && baseline.failureRate() >= all.failureRate()) {
            return new Judgement(key, baseline, candidate, reruns, rerunsAsked, flakeRateUsed, budget, budgetFrom, 1.0, Verdict.STILL_FAILING);
        }
        double p = Significance.fisherGreater(all.failures(), all.runs(), baseline.failures(), baseline.runs());
        boolean everyRerunFailed = reruns.runs() > 0 && reruns.failures() == reruns.runs();
        boolean reproduced = everyRerunFailed || p < Significance.ALPHA;
        Verdict v = !reproduced ? Verdict.NOT_REPRODUCED : all.failureRate() > budget ? Verdict.REGRESSION : Verdict.WITHIN_BUDGET;
        if (v == Verdict.NOT_REPRODUCED && all.failureRate() <= budget) {
            v = Verdict.WITHIN_BUDGET;
        }
        return new Judgement(key, baseline, candidate, reruns, rerunsAsked, flakeRateUsed, budget, budgetFrom, p, v);
    }

    /** Tests that passed (or failed) on the baseline and only SKIP on the candidate: reported, never blocking. */
    public static Map<TestKey, Counts> newSkips(Map<TestKey, Counts> baseline, Map<TestKey, Counts> candidate) {
        Map<TestKey, Counts> out = new LinkedHashMap<>();
        candidate.forEach((k, c) -> {
            Counts b = baseline.get(k);
            if (c.runs() == 0 && c.skips() > 0 && b != null && b.runs() > 0) {
                out.put(k, c);
            }
        });
        return out;
    }
}
