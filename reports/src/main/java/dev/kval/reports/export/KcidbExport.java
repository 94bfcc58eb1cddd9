package dev.kval.reports.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kval.reports.AllureResult;
import dev.kval.reports.RunDir;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run as KCIDB I/O data (schema v4.5): one checkout and one build per kernel under test, one test per verdict.
 *
 * <p>Ids are stable where the object is: the checkout and the build of a kernel are named by its release and image
 * sha256 (a second run of the same kernel names the same build), a test by its Allure result uuid. Debian kernels come
 * as binary packages, so the checkout names the package (tree_name {@code debian}) and carries no git commit. The
 * status table is {@code kcidb/status.tsv}; kval's own verdict, attribution, observed value and host go to misc.
 */
public final class KcidbExport {
    public static final String ORIGIN = "kval";
    public static final int MAJOR = 4;
    public static final int MINOR = 5;
    static final Map<String, String> STATUS = statusTable();

    private KcidbExport() {
    }

    public static ObjectNode export(RunDir run) {
        ObjectNode doc = RunDir.JSON.createObjectNode();
        doc.putObject("version").put("major", MAJOR).put("minor", MINOR);
        ArrayNode checkouts = doc.putArray("checkouts");
        ArrayNode builds = doc.putArray("builds");
        ArrayNode tests = doc.putArray("tests");
        Map<String, String> buildIdByHost = new LinkedHashMap<>();
        for (JsonNode h : run.summary().path("hosts")) {
            String buildId = addKernel(run, h, checkouts, builds);
            buildIdByHost.put(h.path("name").asText(), buildId);
        }
        for (AllureResult r : run.results()) {
            JsonNode h = run.hostOf(r);
            String buildId = buildIdByHost.getOrDefault(h.path("name").asText(), null);
            if (buildId == null) {
                // no host entry (a host that failed before it had a kernel): the verdict still needs a build to hang on
                buildId = ORIGIN + ":build-unknown-" + safe(r.host());
                if (builds.findValuesAsText("id").stream().noneMatch(buildId::equals)) {
                    String checkoutId = ORIGIN + ":checkout-unknown-" + safe(r.host());
                    checkouts.addObject().put("id", checkoutId).put("origin", ORIGIN).put("comment", "kernel of " + r.host() + " unknown")
                            .put("valid", false);
                    builds.addObject().put("id", buildId).put("checkout_id", checkoutId).put("origin", ORIGIN).put("valid", false)
                            .put("comment", "no kernel identity recorded for host " + r.host());
                }
            }
            tests.add(test(run, r, h, buildId));
        }
        return doc;
    }

    /**
     * A git: kernel's checkout as KCIDB expects it: the commit hash, the branch it was resolved from, the repository URL
     * (KCIDB takes only https:// and git:// URLs: another one, such as a local path, goes to misc.git_repository_url and
     * the comment says so).
     */
    static void gitCheckout(ObjectNode c, ObjectNode misc, JsonNode pk, String release) {
        String commit = pk.path("git.commit").asText("");
        if (!commit.matches("[0-9a-f]{40}")) {
            return;
        }
        String url = pk.path("git.url").asText("");
        c.put("git_commit_hash", commit);
        if (pk.has("git.branch")) {
            c.put("git_repository_branch", pk.path("git.branch").asText());
        }
        String name = url.replaceAll("\\.git/?$", "").replaceAll(".*[/:]", "");
        c.put("tree_name", name.isEmpty() ? "git" : name);
        String subject = pk.path("git.subject").asText("");
        c.put("comment", "kernel " + release + " at " + commit.substring(0, 12) + " \"" + subject + "\"");
        misc.put("git_commit_subject", subject);
        if (url.matches("(https|git)://.*")) {
            c.put("git_repository_url", url);
        } else {
            misc.put("git_repository_url", url);
            c.put("comment", c.path("comment").asText() + " (repository " + url + " is not an https:// or git:// URL: in misc)");
        }
    }

    private static String addKernel(RunDir run, JsonNode h, ArrayNode checkouts, ArrayNode builds) {
        JsonNode k = h.path("kernel");
        String release = k.path("release").asText(h.path("info").path("kernelRelease").asText("unknown"));
        String sha = k.path("sha256").asText("");
        String spec = k.path("spec").asText(h.path("info").path("kernelSpec").asText(h.path("kind").asText()));
        String key = safe(release) + (sha.length() >= 16 ? "-" + sha.substring(0, 16) : "");
        String checkoutId = ORIGIN + ":checkout-" + key;
        String buildId = ORIGIN + ":build-" + key;
        String started = run.startedAt();
        if (checkouts.findValuesAsText("id").stream().noneMatch(checkoutId::equals)) {
            ObjectNode c = checkouts.addObject().put("id", checkoutId).put("origin", ORIGIN);
            c.put("tree_name", spec.startsWith("debian:") ? "debian" : spec.startsWith("build:") ? "kval-build" : h.path("kind").asText());
            c.put("comment", "kernel " + release + " (" + spec + ")");
            if (started != null) {
                c.put("start_time", started);
            }
            c.put("valid", true);
            ObjectNode misc = c.putObject("misc").put("spec", spec);
            if (k.has("packages")) {
                misc.set("packages", k.path("packages"));
            }
            gitCheckout(c, misc, k.path("packages"), release);
        }
        if (builds.findValuesAsText("id").stream().noneMatch(buildId::equals)) {
            ObjectNode b = builds.addObject().put("id", buildId).put("checkout_id", checkoutId).put("origin", ORIGIN);
            b.put("architecture", "x86_64");
            b.put("comment", release);
            b.put("config_name", spec);
            // a kernel kval ran has a build that booted or at least resolved; a failure to get one is the host's failure
            b.put("valid", !"resolve".equals(h.path("failure").path("stage").asText()));
            ObjectNode misc = b.putObject("misc").put("release", release).put("spec", spec);
            if (!sha.isEmpty()) {
                misc.put("image_sha256", sha);
            }
        }
        return buildId;
    }

