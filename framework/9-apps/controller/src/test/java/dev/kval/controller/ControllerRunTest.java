package dev.kval.controller;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kval.executor.ProcessGroups;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The controller through its REST API on real hosts: this machine (local: no /dev/kvm here, so every leaf is stored
 * as SKIP with the agent's reason) and Debian 7.3.4 booted in QEMU, one narrow case (api.C12) so it stays quick; each
 * cell is a child `kval run` of the packaged CLI. Then a step timeout and a cancel, each ending the child's process group.
 */
@QuarkusTest
class ControllerRunTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = "Bearer test-token";

    static JsonNode get(String path) throws Exception {
        return JSON.readTree(given().get(path).then().statusCode(200).extract().asString());
    }

    static long submit(String body) throws Exception {
        String out = given().header("Authorization", TOKEN).contentType(ContentType.JSON).body(body).post("/api/runs")
                .then().statusCode(201).extract().asString();
        return JSON.readTree(out).path("id").asLong();
    }

    /** Polls the run until it leaves QUEUED/RUNNING; returns the final view and every (cell, step, state) seen meanwhile. */
    static JsonNode await(long id, Set<String> seen, int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonNode v = get("/api/runs/" + id);
            for (JsonNode c : v.path("cells")) {
                seen.add(c.path("cell").asText() + " " + c.path("step").asText() + " " + c.path("state").asText());
            }
            String state = v.path("state").asText();
            if (!state.equals("QUEUED") && !state.equals("RUNNING")) {
                return v;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("run " + id + " did not end within " + seconds + " s: " + get("/api/runs/" + id));
    }

    @Test
    void mutatingRequestsNeedTheTokenAndBadRequestsNameTheField() throws Exception {
        given().contentType(ContentType.JSON).body("{\"hosts\":[\"local\"]}").post("/api/runs").then().statusCode(401);
        given().header("Authorization", "Bearer wrong").contentType(ContentType.JSON).body("{\"hosts\":[\"local\"]}").post("/api/runs")
                .then().statusCode(401);
        String[][] bad = {
            {"{\"hosts\":[\"qemux\"],\"kernels\":[\"debian:7.3.4\"]}", "hosts"},
            {"{\"hosts\":[\"qemu\"]}", "kernels"},
            {"{\"hosts\":[\"qemu\"],\"kernels\":[\"debian:7.3.4; rm -rf /\"]}", "kernels"},
            {"{\"hosts\":[\"local\"],\"suites\":[\"apii\"]}", "suites"},
            {"{\"hosts\":[\"local\"],\"repeat\":0}", "repeat"},
            {"{\"hosts\":[\"local\"],\"repeat\":\"twice\"}", "repeat"},
            {"{\"hosts\":[\"local\"],\"case\":\"a b\"}", "case"},
            {"{\"hosts\":[\"local\"],\"stress\":\"heat\"}", "stress"},
            {"{\"hosts\":[\"local\"],\"timeouts\":{\"boot\":0}}", "timeouts"},
            {"{\"hosts\":[\"local\"],\"suites\":[\"race\"],\"iterations\":0}", "iterations"},
            {"{\"hosts\":[\"local\"],\"suites\":[\"race\"],\"seed\":\"0xzz\"}", "seed"},
            {"{\"hosts\":[\"local\"],\"suites\":[\"race\"],\"seed\":\"1; reboot\"}", "seed"},
            {"{\"hostz\":[\"local\"]}", "hostz"},
            {"{\"hosts\":[\"local\"", "hosts[1]"},
            {"hosts: local", "body"},
        };
        for (String[] b : bad) {
            var r = given().header("Authorization", TOKEN).contentType(ContentType.JSON).body(b[0]).post("/api/runs");
            assertEquals(400, r.statusCode(), b[0]);
            JsonNode body = JSON.readTree(r.asString().isEmpty() ? "{}" : r.asString());
            assertEquals(b[1], body.path("field").asText(), b[0] + " -> " + r.asString());
            assertTrue(body.path("error").asText().contains(b[1]), b[0] + " -> " + r.asString());
        }
        given().get("/api/runs/999999").then().statusCode(404);
        given().get("/api/results?status=GREAT").then().statusCode(400).body("field", equalTo("status"));
    }

    @Test
    void localAndQemuRunThroughTheApiIntoTheStore() throws Exception {
        long id = submit("{\"hosts\":[\"local\",\"qemu\"],\"kernels\":[\"debian:7.3.4\"],\"suites\":[\"api\"],\"case\":\"api.C12\"}");
        Set<String> seen = new LinkedHashSet<>();
        JsonNode run = await(id, seen, 900);
        assertEquals("DONE", run.path("state").asText(), run::toString);
        assertEquals("PASS", run.path("outcome").asText(), run::toString);
        assertEquals(2, run.path("cellsTotal").asInt());
        assertEquals(2, run.path("cellsFinished").asInt(), run::toString);
        Path out = Path.of(run.path("outDir").asText());

        for (JsonNode cell : run.path("cells")) {
            String name = cell.path("cell").asText();
            assertEquals("DONE", cell.path("state").asText(), cell::toString);
            List<String> steps = new ArrayList<>();
            cell.path("steps").forEach(s -> {
                steps.add(s.path("step").asText());
                assertEquals("DONE", s.path("state").asText(), s::toString);
                assertTrue(s.path("timeoutS").asInt() > 0);
            });
            // the child's progress lines moved the cell through its steps; local has no boot
            assertEquals(name.equals("local") ? List.of("fetch", "deploy", "run", "collect") : List.of("fetch", "boot", "deploy", "run", "collect"),
                    steps, name);
            JsonNode summary = JSON.readTree(out.resolve(name.replaceAll("[^A-Za-z0-9._+-]", "-")).resolve("summary.json").toFile());
            JsonNode stored = get("/api/runs/" + id + "/results?host=" + name);
            assertEquals(summary.path("verdicts").path("tests").asInt(), stored.size(), "every verdict of " + name + " stored once");
        }
        JsonNode local = get("/api/results?run=" + id + "&host=local");
        assertTrue(local.size() > 0);
        if (!Files.exists(Path.of("/dev/kvm"))) {
            for (JsonNode r : local) {
                assertEquals("SKIP", r.path("status").asText());
                assertTrue(r.path("message").asText().startsWith("no /dev/kvm"), r::toString);
            }
        }
        JsonNode qemu = get("/api/results?run=" + id + "&host=qemu&test=api.C12.*");
        assertTrue(qemu.size() > 0);
        for (JsonNode r : qemu) {
            assertEquals("PASS", r.path("status").asText(), r::toString);
            assertEquals("7.3.4+deb13-amd64", r.path("kernelRelease").asText());
        }
        assertEquals(qemu.size() + local.size(), run.path("results").path("PASS").asLong(0) + run.path("results").path("SKIP").asLong(0));
        assertTrue(seen.stream().anyMatch(s -> s.endsWith(" RUNNING")), "progress was visible while it ran: " + seen);

        String log = given().accept("text/event-stream").get("/api/runs/" + id + "/log").then().statusCode(200).extract().asString();
        assertTrue(log.contains("data:") && log.contains("booting 7.3.4+deb13-amd64") && log.contains("results stored")
                && log.contains("run " + id + " ended: DONE PASS"), log);

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("kval_results_total{status=\"PASS\"}"), metrics);
        assertTrue(metrics.contains("kval_results_total{status=\"SKIP\"}"));
        assertTrue(metrics.contains("kval_boot_seconds_count{host_class=\"qemu\"}"));
        assertTrue(metrics.contains("kval_runs_total{state=\"DONE\"}"));
        assertTrue(metrics.contains("kval_queue_length"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("/api/runs/{id}/log"));
        given().header("Authorization", TOKEN).post("/api/runs/" + id + "/cancel").then().statusCode(409).body("field", equalTo("id"));
    }

    /**
     * The race suite through the API with its iterations and seed: one passing control case on Debian 7.3.4 (its own
     * boot, -smp 2): every leaf is stored, and the case's KTAP shows the seed and iteration count the request asked for.
     */
    @Test
    void raceSuiteWithIterationsAndSeedThroughTheApi() throws Exception {
        long id = submit("{\"hosts\":[\"qemu\"],\"kernels\":[\"debian:7.3.4\"],\"suites\":[\"race\"],\"case\":\"race.ctl_punch\","
                + "\"iterations\":20,\"seed\":\"0x2a\"}");
        JsonNode run = await(id, new LinkedHashSet<>(), 600);
        assertEquals("DONE", run.path("state").asText(), run::toString);
        assertEquals("PASS", run.path("outcome").asText(), run::toString);
        JsonNode stored = get("/api/results?run=" + id + "&host=qemu&test=race.ctl_punch.*");
        assertEquals(4, stored.size(), stored::toString); // no_deadlock, ops_ran, invariants, accounting
        for (JsonNode r : stored) {
            assertEquals("PASS", r.path("status").asText(), r::toString);
        }
        Path out = Path.of(run.path("outDir").asText());
        List<Path> ktaps;
        try (var s = Files.walk(out)) {
            ktaps = s.filter(p -> p.getFileName().toString().equals("agent.ktap")).toList();
        }
        assertFalse(ktaps.isEmpty(), "no agent.ktap under " + out);
        String ktap = Files.readString(ktaps.get(0));
        assertTrue(ktap.contains("# seed=0x2a iterations=20 "), ktap);
    }

    /** POST /api/nightly starts the configured matrix (here: local, api.C12, twice); its diff is served when it ends. */
    @Test
    void nightlyNowThroughTheApi() throws Exception {
        given().post("/api/nightly").then().statusCode(401);
        String started = given().header("Authorization", TOKEN).post("/api/nightly").then().statusCode(202).extract().asString();
        long run = JSON.readTree(started).path("run").asLong();
        JsonNode v = await(run, new LinkedHashSet<>(), 600);
        assertEquals("nightly", v.path("kind").asText());
        assertEquals("DONE", v.path("state").asText(), v::toString);
        JsonNode diff = get("/api/nightly/" + run + "/diff");
        assertEquals(run, diff.path("run").asLong());
        assertTrue(diff.path("tests").asInt() > 0, diff::toString);
        assertEquals(0, diff.path("flaky").size());
        given().get("/api/nightly/999999/diff").then().statusCode(404);
    }

    /** A boot timeout of 1 s: the cell is stopped at boot (its QEMU with it) and the failure is the kernel's class. */
    @Test
    void aStepOverItsTimeoutStopsTheCellsWholeProcessGroup() throws Exception {
        long id = submit("{\"hosts\":[\"qemu\"],\"kernels\":[\"debian:7.3.4\"],\"suites\":[\"api\"],\"case\":\"api.C12\",\"timeouts\":{\"boot\":1}}");
        JsonNode run = await(id, new LinkedHashSet<>(), 600);
        JsonNode cell = run.path("cells").get(0);
        JsonNode last = cell.path("steps").get(cell.path("steps").size() - 1);
        assertEquals("boot", last.path("step").asText(), run::toString);
        assertEquals("TIMEOUT", last.path("state").asText());
        assertEquals("KERNEL", last.path("failureClass").asText());
        assertTrue(last.path("message").asText().contains("boot exceeded its timeout of 1 s"));
        assertEquals("FAILED", run.path("state").asText());
        assertEquals("FAIL", run.path("outcome").asText());
        assertNoProcessLeft(last);
    }

    @Test
    void cancelStopsARunningCell() throws Exception {
        long id = submit("{\"hosts\":[\"qemu\"],\"kernels\":[\"debian:7.3.4\"],\"suites\":[\"api\"]}");
        long deadline = System.nanoTime() + 300_000_000_000L;
        JsonNode v = get("/api/runs/" + id);
        while (System.nanoTime() < deadline && !v.path("cells").path(0).path("step").asText().matches("boot|deploy|run")) {
            Thread.sleep(200);
            v = get("/api/runs/" + id);
        }
        given().header("Authorization", TOKEN).post("/api/runs/" + id + "/cancel").then().statusCode(200).body("state", equalTo("CANCELLED"));
        JsonNode run = await(id, new LinkedHashSet<>(), 120);
        assertEquals("CANCELLED", run.path("state").asText());
        long until = System.nanoTime() + 60_000_000_000L;
        JsonNode last;
        do {
            Thread.sleep(300);
            JsonNode cell = get("/api/runs/" + id).path("cells").get(0);
            last = cell.path("steps").get(cell.path("steps").size() - 1);
        } while (last.path("state").asText().equals("RUNNING") && System.nanoTime() < until);
        assertEquals("CANCELLED", last.path("state").asText(), last::toString);
        assertNoProcessLeft(last);
    }

    private static void assertNoProcessLeft(JsonNode step) {
        String ext = step.path("externalId").asText();
        assertTrue(ext.startsWith("pgid:"), step::toString);
        assertFalse(ProcessGroups.alive(Long.parseLong(ext.substring(5))), "the child's process group is gone: " + ext);
    }
}
