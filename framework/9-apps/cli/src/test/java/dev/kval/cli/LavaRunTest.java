package dev.kval.cli;

import dev.kval.engine.RunEngine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kval.ktap.KtapTree;
import dev.kval.ktap.TestResult;
import dev.kval.lava.LavaJobs;
import dev.kval.lava.LocalLab;
import dev.kval.result.RunSummary;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code ./kval run --host lava:qemu} end to end through this machine's real LAVA lab (infra/lava/up): the api suite's
 * verdicts, one per KTAP leaf, equal a direct QEMU run of the same kernel; a kernel that panics at boot is the kernel's
 * failure with the splat attached; an artifact LAVA cannot download and a refused token are the infrastructure's, and the
 * run is still recorded. About 3-4 min (four LAVA jobs of 25-45 s, one of them never boots).
 */
class LavaRunTest {
    @BeforeAll
    static void lab() throws Exception {
        String why = LocalLab.unavailableReason();
        Assumptions.assumeTrue(why == null, why);
        LocalLab.ensureUp();
    }

    static RunSummary run(Path out, String append, String... props) throws Exception {
        for (int i = 0; i < props.length; i += 2) {
            System.setProperty(props[i], props[i + 1]);
        }
        try {
            return new RunEngine(new PrintStream(System.err, true)).run(new RunEngine.Request("lava:qemu", "debian:7.3.4", List.of("api"), null,
                    null, null, out, Duration.ofMinutes(10), null, append, null));
        } finally {
            for (int i = 0; i < props.length; i += 2) {
                System.clearProperty(props[i]);
            }
        }
    }

    static Path out(String name) throws Exception {
        Path out = Path.of("target", "test-runs", name).toAbsolutePath();
        dev.kval.kernel.KernelCache.deleteTree(out);
        return out;
    }

    @Test
    void apiThroughLavaGivesTheSameVerdictsAsTheDirectQemuRun() throws Exception {
        Path out = out("lava-debian-7.3.4");
        RunSummary s = run(out, null);
        assertEquals(0, s.exitCode());
        KtapTree viaLava = RunEngineTest.ktap(out, "lava-qemu");
        JsonNode sum = RunSummary.read(out.resolve("summary.json"));
        assertTrue(viaLava.leaves().size() >= 100, "leaves: " + viaLava.leaves().size());
        assertEquals(viaLava.leaves().size(), sum.path("verdicts").path("tests").asInt(), "one JUnit verdict per KTAP leaf, not per LAVA case");
        long allure;
        try (Stream<Path> f = Files.list(out.resolve("allure-results"))) {
            allure = f.filter(p -> p.getFileName().toString().endsWith("-result.json")).count();
        }
        assertEquals(viaLava.leaves().size(), allure);
        JsonNode h = sum.path("hosts").get(0);
        assertEquals("7.3.4+deb13-amd64", h.path("capabilities").path("kernel_release").asText());
        assertTrue(h.path("info").path("lavaJob").asLong() > 0);
        assertTrue(Files.readString(out.resolve("lava-qemu/console.log")).contains("KVAL-BATCH-READY"), "the job log is the console");
        List<LavaJobs.Entry> jobs = new dev.kval.lava.LavaJobs(null, out).entries();
        assertEquals(1, jobs.size());
        assertEquals("Complete", jobs.get(0).health());
        assertEquals(h.path("info").path("lavaJob").asLong(), jobs.get(0).jobId());

        // the same kernel and suite booted directly by kval's QEMU provider (shared with RunEngineTest)
        // (its own-boot cases ran in a boot of their own there; a LAVA job runs them in its one boot)
        List<TestResult> direct = RunEngineTest.leaves(RunEngineTest.debian734().out(), "qemu");
        Map<String, String> d = statuses(direct, "api");
        Map<String, String> l = statuses(viaLava.leaves(), "api");
        assertTrue(l.size() >= 100 && l.size() == viaLava.leaves().size(), "every api leaf compared: " + l.size());
        assertEquals(d.keySet(), l.keySet(), "the same assertions");
        assertEquals(d, l, "the same verdict for every assertion");
    }

    private static Map<String, String> statuses(List<TestResult> leaves, String suite) {
        return leaves.stream().filter(r -> (!r.path().isEmpty() && r.path().get(0).equals(suite)) || r.name().startsWith(suite + "."))
                .collect(Collectors.toMap(TestResult::name, r -> r.status().name(), (a, b) -> a + "," + b, TreeMap::new));
    }

    @Test
    void aKernelThatPanicsAtBootIsTheKernelsFailureWithTheSplat() throws Exception {
        Path out = out("lava-panic");
        RunSummary s = run(out, "rdinit=/nonexistent"); // no init in the initramfs, no root fs: a real "Kernel panic - not syncing"
        assertEquals(1, s.exitCode(), "a kernel failure");
        JsonNode f = RunSummary.read(out.resolve("summary.json")).path("hosts").get(0).path("failure");
        assertEquals("KERNEL", f.path("attribution").asText());
        String evidence = f.path("evidence").toString();
        assertTrue(evidence.contains("Kernel panic - not syncing"), evidence);
        assertTrue(f.path("message").asText().contains("Incomplete"), "LAVA's own verdict is kept in the message: " + f.path("message"));
        String allure = allureText(out);
        assertTrue(allure.contains("[kernel]") && allure.contains("Kernel panic - not syncing"), "the splat is in the Allure result");
    }

    @Test
    void anArtifactLavaCannotDownloadIsInfrastructure() throws Exception {
        Path out = out("lava-404");
        RunSummary s = run(out, null, "kval.lava.artifactUrl", "http://127.0.0.1:8000/kval-no-such-artifacts");
        assertEquals(2, s.exitCode(), "incomplete: infrastructure");
        JsonNode f = RunSummary.read(out.resolve("summary.json")).path("hosts").get(0).path("failure");
        assertEquals("INFRASTRUCTURE", f.path("attribution").asText());
        assertTrue(f.path("message").asText().contains("404"), f.path("message").asText());
        assertTrue(Files.exists(out.resolve(LavaJobs.FILE)), "the job was recorded");
    }

    @Test
    void aRefusedTokenStopsBeforeSubmittingAndTheRunIsStillRecorded() throws Exception {
        Path out = out("lava-bad-token");
        RunSummary s = run(out, null, "kval.lava.token", "not-a-token");
        assertEquals(2, s.exitCode());
        JsonNode f = RunSummary.read(out.resolve("summary.json")).path("hosts").get(0).path("failure");
        assertEquals("INFRASTRUCTURE", f.path("attribution").asText());
        assertTrue(f.path("message").asText().contains("refused the API token") && f.path("message").asText().contains("KVAL_LAVA_TOKEN"),
                f.path("message").asText());
        assertTrue(!Files.readString(out.resolve("summary.json")).contains("not-a-token"), "the token is not written anywhere");
        assertTrue(!Files.exists(out.resolve(LavaJobs.FILE)), "nothing was submitted");
    }

    static String allureText(Path out) throws Exception {
        StringBuilder b = new StringBuilder();
        try (Stream<Path> f = Files.list(out.resolve("allure-results"))) {
            for (Path p : f.toList()) {
                if (p.getFileName().toString().endsWith(".json") || p.getFileName().toString().endsWith(".txt")) {
                    b.append(Files.readString(p));
                }
            }
        }
        return b.toString();
    }
}
