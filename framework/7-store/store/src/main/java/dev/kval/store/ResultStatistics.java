package dev.kval.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The reads the flakiness statistics (triage) are made of, so that their SQL lives here with the schema: the
 * per-series rollup, one streaming keyset pass over the counted results, and - as the bench's comparisons and the
 * check that the rollup is right - the same statistics by SQL window functions and by one query per series.
 * INFRA-attributed rows are filtered in SQL everywhere: they count nowhere.
 */
public final class ResultStatistics {
    /** Rows per page of the pass: below H2's MAX_MEMORY_ROWS, so no page of the result is buffered in a temporary file. */
    static final int PAGE = 40_000;

    private final Store store;

    public ResultStatistics(Store store) {
        this.store = store;
    }

    /** A kernel row as the statistics name it. */
    public record Kernel(long id, String spec, String release, String configHash) {
    }

    /** One counted result of the pass. */
    @FunctionalInterface
    public interface RowSink {
        void add(long id, String testId, long kernelId, long hostId, String suite, String status, String attribution, long startedMillis);
    }

    /** A series' aggregate as SQL computed it (the window-function comparison). */
    public record SeriesAggregate(String testId, long kernelId, String hostClass, String suite, long runs, long failures, long skips,
            long flips, Instant firstSeen, Instant lastSeen) {
    }

    /** One series (test, kernel, host class) and the hosts of that class its results came from. */
    public record SeriesHosts(String testId, long kernelId, String hostClass, List<Long> hostIds) {
    }

    /** Every series' statistics as the importer's rollup holds them. */
    public List<SeriesRollup.Stats> rollup() {
        return read(SeriesRollup::all);
    }

