package dev.kval.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.host.bare.Inventory;
import dev.kval.host.bare.SshHostProvider;
import dev.kval.host.qemu.Initramfs;
import dev.kval.host.qemu.QemuConfig;
import dev.kval.host.qemu.QemuHost;
import dev.kval.host.qemu.QemuProvider;
import dev.kval.host.ssh.HostKeyMismatchException;
import dev.kval.host.ssh.HostKeyPin;
import dev.kval.kernel.KernelArtifact;
import dev.kval.kernel.KernelResolver;
import dev.kval.kernel.Proc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bare-metal path ({@code ssh:<name>}) against a QEMU VM that plays the machine: it boots Debian's 6.12.117 with
 * kval's initramfs plus kexec-tools (its root is that initramfs, as on a netbooted machine), and the inventory pins
 * the dropbear host key it printed on its console. One VM for the whole class (a TCG boot costs seconds); the tests
 * run in order because provisioning changes the machine's kernel.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BareMetalKexecTest {
    static final Path KEXEC = Path.of("/usr/sbin/kexec");
    @TempDir
    static Path work;
    static KernelArtifact old;
    static KernelArtifact candidate;
    static QemuHost machine;

    @BeforeAll
    static void boot() throws Exception {
        KernelResolver r = KernelResolver.defaults();
        old = r.resolve("debian:6.12.117");
        candidate = withModules(r.resolve("debian:7.3.4"), Initramfs.WANTED_MODULES, work.resolve("candidate"));
        long t0 = System.nanoTime();
        machine = new QemuProvider(QemuConfig.defaults(), work, null, System.err::println).withTools(List.of(KEXEC))
                .boot(old, "bare-vm");
        System.err.println("bare-vm: " + old.release() + " booted to SSH in " + ms(t0) + " ms");
    }

    /**
     * The same kernel with only the named modules and their dependencies (and a modules.dep made by depmod): the full
     * Debian tree (119 MB) takes 30 s to upload into a TCG guest (measured), which adds nothing the test checks.
     * Everything else (upload, unpack, repack, kexec, modprobe by the new kernel's modules.dep) is the real path.
     */
    static KernelArtifact withModules(KernelArtifact k, List<String> wanted, Path dir) throws Exception {
        Path src = k.modulesDir().orElseThrow();
        Path dst = Files.createDirectories(dir.resolve("lib/modules").resolve(k.release()));
        java.util.Map<String, List<String>> deps = new java.util.HashMap<>();
        java.util.Map<String, String> byName = new java.util.HashMap<>();
        for (String l : Files.readAllLines(src.resolve("modules.dep"))) {
            String[] kv = l.split(":", 2);
            deps.put(kv[0], kv[1].isBlank() ? List.of() : List.of(kv[1].strip().split("\\s+")));
            byName.put(dev.kval.kernel.debian.ModuleFiles.plainName(kv[0]).replace('-', '_'), kv[0]);
        }
        java.util.Deque<String> todo = new java.util.ArrayDeque<>();
        wanted.forEach(w -> {
            String p = byName.get(w.replace('-', '_') + ".ko");
            if (p != null) {
                todo.add(p);
            }
        });
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (!todo.isEmpty()) {
            String p = todo.pop();
            if (seen.add(p)) {
                Files.createDirectories(dst.resolve(p).getParent());
                Files.copy(src.resolve(p), dst.resolve(p));
                todo.addAll(deps.getOrDefault(p, List.of()));
            }
        }
        for (String f : List.of("modules.builtin", "modules.builtin.modinfo", "modules.order")) {
            if (Files.exists(src.resolve(f))) {
                Files.copy(src.resolve(f), dst.resolve(f));
            }
        }
        Proc.check(List.of("depmod", "-b", dir.toString(), k.release()), null, Duration.ofMinutes(1));
        return new KernelArtifact(k.spec(), k.release(), k.sha256(), dir, k.kernel(), k.config(), k.packages(), false);
    }

    @AfterAll
    static void stop() {
        if (machine != null) {
            machine.release();
        }
    }

    static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** An inventory file with one host "vm" at the VM's forwarded SSH port (kval's default client key). */
    static Inventory.Entry entry(String hostKey, List<String> powerCycle, int bootTimeoutSeconds) throws Exception {
        Path inv = Files.createTempFile(work, "inventory", ".json");
        String cycle = powerCycle.stream().map(s -> "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
                .reduce((a, b) -> a + ", " + b).orElse("");
        Files.writeString(inv, "{\"hosts\": {\"vm\": {\"address\": \"127.0.0.1\", \"port\": " + machine.sshPort()
                + ", \"user\": \"root\", \"hostKey\": \"" + hostKey + "\", \"tags\": [\"qemu-as-metal\"], \"powerCycle\": [" + cycle
                + "], \"bootTimeoutSeconds\": " + bootTimeoutSeconds + "}}}");
        return Inventory.load(inv).get("vm");
    }

    @Test
    @Order(1)
    void wrongPinnedHostKeyIsRefusedBeforeAnythingIsInstalled() throws Exception {
        Path other = work.resolve("not_the_vm_key");
        Proc.check(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other.toString()), null, Duration.ofSeconds(10));
        String wrongLine = Files.readString(Path.of(other + ".pub")).strip();
        Inventory.Entry e = entry(wrongLine, List.of(), 60);
        HostKeyMismatchException x = assertThrows(HostKeyMismatchException.class,
                () -> new SshHostProvider(e, System.err::println).provision(candidate));
        String m = x.getMessage();
        String offered = HostKeyPin.ofPublicKeyLine(machine.hostKeyLine(), "vm").fingerprints();
        assertTrue(m.contains("vm (root@127.0.0.1:" + machine.sshPort() + ")"), m);
        assertTrue(m.contains(HostKeyPin.ofPublicKeyLine(wrongLine, "t").fingerprints()), m);
        assertTrue(m.contains(offered), m);
        assertTrue(m.contains("inventory") && m.contains("update the pin") && m.contains("refusing"), m);
        assertEquals(Attribution.INFRASTRUCTURE, x.attribution());
        // nothing reached the machine
        assertEquals(old.release(), machine.exec(List.of("uname", "-r"), Duration.ofSeconds(30)).stdout().strip());
        assertEquals(1, machine.exec(List.of("sh", "-c", "ls -d /tmp/kval-kernel-*"), Duration.ofSeconds(30)).exit());
    }

    @Test
    @Order(2)
    void provisionInstallsKexecsAndReconnectsWithTheSamePinnedKey() throws Exception {
        String pinned = machine.hostKeyLine();
        Inventory.Entry e = entry(pinned, List.of(), 180);
        long t0 = System.nanoTime();
        try (Host h = new SshHostProvider(e, System.err::println).provision(candidate)) {
            System.err.println("bare-vm: install + kexec + reconnect " + old.release() + " -> " + candidate.release() + " in " + ms(t0) + " ms");
            assertEquals(candidate.release(), h.kernelRelease());
            assertTrue(h.info().get("procVersion").toString().contains(candidate.release()), h.info().toString());
            assertEquals(HostKeyPin.ofPublicKeyLine(pinned, "vm").fingerprints(), h.info().get("hostKeyPinned"));
            // a fresh connection with the pin from before the kexec: the repacked root kept the host key
            assertEquals(candidate.release() + "\n", h.exec(List.of("uname", "-r"), Duration.ofSeconds(30)).stdout());
            // the candidate's own modules were installed and loaded by init after the kexec (network came up
            // through them, so SSH answering already shows it); kvm is loaded from the installed tree
            ExecResult mods = h.exec(List.of("sh", "-c", "for i in $(seq 60); do [ -e /run/kval/modules.done ] && break; sleep 1; done;"
                    + " cut -d' ' -f1 /proc/modules | grep -x -e kvm -e virtio_net | sort"), Duration.ofSeconds(90));
            assertEquals("kvm\nvirtio_net\n", mods.stdout(), mods.stderr());
            // the console saw two boots (init ran twice) and both printed the same host key
            String console = Files.readString(machine.consoleLog().orElseThrow());
            assertEquals(2, console.split(Initramfs.READY_MARKER, -1).length - 1, "init ran once per kernel");
            String keyLine = Initramfs.HOSTKEY_MARKER + " " + pinned + " " + Initramfs.HOSTKEY_MARKER + "-END";
            String secondBoot = console.substring(console.indexOf(Initramfs.READY_MARKER) + Initramfs.READY_MARKER.length());
            assertTrue(secondBoot.contains(keyLine), "the kexec'd boot printed the pinned host key (kept, not regenerated)");
        }
    }

    @Test
    @Order(3)
    void machineNotBackInTimeIsPowerCycledAndBlamedOnTheKernel() throws Exception {
        // The 6.12 kernel without its module tree (the root still has init's flat 6.12 modules), and a boot timeout
        // shorter than any boot: the machine is not back in time, so the inventory's powerCycle must run.
        Path marker = work.resolve("power-cycled");
        Path noModules = Files.createDirectories(work.resolve("old-without-modules"));
        KernelArtifact k = new KernelArtifact(old.spec(), old.release(), old.sha256(), noModules, old.kernel(), old.config(),
                old.packages(), false);
        Inventory.Entry e = entry(machine.hostKeyLine(), List.of("sh", "-c", "echo cycled > " + marker), 1);
        HostFailure x = assertThrows(HostFailure.class, () -> new SshHostProvider(e, System.err::println).provision(k));
        assertEquals(Attribution.KERNEL, x.attribution(), x.getMessage());
        assertTrue(x.getMessage().contains("did not come back within 1 s after kexec into " + old.release()), x.getMessage());
        assertTrue(x.getMessage().contains("power-cycled with") && x.getMessage().contains("(exit 0)"), x.getMessage());
        assertNotNull(x.evidence());
        assertEquals("cycled\n", Files.readString(marker));
    }
}
