package dev.kval.triage;

/** What a series of results says about a test on one kernel build, config and host class. */
public enum Classification {
    /** every counted run passed */
    STABLE_PASS("stable-pass"),
    /** every counted run failed */
    STABLE_FAIL("stable-fail"),
    /** both outcomes on the same kernel build, config and host class */
    FLAKY("flaky"),
    /** failure rate significantly higher than on the baseline (Fisher exact, one-sided, alpha 0.05) */
    REGRESSION("regression"),
    /** failure rate significantly lower than on the baseline (same test, other tail) */
    FIXED("fixed"),
    /** only SKIPs (or only infrastructure failures): no evidence either way */
    NO_VERDICT("no-verdict");

    private final String label;

    Classification(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** A series on its own: its outcomes alone decide. */
    public static Classification of(long runs, long failures) {
        if (runs == 0) {
            return NO_VERDICT;
        }
        if (failures == 0) {
            return STABLE_PASS;
        }
        return failures == runs ? STABLE_FAIL : FLAKY;
    }

    /**
     * A candidate series against its baseline: REGRESSION / FIXED when Fisher's exact test says the failure rate moved
     * (p < {@link Significance#ALPHA}), else the candidate's own class.
     */
    public static Classification against(SeriesStats baseline, SeriesStats candidate) {
        if (baseline != null && baseline.runs() > 0 && candidate.runs() > 0) {
            if (Significance.fisherGreater(candidate.failures(), candidate.runs(), baseline.failures(), baseline.runs()) < Significance.ALPHA) {
                return REGRESSION;
            }
            if (Significance.fisherGreater(baseline.failures(), baseline.runs(), candidate.failures(), candidate.runs()) < Significance.ALPHA) {
                return FIXED;
            }
        }
        return candidate.classification();
    }
}
