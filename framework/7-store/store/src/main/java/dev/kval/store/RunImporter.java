package dev.kval.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Imports a finished {@code ./kval run --out DIR} into the store: one {@code result} row per Allure result file (one
 * per KTAP leaf and repetition, plus host-level checks), with its kernel and host rows (created on first sight).
 * Nothing is written unless the whole directory reads cleanly (one transaction).
 */
public final class RunImporter {
    static final ObjectMapper JSON = new ObjectMapper();

    private RunImporter() {
    }

    /**
     * Imports {@code runDir} as a run of {@code kind} (run, gate, nightly, ... ; see the run table) and returns its id.
     * Idempotent per directory: a directory already imported returns the existing run's id and adds nothing.
     */
    public static long importRun(Store store, Path runDir, String kind) {
        Path dir = runDir.toAbsolutePath().normalize();
        JsonNode summary = summary(dir);
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM run WHERE out_dir = ? ORDER BY id")) {
                ps.setString(1, dir.toString());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return rs.getLong(1);
                    }
                }
            }
            long runId;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO run (uuid, kind, state, request, outcome, out_dir, message,"
                    + " created_at, started_at, finished_at) VALUES (?, ?, 'DONE', ?, ?, ?, ?, ?, ?, ?)", new String[] {"id"})) {
                Instant started = instant(summary.path("startedAt"));
                ps.setString(1, UUID.randomUUID().toString());
                ps.setString(2, kind);
                ps.setString(3, JSON.writeValueAsString(summary.path("options")));
                ps.setString(4, summary.path("outcome").asText("incomplete").toUpperCase(java.util.Locale.ROOT));
                ps.setString(5, dir.toString());
                ps.setString(6, "imported from " + dir.resolve("summary.json"));
                Sql.setInstant(ps, 7, started != null ? started : Instant.now());
                Sql.setInstant(ps, 8, started);
                Sql.setInstant(ps, 9, instant(summary.path("finishedAt")));
                ps.executeUpdate();
                runId = Sql.generatedId(ps);
            }
            importResults(c, runId, dir, "");
            return runId;
        });
    }

    /**
     * Adds the verdicts of the finished run directory {@code runDir} to run {@code runId}, inside the caller's
     * transaction (so a controller can record "this cell is imported" in the same commit). Attachment paths are
     * {@code prefix} + their path inside {@code runDir}: the prefix locates runDir inside the run's out_dir.
     *
     * @return the number of result rows written
     */
    public static int importResults(Connection c, long runId, Path runDir, String prefix) throws SQLException {
        Path dir = runDir.toAbsolutePath().normalize();
        JsonNode summary = summary(dir);
        List<AllureVerdict> verdicts = verdicts(dir);
        Map<String, JsonNode> hosts = new HashMap<>();
        Map<String, Long> kernelIds = new HashMap<>(), hostIds = new HashMap<>();
        Map<String, Integer> attempts = new HashMap<>();
        long before = SeriesRollup.maxResultId(c, runId);
        int n = 0;
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO result (run_id, kernel_id, host_id, suite, test_id, status,"
                + " attribution, duration_ms, retries, attempt, message, attachments, started_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (AllureVerdict v : verdicts) {
                JsonNode host = hosts.computeIfAbsent(v.hostLabel(), l -> summaryHost(summary, v, dir));
                long kernelId = kernelIds.computeIfAbsent(v.hostLabel(), l -> {
                    long id = Identities.kernel(c, kernelRow(v, host));
                    Identities.kernelGit(c, id, host.path("kernel").path("packages"));
                    return id;
                });
                long hostId = hostIds.computeIfAbsent(v.hostLabel(), l -> Identities.host(c, v.hostLabel(),
                        host.path("kind").asText(v.hostClass()), v.hostClass(), capabilities(host)));
                int attempt = attempts.merge(v.hostLabel() + "\n" + v.testId(), 1, Integer::sum);
                ins.setLong(1, runId);
                ins.setLong(2, kernelId);
                ins.setLong(3, hostId);
                ins.setString(4, v.suite());
                ins.setString(5, v.testId());
                ins.setString(6, v.status());
                ins.setString(7, v.attribution());
                Sql.setLong(ins, 8, v.stop() >= v.start() && v.start() > 0 ? v.stop() - v.start() : null);
                ins.setInt(9, host.path("info").path("infraRetries").asInt(0));
                ins.setInt(10, attempt);
                ins.setString(11, v.message());
                ins.setString(12, attachments(v, host, prefix));
                Sql.setInstant(ins, 13, Instant.ofEpochMilli(v.start() > 0 ? v.start() : System.currentTimeMillis()));
                ins.addBatch();
                n++;
            }
            ins.executeBatch();
        }
        // the statistics' per-series rollup, in this same transaction: both commit or neither
        SeriesRollup.applyRun(c, runId, before);
        return n;
    }

    /** summary.json of a finished run, or an error that says what the directory lacks. */
    static JsonNode summary(Path dir) {
        Path file = dir.resolve("summary.json");
        if (!Files.isRegularFile(file)) {
            throw new StoreException(dir + " is not a finished kval run: it has no summary.json (make one with"
                    + " ./kval run --out " + dir + ")", null);
        }
        try {
            JsonNode s = JSON.readTree(file.toFile());
            if (!s.path("schema").asText().startsWith("kval-run/")) {
                throw new StoreException(file + " is not a kval run summary (schema '" + s.path("schema").asText() + "')", null);
            }
            return s;
        } catch (IOException e) {
            throw new StoreException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Every {@code *-result.json} under allure-results, in start order (so repetitions number 1, 2, ...). */
    static List<AllureVerdict> verdicts(Path dir) {
        Path results = dir.resolve("allure-results");
        if (!Files.isDirectory(results)) {
            throw new StoreException(dir + " has no allure-results directory: the run did not get to its verdicts", null);
        }
        List<AllureVerdict> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(results)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith("-result.json")).sorted().toList()) {
                try {
                    out.add(AllureVerdict.of(JSON.readTree(f.toFile()), f.toString()));
                } catch (IOException e) {
                    throw new StoreException("cannot read Allure result " + f + ": " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot list " + results + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparingLong(AllureVerdict::start).thenComparing(AllureVerdict::uuid));
        return judged(dir, out);
    }

    /** A host that failed before its kernel was known has none: Allure's label says "null", verdicts.json null. */
    private static String kernelKey(String release) {
        return release == null || release.equals("null") ? "" : release;
    }

    /**
     * Each Allure result with its verdict from verdicts.json (the judge's, written once by the run): the status, the
     * attribution and the message come from there, matched by kernel, test id and repetition; Allure only adds where
     * the result's attachments are and when it ran.
     */
    static List<AllureVerdict> judged(Path dir, List<AllureVerdict> results) {
        Path file = dir.resolve("verdicts.json");
        if (!Files.isRegularFile(file)) {
            throw new StoreException(dir + " has no verdicts.json: the run predates it or did not get to its verdicts (run it again)", null);
        }
        java.util.Map<String, JsonNode> byKey = new java.util.HashMap<>();
        java.util.Map<String, Integer> seen = new java.util.HashMap<>();
        try {
            for (JsonNode v : JSON.readTree(file.toFile()).path("verdicts")) {
                String k = kernelKey(v.path("kernel").isTextual() ? v.path("kernel").asText() : null) + "|" + v.path("leaf").asText();
                byKey.putIfAbsent(k + "|" + seen.merge(k, 1, Integer::sum), v);
            }
        } catch (IOException e) {
            throw new StoreException("cannot read " + file + ": " + e.getMessage(), e);
        }
        List<AllureVerdict> out = new ArrayList<>();
        seen.clear();
        for (AllureVerdict a : results) {
            String k = kernelKey(a.kernelRelease()) + "|" + a.testId();
            JsonNode v = byKey.get(k + "|" + seen.merge(k, 1, Integer::sum));
            if (v == null) {
                throw new StoreException(file + " has no verdict for " + a.testId() + " on " + a.hostLabel() + " [" + a.kernelRelease()
                        + "] (allure-results and verdicts.json are of different runs?)", null);
            }
            out.add(a.judged(v));
        }
        return out;
    }

    /**
     * The summary.json host an Allure host label ({@code qemu=debian:7.3.4}, {@code local}, {@code ssh:box=...}) stands
     * for: same host kind and kernel spec (a host without a kernel spec runs its own, "running").
     */
    static JsonNode summaryHost(JsonNode summary, AllureVerdict v, Path dir) {
        int eq = v.hostLabel().indexOf('=');
        String spec = eq < 0 ? "running" : v.hostLabel().substring(eq + 1);
        JsonNode sameKind = null;
        for (JsonNode h : summary.path("hosts")) {
            if (!h.path("kind").asText().equals(v.hostClass())) {
                continue;
            }
            if (h.path("kernel").path("spec").asText().equals(spec)) {
                return h;
            }
            if (sameKind == null) {
                sameKind = h;
            }
        }
        if (sameKind != null) {
            return sameKind;
        }
        throw new StoreException(dir.resolve("summary.json") + " lists no " + v.hostClass() + " host for the results of "
                + v.hostLabel() + " (summary and allure-results are of different runs?)", null);
    }

    static Identities.KernelRow kernelRow(AllureVerdict v, JsonNode host) {
        int eq = v.hostLabel().indexOf('=');
        String spec = eq < 0 ? "local" : v.hostLabel().substring(eq + 1);
        int colon = spec.indexOf(':');
        String source = eq < 0 ? "local" : colon < 0 ? spec : spec.substring(0, colon);
        JsonNode k = host.path("kernel");
        return new Identities.KernelRow(spec, source, v.kernelRelease(), k.path("sha256").asText(""),
                k.path("configSha256").asText(""));
    }

    private static String capabilities(JsonNode host) {
        JsonNode caps = host.path("capabilities");
        return caps.isMissingNode() || caps.isNull() ? null : caps.toString();
    }

    /** The result's own attachments plus its host's evidence (agent KTAP, console, dmesg, caps.json). */
    private static String attachments(AllureVerdict v, JsonNode host, String prefix) {
        ArrayNode a = JSON.createArrayNode();
        for (JsonNode at : v.attachments()) {
            a.addObject().put("name", at.path("name").asText()).put("path", prefix + "allure-results/" + at.path("source").asText());
        }
        host.path("files").fields().forEachRemaining(e -> a.addObject().put("name", e.getKey()).put("path", prefix + e.getValue().asText()));
        return a.isEmpty() ? null : a.toString();
    }

    private static Instant instant(JsonNode n) {
        try {
            return n.isTextual() ? Instant.parse(n.asText()) : null;
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }
}
