package dev.kval.cli;

import dev.kval.engine.RunEngine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kval.host.LocalHost;
import dev.kval.ktap.KtapParser;
import dev.kval.ktap.KtapTree;
import dev.kval.ktap.Status;
import dev.kval.ktap.TestResult;
import dev.kval.result.RunSummary;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `kval run` end to end: real Debian kernels booted under TCG, the real agent over SSH, and this machine. */
class RunEngineTest {
    @TempDir
    Path tmp;

    static RunSummary run(String host, String kernel, Path out) throws Exception {
        return new RunEngine(new PrintStream(System.err, true)).run(new RunEngine.Request(host, kernel, List.of("api"), null, null, null, out,
                Duration.ofMinutes(10)));
    }

    static KtapTree ktap(Path out, String host) throws Exception {
        return KtapParser.parseTree(new StringReader(Files.readString(out.resolve(host).resolve("agent.ktap"))));
    }

    /** Every leaf the host's verdicts come from: the main boot's KTAP plus the own-boot cases' (host/own-boot/<case>). */
    static List<TestResult> leaves(Path out, String host) throws Exception {
        List<TestResult> all = new java.util.ArrayList<>(ktap(out, host).leaves());
        Path ownDir = out.resolve(host).resolve("own-boot");
        if (Files.isDirectory(ownDir)) {
            try (var dirs = Files.list(ownDir)) {
                for (Path d : dirs.sorted().toList()) {
                    all.addAll(KtapParser.parseTree(new StringReader(Files.readString(d.resolve("agent.ktap")))).leaves());
                }
            }
        }
        return all;
    }

    /** One boot of Debian 7.3.4 shared by the tests that read it: api (passes) and conversions (SKIPs: no SW_PROTECTED_VM). */
    static synchronized Debian734 debian734() throws Exception {
        if (debian734 == null) {
            // Under target/ rather than a temp dir: the run and its HTML report stay for a look after the build.
            Path out = Path.of("target", "test-runs", "debian-7.3.4").toAbsolutePath();
            dev.kval.kernel.KernelCache.deleteTree(out);
            // this run's HTML report is what AllureResultsTest reads: the one run of the module that makes it
            String noHtml = System.clearProperty(RunEngine.NO_HTML);
            RunSummary s;
            try {
                s = new RunEngine(new PrintStream(System.err, true)).run(new RunEngine.Request("qemu", "debian:7.3.4",
                        List.of("api", "conversions"), null, null, null, out, Duration.ofMinutes(10)));
            } finally {
                if (noHtml != null) {
                    System.setProperty(RunEngine.NO_HTML, noHtml);
                }
            }
            debian734 = new Debian734(out, s);
        }
        return debian734;
    }

    record Debian734(Path out, RunSummary summary) {
    }

    private static Debian734 debian734;

    @Test
    void debian734RunsApiCleanInQemu() throws Exception {
        Path out = debian734().out();
        RunSummary s = debian734().summary();
        assertEquals(0, s.exitCode());
        KtapTree t = ktap(out, "qemu");
        assertTrue(t.leaves().size() >= 100, "leaves: " + t.leaves().size());
        assertEquals(0, t.counts().fail(), () -> t.leaves().stream().filter(r -> r.status() == Status.FAIL).map(TestResult::id).toList().toString());
        assertTrue(t.counts().pass() >= 100);
        JsonNode sum = RunSummary.read(out.resolve("summary.json"));
        assertEquals("verdicts", sum.path("outcomeFrom").asText());
        // own-boot.tsv's cases ran alone in their own boot: their KTAP is under qemu/own-boot/<case>/agent.ktap
        int own = 0;
        Path ownDir = out.resolve("qemu/own-boot");
        if (Files.isDirectory(ownDir)) {
            try (var dirs = Files.list(ownDir)) {
                for (Path d : dirs.toList()) {
                    own += KtapParser.parseTree(new StringReader(Files.readString(d.resolve("agent.ktap")))).leaves().size();
                }
            }
        }
        assertTrue(own > 0, "api.memslot_clear_flag ran in its own boot");
        assertEquals(t.leaves().size() + own, sum.path("verdicts").path("tests").asInt(), "one JUnit verdict per KTAP leaf");
        JsonNode h = sum.path("hosts").get(0);
        assertEquals("7.3.4+deb13-amd64", h.path("kernel").path("release").asText());
        assertEquals(64, h.path("kernel").path("sha256").asText().length());
        assertEquals(1, h.path("capabilities").path("caps").path("guest_memfd").asInt());
        assertEquals(3, h.path("capabilities").path("caps").path("guest_memfd_flags").asInt());
        assertEquals(t.leaves().size() + own, h.path("suites").path("api").path("leaves").asInt()
                + h.path("suites").path("conversions").path("leaves").asInt());
        assertTrue(h.path("failure").isNull());
        assertTrue(Files.readString(out.resolve("qemu/console.log")).contains("KVAL-READY"));
        assertTrue(Files.exists(out.resolve("qemu/caps.json")));
        assertTrue(h.path("timingsMs").path("provision").asLong() > 0);
    }

