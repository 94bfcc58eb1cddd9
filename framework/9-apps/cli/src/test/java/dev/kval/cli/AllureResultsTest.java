package dev.kval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kval.ktap.KtapTree;
import dev.kval.ktap.Status;
import dev.kval.ktap.TestResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Allure side of `kval run` on the real Debian 7.3.4 run that {@link RunEngineTest} shares (api + conversions):
 * one result per KTAP leaf with the leaf's status, reasons, labels and parameters, the host's evidence attached once,
 * environment and categories, and a single-file HTML report that really embeds the results.
 */
class AllureResultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<Status, String> ALLURE_STATUS = Map.of(Status.PASS, "passed", Status.XFAIL, "passed",
            Status.SKIP, "skipped", Status.FAIL, "failed", Status.TIMEOUT, "broken", Status.ERROR, "broken", Status.MISSING, "broken");

    static List<JsonNode> read(Path results, String suffix) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(results)) {
            for (Path p : s.filter(f -> f.getFileName().toString().endsWith(suffix)).toList()) {
                out.add(JSON.readTree(p.toFile()));
            }
        }
        return out;
    }

    static Map<String, String> labels(JsonNode result) {
        Map<String, String> m = new HashMap<>();
        result.path("labels").forEach(l -> m.put(l.path("name").asText(), l.path("value").asText()));
        return m;
    }

    @Test
    void oneResultPerKtapLeafWithStatusReasonAndLabels() throws Exception {
        Path out = RunEngineTest.debian734().out();
        KtapTree ktap = RunEngineTest.ktap(out, "qemu");
        List<JsonNode> results = read(out.resolve("allure-results"), "-result.json");
        List<TestResult> leaves = RunEngineTest.leaves(out, "qemu"); // main boot + own-boot cases
        assertEquals(leaves.size(), results.size(), "Allure results vs KTAP leaves in " + out.resolve("qemu/agent.ktap") + " and qemu/own-boot");
        Map<String, JsonNode> byName = results.stream().collect(Collectors.toMap(r -> r.path("name").asText(), r -> r));
        assertEquals(leaves.stream().map(TestResult::name).collect(Collectors.toSet()), byName.keySet(),
                "Allure test names must be exactly the leaf ids");
        assertTrue(ktap.counts().skip() > 0 && ktap.counts().pass() > 0, "the run must have both passes and skips to check");
        for (TestResult leaf : leaves) {
            JsonNode r = byName.get(leaf.name());
            assertEquals(ALLURE_STATUS.get(leaf.status()), r.path("status").asText(), leaf.name());
            if (leaf.status() == Status.SKIP) {
                String reason = r.path("statusDetails").path("message").asText();
                assertFalse(reason.isBlank(), "SKIP without a reason in Allure: " + leaf.name());
                assertEquals(leaf.reason(), reason, leaf.name());
            }
            Map<String, String> l = labels(r);
            String[] id = leaf.name().split("\\.");
            assertEquals(id[0], l.get("epic"), leaf.name());
            assertEquals(leaf.path().get(1), l.get("feature"), leaf.name() + ": feature = the KTAP case it ran in");
            assertEquals(id[1], l.get("story"), leaf.name());
            assertEquals("7.3.4+deb13-amd64", l.get("kernel"), leaf.name());
            assertEquals("qemu", l.get("hostClass"), leaf.name());
            assertEquals("qemu=debian:7.3.4", l.get("host"), leaf.name());
            Set<String> params = new java.util.HashSet<>();
            r.path("parameters").forEach(p -> params.add(p.path("name").asText() + "=" + p.path("value").asText()));
            assertEquals(Set.of("host=qemu=debian:7.3.4", "kernel=7.3.4+deb13-amd64"), params, leaf.name());
            if (leaf.diagnostic("observed") != null) {
                assertTrue(r.path("description").asText().contains("observed=" + leaf.diagnostic("observed")), leaf.name());
            }
            // api.caps answers the seed's KVM_CAP_GUEST_MEMFD item; conversions answer none of its items
            boolean linked = r.path("links").toString().contains("ZOjpIL0SFH+E3Dj4@google.com");
            assertEquals(leaf.name().startsWith("api.caps.") || leaf.name().startsWith("api.C13.") || leaf.name().startsWith("api.C17.")
                    || leaf.name().startsWith("api.accounting."), linked, leaf.name() + ": link to the seed's to-do item");
        }
    }

    @Test
    void hostEvidenceAttachedOnceEnvironmentAndCategories() throws Exception {
        Path out = RunEngineTest.debian734().out();
        Path results = out.resolve("allure-results");
        List<JsonNode> hostContainers = read(results, "-container.json").stream()
                .filter(c -> c.path("name").asText().startsWith("agent run on ")).toList();
        assertEquals(1, hostContainers.size(), "one evidence container per host");
        JsonNode c = hostContainers.get(0);
        assertEquals(RunEngineTest.leaves(out, "qemu").size(), c.path("children").size(), "every leaf shows the host's evidence");
        Map<String, String> attachments = new HashMap<>();
        c.path("befores").get(0).path("attachments").forEach(a -> attachments.put(a.path("name").asText(), a.path("source").asText()));
        assertTrue(attachments.keySet().containsAll(List.of("agent KTAP (whole run)", "capabilities (caps.json)", "console.log", "dmesg",
                "kernel config")), attachments.toString());
        assertEquals(Files.readString(out.resolve("qemu/agent.ktap")), Files.readString(results.resolve(attachments.get("agent KTAP (whole run)"))));
        assertTrue(Files.readString(results.resolve(attachments.get("kernel config"))).contains("CONFIG_KVM"));

        Properties env = new Properties();
        try (var in = Files.newInputStream(results.resolve("environment.properties"))) {
            env.load(in);
        }
        assertEquals("7.3.4+deb13-amd64", env.getProperty("kernel.qemu"));
        assertEquals("qemu=debian:7.3.4 (qemu)", env.getProperty("host.qemu"));
        assertTrue(env.getProperty("agent.sha256", "").matches("[0-9a-f]{64}"), env.toString());
        assertFalse(env.getProperty("kval.version", "").isBlank());

        JsonNode categories = JSON.readTree(results.resolve("categories.json").toFile());
        List<String> names = new ArrayList<>();
        categories.forEach(k -> names.add(k.path("name").asText()));
        assertEquals(List.of("Kernel bug", "Test bug", "Infrastructure"), names);
        assertTrue("[kernel] api.x failed".matches(categories.get(0).path("messageRegex").asText()));
        assertTrue("[infra] host qemu failed\n  evidence".matches(categories.get(2).path("messageRegex").asText()));
        assertFalse("[kernel] api.x failed".matches(categories.get(1).path("messageRegex").asText()));
    }

    @Test
    void htmlReportEmbedsEveryResult() throws Exception {
        Path out = RunEngineTest.debian734().out();
        Path index = out.resolve("allure-report/index.html");
        assertTrue(Files.isRegularFile(index), "no report at " + index + " (is allure-commandline unpacked under framework/9-apps/cli/target?)");
        String html = Files.readString(index, StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("d\\('data/test-cases/[^']+','([^']*)'\\)").matcher(html);
        List<JsonNode> cases = new ArrayList<>();
        while (m.find()) {
            cases.add(JSON.readTree(Base64.getDecoder().decode(m.group(1))));
        }
        int leaves = RunEngineTest.leaves(out, "qemu").size();
        assertEquals(leaves, cases.size(), "test cases embedded in the single-file report");
        JsonNode any = cases.get(0);
        assertTrue(any.path("name").asText().matches("(api|conversions)\\.[^.]+\\..+"), any.path("name").asText());
        assertTrue(any.path("beforeStages").toString().contains("agent KTAP (whole run)"),
                "the report shows the host's evidence as the leaf's set-up: " + any.path("beforeStages"));
    }
}
