package dev.kval.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The quarantine table's rows (triage's {@code Quarantine} says what they mean and validates them). */
public final class QuarantineTable {
    private final Store store;

    public QuarantineTable(Store store) {
        this.store = store;
    }

    /** One stored entry; {@code expiresAt} null = never. */
    public record Row(long id, String testGlob, String kernelGlob, String hostClass, double budget, String reason, String createdBy,
            Instant createdAt, Instant expiresAt) {
    }

    /** Every entry, oldest first. */
    public List<Row> list() {
        try (Connection c = store.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT id, test_glob, kernel_glob, host_class, budget, reason, created_by, created_at, expires_at FROM quarantine ORDER BY id")) {
            List<Row> out = new ArrayList<>();
            while (rs.next()) {
                Timestamp exp = rs.getTimestamp(9);
                out.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getDouble(5), rs.getString(6),
                        rs.getString(7), rs.getTimestamp(8).toInstant(), exp == null ? null : exp.toInstant()));
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("cannot read the quarantine table of " + store.url() + ": " + Store.redact(String.valueOf(e.getMessage())), e);
        }
    }

    /** Inserts the row (its id is ignored) and returns it with the id the store gave it. */
    public Row insert(Row r) {
        try (Connection c = store.connection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO quarantine (test_glob, kernel_glob, host_class, budget, reason, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, r.testGlob());
            ps.setString(2, r.kernelGlob());
            ps.setString(3, r.hostClass());
            ps.setDouble(4, r.budget());
            ps.setString(5, r.reason());
            ps.setString(6, r.createdBy());
            ps.setTimestamp(7, Timestamp.from(r.createdAt()));
            ps.setTimestamp(8, r.expiresAt() == null ? null : Timestamp.from(r.expiresAt()));
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                rs.next();
                return new Row(rs.getLong(1), r.testGlob(), r.kernelGlob(), r.hostClass(), r.budget(), r.reason(), r.createdBy(), r.createdAt(),
                        r.expiresAt());
            }
        } catch (SQLException e) {
            throw new StoreException("cannot write the quarantine table of " + store.url() + ": " + Store.redact(String.valueOf(e.getMessage())), e);
        }
    }

    /** Deletes entry {@code id}; false when there is no such entry. */
    public boolean delete(long id) {
        try (Connection c = store.connection(); PreparedStatement ps = c.prepareStatement("DELETE FROM quarantine WHERE id = ?")) {
            ps.setLong(1, id);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreException("cannot write the quarantine table of " + store.url() + ": " + Store.redact(String.valueOf(e.getMessage())), e);
        }
    }
}
