package dev.kval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kval.reports.RunDir;
import dev.kval.reports.export.KcidbSchema;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import picocli.CommandLine;

/**
 * `kval export` on a real run (Debian 7.3.4 booted in QEMU, api + conversions: passes and SKIPs): the KCIDB document
 * validates against KCIDB's schema and its statuses add up to summary.json's verdicts; the JUnit XML parses back to
 * the same counts, per host x suite too.
 */
class ExportCommandTest {
    @TempDir
    Path tmp;

    static int exec(Object cmd, PrintStream err, String... args) {
        PrintStream old = System.err;
        System.setErr(err);
        try {
            return new CommandLine(cmd).execute(args);
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void kcidbExportOfARealRunValidatesAndCountsMatchTheSummary() throws Exception {
        Path run = RunEngineTest.debian734().out();
        Path file = tmp.resolve("kcidb.json");
        assertEquals(0, exec(new ExportCommand(), System.err, "--format", "kcidb", "--run", run.toString(), "--out", file.toString()));
        JsonNode doc = RunDir.JSON.readTree(file.toFile());
        assertEquals(List.of(), KcidbSchema.validate(doc), "the written document validates");
        JsonNode sum = RunDir.JSON.readTree(run.resolve("summary.json").toFile()).path("verdicts");
        assertEquals(sum.path("tests").asInt(), doc.path("tests").size(), "one KCIDB test per verdict");
        Map<String, Integer> byStatus = new HashMap<>();
        doc.path("tests").forEach(t -> byStatus.merge(t.path("status").asText(), 1, Integer::sum));
        assertEquals(sum.path("passed").asInt(), byStatus.getOrDefault("PASS", 0), byStatus.toString());
        assertEquals(sum.path("skipped").asInt(), byStatus.getOrDefault("SKIP", 0), byStatus.toString());
        assertTrue(sum.path("skipped").asInt() > 0, "the run has SKIPs (conversions without SW_PROTECTED_VM)");
        assertEquals(1, doc.path("checkouts").size());
        assertEquals(1, doc.path("builds").size());
        JsonNode build = doc.path("builds").get(0);
        assertEquals("7.3.4+deb13-amd64", build.path("misc").path("release").asText());
        assertEquals(64, build.path("misc").path("image_sha256").asText().length());
        for (JsonNode t : doc.path("tests")) {
            assertEquals(build.path("id").asText(), t.path("build_id").asText());
            assertTrue(t.path("misc").has("attribution"), "attribution carried in misc: " + t);
            if (t.path("status").asText().equals("SKIP")) {
                assertTrue(t.path("log_excerpt").asText().startsWith("needs "), "SKIP keeps its reason: " + t);
            }
        }
        JsonNode overlap = find(doc, "api.memslot.gmem_range_overlap_errno_by_version");
        assertEquals("EEXIST", overlap.path("misc").path("observed").asText(), "the observed value travels in misc");
        assertTrue(Files.exists(Path.of(java.net.URI.create(overlap.path("log_url").asText()))), "log_url points at the run's agent.ktap");

        // An invalid document (a status KCIDB does not have) is refused with where and why.
        ObjectNode bad = (ObjectNode) doc.deepCopy();
        ((ObjectNode) bad.path("tests").get(3)).put("status", "XFAIL");
        List<String> problems = KcidbSchema.validate(bad);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("$.tests[3].status") || problems.get(0).contains("/tests/3/status"), problems.get(0));
        assertTrue(problems.get(0).contains("enum"), problems.get(0));
    }

    private static JsonNode find(JsonNode doc, String path) {
        for (JsonNode t : doc.path("tests")) {
            if (t.path("path").asText().equals(path)) {
                return t;
            }
        }
        throw new AssertionError("no test " + path);
    }

    @Test
    void junitExportParsesBackToTheSummarysCounts() throws Exception {
        Path run = RunEngineTest.debian734().out();
        Path file = tmp.resolve("junit.xml");
        assertEquals(0, exec(new ExportCommand(), System.err, "--format", "junit", "--run", run.toString(), "--out", file.toString()));
        Document x = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
        Element root = x.getDocumentElement();
        assertEquals("testsuites", root.getTagName());
        JsonNode summary = RunDir.JSON.readTree(run.resolve("summary.json").toFile());
        JsonNode v = summary.path("verdicts");
        NodeList cases = root.getElementsByTagName("testcase");
        assertEquals(v.path("tests").asInt(), cases.getLength());
        assertEquals(v.path("tests").asInt(), Integer.parseInt(root.getAttribute("tests")));
        assertEquals(v.path("failed").asInt(), root.getElementsByTagName("failure").getLength());
        assertEquals(v.path("broken").asInt(), root.getElementsByTagName("error").getLength());
        assertEquals(v.path("skipped").asInt(), root.getElementsByTagName("skipped").getLength());
        NodeList skipped = root.getElementsByTagName("skipped");
        for (int i = 0; i < skipped.getLength(); i++) {
            assertTrue(((Element) skipped.item(i)).getAttribute("message").startsWith("needs "), "a skip says why");
        }
        // one testsuite per host x suite, each with the leaves summary.json counts for that suite
        JsonNode host = summary.path("hosts").get(0);
        NodeList suites = root.getElementsByTagName("testsuite");
        assertEquals(host.path("suites").size(), suites.getLength());
        for (int i = 0; i < suites.getLength(); i++) {
            Element s = (Element) suites.item(i);
            String suite = s.getAttribute("name").replaceFirst("^.* / ", "");
            assertEquals(host.path("suites").path(suite).path("leaves").asInt(), s.getElementsByTagName("testcase").getLength(), suite);
            assertEquals(host.path("suites").path(suite).path("leaves").asInt(), Integer.parseInt(s.getAttribute("tests")), suite);
            assertEquals(host.path("suites").path(suite).path("skip").asInt(), Integer.parseInt(s.getAttribute("skipped")), suite);
        }
    }

    @Test
    void notARunDirectoryIsAClearError() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc = exec(new ExportCommand(), new PrintStream(buf, true, StandardCharsets.UTF_8), "--format", "kcidb", "--run", tmp.toString());
        assertEquals(2, rc);
        String err = buf.toString(StandardCharsets.UTF_8);
        assertTrue(err.contains("no summary.json") && err.contains("./kval run --out"), err);
    }
}
