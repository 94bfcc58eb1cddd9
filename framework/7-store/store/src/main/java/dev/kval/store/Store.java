package dev.kval.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * kval's result store: a JDBC {@link DataSource} on a schema Flyway keeps current ({@code db/migration}). An H2 file
 * database by default ({@code jdbc:h2:file:<data dir>/kval}), PostgreSQL when {@code KVAL_DB_URL} (with
 * {@code KVAL_DB_USER}, {@code KVAL_DB_PASSWORD}) says so.
 *
 * <p>The default H2 file is private to the process that opens it: no {@code AUTO_SERVER} (that made H2 listen on every
 * interface and write its port and key into a world-readable lock file: any local process could connect and run
 * {@code CREATE ALIAS} Java inside kval, next to its SSH keys and tokens), a data directory of mode 0700, database
 * files of mode 0600 and a generated password kept in {@code store.password} (0600). H2's file lock keeps a second
 * process out while one holds the file: a controller shares its store through its API; several processes that must
 * write at once use PostgreSQL.
 *
 * <p>An H2 database closes when its last connection does; the store keeps one connection open while it is open so
 * that every short query does not reopen the file. Close the store when done.
 */
public final class Store implements AutoCloseable {
    /** Environment variables that configure the store, and the data directory of the default H2 file. */
    public static final String ENV_URL = "KVAL_DB_URL", ENV_USER = "KVAL_DB_USER", ENV_PASSWORD = "KVAL_DB_PASSWORD",
            ENV_DATA = "KVAL_HOME_DATA";

    private final String url;
    private final DataSource dataSource;
    private final Connection keepAlive;

    private Store(String url, DataSource dataSource, Connection keepAlive) {
        this.url = url;
        this.dataSource = dataSource;
        this.keepAlive = keepAlive;
    }

    /** The store the environment names ({@code KVAL_DB_URL}), else the default H2 file under the data directory. */
    public static Store open() {
        return open(System.getenv());
    }

    static Store open(Map<String, String> env) {
        String url = env.get(ENV_URL);
        if (url == null || url.isBlank()) {
            return openDefault(dataDir(env));
        }
        return open(url, env.getOrDefault(ENV_USER, ""), env.getOrDefault(ENV_PASSWORD, ""));
    }

    /** KVAL_HOME_DATA, else ~/.local/share/kval. */
    public static Path dataDir(Map<String, String> env) {
        String data = env.get(ENV_DATA);
        return (data != null && !data.isBlank() ? Path.of(data) : Path.of(System.getProperty("user.home"), ".local", "share", "kval"))
                .toAbsolutePath();
    }

    /** {@code jdbc:h2:file:<KVAL_HOME_DATA or ~/.local/share/kval>/kval}. */
    public static String defaultUrl(Map<String, String> env) {
        return "jdbc:h2:file:" + dataDir(env).resolve("kval");
    }

    /**
     * The default H2 store in {@code dir}: the directory made (or narrowed to) 0700, the store's password generated
     * into {@code dir/store.password} (0600) on first use, the database files 0600. A database an older kval made with
     * user sa and no password gets the generated password on its first open.
     */
    public static Store openDefault(Path dir) {
        String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("kval");
        try {
            String password = PrivateH2.prepare(dir);
            Store s = open(url, "sa", password);
            PrivateH2.narrowFiles(dir);
            return s;
        } catch (java.io.IOException e) {
            throw new StoreException("cannot prepare the result store's directory " + dir + ": " + e.getMessage()
                    + " (it must be a directory kval's user owns; or set KVAL_DB_URL)", e);
        }
    }

    /**
     * Opens the database at {@code url} (jdbc:h2:... or jdbc:postgresql:...) and brings its schema up to date.
     *
     * @throws StoreException naming the URL (never the password) and what to check
     */
    public static Store open(String url, String user, String password) {
        if (url.startsWith("jdbc:h2:") && url.toUpperCase(java.util.Locale.ROOT).replace(" ", "").contains(";AUTO_SERVER=TRUE")) {
            throw new StoreException("refusing the result store URL " + redact(url) + ": AUTO_SERVER=TRUE makes H2 listen on every"
                    + " interface and lets any local process that reads the lock file run code inside kval; drop it (a running"
                    + " controller shares its store through its API; use PostgreSQL when several processes must write at once)", null);
        }
        DataSource ds = dataSource(url, user, password);
        try {
            if (url.startsWith("jdbc:h2:file:")) {
                Files.createDirectories(Path.of(url.substring("jdbc:h2:file:".length()).split(";")[0]).toAbsolutePath().getParent());
            }
            Connection keepAlive = ds.getConnection();
            org.flywaydb.core.api.output.MigrateResult migrated = Flyway.configure().dataSource(ds)
                    .resourceProvider(new MigrationResources()).locations("classpath:db/migration").load().migrate();
            Store store = new Store(url, ds, keepAlive);
            if (migrated.migrations.stream().anyMatch(m -> "2".equals(m.version))) {
                // V2 added the statistics' rollup: fill it from the results stored before it
                store.inTransaction(c -> {
                    SeriesRollup.rebuild(c);
                    return null;
                });
            }
            return store;
        } catch (SQLException | java.io.IOException | org.flywaydb.core.api.FlywayException e) {
            String why = redact(String.valueOf(e.getMessage()));
            if (url.startsWith("jdbc:h2:file:") && why.contains("90020")) {
                throw new StoreException("the result store " + redact(url) + " is held by another process (a running `kval serve`?"
                        + " an H2 file is private to one process): use the controller's API, stop that process, or use"
                        + " PostgreSQL (KVAL_DB_URL) to share a store: " + why, e);
            }
            throw new StoreException("cannot open the result store at " + redact(url) + " as user '" + user + "': " + why
                    + " (check KVAL_DB_URL/KVAL_DB_USER/KVAL_DB_PASSWORD, or unset KVAL_DB_URL for the default H2 file)", e);
        }
    }

