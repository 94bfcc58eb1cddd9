package dev.kval.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.host.ExecResult;
import dev.kval.host.qemu.QemuConfig;
import dev.kval.host.qemu.QemuHost;
import dev.kval.host.qemu.QemuProvider;
import dev.kval.kernel.KernelArtifact;
import dev.kval.kernel.KernelResolver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian 7.3.4 in QEMU/TCG, booted with this machine's root shared over virtio-9p: the stressors run on this
 * machine's JVM in a chroot inside the guest, and what they measure is the guest's memory, not this machine's.
 */
class QemuStressorTest {
    @TempDir
    Path work;

    @Test
    void stressorsRunInTheGuestAndMeasureTheGuest() throws Exception {
        KernelArtifact kernel = KernelResolver.defaults().resolve("debian:7.3.4");
        QemuProvider p = new QemuProvider(QemuConfig.defaults().withHostRoot(true), work, null, System.err::println);
        try (QemuHost vm = p.boot(kernel, "t-stress")) {
            System.err.println("boot with the host-root share: " + vm.info());
            // fragment: break 512 MiB of the guest's free 2M blocks (2 GiB over two NUMA nodes)
            Stressor frag = Stressor.start(vm, "fragment", Duration.ZERO, List.of("--mb", "512"));
            System.err.println("JVM: " + frag.jvm().how() + "; fragment in effect " + frag.startup().toMillis() + " ms after start()");
            ExecResult during = vm.exec(List.of("cat", "/proc/buddyinfo"), Duration.ofSeconds(30));
            Effect e = frag.stop();
            System.err.println("guest " + e.summary());
            System.err.println("guest buddyinfo while fragmented:\n" + during.stdout());
            assertNull(e.error(), e.json());
            assertEquals(kernel.release(), e.kernel(), "measured inside the guest");
            assertEquals("signal", e.stoppedBy());
            // the guest's zones (two NUMA nodes), not this machine's
            assertTrue(e.free2mBefore().keySet().stream().anyMatch(z -> z.startsWith("node1.")), e.json());
            assertNotEquals(Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip(), e.kernel());
            long guestRamIn2m = QemuConfig.defaults().memoryMb() / 2;
            assertTrue(e.free2mBeforeTotal() > 0 && e.free2mBeforeTotal() < guestRamIn2m, "free 2M blocks before: " + e.json());
            assertTrue(((Number) e.work().get("mbHeld")).longValue() >= 128, e.json());
            assertTrue(e.free2mMinTotal() <= e.free2mBeforeTotal() - 128, "free 2M blocks did not drop in the guest: " + e.json());
            assertTrue(e.free2mAfterTotal() < e.free2mBeforeTotal(), "free 2M blocks back by the end: " + e.json());

            // thp: the guest's THP is 'always' (Debian's default): the holder's heap is backed by huge pages
            Effect t = Stressor.start(vm, "thp", Duration.ofSeconds(1), List.of("--mb", "128")).await();
            System.err.println("guest " + t.summary());
            assertNull(t.error(), t.json());
            assertEquals(kernel.release(), t.kernel());
            assertTrue(((Number) t.work().get("holderAnonHugePagesKb")).longValue() > 0, t.json());
            assertTrue(t.vmstatDelta("thp_fault_alloc") > 0, t.json());
        }
    }
}
