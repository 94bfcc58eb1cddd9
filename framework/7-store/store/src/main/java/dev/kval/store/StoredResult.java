package dev.kval.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * One stored verdict with its kernel, host and run.
 *
 * @param attachments JSON array of {@code {"name","path"}}, paths relative to the run's out_dir (null: none)
 */
public record StoredResult(long id, long runId, String runUuid, String kernelSpec, String kernelRelease, String hostName,
        String hostClass, String suite, String testId, String status, String attribution, Long durationMs, int retries,
        int attempt, String message, String attachments, Instant startedAt) {

    static final String SELECT = "SELECT r.id, r.run_id, run.uuid, k.spec, k.release, h.name, h.host_class, r.suite, r.test_id,"
            + " r.status, r.attribution, r.duration_ms, r.retries, r.attempt, r.message, r.attachments, r.started_at"
            + " FROM result r JOIN run ON run.id = r.run_id JOIN kernel k ON k.id = r.kernel_id JOIN host h ON h.id = r.host_id";

    static StoredResult of(ResultSet rs) throws SQLException {
        return new StoredResult(rs.getLong("id"), rs.getLong("run_id"), rs.getString("uuid"), rs.getString("spec"),
                rs.getString("release"), rs.getString("name"), rs.getString("host_class"), rs.getString("suite"),
                rs.getString("test_id"), rs.getString("status"), rs.getString("attribution"), Sql.longOrNull(rs, "duration_ms"),
                rs.getInt("retries"), rs.getInt("attempt"), rs.getString("message"), rs.getString("attachments"),
                Sql.instant(rs, "started_at"));
    }

    /** A passing verdict: PASS or XFAIL (a documented gap). */
    public boolean passed() {
        return status.equals("PASS") || status.equals("XFAIL");
    }
}
