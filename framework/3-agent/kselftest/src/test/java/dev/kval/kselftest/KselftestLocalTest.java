package dev.kval.kselftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.host.Host;
import dev.kval.host.LocalHost;
import dev.kval.kernel.BzImage;
import dev.kval.kernel.Proc;
import dev.kval.ktap.Status;
import dev.kval.ktap.TestResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner on this machine's own kernel (local host): the real selftest binaries, a real kselftest_harness program
 * compiled from the same tree, and small programs that hang, crash, fail and skip, to see every verdict path.
 */
class KselftestLocalTest {
    static SelftestBinaries bins;
    @TempDir
    static Path tmp;

    @BeforeAll
    static void build() throws Exception {
        bins = KselftestBuild.defaults(System.err::println).build("linux-source-7.3", Kselftests.GUEST_MEMFD_TESTS);
    }

    @Test
    void theRealSelftestsOnThisMachine() throws Exception {
        try (Host h = new LocalHost.Provider(tmp.resolve("h1")).provision(null)) {
            KselftestResult r = new KselftestRun(System.err::println).run(h, KselftestRun.Program.of(bins), Duration.ofSeconds(120),
                    List.of("local"));
            System.err.println(r.ktap());
            assertTrue(r.tree().parseErrors().isEmpty(), r.tree().parseErrors().toString());
            assertNull(r.hostFailed());
            assertEquals(5, r.programs().size());
            for (SelftestBinaries.Binary b : bins.binaries()) {
                TestResult p = r.program(b.name()).orElseThrow(() -> new AssertionError("no result for " + b.name() + "\n" + r.ktap()));
                assertTrue(p.diagnostics().contains("sha256=" + b.sha256()), p.diagnostics().toString());
                if (!Files.exists(Path.of("/dev/kvm"))) {
                    // what the selftests themselves say without KVM (kvm_util's open_kvm_dev_path_or_exit)
                    assertEquals(Status.SKIP, p.status(), b.name() + ": " + p);
                    assertTrue(p.reason().contains("/dev/kvm"), p.reason());
                } else {
                    assertTrue(p.status() != Status.TIMEOUT && p.status() != Status.ERROR && p.status() != Status.MISSING, p.toString());
                }
            }
        }
    }

    @Test
    void everyVerdictPath() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("progs"));
        Path harness = dir.resolve("harness");
        Path src = Path.of(KselftestLocalTest.class.getResource("/harness_sample.c").toURI());
        Path selftests = bins.tree().resolve("tools/testing/selftests");
        Proc.check(List.of("gcc", "-static", "-D_GNU_SOURCE", "-I" + selftests, "-I" + bins.tree().resolve("tools/include"), "-o",
                harness.toString(), src.toString()), dir, Duration.ofMinutes(2));
        List<KselftestRun.Program> progs = new ArrayList<>();
        progs.add(program(harness));
        // forks a child that must die with it at the timeout (own session, group kill)
        progs.add(script(dir, "hangs", "echo started; sleep 4711 & sleep 4712"));
        progs.add(script(dir, "crashes", "echo about to crash; kill -SEGV $$"));
        progs.add(script(dir, "skips", "echo 'Requirement not met: a unicorn'; exit 4"));
        progs.add(script(dir, "fails", "echo '==== Test Assertion Failure ===='; exit 1"));
        progs.add(script(dir, "passes", "echo fine"));
        try (Host h = new LocalHost.Provider(tmp.resolve("h2")).provision(null)) {
            long t0 = System.nanoTime();
            KselftestResult r = new KselftestRun(System.err::println).run(h, progs, Duration.ofSeconds(3), List.of("verdicts"));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.err.println(r.ktap());
            assertTrue(ms < 30_000, "six tiny programs with one 3 s timeout took " + ms + " ms");
            assertTrue(r.tree().parseErrors().isEmpty(), r.tree().parseErrors().toString());

            assertEquals(Status.PASS, leaf(r, "kselftest.harness.global.passes").status());
            TestResult fails = leaf(r, "kselftest.harness.global.fails");
            assertEquals(Status.FAIL, fails.status());
            assertTrue(String.join("\n", fails.diagnostics()).contains("Expected 1 (1) == expected (2)"), fails.diagnostics().toString());
            TestResult skips = leaf(r, "kselftest.harness.global.skips");
            assertEquals(Status.SKIP, skips.status());
            assertEquals("needs a unicorn", skips.reason());
            assertEquals(Status.FAIL, r.program("harness").orElseThrow().status());
            assertEquals(List.of("kselftest.harness.global.passes", "kselftest.harness.global.fails", "kselftest.harness.global.skips"),
                    r.leaves("harness").stream().map(TestResult::name).toList());

            TestResult hang = leaf(r, "kselftest.hangs");
            assertEquals(Status.TIMEOUT, hang.status());
            assertEquals("3 s", hang.reason());
            assertTrue(hang.diagnostics().contains("started"), hang.diagnostics().toString());
            assertTrue(ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine().orElse("").contains("sleep 4711")),
                    "the timed-out program's child must be killed with it");

            TestResult crash = leaf(r, "kselftest.crashes");
            assertEquals(Status.ERROR, crash.status());
            assertEquals("killed by signal 11 (SIGSEGV)", crash.reason());

            assertEquals(Status.SKIP, leaf(r, "kselftest.skips").status());
            assertEquals("Requirement not met: a unicorn", leaf(r, "kselftest.skips").reason());

            TestResult fail = leaf(r, "kselftest.fails");
            assertEquals(Status.FAIL, fail.status());
            assertEquals("exit=1", fail.reason());
            assertTrue(fail.diagnostics().contains("==== Test Assertion Failure ===="), fail.diagnostics().toString());

            assertEquals(Status.PASS, leaf(r, "kselftest.passes").status());
            assertEquals(Status.FAIL, r.tree().roots().get(0).result().status(), "the suite fails when a program fails");
            assertEquals(8, r.tree().leaves().size());
        }
    }

    private static TestResult leaf(KselftestResult r, String name) {
        return r.tree().leaves().stream().filter(l -> l.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no leaf " + name + " in\n" + r.ktap()));
    }

    private static KselftestRun.Program program(Path p) throws Exception {
        return new KselftestRun.Program(p.getFileName().toString(), p, BzImage.sha256(p), List.of());
    }

    private static KselftestRun.Program script(Path dir, String name, String body) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return program(p);
    }
}
