package dev.kval.triage;

import java.util.OptionalDouble;

/**
 * A test's measured flake rate, for deciding how often to repeat it (the flake-aware bisection, the gate's
 * reproduction): the probability that one run gives the verdict its series does not usually give, pooled over the
 * series (kernel build x config x host class) the test ran in. A test that passes on one kernel and fails on another
 * is not flaky; a test that fails 3 times in 10 on one kernel is, with rate 0.3.
 */
public interface FlakeRates {
    /** Empty when the store holds no counted run of a test matching {@code testGlob} (a test id or a glob: {@code api.C17.*}). */
    OptionalDouble flakeRate(String testGlob, String hostClass);

    /** The runs per step that make a false verdict from flakiness unlikely (< 1%): {@link Significance#rerunsFor}. */
    default int repeatsFor(String testGlob, String hostClass, double whenUnknown) {
        return Significance.rerunsFor(flakeRate(testGlob, hostClass).orElse(whenUnknown));
    }
}