    private static ObjectNode test(RunDir run, AllureResult r, JsonNode h, String buildId) {
        ObjectNode t = RunDir.JSON.createObjectNode();
        t.put("id", ORIGIN + ":" + r.uuid());
        t.put("build_id", buildId);
        t.put("origin", ORIGIN);
        t.put("path", path(r.name()));
        t.put("comment", r.name());
        AllureResult.Attribution a = r.attribution();
        t.put("status", status(r.status(), a));
        if (r.start() > 0) {
            t.put("start_time", Instant.ofEpochMilli(r.start()).toString());
            t.put("duration", Math.max(0, r.stop() - r.start()) / 1000.0);
        }
        if (r.message() != null && !r.message().isEmpty()) {
            t.put("log_excerpt", r.message().length() > 16384 ? r.message().substring(0, 16384) : r.message());
        }
        ObjectNode env = t.putObject("environment");
        env.put("comment", r.host() + (h.path("kind").isMissingNode() ? "" : " (" + h.path("kind").asText() + ")"));
        ObjectNode envMisc = env.putObject("misc").put("host", r.host()).put("host_class", r.labels().getOrDefault("hostClass", ""));
        JsonNode info = h.path("info");
        for (String f : List.of("accel", "cpu", "memoryMb", "smp")) {
            if (info.has(f)) {
                envMisc.set(f, info.get(f));
            }
        }
        Map<String, String> files = new LinkedHashMap<>();
        h.path("files").fields().forEachRemaining(e -> files.put(e.getKey(), e.getValue().asText()));
        String ktap = files.get("ktap");
        if (ktap != null) {
            t.put("log_url", run.dir().resolve(ktap).toUri().toString());
        }
        ArrayNode out = RunDir.JSON.createArrayNode();
        files.forEach((kind, rel) -> {
            if (!kind.equals("ktap")) {
                Path p = run.dir().resolve(rel);
                out.addObject().put("name", p.getFileName().toString()).put("url", p.toUri().toString());
            }
        });
        if (!out.isEmpty()) {
            t.set("output_files", out);
        }
        ObjectNode misc = t.putObject("misc");
        // the KTAP status the suites label each verdict with (TIMEOUT, ERROR and MISSING are all Allure "broken")
        misc.put("kval_status", r.labels().getOrDefault("ktapStatus", r.xfail() ? "XFAIL" : r.status().toUpperCase(java.util.Locale.ROOT)));
        misc.put("attribution", a == null ? null : a.name());
        misc.put("suite", r.suite());
        misc.put("kernel_release", r.labels().getOrDefault("kernel", ""));
        if (r.observed() != null) {
            misc.put("observed", r.observed());
        }
        if (r.xfail()) {
            misc.put("xfail", r.labels().get("xfail"));
        }
        if (r.message() != null) {
            misc.put("message", r.message());
        }
        misc.put("history_id", r.historyId());
        misc.put("run", run.dir().toString());
        return t;
    }

    /** KCIDB's status for an Allure status and blame, from the table. */
    public static String status(String allureStatus, AllureResult.Attribution a) {
        String s = STATUS.get(allureStatus + "\t" + (a == null ? "*" : a.name()));
        if (s == null) {
            s = STATUS.get(allureStatus + "\t*");
        }
        return s == null ? "ERROR" : s;
    }

    /** KCIDB test paths allow {@code [.a-zA-Z0-9_-]}; leaf ids already are, anything else becomes '_'. */
    static String path(String leaf) {
        return leaf.replaceAll("[^.a-zA-Z0-9_-]", "_");
    }

    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._+-]", "_");
    }

    public static void write(JsonNode doc, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, ".kcidb", ".json");
        RunDir.JSON.writeValue(tmp.toFile(), doc);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static Map<String, String> statusTable() {
        Map<String, String> m = new LinkedHashMap<>();
        try (InputStream in = KcidbExport.class.getResourceAsStream("/dev/kval/reports/kcidb/status.tsv");
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            List<String> lines = new ArrayList<>(r.lines().toList());
            for (String l : lines) {
                if (l.isBlank() || l.startsWith("#")) {
                    continue;
                }
                String[] f = l.split("\t");
                m.put(f[0] + "\t" + f[1], f[2]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.copyOf(m);
    }
}
