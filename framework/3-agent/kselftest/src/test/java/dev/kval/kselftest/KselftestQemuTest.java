package dev.kval.kselftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.host.Attribution;
import dev.kval.host.qemu.QemuConfig;
import dev.kval.host.qemu.QemuHost;
import dev.kval.host.qemu.QemuProvider;
import dev.kval.kernel.BzImage;
import dev.kval.kernel.KernelArtifact;
import dev.kval.kernel.KernelResolver;
import dev.kval.ktap.Status;
import dev.kval.ktap.TestResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upstream guest_memfd selftests of Debian's linux-source-7.3, built static, on Debian's own 7.3.4 kernel booted in
 * QEMU/TCG (nested SVM). The expectations follow from the kernel's config, read from the artifact: 7.3 has full
 * guest_memfd on the default VM type, while everything on KVM_X86_SW_PROTECTED_VM (private memory, conversions) needs
 * CONFIG_KVM_SW_PROTECTED_VM, which Debian does not set.
 */
class KselftestQemuTest {
    @TempDir
    Path work;

    @Test
    void guestMemfdSelftestsOnDebian734() throws Exception {
        long t0 = System.nanoTime();
        KernelArtifact k = KernelResolver.defaults().resolve("debian:7.3.4");
        String config = Files.readString(k.configFile().orElseThrow(() -> new AssertionError("debian:7.3.4 has no config file")));
        boolean swProtected = config.contains("\nCONFIG_KVM_SW_PROTECTED_VM=y");
        assertTrue(config.contains("\nCONFIG_KVM_GUEST_MEMFD=y"), "7.3.4's config must have guest_memfd for this test to mean anything");
        long tBoot = System.nanoTime();
        try (QemuHost h = new QemuProvider(QemuConfig.defaults(), work, null, System.err::println).boot(k, "kselftest")) {
            long tRun = System.nanoTime();
            KselftestResult r = Kselftests.run(h, "linux-source-7.3", Kselftests.GUEST_MEMFD_TESTS, KselftestRun.DEFAULT_TIMEOUT,
                    System.err::println);
            long end = System.nanoTime();
            System.err.println(r.ktap());
            System.err.printf("kselftest on %s: kernel resolve %d ms, boot %d ms, build/cache + upload + run %d ms (runs %d ms)%n",
                    h.kernelRelease(), (tBoot - t0) / 1_000_000, (tRun - tBoot) / 1_000_000, (end - tRun) / 1_000_000,
                    r.elapsed().toMillis());
            r.programs().forEach(p -> System.err.printf("  %-30s exit %d in %d ms%n", p.name(), p.exit(), p.elapsed().toMillis()));

            assertNull(r.hostFailed(), () -> "host failed: " + r.hostFailed());
            assertTrue(r.tree().parseErrors().isEmpty(), r.tree().parseErrors().toString());
            assertEquals(5, r.programs().size());
            assertEquals(5, r.tree().roots().get(0).children().size());

            // full guest_memfd on the default VM: the test runs (creation, file ops, mmap, guest access) and passes
            List<TestResult> gmem = r.leaves("guest_memfd_test");
            assertFalse(gmem.isEmpty());
            gmem.forEach(l -> assertEquals(Status.PASS, l.status(), l.toString()));
            // memslots (32764 of them), MOVE/DELETE of in-use regions: pass; its guest_memfd slots need SW_PROTECTED on x86
            List<TestResult> slots = r.leaves("set_memory_region_test");
            assertFalse(slots.isEmpty());
            slots.forEach(l -> assertEquals(Status.PASS, l.status(), l.toString()));
            assertEquals(!swProtected, diagnostics(r, "set_memory_region_test").contains("Skipping tests for KVM_MEM_GUEST_MEMFD memory regions"),
                    "set_memory_region_test skips its KVM_MEM_GUEST_MEMFD part exactly when the kernel has no SW_PROTECTED VM type");
            assertEquals(Status.PASS, r.program("pre_fault_memory_test").orElseThrow().status());
            assertEquals(!swProtected, diagnostics(r, "pre_fault_memory_test").contains("Skipping tests for vm_type 0x1"));

            for (String p : List.of("private_mem_conversions_test", "private_mem_kvm_exits_test")) {
                TestResult t = r.program(p).orElseThrow();
                if (swProtected) {
                    assertEquals(Status.PASS, t.status(), t.toString());
                } else {
                    assertEquals(Status.SKIP, t.status(), t.toString());
                    assertTrue(t.reason().contains("KVM_X86_SW_PROTECTED_VM"), "the skip must name the missing VM type: " + t.reason());
                }
            }
            assertEquals(Status.PASS, r.tree().roots().get(0).result().status());
            String console = Files.readString(h.consoleLog().orElseThrow());
            assertFalse(console.contains("Call Trace:"), "the guest kernel logged a trace during the selftests; see " + h.consoleLog().get());

            // The same booted guest, last: a program that panics the kernel ends the run with an attributed host failure,
            // the program gets an ERROR and the one after it is reported MISSING (never run), not silently dropped.
            List<KselftestRun.Program> crash = List.of(script("panics", "echo c > /proc/sysrq-trigger; sleep 60"),
                    script("never_runs", "echo unreachable"));
            KselftestResult c = new KselftestRun(System.err::println).run(h, crash, Duration.ofSeconds(60), List.of("panic"));
            System.err.println(c.ktap());
            assertEquals(Attribution.KERNEL, c.hostFailure().orElseThrow().attribution(), String.valueOf(c.hostFailed()));
            TestResult panics = c.program("panics").orElseThrow();
            assertEquals(Status.ERROR, panics.status());
            assertTrue(panics.reason().contains("host failed (KERNEL)"), panics.reason());
            assertEquals(Status.MISSING, c.tree().leaves().stream().filter(l -> l.number() == 2 && l.depth() == 2).findFirst()
                    .orElseThrow(() -> new AssertionError(c.ktap())).status());
        }
    }

    private KselftestRun.Program script(String name, String body) throws Exception {
        Path p = work.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        return new KselftestRun.Program(name, p, BzImage.sha256(p), List.of());
    }

    private static String diagnostics(KselftestResult r, String program) {
        return String.join("\n", r.program(program).orElseThrow().diagnostics());
    }
}
