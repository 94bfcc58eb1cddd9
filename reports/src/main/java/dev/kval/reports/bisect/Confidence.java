package dev.kval.reports.bisect;

import java.util.List;

/**
 * How sure a bisection is of its change point, and how many runs a step needs.
 *
 * <p>Model: each run of the case on a kernel reports the kernel's true verdict with probability 1 - f and another
 * one with probability f (f = the flake rate). A step whose runs gave its majority verdict k times and something else m
 * times has, against the alternative that the true verdict is the other one (equal priors), posterior probability
 * p = (1-f)^k f^m / ((1-f)^k f^m + f^k (1-f)^m) that its majority is right. The change point is right when every
 * step that steered the search was classified right, so confidence = product of p over the steps that ran (weak steps
 * that never booted steer nothing). f is the measured rate when {@link FlakeRates} knows it; otherwise it is estimated
 * from the bisection's own runs with the rule of succession, f = (minority runs + 1) / (all runs + 2), capped below 0.5.
 */
public final class Confidence {
    /** Target: the majority of a step's runs is wrong with probability at most this (for choosing N). */
    public static final double STEP_ERROR = 0.01;
    public static final int DEFAULT_RUNS = 3;
    public static final int MAX_RUNS = 15;

    private Confidence() {
    }

    /** Votes of one step: its majority verdict's count and the rest. */
    public record Votes(int majority, int minority) {
    }

    /** The smallest odd N (at most MAX_RUNS) whose majority is wrong with probability <= STEP_ERROR at flake rate f. */
    public static int runsFor(double f) {
        for (int n = 1; n <= MAX_RUNS; n += 2) {
            if (majorityWrong(n, f) <= STEP_ERROR) {
                return n;
            }
        }
        return MAX_RUNS;
    }

    /** P(more than half of n runs are wrong) for per-run error f. */
    static double majorityWrong(int n, double f) {
        double p = 0;
        for (int k = n / 2 + 1; k <= n; k++) {
            p += binom(n, k) * Math.pow(f, k) * Math.pow(1 - f, n - k);
        }
        return p;
    }

    private static double binom(int n, int k) {
        double r = 1;
        for (int i = 1; i <= k; i++) {
            r = r * (n - k + i) / i;
        }
        return r;
    }

    /** The rate estimated from the steps' own runs (rule of succession), below 0.5. */
    public static double estimate(List<Votes> steps) {
        long minority = steps.stream().mapToLong(Votes::minority).sum();
        long all = steps.stream().mapToLong(v -> v.majority() + v.minority()).sum();
        return Math.min(0.49, (minority + 1.0) / (all + 2.0));
    }

    /** Posterior that a step's majority verdict is its true verdict. */
    public static double step(Votes v, double f) {
        double right = Math.pow(1 - f, v.majority()) * Math.pow(f, v.minority());
        double wrong = Math.pow(f, v.majority()) * Math.pow(1 - f, v.minority());
        return right / (right + wrong);
    }

    public static double of(List<Votes> steps, double f) {
        double c = 1;
        for (Votes v : steps) {
            c *= step(v, f);
        }
        return c;
    }
}
