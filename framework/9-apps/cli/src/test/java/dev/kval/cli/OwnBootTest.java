package dev.kval.cli;

import dev.kval.engine.RunEngine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kval.result.RunSummary;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash-prone case (own-boot.tsv: api.memslot_clear_flag) runs in its own boot, and a crash there is the kernel's
 * FAIL of that case with the splat (issue 16 item 3). The crash is injected: kval.ownBoot.fault=panic makes the own
 * boot's kernel panic (sysrq c) before the case runs. One main boot that runs nothing (--case selects only the
 * own-boot case) plus the own boot: about 60 s under TCG.
 */
class OwnBootTest {
    @TempDir
    Path tmp;

    @Test
    void aCrashInTheOwnBootIsTheKernelsFailOfThatCaseWithTheSplat() throws Exception {
        Path out = tmp.resolve("ownboot");
        System.setProperty("kval.ownBoot.fault", "panic");
        RunSummary s;
        try {
            s = new RunEngine(new PrintStream(System.err, true)).run(new RunEngine.Request("qemu", "debian:7.3.4",
                    List.of("api"), "api.memslot_clear_flag", null, null, out, Duration.ofMinutes(5)));
        } finally {
            System.clearProperty("kval.ownBoot.fault");
        }
        assertEquals(1, s.exitCode(), "a crash in the own boot fails the run");
        assertTrue(Files.readString(out.resolve("qemu/agent.ktap")).contains("1..0"),
                "the main boot ran the agent without the own-boot case (--exclude)");
        Path console = out.resolve("qemu/own-boot/api.memslot_clear_flag/console.log");
        assertTrue(Files.readString(console).contains("sysrq"), "the own boot's console is kept");
        List<JsonNode> results = AllureResultsTest.read(out.resolve("allure-results"), "-result.json");
        List<JsonNode> clear = results.stream().filter(r -> r.path("name").asText().startsWith("api.memslot.clear_gmem_flag")).toList();
        assertEquals(2, clear.size(), "both leaves of the own-boot case get a verdict: " + results.size() + " results");
        for (JsonNode r : clear) {
            assertEquals("failed", r.path("status").asText(), r.toString());
            String msg = r.path("statusDetails").path("message").asText();
            assertTrue(msg.startsWith("[kernel]"), msg);
            assertTrue(msg.contains("console: ") && msg.contains("own-boot/api.memslot_clear_flag/console.log"),
                    "the verdict carries the crash oracle's finding of the own boot: " + msg);
        }
    }
}
