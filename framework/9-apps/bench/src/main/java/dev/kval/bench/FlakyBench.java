package dev.kval.bench;

import dev.kval.triage.Classification;
import dev.kval.triage.FlakeSnapshot;
import dev.kval.triage.FlakeStatistics;

import dev.kval.store.Store;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code kval bench flaky}: fills an embedded H2 store with a realistic result history (tests x kernels x host classes
 * x repeated runs, mostly stable, a few flaky and regressing tests, some infrastructure failures) and times the
 * flakiness statistics three ways in the same run: kval's streaming pass, SQL aggregation with window functions,
 * and one query per series. The three must agree.
 */
public final class FlakyBench {
    /** kval's statistics: the per-series rollup the importer keeps. */
    public static final String KVAL = "rollup (kval)";

    public record Timing(String name, long millis, long cpuMillis, long warmUpMillis, int series) {
    }

    public record Report(long rows, long insertMillis, List<Timing> timings, boolean agree, String disagreement) {
        public Timing get(String name) {
            return timings.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
        }
    }

    static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    interface Method {
        FlakeSnapshot compute(Store store);
    }

    /** Times each method (a warm-up pass first, then the best of {@code rounds}) and checks that they agree. */
    public static Report measure(Store store, long rows, long insertMillis, int rounds, PrintStream err) {
        Map<String, Method> methods = new java.util.LinkedHashMap<>();
        methods.put(KVAL, FlakeStatistics::computeFromRollup);
        methods.put("streaming pass (full)", s -> FlakeStatistics.computeByScan(s, FlakeStatistics.Scope.ALL));
        methods.put("SQL window functions", s -> FlakeStatistics.computeWithWindowFunctions(s, FlakeStatistics.Scope.ALL));
        methods.put("one query per series", s -> FlakeStatistics.computePerSeries(s, FlakeStatistics.Scope.ALL));
        List<Timing> timings = new ArrayList<>();
        FlakeSnapshot reference = null;
        String disagreement = null;
        for (Map.Entry<String, Method> m : methods.entrySet()) {
            long best = Long.MAX_VALUE;
            long warm = 0;
            long cpu = 0;
            FlakeSnapshot snap = null;
            // the comparisons take 10-30 s a round: one timed round after the warm-up is enough for them
            int n = m.getKey().equals(KVAL) || m.getKey().startsWith("streaming") ? rounds : 1;
            for (int i = 0; i <= n; i++) {
                {
                    long t0 = System.nanoTime();
                    long c0 = THREADS.getCurrentThreadCpuTime();
                    snap = m.getValue().compute(store);
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    long cpuMs = (THREADS.getCurrentThreadCpuTime() - c0) / 1_000_000;
                    if (i == 0) {
                        warm = ms;
                    } else if (ms < best) {
                        best = ms;
                        cpu = cpuMs;
                    }
                    if (err != null) {
                        err.printf("kval bench flaky: %s: %s %,d ms (cpu %,d ms)%n", m.getKey(), i == 0 ? "warm-up" : "round " + i, ms, cpuMs);
                    }
                }
            }
            timings.add(new Timing(m.getKey(), best, cpu, warm, snap.series().size()));
            if (reference == null) {
                reference = snap;
            } else if (disagreement == null) {
                disagreement = FlakeStatistics.differ(reference, snap, m.getKey());
            }
        }
        return new Report(rows, insertMillis, timings, disagreement == null, disagreement);
    }

    public static String format(Report r, FlakeSnapshot snap) {
        StringBuilder b = new StringBuilder();
        Timing kval = r.get(KVAL);
        b.append(String.format("flakiness statistics over %,d stored results (%,d series; %s):%n", r.rows(), kval.series(),
                r.insertMillis() < 0 ? "rows reused from --db" : String.format("inserted in %,d ms, one transaction per run with its rollup update", r.insertMillis())));
        for (Timing t : r.timings()) {
            b.append(String.format("  %-24s %,8d ms wall, %,6d ms cpu (best timed round; first, cold: %,d ms)   %6.2fx the rollup%n", t.name(), t.millis(),
                    t.cpuMillis(), t.warmUpMillis(), (double) t.millis() / Math.max(1, kval.millis())));
        }
        b.append("  load average while measured (/proc/loadavg, this machine is shared): ").append(loadAverage()).append('\n');
        b.append(String.format("  goal: <= 1000 ms -> %s (%,d ms wall, %,d ms cpu; wall time counts other processes' load on a shared machine)%n",
                kval.millis() <= 1000 ? "met" : "MISSED", kval.millis(), kval.cpuMillis()));
        b.append(String.format("  speed-up of the rollup vs the full streaming pass: %.1fx; vs one query per series: %.1fx; vs SQL window functions: %.1fx%n",
                (double) r.get("streaming pass (full)").millis() / Math.max(1, kval.millis()),
                (double) r.get("one query per series").millis() / Math.max(1, kval.millis()),
                (double) r.get("SQL window functions").millis() / Math.max(1, kval.millis())));
        b.append("  methods agree (rollup = full recomputation = SQL = per series, every series' runs, failures, skips, flips, first/last seen): ").append(r.agree() ? "yes" : "NO - " + r.disagreement()).append('\n');
        if (snap != null) {
            Map<Classification, Long> byClass = new java.util.EnumMap<>(Classification.class);
            snap.series().values().forEach(s -> byClass.merge(s.classification(), 1L, Long::sum));
            b.append("  series by class: ").append(byClass).append('\n');
            long changes = snap.changesPerKernel().values().stream().mapToLong(l -> l.stream().filter(c -> c.classification() == Classification.REGRESSION).count()).sum();
            b.append("  regressions against the previous kernel (Fisher exact one-sided, alpha 0.05): ").append(changes).append('\n');
        }
        return b.toString();
    }
}
