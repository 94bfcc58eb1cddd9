package dev.kval.lava;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kval.agent.AgentRun;
import dev.kval.agent.BatchHost;
import dev.kval.host.Attribution;
import dev.kval.host.HostFailure;
import dev.kval.host.OracleConsoleWatch;
import dev.kval.ktap.KtapParser;
import dev.kval.ktap.KtapTree;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a finished LAVA job into kval's outcome. The job log's console goes through kval's crash oracle: LAVA calls a
 * kernel that panicked at boot an "Infrastructure" error ("Connection closed": QEMU exited with -no-reboot), so a job
 * that did not deliver the agent's KTAP is the kernel's failure when the console shows a crash (the splat is the
 * evidence) and the infrastructure's only when it does not (an artifact that did not download, a device error).
 */
final class JobOutcome {
    private static final com.fasterxml.jackson.databind.ObjectMapper YAML =
            new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());

    private JobOutcome() {
    }

    static BatchHost.Collected read(LavaJob job, LavaClient.JobStatus status, Path dir, Duration elapsed) throws IOException {
        String raw = job.client().logs(job.id());
        Files.writeString(dir.resolve("lava-job.log"), raw);
        LavaLog log = LavaLog.parse(raw);
        Path console = dir.resolve("console.log");
        Files.write(console, log.console(), StandardCharsets.UTF_8);
        OracleConsoleWatch watch = OracleConsoleWatch.standard();
        log.console().forEach(watch::feed);

        Map<String, Object> info = new LinkedHashMap<>();
        info.put("lavaJob", job.id());
        info.put("lavaJobUrl", job.client().jobUrl(job.id()).toString());
        info.put("lavaDevice", status.device());
        info.put("lavaHealth", status.health());
        info.put("lavaJobMs", elapsed.toMillis());
        Optional<String> ktap = log.section(JobDefinition.Markers.KTAP);
        Optional<String> caps = log.section(JobDefinition.Markers.CAPS);
        boolean complete = status.health().equals("Complete");
        if (!complete || ktap.isEmpty() || caps.isEmpty()) {
            String lavaError = lavaError(job);
            String what = "LAVA job " + job.id() + " ended " + status.health() + (lavaError.isEmpty() ? "" : " (" + lavaError + ")")
                    + (ktap.isEmpty() ? " without the agent's KTAP" : "") + " - " + job.client().jobUrl(job.id());
            if (watch.crashed()) {
                List<String> ev = new ArrayList<>(watch.findings());
                ev.addAll(watch.evidence());
                throw new HostFailure(Attribution.KERNEL, what + " - kernel crash on the console: " + String.join("; ", watch.findings()), ev);
            }
            List<String> ev = new ArrayList<>();
            ev.add("LAVA: " + (lavaError.isEmpty() ? "no error recorded" : lavaError));
            List<String> d = log.dispatcher();
            d.stream().filter(l -> l.startsWith("error") || l.contains("Error") || l.contains("error")).limit(10).forEach(ev::add);
            ev.add("last console lines:");
            List<String> c = log.console();
            ev.addAll(c.subList(Math.max(0, c.size() - 20), c.size()));
            throw new HostFailure(Attribution.INFRASTRUCTURE, what, ev);
        }
        String text = ktap.get();
        KtapTree tree = KtapParser.parseTree(new StringReader(text));
        String stderr = log.section(JobDefinition.Markers.STDERR).orElse("");
        int exit = log.agentExit().orElse(-1);
        boolean killed = exit == 137; // busybox timeout -s KILL: the agent hit the run's overall limit
        AgentRun run = new AgentRun(text, tree, exit, stderr, elapsed, killed);
        String release = "";
        try {
            release = new com.fasterxml.jackson.databind.ObjectMapper().readTree(caps.get()).path("kernel_release").asText("");
        } catch (IOException e) {
            throw new HostFailure(Attribution.INFRASTRUCTURE, "LAVA job " + job.id() + ": the agent's --caps report is not JSON: "
                    + e.getMessage(), List.of(caps.get()));
        }
        return new BatchHost.Collected(release, caps.get().strip(), run, console, log.section(JobDefinition.Markers.DMESG).orElse(null), info);
    }

    /** LAVA's own account of an Incomplete job: error_type and error_msg of its "job" case in suite "lava". */
    static String lavaError(LavaJob job) {
        try {
            for (JsonNode t : job.client().tests(job.id())) {
                String meta = t.path("metadata").asText("");
                if (t.path("name").asText().equals("job") && meta.contains("error_type")) {
                    JsonNode m = YAML.readTree(meta);
                    return m.path("error_type").asText() + ": " + m.path("error_msg").asText().strip();
                }
            }
        } catch (IOException e) {
            return "its test cases could not be read: " + e.getMessage();
        }
        return "";
    }

}
