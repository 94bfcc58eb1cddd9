package dev.kval.reports.bisect;

import java.util.OptionalDouble;

/**
 * Measured flake rates, which part B's statistics (and the result store) implement: the probability that one run of a
 * test gives a verdict other than its usual one, per test (id or glob), kernel and host class. Bisection sizes its
 * runs per step from it and weighs its confidence with it.
 */
@FunctionalInterface
public interface FlakeRates {
    /** Nothing measured yet: bisection falls back to its default runs and estimates the rate from its own steps. */
    FlakeRates UNKNOWN = (test, kernel, hostClass) -> OptionalDouble.empty();

    /** The rate in [0, 1), or empty when this test was not measured often enough to say. */
    OptionalDouble rate(String test, String kernelSpec, String hostClass);
}
