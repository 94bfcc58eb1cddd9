package dev.kval.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * kval's private PostgreSQL cluster (infra/postgres, Debian's package) for tests: each {@link #freshDatabase()} is a new
 * empty database owned by role kval, dropped by {@link Database#close()}. A cluster that cannot start fails the test;
 * only {@code KVAL_NO_POSTGRES=<reason>} outside CI turns that into a skip that gives the reason.
 */
public final class PostgresCluster {
    private static Map<String, String> env;

    private PostgresCluster() {
    }

    /** A database of its own: url, user, password (read from the 0600 password file, never printed). */
    public record Database(String url, String user, String password, String name) implements AutoCloseable {
        public Store open() {
            return Store.open(url, user, password);
        }

        @Override
        public void close() throws SQLException {
            try (Connection c = DriverManager.getConnection(env.get("KVAL_DB_URL"), user, password); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        }
    }

    public static synchronized Database freshDatabase() throws Exception {
        Map<String, String> e = start();
        String password = Files.readString(Path.of(e.get("KVAL_DB_PASSWORD_FILE"))).strip();
        String name = "kval_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(e.get("KVAL_DB_URL"), e.get("KVAL_DB_USER"), password); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        String base = e.get("KVAL_DB_URL");
        return new Database(base.substring(0, base.lastIndexOf('/') + 1) + name, e.get("KVAL_DB_USER"), password, name);
    }

    private static Map<String, String> start() throws IOException, InterruptedException {
        if (env != null) {
            return env;
        }
        String optOut = System.getenv("KVAL_NO_POSTGRES");
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        Path script = repo().resolve("infra/postgres");
        Process p = new ProcessBuilder(script.toString(), "start").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean ok = p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
        if (!ok) {
            String why = script + " start failed: " + out.strip();
            if (optOut != null && !optOut.isBlank() && !ci) {
                Assumptions.abort("PostgreSQL tests skipped (KVAL_NO_POSTGRES=" + optOut + "): " + why);
            }
            throw new IllegalStateException(why + " (PostgreSQL is required; outside CI, KVAL_NO_POSTGRES=<reason> skips these tests)");
        }
        Map<String, String> m = new HashMap<>();
        out.lines().filter(l -> l.startsWith("KVAL_DB_")).forEach(l -> m.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        env = m;
        return m;
    }

    /** The repository root: {@code kval.repo} (surefire sets it) or the nearest parent with infra/postgres. */
    public static Path repo() {
        String r = System.getProperty("kval.repo");
        if (r != null && Files.exists(Path.of(r, "infra/postgres"))) {
            return Path.of(r);
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.exists(d.resolve("infra/postgres"))) {
                return d;
            }
        }
        throw new IllegalStateException("cannot find the kval repository (infra/postgres) from " + Path.of("").toAbsolutePath());
    }
}
