package dev.kval.triage;

import dev.kval.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The quarantine: known-flaky tests, each with a failure-rate budget the gate tolerates (store table {@code quarantine}).
 * An entry matches by globs on the test id, the kernel (spec or release) and the host class; expired entries are kept
 * (for the record) but no longer match.
 */
public final class Quarantine {
    public record Entry(long id, String testGlob, String kernelGlob, String hostClass, double budget, String reason, String createdBy,
            Instant createdAt, Instant expiresAt) {
        /** JSON-ready (times as ISO-8601 strings), for the CLI's --json and the API. */
        public java.util.Map<String, Object> toMap() {
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("id", id);
            m.put("test", testGlob);
            m.put("kernel", kernelGlob);
            m.put("hostClass", hostClass);
            m.put("budget", budget);
            m.put("reason", reason);
            m.put("createdBy", createdBy);
            m.put("createdAt", createdAt.toString());
            m.put("expiresAt", expiresAt == null ? null : expiresAt.toString());
            m.put("active", active(Instant.now()));
            return m;
        }

        public boolean active(Instant now) {
            return expiresAt == null || expiresAt.isAfter(now);
        }

        public boolean matches(String testId, KernelInfo kernel, String hostClassOfResult) {
            return Globs.matches(testGlob, testId)
                    && (kernel == null || "*".equals(kernelGlob) || Globs.matches(kernelGlob, kernel.spec()) || Globs.matches(kernelGlob, kernel.release()))
                    && ("*".equals(hostClass) || Globs.matches(hostClass, hostClassOfResult));
        }
    }

    /** What a caller asks to add; validated before anything is written. */
    public record NewEntry(String testGlob, String kernelGlob, String hostClass, Double budget, String reason, String createdBy, Instant expiresAt) {
        /** The problems with this entry, each naming the field; empty when it can be stored. */
        public List<String> problems() {
            List<String> p = new ArrayList<>();
            if (testGlob == null || testGlob.isBlank()) {
                p.add("test: required (a test id or glob, e.g. api.C17.* )");
            } else if (testGlob.length() > 512) {
                p.add("test: longer than 512 characters");
            }
            if (budget == null || budget.isNaN() || budget < 0 || budget > 1) {
                p.add("budget: required, a failure rate between 0 and 1 (e.g. 0.2 tolerates up to 20% failing runs)");
            }
            if (reason == null || reason.isBlank()) {
                p.add("reason: required (why the test is quarantined, e.g. a bug link)");
            }
            if (kernelGlob != null && kernelGlob.length() > 256) {
                p.add("kernel: longer than 256 characters");
            }
            if (hostClass != null && hostClass.length() > 128) {
                p.add("hostClass: longer than 128 characters");
            }
            return p;
        }
    }

    private final Store store;

    public Quarantine(Store store) {
        this.store = store;
    }

    public List<Entry> list() {
        try (Connection c = store.connection()) {
            return list(c);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the quarantine table of " + store.url() + ": " + e.getMessage(), e);
        }
    }

    public static List<Entry> list(Connection c) throws SQLException {
        List<Entry> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT id, test_glob, kernel_glob, host_class, budget, reason, created_by, created_at, expires_at FROM quarantine ORDER BY id")) {
            while (rs.next()) {
                Timestamp exp = rs.getTimestamp(9);
                out.add(new Entry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getDouble(5), rs.getString(6),
                        rs.getString(7), rs.getTimestamp(8).toInstant(), exp == null ? null : exp.toInstant()));
            }
        }
        return out;
    }

    /** Adds an entry; IllegalArgumentException listing every problem (by field) when it is not valid. */
    public Entry add(NewEntry e) {
        List<String> problems = e.problems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        Instant now = Instant.now();
        String kernel = e.kernelGlob() == null || e.kernelGlob().isBlank() ? "*" : e.kernelGlob();
        String host = e.hostClass() == null || e.hostClass().isBlank() ? "*" : e.hostClass();
        String by = e.createdBy() == null || e.createdBy().isBlank() ? "unknown" : e.createdBy();
        try (Connection c = store.connection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO quarantine (test_glob, kernel_glob, host_class, budget, reason, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, e.testGlob().trim());
            ps.setString(2, kernel);
            ps.setString(3, host);
            ps.setDouble(4, e.budget());
            ps.setString(5, e.reason().trim());
            ps.setString(6, by);
            ps.setTimestamp(7, Timestamp.from(now));
            ps.setTimestamp(8, e.expiresAt() == null ? null : Timestamp.from(e.expiresAt()));
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                rs.next();
                return new Entry(rs.getLong(1), e.testGlob().trim(), kernel, host, e.budget(), e.reason().trim(), by, now, e.expiresAt());
            }
        } catch (SQLException ex) {
            throw new IllegalStateException("cannot write the quarantine table of " + store.url() + ": " + ex.getMessage(), ex);
        }
    }

    /** Removes entry {@code id}; false when there is no such entry. */
    public boolean remove(long id) {
        try (Connection c = store.connection(); PreparedStatement ps = c.prepareStatement("DELETE FROM quarantine WHERE id = ?")) {
            ps.setLong(1, id);
            return ps.executeUpdate() == 1;
        } catch (SQLException ex) {
            throw new IllegalStateException("cannot write the quarantine table of " + store.url() + ": " + ex.getMessage(), ex);
        }
    }

    /** The largest budget of the active entries matching this test, kernel and host class. */
    public static Optional<Entry> match(List<Entry> entries, String testId, KernelInfo kernel, String hostClass, Instant now) {
        return entries.stream().filter(e -> e.active(now) && e.matches(testId, kernel, hostClass))
                .max(java.util.Comparator.comparingDouble(Entry::budget));
    }
}
