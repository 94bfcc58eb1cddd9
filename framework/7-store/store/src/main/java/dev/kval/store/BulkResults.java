package dev.kval.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * Writes many synthetic results fast (the flakiness bench's million rows, the statistics tests' histories): kernels,
 * hosts, runs and their results in batches, each run committed with its rollup update in one transaction as
 * {@link RunImporter} does. Not for real runs: those come in through the importer.
 */
public final class BulkResults implements AutoCloseable {
    private final Store store;
    private final Connection c;
    private final PreparedStatement kernel, host, run, result;

    public BulkResults(Store store) {
        this.store = store;
        try {
            c = store.connection();
            c.setAutoCommit(false);
            kernel = c.prepareStatement("INSERT INTO kernel (spec, source, release, sha256, config_hash) VALUES (?, 'debian', ?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS);
            host = c.prepareStatement("INSERT INTO host (name, provider, host_class) VALUES (?, 'qemu', ?)", Statement.RETURN_GENERATED_KEYS);
            run = c.prepareStatement("INSERT INTO run (uuid, kind, state, request, outcome, created_at) VALUES (?, 'run', 'DONE', '{}', 'PASS', ?)",
                    Statement.RETURN_GENERATED_KEYS);
            result = c.prepareStatement("INSERT INTO result (run_id, kernel_id, host_id, suite, test_id, status, attribution, duration_ms, attempt, started_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        } catch (SQLException e) {
            throw fail(e);
        }
    }

    public long kernel(String spec, String release, String sha256, String configHash) {
        try {
            kernel.setString(1, spec);
            kernel.setString(2, release);
            kernel.setString(3, sha256);
            kernel.setString(4, configHash);
            kernel.executeUpdate();
            return key(kernel);
        } catch (SQLException e) {
            throw fail(e);
        }
    }

    public long host(String name, String hostClass) {
        try {
            host.setString(1, name);
            host.setString(2, hostClass);
            host.executeUpdate();
            return key(host);
        } catch (SQLException e) {
            throw fail(e);
        }
    }

    /** A DONE run created at {@code createdAt}. */
    public long run(String uuid, Instant createdAt) {
        try {
            run.setString(1, uuid);
            run.setTimestamp(2, Timestamp.from(createdAt));
            run.executeUpdate();
            return key(run);
        } catch (SQLException e) {
            throw fail(e);
        }
    }

    /** Queues one result; written with its run's {@link #endRun}. */
    public void result(long runId, long kernelId, long hostId, String suite, String testId, String status, String attribution, long durationMs,
            int attempt, Instant startedAt) {
        try {
            result.setLong(1, runId);
            result.setLong(2, kernelId);
            result.setLong(3, hostId);
            result.setString(4, suite);
            result.setString(5, testId);
            result.setString(6, status);
            result.setString(7, attribution);
            result.setLong(8, durationMs);
            result.setInt(9, attempt);
            result.setTimestamp(10, Timestamp.from(startedAt));
            result.addBatch();
        } catch (SQLException e) {
            throw fail(e);
        }
    }

    /** Writes the run's queued results and its rollup update, and commits them together. */
    public void endRun(long runId) {
        try {
            result.executeBatch();
            SeriesRollup.applyRun(c, runId, 0);
            c.commit();
        } catch (SQLException e) {
            throw fail(e);
        }
    }

    @Override
    public void close() {
        try (c; kernel; host; run; result) {
            result.executeBatch();
            c.commit();
        } catch (SQLException e) {
            throw fail(e);
        }
    }

    private static long key(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.getGeneratedKeys()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private StoreException fail(SQLException e) {
        return new StoreException("cannot write synthetic results to the result store " + store.url() + ": " + Store.redact(String.valueOf(e.getMessage())), e);
    }
}
