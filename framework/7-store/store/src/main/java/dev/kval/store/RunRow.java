package dev.kval.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/** A row of {@code run}: state QUEUED RUNNING DONE FAILED CANCELLED INTERRUPTED; outcome PASS FAIL INCOMPLETE. */
public record RunRow(long id, String uuid, String kind, String state, String request, String outcome, String outDir,
        String message, Instant createdAt, Instant startedAt, Instant finishedAt) {

    static final String COLUMNS = "id, uuid, kind, state, request, outcome, out_dir, message, created_at, started_at, finished_at";

    static RunRow of(ResultSet rs) throws SQLException {
        return new RunRow(rs.getLong("id"), rs.getString("uuid"), rs.getString("kind"), rs.getString("state"),
                rs.getString("request"), rs.getString("outcome"), rs.getString("out_dir"), rs.getString("message"),
                Sql.instant(rs, "created_at"), Sql.instant(rs, "started_at"), Sql.instant(rs, "finished_at"));
    }

    /** DONE, FAILED, CANCELLED: nothing more will happen to the run. */
    public boolean finished() {
        return state.equals("DONE") || state.equals("FAILED") || state.equals("CANCELLED");
    }
}
