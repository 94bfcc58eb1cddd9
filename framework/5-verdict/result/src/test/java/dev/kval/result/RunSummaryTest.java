package dev.kval.result;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kval.ktap.KtapParser;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunSummaryTest {
    static final String KTAP = String.join("\n", "KTAP version 1", "1..2",
            "    KTAP version 1", "    1..2", "    ok 1 a.x", "    ok 2 a.y # SKIP needs foo", "ok 1 a",
            "    KTAP version 1", "    1..1", "    not ok 1 b.z", "ok 2 b", "");

    @Test
    void countsPerSuiteAndExitCodes(@TempDir Path dir) throws Exception {
        RunSummary s = new RunSummary();
        HostResult h = new HostResult("qemu", "qemu").ktap(KtapParser.parseTree(KTAP), 1, false)
                .kernel("debian:7.3.4", "7.3.4+deb13-amd64", "ab", null).capabilities("{\"kvm_available\":true}");
        s.add(h);
        assertEquals(Outcome.FAIL, s.outcome());
        assertEquals(1, s.exitCode());
        s.finish();
        JsonNode j = RunSummary.read(s.write(dir));
        assertEquals(1, j.path("hosts").get(0).path("suites").path("a").path("pass").asInt());
        assertEquals(1, j.path("hosts").get(0).path("suites").path("a").path("skip").asInt());
        assertEquals(1, j.path("hosts").get(0).path("suites").path("b").path("fail").asInt());
        assertEquals("b/b.z", j.path("hosts").get(0).path("badLeaves").get(0).path("id").asText());
        assertEquals(true, j.path("hosts").get(0).path("capabilities").path("kvm_available").asBoolean());
        assertEquals(3, j.path("totals").path("leaves").asInt());
        assertEquals(1, j.path("exitCode").asInt());
    }

    @Test
    void infraFailureIsIncompleteAndKernelCrashIsAFailure() {
        HostResult infra = new HostResult("q1", "qemu").failure(new HostResult.Failure("INFRASTRUCTURE", "provision", "QEMU died", List.of()));
        HostResult kernel = new HostResult("q2", "qemu").failure(new HostResult.Failure("KERNEL", "run", "panic", List.of("Kernel panic")));
        HostResult ok = new HostResult("l", "local").ktap(KtapParser.parseTree("KTAP version 1\n1..1\nok 1 x\n"), 0, false);
        assertEquals(Outcome.INCOMPLETE, infra.outcome());
        assertEquals(Outcome.FAIL, kernel.outcome());
        assertEquals(Outcome.PASS, ok.outcome());
        assertEquals(2, new RunSummary().add(ok).add(infra).exitCode());
        assertEquals(0, new RunSummary().add(ok).exitCode());
        assertEquals(2, new RunSummary().exitCode());
        HostResult warned = new HostResult("q3", "qemu").ktap(KtapParser.parseTree("KTAP version 1\n1..1\nok 1 x\n"), 0, false)
                .consoleFindings(List.of("warning: WARNING in kvm_gmem_fault"));
        assertEquals(Outcome.FAIL, warned.outcome());
    }
}
