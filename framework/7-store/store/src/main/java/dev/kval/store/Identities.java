package dev.kval.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;

/**
 * Kernel and host rows, found by their identity or created. Two importers may create the same row at once: the loser's
 * insert hits the unique constraint, is rolled back to a savepoint (PostgreSQL aborts the whole transaction
 * otherwise) and reads the winner's row.
 */
final class Identities {
    private Identities() {
    }

    record KernelRow(String spec, String source, String release, String sha256, String configHash) {
    }

    /** A git: kernel's commit on its kernel row (first writer wins: one image, one commit; a later run does not rename it). */
    static void kernelGit(Connection c, long kernelId, com.fasterxml.jackson.databind.JsonNode packages) {
        String commit = packages.path("git.commit").asText("");
        if (commit.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE kernel SET git_url = ?, git_commit = ?, git_subject = ?, git_branch = ?"
                + " WHERE id = ? AND git_commit IS NULL")) {
            ps.setString(1, packages.path("git.url").asText(null));
            ps.setString(2, commit);
            ps.setString(3, packages.path("git.subject").asText(null));
            ps.setString(4, packages.has("git.branch") ? packages.path("git.branch").asText() : null);
            ps.setLong(5, kernelId);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("storing the git commit of kernel " + kernelId + ": " + e.getMessage(), e);
        }
    }

    static long kernel(Connection c, KernelRow k) {
        try {
            Long id = find(c, "SELECT id FROM kernel WHERE release = ? AND sha256 = ? AND config_hash = ?", k.release(), k.sha256(), k.configHash());
            if (id != null) {
                return id;
            }
            return insertOrFind(c, () -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO kernel (spec, source, release, sha256, config_hash)"
                        + " VALUES (?, ?, ?, ?, ?)", new String[] {"id"})) {
                    ps.setString(1, k.spec());
                    ps.setString(2, k.source());
                    ps.setString(3, k.release());
                    ps.setString(4, k.sha256());
                    ps.setString(5, k.configHash());
                    ps.executeUpdate();
                    return Sql.generatedId(ps);
                }
            }, () -> find(c, "SELECT id FROM kernel WHERE release = ? AND sha256 = ? AND config_hash = ?", k.release(), k.sha256(), k.configHash()));
        } catch (SQLException e) {
            throw new StoreException("storing kernel " + k + ": " + e.getMessage(), e);
        }
    }

    /** The host row for (name, class), its capabilities updated to the latest seen. */
    static long host(Connection c, String name, String provider, String hostClass, String capabilities) {
        try {
            Long id = find(c, "SELECT id FROM host WHERE name = ? AND host_class = ?", name, hostClass);
            if (id == null) {
                id = insertOrFind(c, () -> {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO host (name, provider, host_class, capabilities)"
                            + " VALUES (?, ?, ?, ?)", new String[] {"id"})) {
                        ps.setString(1, name);
                        ps.setString(2, provider);
                        ps.setString(3, hostClass);
                        ps.setString(4, capabilities);
                        ps.executeUpdate();
                        return Sql.generatedId(ps);
                    }
                }, () -> find(c, "SELECT id FROM host WHERE name = ? AND host_class = ?", name, hostClass));
            }
            if (capabilities != null) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE host SET capabilities = ? WHERE id = ?")) {
                    ps.setString(1, capabilities);
                    ps.setLong(2, id);
                    ps.executeUpdate();
                }
            }
            return id;
        } catch (SQLException e) {
            throw new StoreException("storing host " + name + " (" + hostClass + "): " + e.getMessage(), e);
        }
    }

    private interface SqlSupplier {
        Long get() throws SQLException;
    }

    private static long insertOrFind(Connection c, SqlSupplier insert, SqlSupplier find) throws SQLException {
        boolean tx = !c.getAutoCommit();
        Savepoint sp = tx ? c.setSavepoint() : null;
        try {
            long id = insert.get();
            if (sp != null) {
                c.releaseSavepoint(sp);
            }
            return id;
        } catch (SQLException e) {
            if (sp != null) {
                c.rollback(sp);
            }
            Long id = find.get();
            if (id == null) {
                throw e;
            }
            return id;
        }
    }

    private static Long find(Connection c, String sql, String... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }
}
