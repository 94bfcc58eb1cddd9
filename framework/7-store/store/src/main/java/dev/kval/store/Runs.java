package dev.kval.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Runs and their executor steps: what a controller (or the gate) records as it goes, so a restart knows where it was. */
public final class Runs {
    /** Run states after which the run gets its finished_at. */
    static final Set<String> FINAL_RUN_STATES = Set.of("DONE", "FAILED", "CANCELLED", "INTERRUPTED");

    private final Store store;

    public Runs(Store store) {
        this.store = store;
    }

    /** A new QUEUED run; returns its id. */
    public long create(String kind, String requestJson, String outDir) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO run (uuid, kind, state, request, out_dir, created_at)"
                    + " VALUES (?, ?, 'QUEUED', ?, ?, ?)", new String[] {"id"})) {
                ps.setString(1, UUID.randomUUID().toString());
                ps.setString(2, kind);
                ps.setString(3, requestJson);
                ps.setString(4, outDir);
                Sql.setInstant(ps, 5, Instant.now());
                ps.executeUpdate();
                return Sql.generatedId(ps);
            }
        });
    }

    /** Where the run writes its files (set once its id is known). */
    public void outDir(long id, String dir) {
        store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE run SET out_dir = ? WHERE id = ?")) {
                ps.setString(1, dir);
                ps.setLong(2, id);
                return ps.executeUpdate();
            }
        });
    }

    public Optional<RunRow> find(long id) {
        List<RunRow> r = query("SELECT " + RunRow.COLUMNS + " FROM run WHERE id = ?", id);
        return r.isEmpty() ? Optional.empty() : Optional.of(r.get(0));
    }

    public Optional<RunRow> findByUuid(String uuid) {
        List<RunRow> r = query("SELECT " + RunRow.COLUMNS + " FROM run WHERE uuid = ?", uuid);
        return r.isEmpty() ? Optional.empty() : Optional.of(r.get(0));
    }

    /**
     * The newest stored run, other than {@code runIds}, of kernel {@code spec} on the host named {@code hostName}, not
     * INCOMPLETE, whose counted (non-INFRA) results cover every test that {@code runIds} ran: a baseline the gate need
     * not run again.
     */
    public Optional<Long> coveringRun(String spec, String hostName, java.util.Collection<Long> runIds) {
        if (runIds.isEmpty()) {
            return Optional.empty();
        }
        String ids = runIds.stream().map(String::valueOf).reduce((a, x) -> a + "," + x).orElse("-1");
        String sql = "SELECT r.run_id FROM result r JOIN kernel k ON k.id = r.kernel_id JOIN host h ON h.id = r.host_id JOIN run ON run.id = r.run_id"
                + " WHERE k.spec = ? AND h.name = ? AND COALESCE(run.outcome, '') <> 'INCOMPLETE' AND r.run_id NOT IN (" + ids + ")"
                + " AND (r.attribution IS NULL OR r.attribution <> 'INFRA')"
                + " AND r.test_id IN (SELECT test_id FROM result WHERE run_id IN (" + ids + "))"
                + " GROUP BY r.run_id HAVING COUNT(DISTINCT r.test_id) = (SELECT COUNT(DISTINCT test_id) FROM result WHERE run_id IN (" + ids + "))"
                + " ORDER BY r.run_id DESC";
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, spec);
                ps.setString(2, hostName);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
                }
            }
        });
    }

    /**
     * Imports a cell's results ({@link RunImporter#importResults}) and marks its collect step DONE in one transaction:
     * a step that says "stored" has its rows, and rows never lack their step. The number of results stored.
     */
    public int importAndFinishStep(long runId, java.nio.file.Path dir, String prefix, long stepId) {
        return store.inTransaction(c -> {
            int rows = RunImporter.importResults(c, runId, dir, prefix);
            finishStep(c, stepId, "DONE", null, rows + " results stored");
            return rows;
        });
    }

    /** Runs newest first; {@code kind} and {@code state} may be null (any). */
    public List<RunRow> list(String kind, String state, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + RunRow.COLUMNS + " FROM run WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        if (kind != null) {
            sql.append(" AND kind = ?");
            params.add(kind);
        }
        if (state != null) {
            sql.append(" AND state = ?");
            params.add(state);
        }
        sql.append(" ORDER BY id DESC");
        if (limit > 0) {
            sql.append(" LIMIT ").append(limit);
        }
        return query(sql.toString(), params.toArray());
    }

    /**
     * Sets a run's state (and outcome/message when not null). RUNNING stamps started_at once; a final state stamps
     * finished_at. Returns false if the run does not exist or was already in a final state (a cancel that lost the race).
     */
    public boolean setState(long id, String state, String outcome, String message) {
        return store.inTransaction(c -> setState(c, id, state, outcome, message));
    }

    public static boolean setState(Connection c, long id, String state, String outcome, String message) throws SQLException {
        Instant now = Instant.now();
        try (PreparedStatement ps = c.prepareStatement("UPDATE run SET state = ?, outcome = COALESCE(?, outcome),"
                + " message = COALESCE(?, message),"
                + " started_at = CASE WHEN ? AND started_at IS NULL THEN CAST(? AS TIMESTAMP) ELSE started_at END,"
                + " finished_at = CASE WHEN ? THEN CAST(? AS TIMESTAMP) ELSE NULL END"
                + " WHERE id = ? AND state NOT IN ('DONE', 'FAILED', 'CANCELLED')")) {
            ps.setString(1, state);
            ps.setString(2, outcome);
            ps.setString(3, message);
            ps.setBoolean(4, state.equals("RUNNING"));
            Sql.setInstant(ps, 5, now);
            ps.setBoolean(6, FINAL_RUN_STATES.contains(state));
            Sql.setInstant(ps, 7, now);
            ps.setLong(8, id);
            return ps.executeUpdate() == 1;
        }
    }

    /** Records that a step started (state RUNNING); returns the step's id. */
    public long startStep(long runId, String cell, String step, Integer timeoutS) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO run_step (run_id, cell, step, state, timeout_s, started_at)"
                    + " VALUES (?, ?, ?, 'RUNNING', ?, ?)", new String[] {"id"})) {
                ps.setLong(1, runId);
                ps.setString(2, cell);
                ps.setString(3, step);
                Sql.setInt(ps, 4, timeoutS);
                Sql.setInstant(ps, 5, Instant.now());
                ps.executeUpdate();
                return Sql.generatedId(ps);
            }
        });
    }

    /** Ends a step: DONE, FAILED, TIMEOUT, CANCELLED or INTERRUPTED, with its failure class (KERNEL TEST INFRA) if any. */
    public void finishStep(long stepId, String state, String failureClass, String message) {
        store.inTransaction(c -> finishStep(c, stepId, state, failureClass, message));
    }

    public static boolean finishStep(Connection c, long stepId, String state, String failureClass, String message) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE run_step SET state = ?, failure_class = ?, message = ?, finished_at = ?"
                + " WHERE id = ?")) {
            ps.setString(1, state);
            ps.setString(2, failureClass);
            ps.setString(3, message);
            Sql.setInstant(ps, 4, Instant.now());
            ps.setLong(5, stepId);
            return ps.executeUpdate() == 1;
        }
    }

    public void externalId(long stepId, String externalId) {
        store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE run_step SET external_id = ? WHERE id = ?")) {
                ps.setString(1, externalId);
                ps.setLong(2, stepId);
                return ps.executeUpdate();
            }
        });
    }

    /** A run's steps in the order they were recorded. */
    public List<StepRow> steps(long runId) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + StepRow.COLUMNS + " FROM run_step WHERE run_id = ? ORDER BY id")) {
                ps.setLong(1, runId);
                List<StepRow> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(StepRow.of(rs));
                    }
                }
                return out;
            }
        });
    }

    /**
     * After a controller died: every RUNNING step becomes INTERRUPTED, and every RUNNING run too; returns those runs'
     * ids (in id order) so the caller can re-queue them. QUEUED runs stay queued.
     */
    public List<Long> interruptRunning(String why) {
        return store.inTransaction(c -> {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM run WHERE state = 'RUNNING' ORDER BY id");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE run_step SET state = 'INTERRUPTED', message = ?, finished_at = ?"
                    + " WHERE state = 'RUNNING'")) {
                ps.setString(1, why);
                Sql.setInstant(ps, 2, Instant.now());
                ps.executeUpdate();
            }
            for (long id : ids) {
                setState(c, id, "INTERRUPTED", null, why);
            }
            return ids;
        });
    }

    /** Number of results stored for a run. */
    public long resultCount(long runId) {
        List<Long> n = store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM result WHERE run_id = ?")) {
                ps.setLong(1, runId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return List.of(rs.getLong(1));
                }
            }
        });
        return n.get(0);
    }

    private List<RunRow> query(String sql, Object... params) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    ps.setObject(i + 1, params[i]);
                }
                List<RunRow> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(RunRow.of(rs));
                    }
                }
                return out;
            }
        });
    }
}
