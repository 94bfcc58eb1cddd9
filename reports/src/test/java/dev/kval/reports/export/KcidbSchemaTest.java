package dev.kval.reports.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kval.reports.AllureResult;
import dev.kval.reports.RunDir;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The KCIDB schema kval validates against accepts a well-formed document and rejects broken ones with a message
 * that names the place and the rule (the export of a real run is validated in the CLI's ExportCommandTest).
 */
class KcidbSchemaTest {
    static ObjectNode minimal() {
        ObjectNode d = RunDir.JSON.createObjectNode();
        d.putObject("version").put("major", 4).put("minor", 5);
        d.putArray("checkouts").addObject().put("id", "kval:c1").put("origin", "kval");
        d.putArray("builds").addObject().put("id", "kval:b1").put("checkout_id", "kval:c1").put("origin", "kval");
        d.putArray("tests").addObject().put("id", "kval:t1").put("build_id", "kval:b1").put("origin", "kval").put("path", "api.C1.x")
                .put("status", "PASS").put("start_time", "2026-12-05T00:23:19.509Z").put("log_url", "file:///tmp/agent.ktap");
        return d;
    }

    @Test
    void wellFormedDocumentValidates() {
        assertEquals(List.of(), KcidbSchema.validate(minimal()));
    }

    @Test
    void statusOutsideKcidbsEnumIsRejectedWithWhereAndWhy() {
        ObjectNode d = minimal();
        ((ObjectNode) d.path("tests").get(0)).put("status", "BROKEN");
        List<String> p = KcidbSchema.validate(d);
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).contains("/tests/0/status") && p.get(0).contains("enum"), p.get(0));
    }

    @Test
    void idWithoutOriginPrefixMissingVersionAndBadTimeAreAllNamed() {
        ObjectNode d = minimal();
        d.remove("version");
        ((ObjectNode) d.path("builds").get(0)).put("id", "no-origin-here");
        ((ObjectNode) d.path("tests").get(0)).put("start_time", "yesterday").put("flaky", true);
        List<String> p = String.join("\n", KcidbSchema.validate(d)).lines().toList();
        assertTrue(p.stream().anyMatch(s -> s.contains("version") && s.contains("required")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.contains("/builds/0/id") && s.contains("pattern")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.contains("/tests/0/start_time") && s.contains("date-time")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.contains("/tests/0") && s.contains("flaky")), p.toString());
    }

    @Test
    void statusTableCoversEveryAllureStatusAndBlame() {
        assertEquals("PASS", KcidbExport.status("passed", null));
        assertEquals("SKIP", KcidbExport.status("skipped", null));
        assertEquals("FAIL", KcidbExport.status("failed", AllureResult.Attribution.KERNEL));
        assertEquals("ERROR", KcidbExport.status("failed", AllureResult.Attribution.TEST));
        assertEquals("MISS", KcidbExport.status("broken", AllureResult.Attribution.INFRA));
        assertEquals("FAIL", KcidbExport.status("broken", AllureResult.Attribution.KERNEL));
        assertEquals("ERROR", KcidbExport.status("broken", null));
    }
}
