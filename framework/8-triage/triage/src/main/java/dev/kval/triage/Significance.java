package dev.kval.triage;

/**
 * The two statistics the classification rests on: Wilson's 95% score interval for a pass rate, and Fisher's exact
 * test (one-sided) for "the candidate's failure rate is higher than the baseline's". Fisher rather than the
 * two-proportion z-test because the counts here are small (3 repeats per kernel is typical) and the z-test's normal
 * approximation is not valid there.
 */
public final class Significance {
    /** z for a two-sided 95% interval. */
    static final double Z95 = 1.959963984540054;
    /** Significance level of the regression / fixed test. */
    public static final double ALPHA = 0.05;

    private Significance() {
    }

    /** Wilson score interval {low, high} of successes/n at 95%; {0, 1} for n = 0. */
    public static double[] wilson(long successes, long n) {
        if (n == 0) {
            return new double[] {0, 1};
        }
        double p = (double) successes / n;
        double z2 = Z95 * Z95;
        double denom = 1 + z2 / n;
        double centre = (p + z2 / (2.0 * n)) / denom;
        double half = Z95 * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denom;
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }

    /**
     * One-sided Fisher exact p-value that group A fails more often than group B: P(X >= failsA) for the
     * hypergeometric law of A's failures given both groups' sizes and the total number of failures.
     */
    public static double fisherGreater(long failsA, long runsA, long failsB, long runsB) {
        long n = runsA + runsB;
        long k = failsA + failsB;
        if (runsA == 0 || runsB == 0 || k == 0 || k == n) {
            return 1.0;
        }
        double p = 0;
        long max = Math.min(k, runsA);
        for (long x = failsA; x <= max; x++) {
            p += Math.exp(logChoose(runsA, x) + logChoose(runsB, k - x) - logChoose(n, k));
        }
        return Math.min(1.0, p);
    }

    private static double logChoose(long n, long k) {
        if (k < 0 || k > n) {
            return Double.NEGATIVE_INFINITY;
        }
        return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
    }

    private static final double[] LOG_FACT = new double[4097];

    static {
        for (int i = 1; i < LOG_FACT.length; i++) {
            LOG_FACT[i] = LOG_FACT[i - 1] + Math.log(i);
        }
    }

    private static double logFactorial(long n) {
        if (n < LOG_FACT.length) {
            return LOG_FACT[(int) n];
        }
        // Stirling with two correction terms: exact to ~1e-12 beyond 4096.
        double x = n;
        return x * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI * x) + 1 / (12 * x) - 1 / (360 * x * x * x);
    }

    /**
     * The re-runs a suspected regression needs: the smallest N such that a test whose runs fail with probability
     * {@code flakeRate} fails all N of them with probability below 1% (flakeRate^N < 0.01), between 1 and
     * {@value #MAX_RERUNS}.
     */
    public static int rerunsFor(double flakeRate) {
        if (flakeRate <= 0) {
            return 1;
        }
        if (flakeRate >= 1) {
            return MAX_RERUNS;
        }
        int n = (int) Math.floor(Math.log(RERUN_FALSE_ALARM) / Math.log(flakeRate)) + 1;
        return Math.max(1, Math.min(MAX_RERUNS, n));
    }

    public static final double RERUN_FALSE_ALARM = 0.01;
    public static final int MAX_RERUNS = 20;
}
