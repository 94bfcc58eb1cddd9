package dev.kval.store;

import java.util.ArrayList;
import java.util.List;

/**
 * Which stored verdicts to list. Every field is optional (null: any). {@code kernel} matches a kernel's spec or its
 * release, {@code host} a host's name or class, {@code testId} the leaf id; those three take globs ({@code *}, {@code ?}).
 *
 * @param limit at most this many rows (0: all)
 */
public record ResultFilter(Long runId, String kernel, String host, String suite, String status, String testId, int limit) {
    public static final ResultFilter ALL = new ResultFilter(null, null, null, null, null, null, 0);

    public ResultFilter withRun(Long id) {
        return new ResultFilter(id, kernel, host, suite, status, testId, limit);
    }

    public ResultFilter withKernel(String k) {
        return new ResultFilter(runId, k, host, suite, status, testId, limit);
    }

    public ResultFilter withHost(String h) {
        return new ResultFilter(runId, kernel, h, suite, status, testId, limit);
    }

    public ResultFilter withSuite(String s) {
        return new ResultFilter(runId, kernel, host, s, status, testId, limit);
    }

    /** PASS FAIL SKIP XFAIL ERROR TIMEOUT MISSING (case-insensitive). */
    public ResultFilter withStatus(String s) {
        return new ResultFilter(runId, kernel, host, suite, s == null ? null : s.toUpperCase(java.util.Locale.ROOT), testId, limit);
    }

    public ResultFilter withTestId(String t) {
        return new ResultFilter(runId, kernel, host, suite, status, t, limit);
    }

    public ResultFilter withLimit(int n) {
        return new ResultFilter(runId, kernel, host, suite, status, testId, n);
    }

    record Query(String where, List<Object> params) {
    }

    Query query() {
        List<String> clauses = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        if (runId != null) {
            clauses.add("r.run_id = ?");
            params.add(runId);
        }
        if (kernel != null) {
            clauses.add("(k.spec LIKE ? ESCAPE '\\' OR k.release LIKE ? ESCAPE '\\')");
            params.add(Sql.likePattern(kernel));
            params.add(Sql.likePattern(kernel));
        }
        if (host != null) {
            clauses.add("(h.name LIKE ? ESCAPE '\\' OR h.host_class LIKE ? ESCAPE '\\')");
            params.add(Sql.likePattern(host));
            params.add(Sql.likePattern(host));
        }
        if (suite != null) {
            clauses.add("r.suite = ?");
            params.add(suite);
        }
        if (status != null) {
            clauses.add("r.status = ?");
            params.add(status);
        }
        if (testId != null) {
            clauses.add("r.test_id LIKE ? ESCAPE '\\'");
            params.add(Sql.likePattern(testId));
        }
        return new Query(clauses.isEmpty() ? "" : " WHERE " + String.join(" AND ", clauses), params);
    }
}
