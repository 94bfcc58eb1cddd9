package dev.kval.cli;

import dev.kval.engine.RunEngine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kval.ktap.KtapTree;
import dev.kval.result.RunSummary;
import dev.kval.store.PostgresCluster;
import dev.kval.store.ResultFilter;
import dev.kval.store.RunImporter;
import dev.kval.store.Runs;
import dev.kval.store.Store;
import dev.kval.store.StoredResult;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real runs into the result store, on H2 and on kval's private PostgreSQL: the Debian 7.3.4 QEMU run the CLI tests
 * already make (api + conversions: passes, and SKIPs without SW_PROTECTED_VM) and a local run of one case repeated
 * twice (no /dev/kvm here: every leaf SKIPs with the agent's reason).
 */
class StoreImportTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path tmp;

    private static Path localRepeated;

    static synchronized Path localRepeated() throws Exception {
        if (localRepeated == null) {
            Path out = Path.of("target", "test-runs", "local-repeat").toAbsolutePath();
            dev.kval.kernel.KernelCache.deleteTree(out);
            new RunEngine(new PrintStream(System.err, true)).run(new RunEngine.Request("local", null, List.of("api"), "api.C12", 2, null,
                    out, Duration.ofMinutes(5)));
            localRepeated = out;
        }
        return localRepeated;
    }

    private Store open(String db, AutoCloseable[] cleanup) throws Exception {
        if (db.equals("h2")) {
            return Store.open("jdbc:h2:file:" + tmp.resolve("kval"), "sa", "");
        }
        PostgresCluster.Database d = PostgresCluster.freshDatabase();
        cleanup[0] = d;
        return d.open();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void debian734RunImportsOneRowPerVerdictOnce(String db) throws Exception {
        Path out = RunEngineTest.debian734().out();
        JsonNode summary = RunSummary.read(out.resolve("summary.json"));
        JsonNode verdicts = summary.path("verdicts");
        AutoCloseable[] cleanup = new AutoCloseable[1];
        try (Store store = open(db, cleanup)) {
            long id = RunImporter.importRun(store, out, "import");
            List<StoredResult> rows = store.results(ResultFilter.ALL.withRun(id));
            assertEquals(verdicts.path("tests").asInt(), rows.size(), "one row per JUnit verdict");
            Map<String, Long> byStatus = rows.stream().collect(Collectors.groupingBy(StoredResult::status, Collectors.counting()));
            assertEquals(verdicts.path("passed").asLong(), byStatus.getOrDefault("PASS", 0L) + byStatus.getOrDefault("XFAIL", 0L), byStatus::toString);
            assertEquals(verdicts.path("skipped").asLong(), byStatus.getOrDefault("SKIP", 0L), byStatus::toString);
            assertTrue(byStatus.getOrDefault("SKIP", 0L) > 0, "conversions SKIP on a kernel without SW_PROTECTED_VM");
            for (StoredResult r : rows) {
                assertEquals("7.3.4+deb13-amd64", r.kernelRelease());
                assertEquals("debian:7.3.4", r.kernelSpec());
                assertEquals("qemu=debian:7.3.4", r.hostName());
                assertEquals("qemu", r.hostClass());
                assertEquals(1, r.attempt());
                if (r.status().equals("SKIP")) {
                    assertTrue(r.message() != null && !r.message().isBlank(), "a SKIP keeps its reason: " + r.testId());
                    assertNull(r.attribution());
                }
                JsonNode att = JSON.readTree(r.attachments());
                assertTrue(att.isArray() && att.size() >= 3, r.testId() + ": " + r.attachments());
                for (JsonNode a : att) {
                    // own-boot evidence is a directory (one agent.ktap + console per case); every other attachment a file
                    Path ap = out.resolve(a.path("path").asText());
                    assertTrue(a.path("name").asText().equals("ownBoot") ? Files.isDirectory(ap) : Files.isRegularFile(ap), "attachment exists: " + a);
                }
            }
            assertEquals(RunEngineTest.leaves(out, "qemu").stream().map(l -> l.name()).sorted().toList(),
                    rows.stream().map(StoredResult::testId).sorted().toList(), "the stored test ids are the KTAP leaves");
            try (Connection c = dev.kval.store.StoreTestAccess.connection(store); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT spec, source, release, sha256, config_hash FROM kernel")) {
                assertTrue(rs.next());
                assertEquals("debian", rs.getString("source"));
                assertEquals(summary.path("hosts").get(0).path("kernel").path("sha256").asText(), rs.getString("sha256"));
                assertTrue(rs.getString("config_hash").matches("[0-9a-f]{64}"), rs.getString("config_hash"));
                assertFalse(rs.next());
            }
            try (Connection c = dev.kval.store.StoreTestAccess.connection(store); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT provider, capabilities FROM host")) {
                assertTrue(rs.next());
                assertEquals("qemu", rs.getString(1));
                assertEquals(1, JSON.readTree(rs.getString(2)).path("caps").path("guest_memfd").asInt());
            }

            assertEquals(id, RunImporter.importRun(store, out, "import"), "the same directory is the same run");
            assertEquals(rows.size(), store.results(ResultFilter.ALL).size(), "a second import adds nothing");

            assertEquals(byStatus.get("SKIP"), (long) store.results(ResultFilter.ALL.withKernel("debian:7.3.*").withStatus("skip")).size());
            long c12 = RunEngineTest.leaves(out, "qemu").stream().filter(l -> l.name().startsWith("api.C12.")).count();
            assertTrue(c12 > 0);
            assertEquals(c12, store.results(ResultFilter.ALL.withTestId("api.C12.*").withSuite("api").withHost("qemu")).size());
            assertEquals(0, store.results(ResultFilter.ALL.withKernel("debian:6.1*")).size());
            assertEquals(5, store.results(ResultFilter.ALL.withLimit(5)).size());
            assertEquals("DONE", new Runs(store).find(id).orElseThrow().state());
            assertEquals(summary.path("outcome").asText().toUpperCase(), new Runs(store).find(id).orElseThrow().outcome());
        } finally {
            if (cleanup[0] != null) {
                cleanup[0].close();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void repeatedLocalRunKeepsEveryRepetitionAndItsSkipReason(String db) throws Exception {
        Path out = localRepeated();
        AutoCloseable[] cleanup = new AutoCloseable[1];
        try (Store store = open(db, cleanup)) {
            long id = RunImporter.importRun(store, out, "run");
            List<StoredResult> rows = store.results(ResultFilter.ALL.withRun(id));
            KtapTree ktap = RunEngineTest.ktap(out, "local");
            assertEquals(ktap.leaves().size(), rows.size(), "one row per leaf and repetition");
            Map<String, List<Integer>> attempts = rows.stream().collect(Collectors.groupingBy(StoredResult::testId,
                    Collectors.mapping(StoredResult::attempt, Collectors.toList())));
            assertFalse(attempts.isEmpty());
            attempts.forEach((test, a) -> assertEquals(List.of(1, 2), a.stream().sorted().toList(), test));
            boolean kvm = Files.exists(Path.of("/dev/kvm"));
            for (StoredResult r : rows) {
                assertEquals("local", r.kernelSpec());
                assertEquals("local", r.hostName());
                assertEquals(System.getProperty("os.version"), r.kernelRelease());
                if (!kvm) {
                    assertEquals("SKIP", r.status(), r.testId());
                    assertTrue(r.message().startsWith("no /dev/kvm"), r.message());
                }
            }
            Map<String, StoredResult> byId = rows.stream().collect(Collectors.toMap(r -> r.testId() + "#" + r.attempt(), Function.identity()));
            assertEquals(rows.size(), byId.size());
        } finally {
            if (cleanup[0] != null) {
                cleanup[0].close();
            }
        }
    }
}
