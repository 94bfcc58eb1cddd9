package dev.kval.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kval.store.PostgresCluster;
import dev.kval.store.ResultFilter;
import dev.kval.store.Store;
import dev.kval.store.StoredResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged controller on PostgreSQL (kval's private cluster, a fresh database): it migrates the schema, runs a
 * local cell through the API and stores its verdicts there; the password never appears in its log.
 */
class ControllerPostgresIT {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path tmp;

    @Test
    void localRunStoredInPostgres() throws Exception {
        try (PostgresCluster.Database db = PostgresCluster.freshDatabase();
                ControllerProcess c = ControllerProcess.start(tmp, db.url(), db.user(), db.password(), Map.of(), "pg")) {
            String token = Files.readString(tmp.resolve("data/controller.token")).strip();
            var created = c.post("/api/runs", token, "{\"hosts\":[\"local\"],\"suites\":[\"api\"],\"case\":\"api.C12\",\"repeat\":2}");
            assertEquals(201, created.statusCode(), created.body());
            long id = JSON.readTree(created.body()).path("id").asLong();
            JsonNode run = null;
            long deadline = System.nanoTime() + 300_000_000_000L;
            while (System.nanoTime() < deadline) {
                run = JSON.readTree(c.get("/api/runs/" + id).body());
                if (!run.path("state").asText().matches("QUEUED|RUNNING")) {
                    break;
                }
                Thread.sleep(500);
            }
            assertEquals("DONE", run.path("state").asText(), run::toString);
            JsonNode api = JSON.readTree(c.get("/api/results?run=" + id).body());
            try (Store s = db.open()) {
                assertTrue(s.isPostgres());
                List<StoredResult> rows = s.results(ResultFilter.ALL.withRun(id));
                assertFalse(rows.isEmpty());
                assertEquals(rows.size(), api.size(), "the API lists what PostgreSQL holds");
                assertTrue(rows.stream().anyMatch(r -> r.attempt() == 2), "both repetitions stored");
            }
            assertTrue(c.get("/q/health/ready").body().contains("jdbc:postgresql://"));
            String log = Files.readString(c.log);
            assertFalse(log.contains(db.password()), "the database password is never logged");
        }
    }
}
