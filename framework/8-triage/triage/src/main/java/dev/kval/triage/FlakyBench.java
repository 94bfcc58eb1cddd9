package dev.kval.triage;

import dev.kval.store.SeriesRollup;
import dev.kval.store.Store;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * {@code kval bench flaky}: fills an embedded H2 store with a realistic result history (tests x kernels x host classes
 * x repeated runs, mostly stable, a few flaky and regressing tests, some infrastructure failures) and times the
 * flakiness statistics three ways in the same run: kval's streaming pass, SQL aggregation with window functions,
 * and one query per series. The three must agree.
 */
public final class FlakyBench {
    /** The shape of the generated history. */
    public record Shape(int tests, int kernels, int hostClasses, int hostsPerClass, int runsPerCell, int repeats, long seed) {
        public static final Shape DEFAULT = new Shape(300, 20, 3, 2, 7, 4, 7);

        public long rows() {
            return (long) tests * kernels * hostClasses * hostsPerClass * runsPerCell * repeats;
        }
    }

    /** What a generated test does, by share of the tests (a data table, applied in order). */
    enum Profile {
        STABLE(0.85), SKIPS_ON_OLD_KERNELS(0.05), STABLE_FAIL(0.02), FLAKY(0.05), REGRESSES(0.03);

        final double share;

        Profile(double share) {
            this.share = share;
        }

        static Profile pick(double u) {
            double acc = 0;
            for (Profile p : values()) {
                acc += p.share;
                if (u < acc) {
                    return p;
                }
            }
            return STABLE;
        }
    }

    static final double INFRA_SHARE = 0.003;
    /** kval's statistics: the per-series rollup the importer keeps. */
    public static final String KVAL = "rollup (kval)";
    static final String[] SUITES = {"api", "guest", "hugepage", "poison", "migration"};

    public record Timing(String name, long millis, long cpuMillis, long warmUpMillis, int series) {
    }

    public record Report(long rows, long insertMillis, List<Timing> timings, boolean agree, String disagreement) {
        public Timing get(String name) {
            return timings.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
        }
    }

    public static long generate(Store store, Shape shape, PrintStream err) throws SQLException {
        Random rnd = new Random(shape.seed());
        Profile[] profile = new Profile[shape.tests()];
        double[] rate = new double[shape.tests()];
        int[] breaksAt = new int[shape.tests()];
        for (int t = 0; t < shape.tests(); t++) {
            profile[t] = Profile.pick(rnd.nextDouble());
            rate[t] = 0.02 + rnd.nextDouble() * 0.28;
            breaksAt[t] = shape.kernels() / 2 + rnd.nextInt(shape.kernels() / 2);
        }
        long rows = 0;
        long t0 = System.nanoTime();
        try (Connection c = store.connection()) {
            c.setAutoCommit(false);
            long[] kernelIds = new long[shape.kernels()];
            try (PreparedStatement k = c.prepareStatement("INSERT INTO kernel (spec, source, release, sha256, config_hash) VALUES (?, 'debian', ?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                for (int i = 0; i < shape.kernels(); i++) {
                    String release = "7." + (i / 8) + "." + (i % 8 + 1) + "+deb13-amd64";
                    k.setString(1, "debian:" + release.replace("-amd64", ""));
                    k.setString(2, release);
                    k.setString(3, String.format("%064x", i + 1));
                    k.setString(4, String.format("%064x", 1000 + i));
                    k.executeUpdate();
                    kernelIds[i] = key(k);
                }
            }
            long[] hostIds = new long[shape.hostClasses() * shape.hostsPerClass()];
            try (PreparedStatement h = c.prepareStatement("INSERT INTO host (name, provider, host_class) VALUES (?, 'qemu', ?)", Statement.RETURN_GENERATED_KEYS)) {
                for (int i = 0; i < hostIds.length; i++) {
                    h.setString(1, "bench-host-" + i);
                    h.setString(2, "class-" + (i / shape.hostsPerClass()));
                    h.executeUpdate();
                    hostIds[i] = key(h);
                }
            }
            Instant clock = Instant.parse("2026-01-01T00:00:00Z");
            try (PreparedStatement run = c.prepareStatement("INSERT INTO run (uuid, kind, state, request, outcome, created_at) VALUES (?, 'run', 'DONE', '{}', 'PASS', ?)",
                    Statement.RETURN_GENERATED_KEYS);
                    PreparedStatement res = c.prepareStatement("INSERT INTO result (run_id, kernel_id, host_id, suite, test_id, status, attribution, duration_ms, attempt, started_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (int k = 0; k < shape.kernels(); k++) {
                    for (int h = 0; h < hostIds.length; h++) {
                        for (int r = 0; r < shape.runsPerCell(); r++) {
                            clock = clock.plusSeconds(60);
                            run.setString(1, new java.util.UUID(rnd.nextLong(), rnd.nextLong()).toString());
                            run.setTimestamp(2, Timestamp.from(clock));
                            run.executeUpdate();
                            long runId = key(run);
                            for (int rep = 1; rep <= shape.repeats(); rep++) {
                                for (int t = 0; t < shape.tests(); t++) {
                                    String[] st = status(profile[t], rate[t], breaksAt[t], k, rnd);
                                    res.setLong(1, runId);
                                    res.setLong(2, kernelIds[k]);
                                    res.setLong(3, hostIds[h]);
                                    res.setString(4, SUITES[t % SUITES.length]);
                                    res.setString(5, SUITES[t % SUITES.length] + ".C" + (t / 10) + ".assertion_" + t);
                                    res.setString(6, st[0]);
                                    res.setString(7, st[1]);
                                    res.setLong(8, 5 + rnd.nextInt(50));
                                    res.setInt(9, rep);
                                    res.setTimestamp(10, Timestamp.from(clock.plusMillis(rep * 1000L + t)));
                                    res.addBatch();
                                    rows++;
                                }
                            }
                            // as RunImporter does: the run's results and the rollup in one transaction
                            res.executeBatch();
                            SeriesRollup.applyRun(c, runId, 0);
                            c.commit();
                        }
                    }
                    if (err != null) {
                        err.printf("kval bench flaky: generated %,d rows (%d of %d kernels)%n", rows, k + 1, shape.kernels());
                    }
                }
                res.executeBatch();
                c.commit();
            }
        }
        if (err != null) {
            err.printf("kval bench flaky: %,d result rows inserted in %,d ms%n", rows, (System.nanoTime() - t0) / 1_000_000);
        }
        return rows;
    }

