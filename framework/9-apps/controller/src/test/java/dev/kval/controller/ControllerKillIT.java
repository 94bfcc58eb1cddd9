package dev.kval.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kval.executor.ProcessGroups;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL of the packaged controller (a separate JVM) in the middle of a run: one cell (local) is stored, the other
 * (QEMU 7.3.4) is booting or running. After a restart nothing stored is lost or duplicated, the orphaned child run is
 * ended, the interrupted steps say so, and the run resumes with only the unfinished cell.
 */
class ControllerKillIT {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path tmp;

    @Test
    void killedMidRunRestartsAndResumesWithoutLosingOrDuplicatingResults() throws Exception {
        String db = "jdbc:h2:file:" + tmp.resolve("store/kval");
        Map<String, String> props = Map.of("kval.controller.parallel", "1"); // local, then qemu: a moment with one cell stored
        long id;
        long orphan;
        String killedStep;
        List<Long> localIds;
        try (ControllerProcess first = ControllerProcess.start(tmp, db, props, "first")) {
            Path tokenFile = tmp.resolve("data/controller.token");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));
            String token = Files.readString(tokenFile).strip();
            assertTrue(token.length() >= 32);
            String log = Files.readString(first.log);
            assertTrue(log.contains(tokenFile.toString()), "the token file's path is printed:\n" + log);
            assertFalse(log.contains(token), "the token itself is never printed");
            assertEquals(401, first.post("/api/runs", null, "{\"hosts\":[\"local\"]}").statusCode());

            var created = first.post("/api/runs", token,
                    "{\"hosts\":[\"local\",\"qemu\"],\"kernels\":[\"debian:7.3.4\"],\"suites\":[\"api\"],\"case\":\"api.C12\"}");
            assertEquals(201, created.statusCode(), created.body());
            id = JSON.readTree(created.body()).path("id").asLong();
            JsonNode qemuCell = awaitCells(first, id);
            JsonNode last = qemuCell.path("steps").get(qemuCell.path("steps").size() - 1);
            orphan = Long.parseLong(last.path("externalId").asText().substring("pgid:".length()));
            killedStep = last.path("step").asText();
            // the H2 file is private to the controller holding it: read the store through its API
            localIds = ids(first, id, "local");
            assertFalse(localIds.isEmpty());
            first.kill();
        }
        String cellDir = tmp.resolve("data/runs/" + id + "/qemu-debian-7.3.4").toString();
        assertTrue(ProcessGroups.groupRuns(orphan, cellDir), "the killed controller's child run outlived it (its own session)");

        try (ControllerProcess second = ControllerProcess.start(tmp, db, props, "second")) {
            assertFalse(ProcessGroups.groupRuns(orphan, cellDir), "the restarted controller ended the orphaned child run");
            JsonNode run = null;
            long deadline = System.nanoTime() + 900_000_000_000L;
            while (System.nanoTime() < deadline) {
                run = JSON.readTree(second.get("/api/runs/" + id).body());
                if (!run.path("state").asText().matches("QUEUED|RUNNING|INTERRUPTED")) {
                    break;
                }
                Thread.sleep(1000);
            }
            assertEquals("DONE", run.path("state").asText(), run::toString);
            assertEquals("PASS", run.path("outcome").asText(), run::toString);
            Map<String, List<JsonNode>> steps = new java.util.LinkedHashMap<>();
            for (JsonNode c : run.path("cells")) {
                List<JsonNode> ss = new ArrayList<>();
                c.path("steps").forEach(ss::add);
                steps.put(c.path("cell").asText(), ss);
            }
            assertEquals(1, steps.get("local").stream().filter(s -> s.path("step").asText().equals("collect")).count(),
                    "the stored cell was not run again");
            List<String> qemu = steps.get("qemu=debian:7.3.4").stream().map(s -> s.path("step").asText() + ":" + s.path("state").asText()).toList();
            // the step seen last before the kill, or the one it was entering: the API read and the kill are not atomic
            assertTrue(qemu.stream().anyMatch(s -> s.endsWith(":INTERRUPTED")), "the killed attempt's step was marked: " + qemu
                    + " (last step seen before the kill: " + killedStep + ")");
            assertEquals(List.of("fetch:DONE", "boot:DONE", "deploy:DONE", "run:DONE", "collect:DONE"),
                    qemu.subList(qemu.size() - 5, qemu.size()), "then the cell ran again from the start: " + qemu);
            String log = Files.readString(tmp.resolve("data/runs/" + id + "/controller.log"));
            assertTrue(log.contains("[local] already stored before a restart"), log);

            assertEquals(localIds, ids(second, id, "local"), "the results stored before the kill are the same rows");
            Set<String> keys = new HashSet<>();
            for (JsonNode r : JSON.readTree(second.get("/api/results?limit=10000&run=" + id).body())) {
                assertTrue(keys.add(r.path("hostName").asText() + " " + r.path("testId").asText() + " " + r.path("attempt").asInt()),
                        "duplicate: " + r);
            }
            JsonNode summary = JSON.readTree(Path.of(cellDir, "summary.json").toFile());
            assertEquals(summary.path("verdicts").path("tests").asInt(), ids(second, id, "qemu=debian:7.3.4").size());
        }
    }

    /** Waits until the local cell is stored and the QEMU cell is between boot and run; returns the QEMU cell. */
    private static JsonNode awaitCells(ControllerProcess c, long id) throws Exception {
        long deadline = System.nanoTime() + 600_000_000_000L;
        JsonNode run = null;
        while (System.nanoTime() < deadline) {
            run = JSON.readTree(c.get("/api/runs/" + id).body());
            Map<String, JsonNode> cells = new java.util.HashMap<>();
            run.path("cells").forEach(x -> cells.put(x.path("cell").asText(), x));
            JsonNode local = cells.get("local"), qemu = cells.get("qemu=debian:7.3.4");
            if (local != null && local.path("state").asText().equals("DONE") && qemu != null
                    && qemu.path("step").asText().matches("boot|deploy|run") && qemu.path("state").asText().equals("RUNNING")) {
                return qemu;
            }
            if (!run.path("state").asText().matches("QUEUED|RUNNING")) {
                break;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("never saw local stored with qemu booting or running: " + run);
    }

    private static List<Long> ids(ControllerProcess c, long run, String host) throws Exception {
        List<Long> ids = new ArrayList<>();
        for (JsonNode r : JSON.readTree(c.get("/api/results?limit=10000&run=" + run + "&host=" + java.net.URLEncoder.encode(host,
                java.nio.charset.StandardCharsets.UTF_8)).body())) {
            ids.add(r.path("id").asLong());
        }
        return ids.stream().sorted().collect(Collectors.toList());
    }
}
