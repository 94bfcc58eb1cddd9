package dev.kval.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The store on both databases it supports: a fresh H2 file and a fresh database of kval's private PostgreSQL cluster. */
class StoreTest {
    @TempDir
    Path tmp;

    /** An empty store of the given kind; the PostgreSQL database is dropped when the returned handle closes. */
    private AutoCloseable[] fresh(String db, Store[] out) throws Exception {
        if (db.equals("h2")) {
            Store s = Store.open("jdbc:h2:file:" + tmp.resolve("kval"), "sa", "");
            out[0] = s;
            return new AutoCloseable[] {s};
        }
        PostgresCluster.Database d = PostgresCluster.freshDatabase();
        Store s = d.open();
        out[0] = s;
        return new AutoCloseable[] {s, d};
    }

    private static void closeAll(AutoCloseable[] all) throws Exception {
        for (AutoCloseable a : all) {
            a.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void migratesOnceAndReopensWithoutMigratingAgain(String db) throws Exception {
        Store[] s = new Store[1];
        AutoCloseable[] handles = fresh(db, s);
        try {
            assertEquals(db.equals("postgresql"), s[0].isPostgres());
            try (Connection c = s[0].connection(); Statement st = c.createStatement()) {
                for (String table : List.of("kernel", "host", "run", "run_step", "result", "quarantine", "series_rollup")) {
                    try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table)) {
                        assertTrue(rs.next());
                        assertEquals(0, rs.getLong(1), table);
                    }
                }
            }
            Store again = Store.open(s[0].url(), db.equals("h2") ? "sa" : ((PostgresCluster.Database) handles[1]).user(),
                    db.equals("h2") ? "" : ((PostgresCluster.Database) handles[1]).password());
            try (again; Connection c = again.connection(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT \"version\", \"success\" FROM \"flyway_schema_history\" WHERE \"version\" IS NOT NULL"
                            + " ORDER BY \"installed_rank\"")) {
                for (String version : List.of("1", "2", "3.21")) {
                    assertTrue(rs.next());
                    assertEquals(version, rs.getString(1));
                    assertTrue(rs.getBoolean(2));
                }
                assertFalse(rs.next(), "each migration applied once");
            }
        } finally {
            closeAll(handles);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void runStatesAndStepsSurviveAnInterruption(String db) throws Exception {
        Store[] s = new Store[1];
        AutoCloseable[] handles = fresh(db, s);
        try {
            Runs runs = new Runs(s[0]);
            long queued = runs.create("run", "{\"hosts\":[\"local\"]}", "/tmp/x");
            long running = runs.create("run", "{}", "/tmp/y");
            assertTrue(runs.setState(running, "RUNNING", null, null));
            long step = runs.startStep(running, "local", "boot", 300);
            long done = runs.startStep(running, "local", "fetch", 60);
            runs.finishStep(done, "DONE", null, null);

            assertEquals(List.of(running), runs.interruptRunning("controller restarted"));
            RunRow r = runs.find(running).orElseThrow();
            assertEquals("INTERRUPTED", r.state());
            assertNotNull(r.startedAt());
            assertNotNull(r.finishedAt());
            assertEquals("QUEUED", runs.find(queued).orElseThrow().state(), "queued runs stay queued");
            List<StepRow> steps = runs.steps(running);
            assertEquals(List.of("INTERRUPTED", "DONE"), steps.stream().map(StepRow::state).toList());
            assertEquals(step, steps.get(0).id());
            assertEquals(300, steps.get(0).timeoutS());
            assertEquals("controller restarted", steps.get(0).message());

            assertTrue(runs.setState(running, "RUNNING", null, null), "an interrupted run can be resumed");
            assertNull(runs.find(running).orElseThrow().finishedAt());
            assertTrue(runs.setState(running, "DONE", "PASS", null));
            assertFalse(runs.setState(running, "CANCELLED", null, null), "a finished run stays finished");
            assertEquals("PASS", runs.find(running).orElseThrow().outcome());
            assertEquals(List.of(running, queued), runs.list("run", null, 0).stream().map(RunRow::id).toList());
            assertEquals(List.of(queued), runs.list(null, "QUEUED", 10).stream().map(RunRow::id).toList());
        } finally {
            closeAll(handles);
        }
    }

    /** Four importers meeting the same new kernel and host at once get one row each, not four (or an error). */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void concurrentImportersShareKernelAndHostRows(String db) throws Exception {
        Store[] s = new Store[1];
        AutoCloseable[] handles = fresh(db, s);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<long[]>> ids = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ids.add(pool.submit(() -> {
                    go.await();
                    return s[0].inTransaction(c -> new long[] {
                        Identities.kernel(c, new Identities.KernelRow("debian:7.3.4", "debian", "7.3.4+deb13-amd64", "a".repeat(64), "b".repeat(64))),
                        Identities.host(c, "qemu=debian:7.3.4", "qemu", "qemu", "{\"caps\":{}}")});
                }));
            }
            go.countDown();
            Set<Long> kernels = new HashSet<>(), hosts = new HashSet<>();
            for (Future<long[]> f : ids) {
                long[] k = f.get();
                kernels.add(k[0]);
                hosts.add(k[1]);
            }
            assertEquals(1, kernels.size());
            assertEquals(1, hosts.size());
            try (Connection c = s[0].connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT (SELECT COUNT(*) FROM kernel), (SELECT COUNT(*) FROM host)")) {
                rs.next();
                assertEquals(1, rs.getLong(1));
                assertEquals(1, rs.getLong(2));
            }
        } finally {
            pool.shutdownNow();
            closeAll(handles);
        }
    }