    public Map<Long, String> hostClasses() {
        return read(c -> {
            Map<Long, String> m = new HashMap<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id, host_class FROM host")) {
                while (rs.next()) {
                    m.put(rs.getLong(1), rs.getString(2));
                }
            }
            return m;
        });
    }

    public List<Kernel> kernels() {
        return read(c -> {
            List<Kernel> m = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id, spec, release, config_hash FROM kernel")) {
                while (rs.next()) {
                    m.add(new Kernel(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
            return m;
        });
    }

    /**
     * Every counted result of the runs (null: all runs) in primary-key order, in keyset pages: each page is a range
     * scan of the primary index (no sort, no temporary result), the same on H2 and PostgreSQL. (H2's lazy execution
     * would stream one query, but 2.4.240 fails it with "Chunk not found" when the store compacts underneath it.)
     */
    public void scan(Collection<Long> runIds, RowSink sink) {
        String sql = "SELECT id, test_id, kernel_id, host_id, suite, status, attribution, started_at FROM result"
                + where(runIds, "") + " AND id > ? ORDER BY id FETCH FIRST " + PAGE + " ROWS ONLY";
        read(c -> {
            // test ids repeat a million times: one String per distinct id keeps the consumer's map keys' equals() cheap
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
                            sink.add(last, intern.computeIfAbsent(rs.getString(2), t -> t), rs.getLong(3), rs.getLong(4), rs.getString(5),
                                    rs.getString(6), rs.getString(7), rs.getTimestamp(8).getTime());
                            got++;
                        }
                    }
                } while (got == PAGE);
            }
            return null;
        });
    }

    /**
     * The series' aggregates by SQL with a LAG window (H2 and PostgreSQL agree on this syntax); {@code failStatuses}
     * are the statuses that count as failures (the caller's rule), SKIP is counted apart.
     */
    public List<SeriesAggregate> byWindowFunctions(Collection<Long> runIds, Set<String> failStatuses) {
        String fails = failStatuses.stream().sorted().map(s -> "'" + s.replace("'", "''") + "'").collect(Collectors.joining(","));
        String sql = "SELECT test_id, kernel_id, host_class, MIN(suite),"
                + " SUM(CASE WHEN o <> 'S' THEN 1 ELSE 0 END), SUM(CASE WHEN o = 'F' THEN 1 ELSE 0 END), SUM(CASE WHEN o = 'S' THEN 1 ELSE 0 END),"
                + " SUM(CASE WHEN o <> 'S' AND prev IS NOT NULL AND prev <> o THEN 1 ELSE 0 END), MIN(started_at), MAX(started_at)"
                + " FROM (SELECT test_id, kernel_id, host_class, suite, started_at, o,"
                + "   LAG(o) OVER (PARTITION BY test_id, kernel_id, host_class, is_skip ORDER BY started_at, id) AS prev"
                + "   FROM (SELECT r.id, r.test_id, r.kernel_id, h.host_class, r.suite, r.started_at,"
                + "     CASE WHEN r.status IN (" + fails + ") THEN 'F' WHEN r.status = 'SKIP' THEN 'S' ELSE 'P' END AS o,"
                + "     CASE WHEN r.status = 'SKIP' THEN 1 ELSE 0 END AS is_skip"
                + "     FROM result r JOIN host h ON h.id = r.host_id" + where(runIds, "r.") + ") t) w"
                + " GROUP BY test_id, kernel_id, host_class";
        return read(c -> {
            List<SeriesAggregate> out = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    Timestamp first = rs.getTimestamp(9);
                    Timestamp last = rs.getTimestamp(10);
                    out.add(new SeriesAggregate(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getLong(5), rs.getLong(6),
                            rs.getLong(7), rs.getLong(8), first == null ? null : first.toInstant(), last == null ? null : last.toInstant()));
                }
            }
            return out;
        });
    }

    /**
     * The approach one writes first, kept as the bench's baseline: list the series, then one query per series and host
     * for its results in time order, each handed to {@code sink} (one series after the other; {@code seriesStart} before each).
     */
    public void perSeries(Collection<Long> runIds, java.util.function.Consumer<SeriesHosts> seriesStart, RowSink sink) {
        read(c -> {
            Map<Long, String> hostClass = new HashMap<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id, host_class FROM host")) {
                while (rs.next()) {
                    hostClass.put(rs.getLong(1), rs.getString(2));
                }
            }
            record Group(String test, long kernel, String hostClass) {
            }
            Map<Group, List<Long>> groups = new HashMap<>();
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT DISTINCT test_id, kernel_id, host_id FROM result" + where(runIds, ""))) {
                while (rs.next()) {
                    groups.computeIfAbsent(new Group(rs.getString(1), rs.getLong(2), hostClass.get(rs.getLong(3))), g -> new ArrayList<>())
                            .add(rs.getLong(3));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT id, suite, status, attribution, started_at FROM result"
                    + " WHERE test_id = ? AND kernel_id = ? AND host_id = ? ORDER BY started_at, id")) {
                for (Map.Entry<Group, List<Long>> g : groups.entrySet()) {
                    seriesStart.accept(new SeriesHosts(g.getKey().test(), g.getKey().kernel(), g.getKey().hostClass(), g.getValue()));
                    for (long host : g.getValue()) {
                        ps.setString(1, g.getKey().test());
                        ps.setLong(2, g.getKey().kernel());
                        ps.setLong(3, host);
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                sink.add(rs.getLong(1), g.getKey().test(), g.getKey().kernel(), host, rs.getString(2), rs.getString(3),
                                        rs.getString(4), rs.getTimestamp(5).getTime());
                            }
                        }
                    }
                }
            }
            return null;
        });
    }

    /** The number of stored results (all runs, INFRA included). */
    public long resultRows() {
        return read(c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM result")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    static String where(Collection<Long> runIds, String alias) {
        String infra = "(" + alias + "attribution IS NULL OR " + alias + "attribution <> 'INFRA')";
        if (runIds == null) {
            return " WHERE " + infra;
        }
        String ids = runIds.isEmpty() ? "-1" : runIds.stream().map(String::valueOf).collect(Collectors.joining(","));
        return " WHERE " + alias + "run_id IN (" + ids + ") AND " + infra;
    }

    private interface Read<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T read(Read<T> r) {
        try (Connection c = store.connection()) {
            return r.run(c);
        } catch (SQLException e) {
            throw new StoreException("cannot read the statistics from the result store " + store.url() + ": " + Store.redact(String.valueOf(e.getMessage())), e);
        }
    }
}