    @Test
    void debian61And612SkipWithReasonsInParallel() throws Exception {
        CompletableFuture<RunSummary> a = CompletableFuture.supplyAsync(() -> unchecked("debian:6.1.0", tmp.resolve("61")));
        CompletableFuture<RunSummary> b = CompletableFuture.supplyAsync(() -> unchecked("debian:6.12.117+deb12", tmp.resolve("612")));
        for (var e : List.of(List.of(a, "61", "6.1.0-"), List.of(b, "612", "6.12.117+deb12"))) {
            @SuppressWarnings("unchecked")
            RunSummary s = ((CompletableFuture<RunSummary>) e.get(0)).get();
            Path out = tmp.resolve((String) e.get(1));
            assertEquals(0, s.exitCode(), "exit for " + e.get(2));
            KtapTree t = ktap(out, "qemu");
            assertEquals(0, t.counts().fail());
            assertTrue(t.counts().skip() > 0, "skips expected on " + e.get(2));
            for (TestResult r : t.leaves()) {
                if (r.status() == Status.SKIP) {
                    assertFalse(r.reason().isBlank(), "SKIP without a reason: " + r.id());
                }
            }
            assertTrue(RunSummary.read(out.resolve("summary.json")).path("hosts").get(0).path("kernel").path("release").asText()
                    .startsWith((String) e.get(2)));
        }
    }

