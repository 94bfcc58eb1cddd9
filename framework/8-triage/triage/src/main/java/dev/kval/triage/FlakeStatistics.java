package dev.kval.triage;

import dev.kval.store.SeriesRollup;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The flakiness statistics over the result store. All of it: read from the per-series rollup the importer keeps
 * ({@link SeriesRollup}, ~36k rows for 1M results). Some runs, or the full recomputation that checks the rollup: one
 * streaming pass: keyset pages of the counted columns of
 * {@code result} in primary-key order (INFRA-attributed rows filtered in SQL), folded into series by
 * {@link SeriesAccumulator} with the host classes and kernels looked up from their (small) tables first.
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

        String where(String alias) {
            String infra = "(" + alias + "attribution IS NULL OR " + alias + "attribution <> 'INFRA')";
            if (runIds == null) {
                return " WHERE " + infra;
            }
            String ids = runIds.isEmpty() ? "-1" : runIds.stream().map(String::valueOf).collect(Collectors.joining(","));
            return " WHERE " + alias + "run_id IN (" + ids + ") AND " + infra;
        }
    }

    /** Rows per page of the pass: below H2's MAX_MEMORY_ROWS, so no page of the result is buffered in a temporary file. */
    static final int PAGE = 40_000;

    /**
     * The statistics of scope: all results from the store's per-series rollup (one row per series, kept by the
     * importer: {@link SeriesRollup}); some runs' results by the streaming pass over them.
     */
    public static FlakeSnapshot compute(Connection c, Scope scope) throws SQLException {
        return scope.runIds() == null ? computeFromRollup(c) : computeByScan(c, scope);
    }

    /** Every series' statistics as the rollup holds them. */
    public static FlakeSnapshot computeFromRollup(Connection c) throws SQLException {
        Map<SeriesKey, SeriesStats> out = new HashMap<>();
        for (SeriesRollup.Stats s : SeriesRollup.all(c)) {
            SeriesKey k = new SeriesKey(s.key().testId(), s.key().kernelId(), s.key().hostClass());
            out.put(k, new SeriesStats(k, s.suite(), s.runs(), s.failures(), s.skips(), s.flips(), Instant.ofEpochMilli(s.firstSeen()),
                    Instant.ofEpochMilli(s.lastSeen())));
        }
        return new FlakeSnapshot(out, kernels(c));
    }

    /** The full recomputation: one streaming pass over the results of scope (the check that the rollup is right). */
    public static FlakeSnapshot computeByScan(Connection c, Scope scope) throws SQLException {
        Map<Long, String> hostClass = hostClasses(c);
        Map<Long, KernelInfo> kernels = kernels(c);
        SeriesAccumulator acc = new SeriesAccumulator();
        // Keyset pages in primary-key order: each page is a range scan of the primary index (no sort, no temporary
        // result), the same on H2 and PostgreSQL. (H2's lazy execution would stream one query, but 2.4.240 fails it
        // with "Chunk not found" when the store compacts underneath it.)
        String sql = "SELECT id, test_id, kernel_id, host_id, suite, status, attribution, started_at FROM result"
                + scope.where("") + " AND id > ? ORDER BY id FETCH FIRST " + PAGE + " ROWS ONLY";
        // test ids repeat a million times: one String per distinct id keeps the map keys' equals() cheap
        Map<String, String> intern = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            long last = Long.MIN_VALUE;
            int got;
            do {
                got = 0;
                ps.setLong(1, last);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        last = rs.getLong(1);
                        String test = intern.computeIfAbsent(rs.getString(2), t -> t);
                        acc.add(test, rs.getLong(3), hostClass.getOrDefault(rs.getLong(4), "?"), rs.getString(5), rs.getString(6), rs.getString(7),
                                rs.getTimestamp(8).getTime(), last);
                        got++;
                    }
                }
            } while (got == PAGE);
        }
        return new FlakeSnapshot(acc.stats(), kernels);
    }

    /** The same statistics by SQL aggregation with a LAG window (H2 and PostgreSQL agree on this syntax). */
    public static FlakeSnapshot computeWithWindowFunctions(Connection c, Scope scope) throws SQLException {
        String fails = CountedAs.sqlList(CountedAs.FAIL);
        String sql = "SELECT test_id, kernel_id, host_class, MIN(suite),"
                + " SUM(CASE WHEN o <> 'S' THEN 1 ELSE 0 END), SUM(CASE WHEN o = 'F' THEN 1 ELSE 0 END), SUM(CASE WHEN o = 'S' THEN 1 ELSE 0 END),"
                + " SUM(CASE WHEN o <> 'S' AND prev IS NOT NULL AND prev <> o THEN 1 ELSE 0 END), MIN(started_at), MAX(started_at)"
                + " FROM (SELECT test_id, kernel_id, host_class, suite, started_at, o,"
                + "   LAG(o) OVER (PARTITION BY test_id, kernel_id, host_class, is_skip ORDER BY started_at, id) AS prev"
                + "   FROM (SELECT r.id, r.test_id, r.kernel_id, h.host_class, r.suite, r.started_at,"
                + "     CASE WHEN r.status IN (" + fails + ") THEN 'F' WHEN r.status = 'SKIP' THEN 'S' ELSE 'P' END AS o,"
                + "     CASE WHEN r.status = 'SKIP' THEN 1 ELSE 0 END AS is_skip"
                + "     FROM result r JOIN host h ON h.id = r.host_id" + scope.where("r.") + ") t) w"
                + " GROUP BY test_id, kernel_id, host_class";
        Map<SeriesKey, SeriesStats> out = new HashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                SeriesKey k = new SeriesKey(rs.getString(1), rs.getLong(2), rs.getString(3));
                Timestamp first = rs.getTimestamp(9);
                Timestamp last = rs.getTimestamp(10);
                out.put(k, new SeriesStats(k, rs.getString(4), rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8),
                        first == null ? null : first.toInstant(), last == null ? null : last.toInstant()));
            }
        }
        return new FlakeSnapshot(out, kernels(c));
    }

    /**
     * The approach one writes first, kept as the bench's baseline: list the series, then one query per series for its
     * results in time order.
     */
    public static FlakeSnapshot computePerSeries(Connection c, Scope scope) throws SQLException {
        Map<Long, String> hostClass = hostClasses(c);
        Map<SeriesKey, SeriesStats> out = new HashMap<>();
        record Group(String test, long kernel, String hostClass) {
        }
        Map<Group, java.util.List<Long>> groups = new HashMap<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT DISTINCT test_id, kernel_id, host_id FROM result" + scope.where(""))) {
            while (rs.next()) {
                groups.computeIfAbsent(new Group(rs.getString(1), rs.getLong(2), hostClass.get(rs.getLong(3))), g -> new java.util.ArrayList<>())
                        .add(rs.getLong(3));
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT id, suite, status, attribution, started_at FROM result"
                + " WHERE test_id = ? AND kernel_id = ? AND host_id = ? ORDER BY started_at, id")) {
            for (Map.Entry<Group, java.util.List<Long>> g : groups.entrySet()) {
                SeriesAccumulator acc = new SeriesAccumulator();
                for (long host : g.getValue()) {
                    ps.setString(1, g.getKey().test());
                    ps.setLong(2, g.getKey().kernel());
                    ps.setLong(3, host);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            acc.add(g.getKey().test(), g.getKey().kernel(), g.getKey().hostClass(), rs.getString(2), rs.getString(3), rs.getString(4),
                                    rs.getTimestamp(5).getTime(), rs.getLong(1));
                        }
                    }
                }
                out.putAll(acc.stats());
            }
        }
        return new FlakeSnapshot(out, kernels(c));
    }

    static Map<Long, String> hostClasses(Connection c) throws SQLException {
        Map<Long, String> m = new HashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id, host_class FROM host")) {
            while (rs.next()) {
                m.put(rs.getLong(1), rs.getString(2));
            }
        }
        return m;
    }

    public static Map<Long, KernelInfo> kernels(Connection c) throws SQLException {
        Map<Long, KernelInfo> m = new HashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id, spec, release, config_hash FROM kernel")) {
            while (rs.next()) {
                m.put(rs.getLong(1), new KernelInfo(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
            }
        }
        return m;
    }
}
