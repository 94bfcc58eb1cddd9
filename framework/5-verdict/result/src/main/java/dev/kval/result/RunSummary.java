package dev.kval.result;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kval.ktap.Counts;
import dev.kval.ktap.TestResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The whole run, written as {@code summary.json}. */
public final class RunSummary {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Instant started = Instant.now();
    private Instant finished;
    private final Map<String, Object> options = new LinkedHashMap<>();
    private final Map<String, Object> hostChoice = new LinkedHashMap<>();
    private final List<HostResult> hosts = new ArrayList<>();
    private String kvalVersion = "unknown";
    private Map<String, Integer> verdicts;
    private Outcome verdictOutcome;

    public RunSummary option(String k, Object v) {
        options.put(k, v);
        return this;
    }

    public RunSummary hostChoice(String host, String reason) {
        hostChoice.put("host", host);
        hostChoice.put("reason", reason);
        return this;
    }

    public RunSummary kvalVersion(String v) {
        kvalVersion = v;
        return this;
    }

    public synchronized RunSummary add(HostResult h) {
        hosts.add(h);
        return this;
    }

    public synchronized List<HostResult> hosts() {
        return List.copyOf(hosts);
    }

    public void finish() {
        finished = Instant.now();
    }

    /**
     * The outcome of the JUnit verdicts over every leaf and host check (counts by status and by blame). It replaces
     * the hosts' raw KTAP outcome: the verdicts apply known findings (an expected FAIL passes) and must-run rules (a
     * lost capability fails), which the raw leaf statuses cannot.
     */
    public synchronized RunSummary verdicts(Map<String, Integer> counts, Outcome outcome) {
        verdicts = new LinkedHashMap<>(counts);
        verdictOutcome = outcome;
        return this;
    }

    /** The verdicts' outcome when there are verdicts, else the worst outcome over the hosts (INCOMPLETE if none). */
    public synchronized Outcome outcome() {
        if (verdictOutcome != null) {
            return verdictOutcome;
        }
        if (hosts.isEmpty()) {
            return Outcome.INCOMPLETE;
        }
        Outcome o = Outcome.PASS;
        for (HostResult h : hosts) {
            o = Outcome.worst(o, h.outcome());
        }
        return o;
    }

    public int exitCode() {
        return outcome().exitCode();
    }

    public synchronized ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("schema", "kval-run/1");
        root.put("kval", kvalVersion);
        root.put("startedAt", started.toString());
        Instant end = finished != null ? finished : Instant.now();
        root.put("finishedAt", end.toString());
        root.put("durationMs", end.toEpochMilli() - started.toEpochMilli());
        root.put("outcome", outcome().name().toLowerCase());
        root.put("exitCode", exitCode());
        root.put("outcomeFrom", verdictOutcome != null ? "verdicts" : "hosts");
        if (verdicts != null) {
            root.set("verdicts", JSON.valueToTree(verdicts));
        }
        root.set("options", JSON.valueToTree(options));
        if (!hostChoice.isEmpty()) {
            root.set("hostChoice", JSON.valueToTree(hostChoice));
        }
        Counts all = Counts.EMPTY;
        Map<String, Counts> allSuites = new LinkedHashMap<>();
        ArrayNode hs = root.putArray("hosts");
        for (HostResult h : hosts) {
            ObjectNode n = hs.addObject();
            n.put("name", h.name());
            n.put("kind", h.kind());
            n.put("outcome", h.outcome().name().toLowerCase());
            n.set("info", JSON.valueToTree(h.info()));
            if (h.kernel() != null) {
                n.set("kernel", JSON.valueToTree(h.kernel()));
            }
            if (h.capabilities() != null) {
                try {
                    n.set("capabilities", JSON.readTree(h.capabilities()));
                } catch (IOException e) {
                    n.put("capabilities", h.capabilities());
                }
            } else {
                n.putNull("capabilities");
            }
            n.set("timingsMs", JSON.valueToTree(h.timingsMs()));
            if (h.agentExit() != null) {
                n.put("agentExit", h.agentExit());
                n.put("agentTimedOut", h.agentTimedOut());
            }
            ObjectNode suites = n.putObject("suites");
            h.suites().forEach((s, c) -> {
                suites.set(s, JSON.valueToTree(SuiteCounts.json(c)));
                allSuites.merge(s, c, SuiteCounts::add);
            });
            n.set("totals", JSON.valueToTree(SuiteCounts.json(h.totals())));
            all = SuiteCounts.add(all, h.totals());
            if (h.tree() != null) {
                n.put("parseErrors", h.tree().parseErrors().size());
                n.set("bailOuts", JSON.valueToTree(h.tree().bailOuts()));
            }
            ArrayNode bad = n.putArray("badLeaves");
            int i = 0;
            for (TestResult r : h.badLeaves()) {
                if (i++ >= 200) {
                    break;
                }
                ObjectNode b = bad.addObject();
                b.put("id", r.id());
                b.put("status", r.status().name());
                b.put("reason", r.reason());
                b.set("diagnostics", JSON.valueToTree(r.diagnostics().subList(0, Math.min(20, r.diagnostics().size()))));
            }
            n.set("consoleFindings", JSON.valueToTree(h.consoleFindings()));
            if (h.failure() != null) {
                ObjectNode f = n.putObject("failure");
                f.put("attribution", h.failure().attribution());
                f.put("stage", h.failure().stage());
                f.put("message", h.failure().message());
                f.set("evidence", JSON.valueToTree(h.failure().evidence()));
            } else {
                n.putNull("failure");
            }
            n.set("files", JSON.valueToTree(h.files()));
        }
        ObjectNode s = root.putObject("suites");
        allSuites.forEach((k, c) -> s.set(k, JSON.valueToTree(SuiteCounts.json(c))));
        root.set("totals", JSON.valueToTree(SuiteCounts.json(all)));
        return root;
    }

    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path f = dir.resolve("summary.json");
        Path tmp = dir.resolve("summary.json.tmp");
        JSON.writeValue(tmp.toFile(), toJson());
        Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return f;
    }

    public static JsonNode read(Path summary) throws IOException {
        return JSON.readTree(summary.toFile());
    }
}
