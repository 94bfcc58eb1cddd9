package dev.kval.triage;

import java.time.Instant;

/**
 * The statistics of one series. runs = counted runs (PASS/XFAIL and FAIL/ERROR/TIMEOUT/MISSING, never INFRA-attributed
 * ones); skips are counted apart. flips = outcome changes between consecutive counted runs in time order, so the flip
 * rate is flips / (runs - 1).
 */
public record SeriesStats(SeriesKey key, String suite, long runs, long failures, long skips, long flips, Instant firstSeen, Instant lastSeen) {
    public double passRate() {
        return runs == 0 ? Double.NaN : (double) (runs - failures) / runs;
    }

    public double failureRate() {
        return runs == 0 ? Double.NaN : (double) failures / runs;
    }

    /** Wilson 95% score interval of the pass rate, {low, high}. */
    public double[] passRateInterval() {
        return Significance.wilson(runs - failures, runs);
    }

    public double flipRate() {
        return runs < 2 ? 0 : (double) flips / (runs - 1);
    }

    public Classification classification() {
        return Classification.of(runs, failures);
    }

    /** The rate of the minority outcome: how often one run of this series gives the verdict it does not usually give. */
    public long minority() {
        return Math.min(failures, runs - failures);
    }

    /** Two series of the same test pooled (e.g. several baseline runs of one kernel), flips added as they are. */
    public SeriesStats plus(SeriesStats o) {
        return new SeriesStats(key, suite, runs + o.runs, failures + o.failures, skips + o.skips, flips + o.flips,
                min(firstSeen, o.firstSeen), max(lastSeen, o.lastSeen));
    }

    private static Instant min(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
    }

    private static Instant max(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
    }
}