    private static DataSource dataSource(String url, String user, String password) {
        if (url.startsWith("jdbc:h2:")) {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL(url);
            h2.setUser(user);
            h2.setPassword(password);
            return h2;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            PGSimpleDataSource pg = new PGSimpleDataSource();
            pg.setURL(url);
            pg.setUser(user);
            pg.setPassword(password);
            return pg;
        }
        throw new StoreException("unsupported result store URL '" + redact(url) + "': expected jdbc:h2:... or jdbc:postgresql://host:port/db", null);
    }

    /** The store's URL with any password in it masked: safe to log. */
    public String url() {
        return redact(url);
    }

    /** {@code password=...} parameters (JDBC URL query or H2 setting) and {@code user:password@} masked. */
    public static String redact(String text) {
        return text.replaceAll("(?i)(password=)[^;&\\s]*", "$1***").replaceAll("(//[^/@:\\s]*:)[^/@\\s]*@", "$1***@");
    }

    DataSource dataSource() {
        return dataSource;
    }

    public boolean isPostgres() {
        return url.startsWith("jdbc:postgresql:");
    }

    /** Package-private: SQL lives in this module (callers use the store's methods and table classes). */
    Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    /** Work done in one transaction: committed when it returns, rolled back when it throws. */
    @FunctionalInterface
    interface Transaction<T> {
        T run(Connection c) throws Exception;
    }

    <T> T inTransaction(Transaction<T> work) {
        try (Connection c = connection()) {
            c.setAutoCommit(false);
            try {
                T value = work.run(c);
                c.commit();
                return value;
            } catch (Exception e) {
                c.rollback();
                throw e instanceof StoreException se ? se : new StoreException("result store (" + url() + "): " + redact(String.valueOf(e.getMessage())), e);
            }
        } catch (SQLException e) {
            throw new StoreException("result store (" + url() + "): " + redact(String.valueOf(e.getMessage())), e);
        }
    }

    /** Stored verdicts matching the filter, newest first (then by id). */
    public List<StoredResult> results(ResultFilter filter) {
        return inTransaction(c -> {
            ResultFilter.Query q = filter.query();
            try (PreparedStatement ps = c.prepareStatement(StoredResult.SELECT + q.where() + " ORDER BY r.started_at DESC, r.id DESC"
                    + (filter.limit() > 0 ? " LIMIT " + filter.limit() : ""))) {
                for (int i = 0; i < q.params().size(); i++) {
                    ps.setObject(i + 1, q.params().get(i));
                }
                List<StoredResult> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(StoredResult.of(rs));
                    }
                }
                return out;
            }
        });
    }

    /**
     * Every stored verdict of one series - a test on one kernel release and one host class, over all runs - oldest
     * first: the history a nightly's flake decision weighs tonight's repetitions against.
     */
    public List<StoredResult> series(String testId, String kernelRelease, String hostClass) {
        return select(" WHERE r.test_id = ? AND k.release = ? AND h.host_class = ? ORDER BY r.started_at, r.id", testId, kernelRelease, hostClass);
    }

    /** The series of one test on one stored kernel (by id) and one host class, oldest first: the dashboard's drill-down. */
    public List<StoredResult> series(String testId, long kernelId, String hostClass) {
        return select(" WHERE r.test_id = ? AND r.kernel_id = ? AND h.host_class = ? ORDER BY r.started_at, r.id", testId, kernelId, hostClass);
    }

    /** Stored verdict {@code id}, with its kernel, host and run. */
    public java.util.Optional<StoredResult> result(long id) {
        return select(" WHERE r.id = ?", id).stream().findFirst();
    }

    /** Where a {@code git:} kernel was built from (all null for other kernels). */
    public record KernelGit(String commit, String subject, String branch) {
    }

    /** The git commit, subject and branch of the kernel of stored verdict {@code resultId}. */
    public java.util.Optional<KernelGit> kernelGit(long resultId) {
        return inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT k.git_commit, k.git_subject, k.git_branch FROM result r"
                    + " JOIN kernel k ON k.id = r.kernel_id WHERE r.id = ?")) {
                ps.setLong(1, resultId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? java.util.Optional.of(new KernelGit(rs.getString(1), rs.getString(2), rs.getString(3)))
                            : java.util.Optional.<KernelGit>empty();
                }
            }
        });
    }

    /** Throws StoreException when the database does not answer a trivial query: the controller's health check. */
    public void check() {
        inTransaction(c -> {
            try (java.sql.Statement s = c.createStatement()) {
                s.executeQuery("SELECT 1").close();
            }
            return null;
        });
    }

    private List<StoredResult> select(String whereAndOrder, Object... params) {
        return inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(StoredResult.SELECT + whereAndOrder)) {
                for (int i = 0; i < params.length; i++) {
                    ps.setObject(i + 1, params[i]);
                }
                List<StoredResult> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(StoredResult.of(rs));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public void close() {
        try {
            keepAlive.close();
        } catch (SQLException e) {
            // closing: nothing left to lose
        }
    }
}