    /** A git: kernel's commit lands on its kernel row (migration 3.21 on both databases); the first commit stays. */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void gitKernelKeepsItsCommit(String db) throws Exception {
        Store[] s = new Store[1];
        AutoCloseable[] handles = fresh(db, s);
        try {
            com.fasterxml.jackson.databind.node.ObjectNode pk = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                    .put("git.url", "/srv/linux.git").put("git.commit", "c".repeat(40)).put("git.subject", "KVM: a change").put("git.branch", "next");
            long id = s[0].inTransaction(c -> {
                long k = Identities.kernel(c, new Identities.KernelRow("git:/srv/linux.git@next", "git", "7.3.4", "d".repeat(64), "e".repeat(64)));
                Identities.kernelGit(c, k, pk);
                Identities.kernelGit(c, k, pk.deepCopy().put("git.commit", "f".repeat(40)));
                return k;
            });
            try (Connection c = s[0].connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT git_url, git_commit, git_subject, git_branch FROM kernel WHERE id = " + id)) {
                assertTrue(rs.next());
                assertEquals("/srv/linux.git", rs.getString(1));
                assertEquals("c".repeat(40), rs.getString(2), "the first commit stays");
                assertEquals("KVM: a change", rs.getString(3));
                assertEquals("next", rs.getString(4));
            }
        } finally {
            closeAll(handles);
        }
    }

    /** Four imports adding results of the same new series at once: all commit, and the rollup counts every result. */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void concurrentImportsOfOneNewSeriesAllLandInTheRollup(String db) throws Exception {
        Store[] s = new Store[1];
        AutoCloseable[] handles = fresh(db, s);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            long[] ids = s[0].inTransaction(c -> new long[] {
                Identities.kernel(c, new Identities.KernelRow("debian:7.3.4", "debian", "7.3.4+deb13-amd64", "a".repeat(64), "b".repeat(64))),
                Identities.host(c, "qemu=debian:7.3.4", "qemu", "qemu", null)});
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Long>> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                boolean fail = i % 2 == 1;
                long at = 1_700_000_000_000L + i * 1000L;
                long run = new Runs(s[0]).create("run", "{}", null);
                runs.add(pool.submit(() -> {
                    go.await();
                    return s[0].inTransaction(c -> {
                        try (var ps = c.prepareStatement("INSERT INTO result (run_id, kernel_id, host_id, suite, test_id, status, attribution,"
                                + " started_at) VALUES (?, ?, ?, 'api', 'api.new.series', ?, ?, ?)")) {
                            ps.setLong(1, run);
                            ps.setLong(2, ids[0]);
                            ps.setLong(3, ids[1]);
                            ps.setString(4, fail ? "FAIL" : "PASS");
                            ps.setString(5, fail ? "KERNEL" : null);
                            ps.setTimestamp(6, new java.sql.Timestamp(at));
                            ps.executeUpdate();
                        }
                        SeriesRollup.applyRun(c, run, 0);
                        return run;
                    });
                }));
            }
            go.countDown();
            for (Future<Long> f : runs) {
                f.get();
            }
            try (Connection c = s[0].connection()) {
                List<SeriesRollup.Stats> all = SeriesRollup.all(c);
                assertEquals(1, all.size());
                assertEquals(4, all.get(0).runs());
                assertEquals(2, all.get(0).failures());
            }
        } finally {
            pool.shutdownNow();
            closeAll(handles);
        }
    }

    @Test
    void importOfAnUnfinishedDirectorySaysWhatIsMissingAndWritesNothing() throws Exception {
        try (Store s = Store.open("jdbc:h2:file:" + tmp.resolve("kval"), "sa", "")) {
            Path dir = Files.createDirectories(tmp.resolve("half-run"));
            StoreException e = assertThrows(StoreException.class, () -> RunImporter.importRun(s, dir, "import"));
            assertTrue(e.getMessage().contains("no summary.json") && e.getMessage().contains(dir.toString()), e.getMessage());

            Files.writeString(dir.resolve("summary.json"), "{\"schema\":\"kval-run/1\",\"hosts\":[]}");
            Files.createDirectories(dir.resolve("allure-results"));
            Path bad = dir.resolve("allure-results/0-result.json");
            Files.writeString(bad, "{\"status\":\"passed\",\"labels\":[");
            e = assertThrows(StoreException.class, () -> RunImporter.importRun(s, dir, "import"));
            assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
            assertTrue(new Runs(s).list(null, null, 0).isEmpty(), "nothing is written for a directory that does not read cleanly");
        }
    }

    @Test
    void theDefaultStoreIsAnH2FileUnderTheDataDirectory() {
        Map<String, String> env = Map.of(Store.ENV_DATA, tmp.resolve("data").toString());
        assertEquals("jdbc:h2:file:" + tmp.resolve("data/kval"), Store.defaultUrl(env));
        try (Store s = Store.open(env)) {
            assertEquals(0, new Runs(s).list(null, null, 0).size());
        }
        assertTrue(Files.exists(tmp.resolve("data/kval.mv.db")));
        StoreException e = assertThrows(StoreException.class, () -> Store.open("jdbc:mysql://x/y", "u", "secret"));
        assertTrue(e.getMessage().contains("jdbc:mysql://x/y") && !e.getMessage().contains("secret"), e.getMessage());
    }

    /** A migration file that migrations.txt does not list would never run outside a plain class path. */
    @Test
    void everyMigrationFileIsListed() throws Exception {
        Path dir = PostgresCluster.repo().resolve("framework/7-store/store/src/main/resources/db/migration");
        try (Stream<Path> files = Files.list(dir)) {
            List<String> sql = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql")).sorted().toList();
            assertEquals(sql, new MigrationResources().names().stream().sorted().toList());
        }
    }
}
