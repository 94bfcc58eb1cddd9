package dev.kval.cli;

import dev.kval.engine.RunEngine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kval.host.LocalHost;
import dev.kval.result.RunSummary;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code ./kval run --host local,qemu=debian:7.3.4 --place --suite api,poison}: two host classes, each's capabilities from
 * the agent's own caps report. This machine has no usable /dev/kvm (CI), so every suite - poison, which needs
 * MEMORY_FAILURE and hwpoison_inject, included - lands on Debian 7.3.4 in QEMU, and summary.json and the Allure labels say
 * where and why. About 1.5 min (a probe boot and a run boot).
 */
class PlacementRunTest {
    @Test
    void thePoisonSuiteLandsOnTheClassThatHasMemoryFailureAndTheReportSaysSo() throws Exception {
        Assumptions.assumeFalse(LocalHost.kvmState().usable(), "this machine can run guest_memfd itself: the local class would take the suites");
        Path out = Path.of("target", "test-runs", "placement").toAbsolutePath();
        dev.kval.kernel.KernelCache.deleteTree(out);
        RunSummary s = new RunEngine(new PrintStream(System.err, true)).run(new RunEngine.Request("local,qemu=debian:7.3.4", null,
                List.of("api", "poison"), null, null, null, out, Duration.ofMinutes(10), null, null, null, true));
        JsonNode sum = RunSummary.read(out.resolve("summary.json"));
        JsonNode p = sum.path("options").path("placement");
        JsonNode local = p.path("classes").path("local");
        assertTrue(local.path("from").asText().startsWith("agent --caps"), local.toString());
        assertFalse(local.path("capabilities").toString().contains("\"kvm\""), "local has no usable /dev/kvm: " + local);
        JsonNode qemu = p.path("classes").path("qemu=debian:7.3.4");
        assertTrue(qemu.path("capabilities").toString().contains("memory_failure"), qemu.toString());
        for (JsonNode d : p.path("suites")) {
            assertEquals("qemu=debian:7.3.4", d.path("target").asText(), d.toString());
            assertTrue(d.path("reason").asText().contains("local lacks kvm"), d.toString());
        }
        JsonNode poison = p.path("suites").get(1);
        assertEquals("poison", poison.path("suite").asText());
        assertTrue(poison.path("needs").toString().contains("memory_failure"));
        assertEquals(1, sum.path("hosts").size(), "only the class that got suites ran them");
        JsonNode h = sum.path("hosts").get(0);
        assertTrue(h.path("suites").path("poison").path("pass").asInt() > 0, h.path("suites").toString());
        assertEquals(List.of("api", "poison"), List.of(h.path("info").path("placedSuites").get(0).asText(), h.path("info").path("placedSuites").get(1).asText()));
        assertTrue(s.exitCode() <= 1, "the run judged the kernel: " + s.exitCode());
        try (Stream<Path> f = Files.list(out.resolve("allure-results"))) {
            long labelled = f.filter(x -> x.getFileName().toString().endsWith("-result.json")).filter(x -> {
                try {
                    String j = Files.readString(x);
                    return j.contains("\"poison\"") && j.contains("\"placement\"") && j.contains("poison: qemu=debian:7.3.4 has");
                } catch (java.io.IOException e) {
                    return false;
                }
            }).count();
            assertTrue(labelled > 0, "the poison verdicts carry the placement label");
        }
    }
    /**
     * {@code --host lava:qemu,qemu=build:linux-source-7.3,allnoconfig,qemu-kvm-host,sw-protected-vm --place --suite poison}: poison goes to the
     * LAVA class (declared MEMORY_FAILURE), its B8 leaves SKIP there for lack of KVM_X86_SW_PROTECTED_VM, and kval re-runs
     * poison on the built kernel that has it: the SKIPs become verdicts, labelled with where and why. About 3 min (a probe
     * boot, a LAVA job, a re-run boot; the build is CI's cached SW_PROTECTED kernel).
     */

    @Test
    void aSkipForAMissingCapabilityIsReRunOnAClassThatHasIt() throws Exception {
        String why = dev.kval.lava.LocalLab.unavailableReason();
        Assumptions.assumeTrue(why == null, why);
        dev.kval.lava.LocalLab.ensureUp();
        Path out = Path.of("target", "test-runs", "placement-rerun").toAbsolutePath();
        dev.kval.kernel.KernelCache.deleteTree(out);
        String swProtected = "qemu=build:linux-source-7.3,allnoconfig,qemu-kvm-host,sw-protected-vm";
        new RunEngine(new PrintStream(System.err, true)).run(new RunEngine.Request("lava:qemu," + swProtected, "debian:7.3.4",
                List.of("poison"), null, null, null, out, Duration.ofMinutes(10), null, null, null, true));
        JsonNode sum = RunSummary.read(out.resolve("summary.json"));
        JsonNode p = sum.path("options").path("placement");
        assertTrue(p.path("classes").path("lava:qemu=debian:7.3.4").path("from").asText().startsWith("declared"), p.toString());
        assertEquals("lava:qemu=debian:7.3.4", p.path("suites").get(0).path("target").asText());
        JsonNode rerun = p.path("reruns").get(0);
        assertEquals(swProtected, rerun.path("to").asText(), p.toString());
        assertTrue(rerun.path("reason").asText().contains("sw_protected_vm"), rerun.toString());
        List<String> skipped = new java.util.ArrayList<>();
        rerun.path("skippedLeaves").forEach(n -> skipped.add(n.asText()));
        assertFalse(skipped.isEmpty());
        JsonNode lava = sum.path("hosts").get(0);
        JsonNode again = sum.path("hosts").get(1);
        assertEquals(skipped.size(), lava.path("suites").path("poison").path("skip").asInt(), "the LAVA class SKIPped exactly those");
        assertEquals(0, again.path("suites").path("poison").path("skip").asInt(), "the re-run turned them into verdicts: " + again.path("suites"));
        try (Stream<Path> f = Files.list(out.resolve("allure-results"))) {
            long fromRerun = f.filter(x -> x.getFileName().toString().endsWith("-result.json")).filter(x -> {
                try {
                    String j = Files.readString(x);
                    return skipped.stream().anyMatch(l -> j.contains("\"name\":\"" + l + "\"")) && j.contains("re-run of poison from lava:qemu")
                            && j.contains("\"status\":\"passed\"");
                } catch (java.io.IOException e) {
                    return false;
                }
            }).count();
            assertEquals(skipped.size(), fromRerun, "each skipped leaf has a passing verdict labelled as the re-run's");
        }
    }
}
