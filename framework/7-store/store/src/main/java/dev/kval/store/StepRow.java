package dev.kval.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * A row of {@code run_step}: one executor step (fetch build boot deploy run collect) of one cell (kernel x host) of a
 * run. State PENDING RUNNING DONE FAILED TIMEOUT CANCELLED INTERRUPTED; failure class KERNEL TEST INFRA.
 */
public record StepRow(long id, long runId, String cell, String step, String state, String failureClass, Integer timeoutS,
        String externalId, String message, Instant startedAt, Instant finishedAt) {

    static final String COLUMNS = "id, run_id, cell, step, state, failure_class, timeout_s, external_id, message, started_at, finished_at";

    static StepRow of(ResultSet rs) throws SQLException {
        return new StepRow(rs.getLong("id"), rs.getLong("run_id"), rs.getString("cell"), rs.getString("step"), rs.getString("state"),
                rs.getString("failure_class"), Sql.intOrNull(rs, "timeout_s"), rs.getString("external_id"), rs.getString("message"),
                Sql.instant(rs, "started_at"), Sql.instant(rs, "finished_at"));
    }
}
