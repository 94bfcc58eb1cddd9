package dev.kval.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * Debian 7.3.4 in QEMU/TCG, booted with this machine's JVM shared over virtio-9p (--stress): the stressors run on
 * this machine's JVM in a chroot inside the guest, and what they measure is the guest's memory, not this machine's.
 * The same boot then attacks from inside the guest (the candidate kernel is untrusted): this machine's files (kval's
 * SSH key, a secret file, /etc, /root) and its loopback services (a port this test listens on at 127.0.0.1, reached
 * as 10.0.2.2) must be out of reach. One boot for both (~1 min of TCG).
 */
class QemuStressorTest {
    @TempDir
    Path work;

    @Test
    void stressorsRunInTheGuestAndMeasureTheGuestWhichReachesNothingElseOfThisMachine() throws Exception {
        KernelArtifact kernel = KernelResolver.defaults().resolve("debian:7.3.4");
        QemuProvider p = new QemuProvider(QemuConfig.defaults().withHostRoot(true), work, null, System.err::println);
        try (QemuHost vm = p.boot(kernel, "t-stress")) {
            stressorsMeasureTheGuest(vm, kernel);
            theGuestReachesNoFileNorLoopbackServiceOfThisMachine(vm);
        }
    }

    private void stressorsMeasureTheGuest(QemuHost vm, KernelArtifact kernel) throws Exception {
        {
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

    private void theGuestReachesNoFileNorLoopbackServiceOfThisMachine(QemuHost vm) throws Exception {
        String root = HostJvm.ROOT;
        Path secret = Files.writeString(work.resolve("host-secret.txt"), "HOST-SECRET\n");
        Path key = dev.kval.host.ssh.ClientKey.defaultKey().privateKeyFile().toAbsolutePath();
        assertTrue(Files.exists(key));
        try (java.net.ServerSocket listener = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
            Thread t = new Thread(() -> {
                while (!listener.isClosed()) {
                    try (java.net.Socket s = listener.accept()) {
                        accepted.incrementAndGet();
                        s.getOutputStream().write("LOOPBACK-SERVICE\n".getBytes());
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            int port = listener.getLocalPort();
            String script = String.join("\n",
                    "for f in " + key + " " + secret + " /etc/shadow /etc/passwd /root /home; do",
                    "  if [ -e " + root + "$f ]; then echo \"VISIBLE $f\"; fi",
                    "done",
                    "cat " + root + secret + " 2>/dev/null",
                    "mkdir -p /mnt/try; for tag in hostroot root host; do",
                    "  mount -t 9p -o ro,trans=virtio,version=9p2000.L $tag /mnt/try 2>/dev/null && echo \"MOUNTED $tag\" && umount /mnt/try",
                    "done",
                    "echo files: $(find " + root + " -xdev -type f | wc -l)",
                    "for h in 10.0.2.2 10.0.2.3; do",
                    "  out=$(echo hi | timeout 5 nc " + "$h " + port + " 2>&1); echo \"nc $h: $out\"",
                    "  out=$(timeout 5 wget -q -O - http://$h:" + port + "/ 2>&1); echo \"wget $h: $out\"",
                    "done", "");
            ExecResult r = vm.exec(List.of("sh", "-c", script), Duration.ofSeconds(90));
            String out = r.stdout() + r.stderr();
            System.err.println("from inside the guest:\n" + out);
            assertFalse(out.contains("VISIBLE"), "this machine's files are visible in the guest:\n" + out);
            assertFalse(out.contains("HOST-SECRET"), out);
            assertFalse(out.contains("MOUNTED"), "a share of this machine's root is mountable:\n" + out);
            java.util.regex.Matcher files = java.util.regex.Pattern.compile("files: (\\d+)").matcher(out);
            assertTrue(files.find(), out);
            assertTrue(Integer.parseInt(files.group(1)) < 200, "the guest's JVM root holds only a JVM's libraries and configuration: " + out);
            assertFalse(out.contains("LOOPBACK-SERVICE"), "the guest read from this machine's loopback service:\n" + out);
            Thread.sleep(500);
            assertEquals(0, accepted.get(), "the guest connected to a service listening on this machine's 127.0.0.1:\n" + out);
            assertTrue(vm.exec(List.of("true"), Duration.ofSeconds(30)).ok(), "kval's own SSH forward still works");
        }
    }
}
