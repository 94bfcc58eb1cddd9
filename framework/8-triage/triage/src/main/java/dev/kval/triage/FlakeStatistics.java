package dev.kval.triage;

import dev.kval.store.ResultStatistics;
import dev.kval.store.SeriesRollup;
import dev.kval.store.Store;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The flakiness statistics over the result store. All of it: read from the per-series rollup the importer keeps
 * ({@link SeriesRollup}, ~36k rows for 1M results). Some runs, or the full recomputation that checks the rollup: one
 * streaming pass over the counted results ({@link ResultStatistics#scan}, INFRA-attributed rows filtered by the
 * store), folded into series by {@link SeriesAccumulator}. The SQL is the store's; this class only counts.
 *
 * <p>Why not SQL aggregation: {@code ./kval bench flaky} measures both on 1M rows; H2's window functions (LAG over
 * a partition by test, kernel and host class) sort the whole table in its own engine, which is several times slower
 * than this pass ({@link #computeWithWindowFunctions} is kept as the bench's comparison and gives identical numbers).
 */
public final class FlakeStatistics {
    private FlakeStatistics() {
    }

    /** Which results: all, or those of some runs. */
    public record Scope(Collection<Long> runIds) {
        public static final Scope ALL = new Scope(null);

        public static Scope runs(Collection<Long> ids) {
            return new Scope(ids);
        }
    }

    /**
     * The statistics of scope: all results from the store's per-series rollup (one row per series, kept by the
     * importer: {@link SeriesRollup}); some runs' results by the streaming pass over them.
     */
    public static FlakeSnapshot compute(Store store, Scope scope) {
        return scope.runIds() == null ? computeFromRollup(store) : computeByScan(store, scope);
    }

    /** Every series' statistics as the rollup holds them. */
    public static FlakeSnapshot computeFromRollup(Store store) {
        ResultStatistics reads = new ResultStatistics(store);
        Map<SeriesKey, SeriesStats> out = new HashMap<>();
        for (SeriesRollup.Stats s : reads.rollup()) {
            SeriesKey k = new SeriesKey(s.key().testId(), s.key().kernelId(), s.key().hostClass());
            out.put(k, new SeriesStats(k, s.suite(), s.runs(), s.failures(), s.skips(), s.flips(), Instant.ofEpochMilli(s.firstSeen()),
                    Instant.ofEpochMilli(s.lastSeen())));
        }
        return new FlakeSnapshot(out, kernels(reads));
    }

    /** The full recomputation: one streaming pass over the results of scope (the check that the rollup is right). */
    public static FlakeSnapshot computeByScan(Store store, Scope scope) {
        ResultStatistics reads = new ResultStatistics(store);
        Map<Long, String> hostClass = reads.hostClasses();
        Map<Long, KernelInfo> kernels = kernels(reads);
        SeriesAccumulator acc = new SeriesAccumulator();
        reads.scan(scope.runIds(), (id, test, kernel, host, suite, status, attribution, started) ->
                acc.add(test, kernel, hostClass.getOrDefault(host, "?"), suite, status, attribution, started, id));
        return new FlakeSnapshot(acc.stats(), kernels);
    }

    /** The same statistics by SQL aggregation with a LAG window (the bench's comparison). */
    public static FlakeSnapshot computeWithWindowFunctions(Store store, Scope scope) {
        ResultStatistics reads = new ResultStatistics(store);
        Set<String> fails = CountedAs.BY_STATUS.entrySet().stream().filter(e -> e.getValue() == CountedAs.FAIL).map(Map.Entry::getKey)
                .collect(Collectors.toSet());
        Map<SeriesKey, SeriesStats> out = new HashMap<>();
        for (ResultStatistics.SeriesAggregate a : reads.byWindowFunctions(scope.runIds(), fails)) {
            SeriesKey k = new SeriesKey(a.testId(), a.kernelId(), a.hostClass());
            out.put(k, new SeriesStats(k, a.suite(), a.runs(), a.failures(), a.skips(), a.flips(), a.firstSeen(), a.lastSeen()));
        }
        return new FlakeSnapshot(out, kernels(reads));
    }

    /**
     * The approach one writes first, kept as the bench's baseline: list the series, then one query per series for its
     * results in time order.
     */
    public static FlakeSnapshot computePerSeries(Store store, Scope scope) {
        ResultStatistics reads = new ResultStatistics(store);
        Map<SeriesKey, SeriesStats> out = new HashMap<>();
        SeriesAccumulator[] acc = {null};
        String[] hostClass = {null};
        reads.perSeries(scope.runIds(), s -> {
            if (acc[0] != null) {
                out.putAll(acc[0].stats());
            }
            acc[0] = new SeriesAccumulator();
            hostClass[0] = s.hostClass();
        }, (id, test, kernel, host, suite, status, attribution, started) -> acc[0].add(test, kernel, hostClass[0], suite, status, attribution, started, id));
        if (acc[0] != null) {
            out.putAll(acc[0].stats());
        }
        return new FlakeSnapshot(out, kernels(reads));
    }

    public static Map<Long, KernelInfo> kernels(Store store) {
        return kernels(new ResultStatistics(store));
    }

    private static Map<Long, KernelInfo> kernels(ResultStatistics reads) {
        Map<Long, KernelInfo> m = new HashMap<>();
        for (ResultStatistics.Kernel k : reads.kernels()) {
            m.put(k.id(), new KernelInfo(k.id(), k.spec(), k.release(), k.configHash()));
        }
        return m;
    }

    /**
     * Null when two computations of the statistics agree on every series (runs, failures, skips, flips, first and last
     * seen), else what differs first: the check that the rollup is right and that the bench's methods agree.
     */
    public static String differ(FlakeSnapshot a, FlakeSnapshot b, String name) {
        if (a.series().size() != b.series().size()) {
            return name + ": " + b.series().size() + " series, the rollup " + a.series().size();
        }
        java.util.function.Function<SeriesStats, String> f = s -> s.runs() + "/" + s.failures() + "/" + s.skips() + "/" + s.flips() + "/" + s.firstSeen() + "/" + s.lastSeen();
        for (SeriesStats s : a.series().values()) {
            SeriesStats o = b.series().get(s.key());
            if (o == null || !f.apply(s).equals(f.apply(o))) {
                return name + " differs on " + s.key() + ": " + (o == null ? "missing" : f.apply(o)) + " vs " + f.apply(s);
            }
        }
        return null;
    }
}