    public static long existingRows(Store store) throws SQLException {
        try (Connection c = store.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM result")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String[] status(Profile p, double rate, int breaksAt, int kernel, Random rnd) {
        if (rnd.nextDouble() < INFRA_SHARE) {
            return new String[] {"ERROR", "INFRA"};
        }
        boolean fail = switch (p) {
            case STABLE -> false;
            case SKIPS_ON_OLD_KERNELS -> false;
            case STABLE_FAIL -> true;
            case FLAKY -> rnd.nextDouble() < rate;
            case REGRESSES -> kernel >= breaksAt && rnd.nextDouble() < 0.7;
        };
        if (p == Profile.SKIPS_ON_OLD_KERNELS && kernel < 8) {
            return new String[] {"SKIP", null};
        }
        return fail ? new String[] {"FAIL", "KERNEL"} : new String[] {"PASS", null};
    }

    private static long key(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.getGeneratedKeys()) {
            rs.next();
            return rs.getLong(1);
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
        FlakeSnapshot compute(Connection c) throws SQLException;
    }

    /** Times each method (a warm-up pass first, then the best of {@code rounds}) and checks that they agree. */
    public static Report measure(Store store, long rows, long insertMillis, int rounds, PrintStream err) throws SQLException {
        Map<String, Method> methods = new java.util.LinkedHashMap<>();
        methods.put(KVAL, FlakeStatistics::computeFromRollup);
        methods.put("streaming pass (full)", c -> FlakeStatistics.computeByScan(c, FlakeStatistics.Scope.ALL));
        methods.put("SQL window functions", c -> FlakeStatistics.computeWithWindowFunctions(c, FlakeStatistics.Scope.ALL));
        methods.put("one query per series", c -> FlakeStatistics.computePerSeries(c, FlakeStatistics.Scope.ALL));
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
                try (Connection c = store.connection()) {
                    long t0 = System.nanoTime();
                    long c0 = THREADS.getCurrentThreadCpuTime();
                    snap = m.getValue().compute(c);
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
                disagreement = differ(reference, snap, m.getKey());
            }
        }
        return new Report(rows, insertMillis, timings, disagreement == null, disagreement);
    }

    static String differ(FlakeSnapshot a, FlakeSnapshot b, String name) {
        if (a.series().size() != b.series().size()) {
            return name + ": " + b.series().size() + " series, the rollup " + a.series().size();
        }
        Function<SeriesStats, String> f = s -> s.runs() + "/" + s.failures() + "/" + s.skips() + "/" + s.flips() + "/" + s.firstSeen() + "/" + s.lastSeen();
        for (SeriesStats s : a.series().values()) {
            SeriesStats o = b.series().get(s.key());
            if (o == null || !f.apply(s).equals(f.apply(o))) {
                return name + " differs on " + s.key() + ": " + (o == null ? "missing" : f.apply(o)) + " vs " + f.apply(s);
            }
        }
        return null;
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