    static RunSummary unchecked(String kernel, Path out) {
        try {
            return run(null, kernel, out);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    @Test
    void localRunsOnThisKernelOrSkipsWithTheAgentsReason() throws Exception {
        Path out = tmp.resolve("local");
        RunSummary s = run("local", null, out);
        KtapTree t = ktap(out, "local");
        assertTrue(t.leaves().size() > 0);
        JsonNode caps = RunSummary.read(out.resolve("summary.json")).path("hosts").get(0).path("capabilities");
        if (!caps.path("kvm_available").asBoolean()) {
            assertEquals(0, s.exitCode());
            assertEquals(t.leaves().size(), t.counts().skip(), "without /dev/kvm every case must SKIP");
            t.leaves().forEach(r -> assertFalse(r.reason().isBlank()));
            Assumptions.abort("no usable /dev/kvm here (" + LocalHost.kvmState().reason() + "): suites skipped with the agent's reason");
        }
        assertTrue(s.exitCode() <= 1, "a local run is never incomplete");
        assertEquals(0, t.counts().error() + t.counts().missing());
    }

    @Test
    void bareMetalSshHostFromInventory() throws Exception {
        dev.kval.host.ssh.ClientKey key = dev.kval.host.ssh.ClientKey.defaultKey();
        try (dev.kval.host.ssh.LocalSshd sshd = new dev.kval.host.ssh.LocalSshd(tmp.resolve("sshd"), key).start()) {
            Path inv = tmp.resolve("inventory.json");
            Files.writeString(inv, "{\"hosts\": {\"box\": {\"address\": \"127.0.0.1\", \"port\": " + sshd.port()
                    + ", \"user\": \"" + System.getProperty("user.name") + "\", \"knownHosts\": \"" + sshd.knownHosts() + "\"}}}");
            Path out = tmp.resolve("ssh");
            RunSummary s = new RunEngine(new PrintStream(System.err, true)).run(new RunEngine.Request("ssh:box", null, List.of("api"),
                    "api.caps.*", null, null, out, Duration.ofMinutes(5), inv));
            assertTrue(s.exitCode() <= 1);
            assertTrue(ktap(out, "box").leaves().size() > 0);
            assertEquals("ssh", RunSummary.read(out.resolve("summary.json")).path("hosts").get(0).path("kind").asText());
        }
    }

    @Test
    void unreachableMachineIsRetriedThenIncompleteWithTheRetriesRecorded() throws Exception {
        dev.kval.host.ssh.ClientKey key = dev.kval.host.ssh.ClientKey.defaultKey();
        Path inv = tmp.resolve("dead-inventory.json");
        try (dev.kval.host.ssh.LocalSshd sshd = new dev.kval.host.ssh.LocalSshd(tmp.resolve("sshd-dead"), key).start()) {
            // a real machine's pinned key and port, then the machine goes away: connection refused is infrastructure
            Path known = Files.copy(sshd.knownHosts(), tmp.resolve("dead-known_hosts"));
            Files.writeString(inv, "{\"hosts\": {\"gone\": {\"address\": \"127.0.0.1\", \"port\": " + sshd.port()
                    + ", \"user\": \"" + System.getProperty("user.name") + "\", \"knownHosts\": \"" + known + "\"}}}");
        }
        Path out = tmp.resolve("gone");
        RunSummary s = new RunEngine(new PrintStream(System.err, true)).run(new RunEngine.Request("ssh:gone", null, List.of("api"),
                "api.caps.*", null, null, out, Duration.ofMinutes(2), inv));
        assertEquals(2, s.exitCode(), "an unreachable machine makes the run incomplete, never failed or passed");
        JsonNode h = RunSummary.read(out.resolve("summary.json")).path("hosts").get(0);
        assertEquals("INFRASTRUCTURE", h.path("failure").path("attribution").asText());
        assertEquals(2, h.path("info").path("infraRetries").asInt(), "infrastructure failures are retried twice: " + h);
    }

    @Test
    void hugepageSuiteUnderFragmentationKeepsTheStressorsMeasuredEffect() throws Exception {
        Path out = tmp.resolve("stress");
        RunSummary s = new RunEngine(new PrintStream(System.err, true)).run(new RunEngine.Request("qemu", "debian:7.3.4",
                List.of("hugepage"), null, null, null, out, Duration.ofMinutes(10), null, null, "fragment"));
        JsonNode host = RunSummary.read(out.resolve("summary.json")).path("hosts").get(0);
        assertTrue(host.path("failure").isMissingNode() || host.path("failure").isNull(), "host failed: " + host.path("failure"));
        Path stress = out.resolve(host.path("name").asText()).resolve("stress.json");
        assertTrue(Files.isRegularFile(stress), "no stress.json in " + stress.getParent());
        JsonNode e = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Files.readString(stress));
        assertTrue(e.toString().contains("7.3.4"), "the effect must be measured inside the guest, not here: " + e.toString().substring(0, 200));
        long before = host.path("info").path("stressFree2mBefore").asLong(-1);
        long min = host.path("info").path("stressFree2mMin").asLong(-1);
        assertTrue(before > 0 && min >= 0 && min < before, "fragmentation must show as fewer free 2M blocks: before " + before + ", min " + min);
        assertTrue(s.exitCode() <= 1, "the hugepage verdicts under stress are the kernel's, never infra: exit " + s.exitCode());
    }

    @Test
    void kernelPanicAtBootIsAttributedToTheKernelWithTheSplat() throws Exception {
        Path out = tmp.resolve("panic");
        RunSummary s = new RunEngine(new PrintStream(System.err, true)).run(new RunEngine.Request("qemu", "debian:7.3.4", List.of("api"),
                null, null, null, out, Duration.ofMinutes(5), null, "rdinit=/bin/false", null));
        assertEquals(1, s.exitCode(), "a kernel crash is a failure, not an infrastructure problem");
        JsonNode f = RunSummary.read(out.resolve("summary.json")).path("hosts").get(0).path("failure");
        assertEquals("KERNEL", f.path("attribution").asText());
        assertEquals("provision", f.path("stage").asText());
        assertTrue(f.path("evidence").toString().contains("Kernel panic"), f.toString());
        assertTrue(Files.readString(out.resolve("qemu/console.log")).contains("Kernel panic"));
        // The verdict says so too, tagged for Allure's "Kernel bug" category.
        List<JsonNode> results = AllureResultsTest.read(out.resolve("allure-results"), "-result.json");
        assertEquals(1, results.size(), "one broken verdict for the one planned suite on the dead host");
        assertEquals("broken", results.get(0).path("status").asText());
        assertTrue(results.get(0).path("statusDetails").path("message").asText().startsWith("[kernel] host qemu"),
                results.get(0).path("statusDetails").toString());
    }

    @Test
    void missingKernelIsIncomplete() throws Exception {
        RunSummary s = run(null, "path:" + tmp.resolve("no-such-kernel"), tmp.resolve("nokernel"));
        assertEquals(2, s.exitCode());
        JsonNode f = RunSummary.read(tmp.resolve("nokernel/summary.json")).path("hosts").get(0).path("failure");
        assertEquals("INFRASTRUCTURE", f.path("attribution").asText());
        assertEquals("resolve", f.path("stage").asText()); // the pipeline's first stage (dev.kval.run.Stage.RESOLVE)
        assertEquals(1, RunSummary.read(tmp.resolve("nokernel/summary.json")).path("verdicts").path("infra").asInt());
    }

    @Test
    void withoutHostPicksAndExplains() throws Exception {
        Path out = tmp.resolve("auto");
        RunSummary s = run(null, null, out);
        JsonNode choice = RunSummary.read(out.resolve("summary.json")).path("hostChoice");
        assertFalse(choice.path("reason").asText().isBlank());
        String host = choice.path("host").asText();
        assertTrue(host.equals("local") || host.equals("qemu"));
        assertEquals(LocalHost.kvmState().usable() && host.equals("local") || !host.equals("local"), true);
        assertTrue(Files.exists(out.resolve(host).resolve("agent.ktap")));
        assertTrue(s.exitCode() <= 1);
    }
}
