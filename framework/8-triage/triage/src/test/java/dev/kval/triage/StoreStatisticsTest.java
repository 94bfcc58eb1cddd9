package dev.kval.triage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.store.PostgresCluster;
import dev.kval.store.Store;
import dev.kval.store.StoreTestAccess;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The statistics and the quarantine over a real (embedded H2) store with the store's own schema. */
class StoreStatisticsTest {
    Store store;

    @BeforeEach
    void open() {
        store = Store.open("jdbc:h2:mem:triage-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", "sa", "");
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void streamingPassWindowFunctionsAndPerSeriesQueriesAgree() throws Exception {
        agree(store);
    }

    /** The same SQL on kval's private PostgreSQL (infra/postgres; KVAL_NO_POSTGRES=<reason> skips it outside CI). */
    @Test
    void theSameOnPostgresql() throws Exception {
        try (PostgresCluster.Database d = PostgresCluster.freshDatabase(); Store pg = d.open()) {
            agree(pg);
        }
    }

    static void agree(Store store) throws Exception {
        SyntheticHistory.Shape shape = new SyntheticHistory.Shape(40, 6, 3, 2, 3, 2, 11);
        long rows = SyntheticHistory.generate(store, shape, null);
        assertEquals(shape.rows(), rows);
        FlakeSnapshot rollup = FlakeStatistics.computeFromRollup(store);
        assertNull(FlakeStatistics.differ(rollup, FlakeStatistics.computeByScan(store, FlakeStatistics.Scope.ALL), "streaming pass"));
        assertNull(FlakeStatistics.differ(rollup, FlakeStatistics.computeWithWindowFunctions(store, FlakeStatistics.Scope.ALL), "SQL window functions"));
        assertNull(FlakeStatistics.differ(rollup, FlakeStatistics.computePerSeries(store, FlakeStatistics.Scope.ALL), "one query per series"));
        try (Connection c = StoreTestAccess.connection(store)) {
            FlakeSnapshot s = FlakeStatistics.compute(store, FlakeStatistics.Scope.ALL);
            assertEquals(40 * 6 * 3, s.series().size());
            // every series holds 2 hosts x 3 runs x 2 repeats = 12 results, minus INFRA ones (never counted)
            long infra = count(c, "SELECT COUNT(*) FROM result WHERE attribution = 'INFRA'");
            assertTrue(infra > 0, "the generator makes some infrastructure failures");
            long counted = s.series().values().stream().mapToLong(x -> x.runs() + x.skips()).sum();
            assertEquals(rows - infra, counted);
            assertFalse(s.flakyRanked().isEmpty());
            // a scope of runs sees only those runs
            FlakeSnapshot one = FlakeStatistics.compute(store, FlakeStatistics.Scope.runs(List.of(1L)));
            assertEquals(count(c, "SELECT COUNT(*) FROM result WHERE run_id = 1 AND (attribution IS NULL OR attribution <> 'INFRA')"),
                    one.series().values().stream().mapToLong(x -> x.runs() + x.skips()).sum());
        }
    }

    @Test
    void theRollupEqualsTheRecomputationAfterLateOlderRunsAndARebuild() throws Exception {
        rollupChecks(store);
    }

    @Test
    void theRollupOnPostgresql() throws Exception {
        try (PostgresCluster.Database d = PostgresCluster.freshDatabase(); Store pg = d.open()) {
            rollupChecks(pg);
        }
    }

    /**
     * Runs imported in time order, then an older run imported late (its results precede what the series counted, so
     * they are recounted), a run mixing skips and INFRA errors, and a rebuild from scratch: the rollup must equal the
     * full streaming recomputation after each; a rollup row tampered with must be caught by the comparison.
     */
    static void rollupChecks(Store store) throws Exception {
        SyntheticHistory.generate(store, new SyntheticHistory.Shape(30, 3, 2, 1, 3, 2, 13), null);
        assertRollupAgrees(store);
        long late = insertRun(store, Instant.parse("2025-06-01T00:00:00Z"), new String[] {"FAIL", "PASS", "SKIP", "ERROR"}, "KERNEL");
        assertRollupAgrees(store);
        insertRun(store, Instant.parse("2027-01-01T00:00:00Z"), new String[] {"SKIP", "ERROR", "FAIL", "XFAIL", "TIMEOUT"}, "INFRA");
        assertRollupAgrees(store);
        try (Connection c = StoreTestAccess.connection(store)) {
            assertTrue(count(c, "SELECT COUNT(*) FROM result WHERE run_id = " + late) > 0);
            SeriesStats some = FlakeStatistics.computeFromRollup(store).series().values().iterator().next();
            try (var st = c.createStatement()) {
                st.executeUpdate("UPDATE series_rollup SET flips = flips + 1 WHERE test_id = '" + some.key().testId() + "' AND kernel_id = "
                        + some.key().kernelId() + " AND host_class = '" + some.key().hostClass() + "'");
            }
            String d = FlakeStatistics.differ(FlakeStatistics.computeByScan(store, FlakeStatistics.Scope.ALL), FlakeStatistics.computeFromRollup(store), "rollup");
            assertTrue(d != null && d.contains(some.key().testId()), "a wrong rollup row is caught: " + d);
            dev.kval.store.SeriesRollup.rebuild(c);
        }
        assertRollupAgrees(store);
    }

    static void assertRollupAgrees(Store store) throws Exception {
        try (Connection c = StoreTestAccess.connection(store)) {
            FlakeSnapshot scan = FlakeStatistics.computeByScan(store, FlakeStatistics.Scope.ALL);
            FlakeSnapshot rollup = FlakeStatistics.computeFromRollup(store);
            assertFalse(scan.series().isEmpty());
            assertNull(FlakeStatistics.differ(scan, rollup, "rollup"));
            assertEquals(scan.series().keySet(), rollup.series().keySet());
        }
    }

    /** One more run on the first kernel and host: every test gets statuses[i % n] in turn, two repetitions. */
    static long insertRun(Store store, Instant at, String[] statuses, String failAttribution) throws Exception {
        return StoreTestAccess.inTransaction(store, c -> {
            long run;
            try (var ps = c.prepareStatement("INSERT INTO run (uuid, kind, state, request, outcome, created_at) VALUES (?, 'run', 'DONE', '{}',"
                    + " 'FAIL', ?)", new String[] {"id"})) {
                ps.setString(1, java.util.UUID.randomUUID().toString());
                ps.setTimestamp(2, java.sql.Timestamp.from(at));
                ps.executeUpdate();
                try (var rs = ps.getGeneratedKeys()) {
                    rs.next();
                    run = rs.getLong(1);
                }
            }
            List<String> tests = new java.util.ArrayList<>();
            try (var st = c.createStatement(); var rs = st.executeQuery("SELECT DISTINCT test_id FROM result ORDER BY test_id")) {
                while (rs.next()) {
                    tests.add(rs.getString(1));
                }
            }
            try (var ps = c.prepareStatement("INSERT INTO result (run_id, kernel_id, host_id, suite, test_id, status, attribution, started_at)"
                    + " VALUES (?, (SELECT MIN(id) FROM kernel), (SELECT MIN(id) FROM host), 'api', ?, ?, ?, ?)")) {
                int i = 0;
                for (int rep = 0; rep < 2; rep++) {
                    for (String t : tests) {
                        String status = statuses[i++ % statuses.length];
                        ps.setLong(1, run);
                        ps.setString(2, t);
                        ps.setString(3, status);
                        ps.setString(4, status.equals("PASS") || status.equals("SKIP") || status.equals("XFAIL") ? null : failAttribution);
                        // the same instant for both repetitions of some: ties are broken by id, as in the full pass
                        ps.setTimestamp(5, java.sql.Timestamp.from(at.plusSeconds(i % 3)));
                        ps.addBatch();
                    }
                }
                ps.executeBatch();
            }
            dev.kval.store.SeriesRollup.applyRun(c, run, 0);
            return run;
        });
    }

    @Test
    void theNightlyFlakeDecisionReadsTheSeriesHistory() throws Exception {
        SyntheticHistory.generate(store, new SyntheticHistory.Shape(40, 3, 1, 1, 4, 2, 5), null);
        FlakeSnapshot snap;
        try (Connection c = StoreTestAccess.connection(store)) {
            snap = FlakeStatistics.compute(store, FlakeStatistics.Scope.ALL);
        }
        for (Classification want : List.of(Classification.FLAKY, Classification.STABLE_PASS)) {
            SeriesStats s = snap.series().values().stream().filter(x -> x.classification() == want).findFirst().orElseThrow();
            KernelInfo k = snap.kernel(s.key().kernelId());
            List<dev.kval.store.StoredResult> rows = store.results(dev.kval.store.ResultFilter.ALL.withTestId(s.key().testId()).withKernel(k.release()));
            // tonight: its newest passing result alone; the history decides
            List<dev.kval.store.StoredResult> tonight = rows.stream().filter(dev.kval.store.StoredResult::passed).limit(1).toList();
            assertEquals(want == Classification.FLAKY, SeriesFlakiness.isFlaky(store, tonight.get(0).hostName(), s.key().testId(), tonight), want + " " + s.key());
            assertFalse(SeriesFlakiness.isFlaky(null, "h", s.key().testId(), tonight), "one passing attempt and no history is not flaky");
        }
    }

    @Test
    void quarantineAddsListsMatchesAndRemoves() {
        Quarantine q = new Quarantine(store);
        Quarantine.Entry e = q.add(new Quarantine.NewEntry("api.C17.*", null, null, 0.3, "NUMA start node varies", "tester", null));
        q.add(new Quarantine.NewEntry("guest.*", "debian:7.2*", "qemu-tcg", 0.1, "old", "tester", Instant.now().minusSeconds(60)));
        assertEquals(2, q.list().size());
        KernelInfo k = new KernelInfo(1, "debian:7.3.4", "7.3.4+deb13-amd64", "");
        assertEquals(0.3, Quarantine.match(q.list(), "api.C17.interleave_start", k, "qemu-tcg", Instant.now()).orElseThrow().budget());
        assertTrue(Quarantine.match(q.list(), "api.C16.x", k, "qemu-tcg", Instant.now()).isEmpty());
        assertTrue(Quarantine.match(q.list(), "guest.x", new KernelInfo(2, "debian:7.2.6", "7.2.6+deb13-amd64", ""), "qemu-tcg", Instant.now()).isEmpty(),
                "an expired entry no longer matches");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> q.add(new Quarantine.NewEntry("", null, null, 1.5, " ", null, null)));
        assertTrue(bad.getMessage().contains("test:") && bad.getMessage().contains("budget:") && bad.getMessage().contains("reason:"), bad.getMessage());
        assertEquals(2, q.list().size(), "a rejected entry writes nothing");
        assertTrue(q.remove(e.id()));
        assertFalse(q.remove(e.id()));
        assertNull(q.list().stream().filter(x -> x.id() == e.id()).findFirst().orElse(null));
    }

    private static long count(Connection c, String sql) throws Exception {
        try (var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
