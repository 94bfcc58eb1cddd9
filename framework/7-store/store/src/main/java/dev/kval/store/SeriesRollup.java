package dev.kval.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The per-series rollup of the flakiness statistics (table {@code series_rollup}, schema V2): runs, failures, skips,
 * flips, first/last seen and the newest counted outcome of every (test, kernel, host class). {@link #apply} folds newly
 * inserted results in, inside the inserting transaction; results older than what a series has already counted (an
 * older run imported late) make that series recounted from its results, so the rollup always equals a full
 * recomputation (triage's FlakeStatistics checks that both agree).
 *
 * <p>What counts: triage's {@code Outcome} (PASS and XFAIL pass; FAIL, ERROR, TIMEOUT, MISSING fail; SKIP apart;
 * INFRA-attributed results nowhere). The same mapping is repeated here because the store cannot depend on triage;
 * the agreement check would catch a drift.
 */
public final class SeriesRollup {
    private static final Set<String> FAILS = Set.of("FAIL", "ERROR", "TIMEOUT", "MISSING");
    private static final Set<String> PASSES = Set.of("PASS", "XFAIL");
    /** Parameters per IN list (PostgreSQL and H2 take far more; this keeps statements small). */
    private static final int CHUNK = 500;

    private SeriesRollup() {
    }

    /** A series key. */
    public record Key(String testId, long kernelId, String hostClass) {
    }

    /** One result as the rollup sees it. */
    public record Row(long id, Key key, String suite, String status, String attribution, long startedMillis) {
        /** 'P', 'F', 'S', or 0 for a result that counts nowhere (INFRA). */
        char outcome() {
            if ("INFRA".equals(attribution)) {
                return 0;
            }
            if (PASSES.contains(status)) {
                return 'P';
            }
            if (FAILS.contains(status)) {
                return 'F';
            }
            if ("SKIP".equals(status)) {
                return 'S';
            }
            throw new StoreException("unknown result status '" + status + "' in result " + id, null);
        }
    }

    /** A series' rollup row. */
    public record Stats(Key key, String suite, long runs, long failures, long skips, long flips, long firstSeen, long lastSeen,
                        Character lastOutcome, long lastAt, long lastResultId) {
    }

    private static final String ROW_COLUMNS = "r.id, r.test_id, r.kernel_id, h.host_class, r.suite, r.status, r.attribution, r.started_at";

    /** Folds the results of run {@code runId} with ids above {@code afterId} (just inserted by the caller) into the rollup. */
    public static void applyRun(Connection c, long runId, long afterId) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + ROW_COLUMNS + " FROM result r JOIN host h ON h.id = r.host_id"
                + " WHERE r.run_id = ? AND r.id > ? ORDER BY r.id")) {
            ps.setLong(1, runId);
            ps.setLong(2, afterId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(row(rs));
                }
            }
        }
        apply(c, rows);
    }

    /** The highest result id of a run so far (0 if none): what {@link #applyRun} starts after. */
    public static long maxResultId(Connection c, long runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(id), 0) FROM result WHERE run_id = ?")) {
            ps.setLong(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Folds rows (already in the result table, in this transaction) into their series' rollup rows. */
    public static void apply(Connection c, List<Row> rows) throws SQLException {
        Map<Key, List<Row>> bySeries = new LinkedHashMap<>();
        for (Row r : rows) {
            if (r.outcome() != 0) {
                bySeries.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r);
            }
        }
        if (bySeries.isEmpty()) {
            return;
        }
        lock(c);
        Map<Key, Stats> existing = load(c, bySeries.keySet());
        List<Stats> inserts = new ArrayList<>();
        List<Stats> updates = new ArrayList<>();
        for (Map.Entry<Key, List<Row>> e : bySeries.entrySet()) {
            List<Row> news = e.getValue();
            news.sort(ORDER);
            Stats old = existing.get(e.getKey());
            if (old == null) {
                inserts.add(fold(null, e.getKey(), news));
            } else if (inOrder(old, news)) {
                updates.add(fold(old, e.getKey(), news));
            } else {
                updates.add(recount(c, e.getKey(), old.suite()));
            }
        }
        write(c, inserts, updates);
    }

    static final Comparator<Row> ORDER = Comparator.comparingLong(Row::startedMillis).thenComparingLong(Row::id);

    /** Whether every new counted result comes after the newest one the series has counted. */
    private static boolean inOrder(Stats old, List<Row> news) {
        if (old.lastOutcome() == null) {
            return true;
        }
        for (Row r : news) {
            if (r.outcome() != 'S') {
                return r.startedMillis() > old.lastAt() || (r.startedMillis() == old.lastAt() && r.id() > old.lastResultId());
            }
        }
        return true;
    }

    /** old (or nothing) plus rows in time order. */
    static Stats fold(Stats old, Key key, List<Row> rows) {
        String suite = old != null ? old.suite() : rows.stream().min(Comparator.comparingLong(Row::id)).orElseThrow().suite();
        long runs = old == null ? 0 : old.runs();
        long failures = old == null ? 0 : old.failures();
        long skips = old == null ? 0 : old.skips();
        long flips = old == null ? 0 : old.flips();
        long first = old == null ? Long.MAX_VALUE : old.firstSeen();
        long last = old == null ? Long.MIN_VALUE : old.lastSeen();
        Character lastOutcome = old == null ? null : old.lastOutcome();
        long lastAt = old == null ? 0 : old.lastAt();
        long lastId = old == null ? 0 : old.lastResultId();
        for (Row r : rows) {
            char o = r.outcome();
            first = Math.min(first, r.startedMillis());
            last = Math.max(last, r.startedMillis());
            if (o == 'S') {
                skips++;
                continue;
            }
            runs++;
            if (o == 'F') {
                failures++;
            }
            if (lastOutcome != null && lastOutcome != o) {
                flips++;
            }
            lastOutcome = o;
            lastAt = r.startedMillis();
            lastId = r.id();
        }
        return new Stats(key, suite, runs, failures, skips, flips, first, last, lastOutcome, lastAt, lastId);
    }

    /** The series counted again from all its results (an older result arrived after newer ones). */
    private static Stats recount(Connection c, Key key, String suite) throws SQLException {
        List<Row> all = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + ROW_COLUMNS + " FROM result r JOIN host h ON h.id = r.host_id"
                + " WHERE r.test_id = ? AND r.kernel_id = ? AND h.host_class = ?")) {
            ps.setString(1, key.testId());
            ps.setLong(2, key.kernelId());
            ps.setString(3, key.hostClass());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Row r = row(rs);
                    if (r.outcome() != 0) {
                        all.add(r);
                    }
                }
            }
        }
        all.sort(ORDER);
        Stats s = fold(null, key, all);
        return new Stats(key, suite, s.runs(), s.failures(), s.skips(), s.flips(), s.firstSeen(), s.lastSeen(), s.lastOutcome(),
                s.lastAt(), s.lastResultId());
    }

    /**
     * Recomputes the whole rollup from the result table (after the V2 migration, for results stored before it): one pass in
     * primary-key order, like triage's streaming statistics.
     */
    public static void rebuild(Connection c) throws SQLException {
        lock(c);
        try (Statement st = c.createStatement()) {
            st.executeUpdate("DELETE FROM series_rollup");
        }
        Map<Key, List<Row>> bySeries = new HashMap<>();
        Map<String, String> intern = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + ROW_COLUMNS + " FROM result r JOIN host h ON h.id = r.host_id"
                + " WHERE r.id > ? ORDER BY r.id FETCH FIRST 40000 ROWS ONLY")) {
            long lastId = Long.MIN_VALUE;
            int got;
            do {
                got = 0;
                ps.setLong(1, lastId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Row r = row(rs, intern);
                        lastId = r.id();
                        got++;
                        if (r.outcome() != 0) {
                            bySeries.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r);
                        }
                    }
                }
            } while (got == 40000);
        }
        List<Stats> inserts = new ArrayList<>();
        for (Map.Entry<Key, List<Row>> e : bySeries.entrySet()) {
            e.getValue().sort(ORDER);
            inserts.add(fold(null, e.getKey(), e.getValue()));
        }
        write(c, inserts, List.of());
    }

    /** Serializes rollup updates until the caller's transaction ends (see series_rollup_lock in V2). */
    private static void lock(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id FROM series_rollup_lock WHERE id = 1 FOR UPDATE")) {
            if (!rs.next()) {
                throw new StoreException("series_rollup_lock has lost its row: the store's schema V2 is damaged", null);
            }
        }
    }

    /** Every rollup row. */
    public static List<Stats> all(Connection c) throws SQLException {
        List<Stats> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT " + STATS_COLUMNS + " FROM series_rollup")) {
            while (rs.next()) {
                out.add(stats(rs));
            }
        }
        return out;
    }

    private static final String STATS_COLUMNS = "test_id, kernel_id, host_class, suite, runs, failures, skips, flips, first_seen,"
            + " last_seen, last_outcome, last_at, last_result_id";

    private static Map<Key, Stats> load(Connection c, Set<Key> keys) throws SQLException {
        // grouped by (kernel, host class): one run touches one or a few, with many tests each
        Map<List<Object>, List<String>> groups = new LinkedHashMap<>();
        for (Key k : keys) {
            groups.computeIfAbsent(List.of(k.kernelId(), k.hostClass()), g -> new ArrayList<>()).add(k.testId());
        }
        Map<Key, Stats> out = new HashMap<>();
        for (Map.Entry<List<Object>, List<String>> g : groups.entrySet()) {
            List<String> tests = g.getValue();
            for (int from = 0; from < tests.size(); from += CHUNK) {
                List<String> part = tests.subList(from, Math.min(tests.size(), from + CHUNK));
                String sql = "SELECT " + STATS_COLUMNS + " FROM series_rollup WHERE kernel_id = ? AND host_class = ? AND test_id IN ("
                        + "?,".repeat(part.size() - 1) + "?) FOR UPDATE";
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setLong(1, (Long) g.getKey().get(0));
                    ps.setString(2, (String) g.getKey().get(1));
                    for (int i = 0; i < part.size(); i++) {
                        ps.setString(3 + i, part.get(i));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            Stats s = stats(rs);
                            out.put(s.key(), s);
                        }
                    }
                }
            }
        }
        return out;
    }

    private static void write(Connection c, List<Stats> inserts, List<Stats> updates) throws SQLException {
        if (!inserts.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO series_rollup (suite, runs, failures, skips, flips, first_seen,"
                    + " last_seen, last_outcome, last_at, last_result_id, test_id, kernel_id, host_class)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                batch(ps, inserts);
            }
        }
        if (!updates.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE series_rollup SET suite = ?, runs = ?, failures = ?, skips = ?,"
                    + " flips = ?, first_seen = ?, last_seen = ?, last_outcome = ?, last_at = ?, last_result_id = ?"
                    + " WHERE test_id = ? AND kernel_id = ? AND host_class = ?")) {
                batch(ps, updates);
            }
        }
    }

    private static void batch(PreparedStatement ps, List<Stats> rows) throws SQLException {
        int n = 0;
        for (Stats s : rows) {
            ps.setString(1, s.suite());
            ps.setLong(2, s.runs());
            ps.setLong(3, s.failures());
            ps.setLong(4, s.skips());
            ps.setLong(5, s.flips());
            ps.setTimestamp(6, new Timestamp(s.firstSeen()));
            ps.setTimestamp(7, new Timestamp(s.lastSeen()));
            ps.setString(8, s.lastOutcome() == null ? null : s.lastOutcome() == 'F' ? "FAIL" : "PASS");
            ps.setTimestamp(9, s.lastOutcome() == null ? null : new Timestamp(s.lastAt()));
            if (s.lastOutcome() == null) {
                ps.setNull(10, java.sql.Types.BIGINT);
            } else {
                ps.setLong(10, s.lastResultId());
            }
            ps.setString(11, s.key().testId());
            ps.setLong(12, s.key().kernelId());
            ps.setString(13, s.key().hostClass());
            ps.addBatch();
            if (++n % 5000 == 0) {
                ps.executeBatch();
            }
        }
        ps.executeBatch();
    }

    private static Row row(ResultSet rs) throws SQLException {
        return row(rs, null);
    }

    private static Row row(ResultSet rs, Map<String, String> intern) throws SQLException {
        String test = rs.getString(2);
        String hc = rs.getString(4);
        if (intern != null) {
            test = intern.computeIfAbsent(test, t -> t);
            hc = intern.computeIfAbsent(hc, t -> t);
        }
        return new Row(rs.getLong(1), new Key(test, rs.getLong(3), hc), rs.getString(5), rs.getString(6), rs.getString(7),
                rs.getTimestamp(8).getTime());
    }

    private static Stats stats(ResultSet rs) throws SQLException {
        String lo = rs.getString(11);
        Timestamp lastAt = rs.getTimestamp(12);
        return new Stats(new Key(rs.getString(1), rs.getLong(2), rs.getString(3)), rs.getString(4), rs.getLong(5), rs.getLong(6),
                rs.getLong(7), rs.getLong(8), rs.getTimestamp(9).getTime(), rs.getTimestamp(10).getTime(),
                lo == null ? null : lo.charAt(0), lastAt == null ? 0 : lastAt.getTime(), rs.getLong(13));
    }
}
