package dev.kval.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.host.qemu.QemuConfig;
import dev.kval.host.qemu.QemuHost;
import dev.kval.host.qemu.QemuProvider;
import dev.kval.kernel.KernelArtifact;
import dev.kval.kernel.KernelResolver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Boots Debian 7.3.4 under TCG with kval's initramfs (real QEMU, real kernel, real dropbear). */
class QemuHostTest {
    static KernelArtifact kernel;
    @TempDir
    static Path work;

    @BeforeAll
    static void kernel() throws Exception {
        kernel = KernelResolver.defaults().resolve("debian:7.3.4");
    }

    QemuProvider provider(QemuConfig cfg) {
        return new QemuProvider(cfg, work, null, System.err::println);
    }

    @Test
    void bootsRunsCommandsAndMovesFiles() throws Exception {
        try (QemuHost h = provider(QemuConfig.defaults()).boot(kernel, "t-boot")) {
            assertEquals(kernel.release(), h.kernelRelease());
            h.awaitSettled(Duration.ofSeconds(60));
            ExecResult r = h.exec(List.of("sh", "-c", "ls /dev/kvm && grep -c svm /proc/cpuinfo && lsmod | grep -c kvm"), Duration.ofSeconds(30));
            assertEquals(0, r.exit(), r.stdout() + r.stderr());
            // commands go through one long-lived shell on the guest (busybox sh under dropbear): same parent of the
            // per-command subshell every time
            List<String> shellOfCaller = List.of("sh", "-c", "gp=$(cut -d' ' -f4 /proc/$PPID/stat); echo $gp $(cat /proc/$gp/comm)");
            String shell = h.exec(shellOfCaller, Duration.ofSeconds(30)).stdout().strip();
            assertTrue(shell.matches("[0-9]+ (sh|ash|busybox)"), "the command's grandparent must be kval's shell, not dropbear: " + shell);
            assertEquals(shell, h.exec(shellOfCaller, Duration.ofSeconds(30)).stdout().strip());
            Path f = work.resolve("x.txt");
            Files.writeString(f, "hello 'guest'\n");
            h.upload(f, "/tmp/x.txt", 0644);
            h.download("/tmp/x.txt", work.resolve("y.txt"));
            assertEquals("hello 'guest'\n", Files.readString(work.resolve("y.txt")));
            assertTrue(Files.readString(h.consoleLog().orElseThrow()).contains("KVAL-READY"));
            assertTrue(h.info().containsKey("bootToSshMs"));
            System.err.println("boot info: " + h.info());
        }
    }

    @Test
    void panicDuringCommandIsAttributedToTheKernel() throws Exception {
        try (QemuHost h = provider(QemuConfig.defaults()).boot(kernel, "t-crash")) {
            HostFailure e = assertThrows(HostFailure.class, () -> h.exec(List.of("sh", "-c", "sleep 1; echo c > /proc/sysrq-trigger; sleep 60"),
                    Duration.ofSeconds(60)));
            assertEquals(Attribution.KERNEL, e.attribution(), e.getMessage());
            assertTrue(String.join("\n", e.evidence()).contains("sysrq"), String.join("\n", e.evidence()));
        }
    }

    @Test
    void panicAtBootIsAttributedToTheKernelWithTheSplat() {
        HostFailure e = assertThrows(HostFailure.class,
                () -> provider(QemuConfig.defaults().withAppend("rdinit=/bin/false")).boot(kernel, "t-bootpanic"));
        assertEquals(Attribution.KERNEL, e.attribution(), e.getMessage());
        assertTrue(String.join("\n", e.evidence()).contains("Kernel panic"), String.join("\n", e.evidence()));
    }

    @Test
    void qemuDyingIsInfrastructure() throws Exception {
        try (QemuHost h = provider(QemuConfig.defaults()).boot(kernel, "t-infra")) {
            ProcessHandle qemu = ProcessHandle.current().children().filter(p -> p.info().commandLine().orElse("").contains("kval-t-infra"))
                    .findFirst().orElseThrow();
            new Thread(() -> {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ignored) {
                    return;
                }
                qemu.destroyForcibly();
            }).start();
            HostFailure e = assertThrows(HostFailure.class, () -> h.exec(List.of("sleep", "30"), Duration.ofSeconds(40)));
            assertEquals(Attribution.INFRASTRUCTURE, e.attribution(), e.getMessage());
        }
    }
}
