package dev.kval.host.bare;

import dev.kval.host.Attribution;
import dev.kval.host.ExecResult;
import dev.kval.host.Host;
import dev.kval.host.HostFailure;
import dev.kval.host.HostProvider;
import dev.kval.host.ssh.ClientKey;
import dev.kval.host.ssh.HostKeyMismatchException;
import dev.kval.host.ssh.HostKeyPin;
import dev.kval.host.ssh.SshConnection;
import dev.kval.host.ssh.SshTarget;
import dev.kval.host.ssh.SshTransport;
import dev.kval.kernel.KernelArtifact;
import dev.kval.kernel.Proc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code ssh:<name>}: a bare-metal machine from the inventory. With a kernel: installs it (image, modules, config
 * under /boot and /lib/modules, initramfs via update-initramfs or dracut), kexecs into it, reconnects and verifies
 * {@code uname -r} and {@code /proc/version}; a machine that does not come back is power-cycled with the inventory's
 * command and the failure is attributed to the kernel (it booted the old kernel or nothing) with what is known.
 *
 * <p>Exercised by tests against a QEMU VM that plays the machine (initramfs root, dropbear, kexec-tools) and against
 * Testcontainers-run dropbear containers; not against real hardware here.
 */
public final class SshHostProvider implements HostProvider {
    private static final String BOOT_ID = "/proc/sys/kernel/random/boot_id";
    private final Inventory.Entry entry;
    private final Consumer<String> log;

    public SshHostProvider(Inventory.Entry entry, Consumer<String> log) {
        this.entry = entry;
        this.log = log;
    }

    SshConnection connect() throws IOException {
        ClientKey key = entry.key() != null ? ClientKey.loadOrCreate(entry.key()) : ClientKey.defaultKey();
        HostKeyPin pin = entry.hostKey() != null ? HostKeyPin.ofPublicKeyLine(entry.hostKey(), "the inventory's \"hostKey\" of " + entry.name())
                : HostKeyPin.fromKnownHosts(entry.knownHosts(), entry.address(), entry.port());
        return SshTransport.shared().connection(new SshTarget(entry.name(), entry.address(), entry.port(), entry.user(), key, pin));
    }

    @Override
    public Host provision(KernelArtifact kernel) throws IOException {
        SshConnection conn = connect();
        try {
            conn.session(); // checks the pinned host key before anything is sent to the machine
            if (kernel != null) {
                install(conn, kernel);
                kexec(conn, kernel);
            }
            String release = conn.exec(List.of("uname", "-r"), Duration.ofSeconds(30)).stdout().strip();
            String version = conn.exec(List.of("cat", "/proc/version"), Duration.ofSeconds(30)).stdout().strip();
            if (kernel != null && !release.equals(kernel.release())) {
                throw new HostFailure(Attribution.KERNEL, entry.name() + " came back running " + release + ", not " + kernel.release()
                        + " (the candidate did not boot; the machine fell back)", List.of(version));
            }
            return new SshHost(entry, conn, kernel, release, version);
        } catch (IOException | RuntimeException e) {
            conn.close();
            throw e;
        }
    }

    /**
     * Installs the candidate. On a machine whose root is an initramfs (it booted with no root= and never pivoted:
     * {@code rootfs} is mounted on /) there is no update-initramfs or dracut and no disk, so the running root itself is
     * repacked into /boot/initrd.img-&lt;release&gt; after the modules are unpacked into it. Repacking, rather than
     * appending a cpio of the new modules to the image the machine booted, because that image is gone: the kernel
     * frees it once unpacked. The running root is also what has to survive: the dropbear host key generated at first
     * boot and root's authorized_keys, so the kexec'd kernel answers with the same pinned key. -xdev leaves out
     * /proc, /sys, /dev, /run and /tmp (separate mounts, including the uploaded files); /boot is left out because it
     * holds the image being written and the kernel it is for.
     */
    private void install(SshConnection conn, KernelArtifact k) throws IOException {
        String rel = k.release();
        log.accept(entry.name() + ": installing " + rel);
        // a fresh private directory, not a predictable /tmp path another local user could create first
        String dir = RemoteDir.create(conn, "kernel");
        long t0 = System.nanoTime();
        conn.upload(k.kernel(), dir + "/vmlinuz", 0644);
        StringBuilder verify = new StringBuilder(RemoteDir.verify(dir + "/vmlinuz", dev.kval.kernel.BzImage.sha256(k.kernel())));
        if (k.configFile().isPresent()) {
            conn.upload(k.configFile().get(), dir + "/config", 0644);
            verify.append(RemoteDir.verify(dir + "/config", dev.kval.kernel.BzImage.sha256(k.configFile().get())));
        }
        if (k.modulesDir().isPresent()) {
            // plain tar: Debian's modules are .ko.xz already, gzip would only cost the machine CPU
            Path tar = Files.createTempFile("kval-modules", ".tar");
            try {
                Proc.check(List.of("tar", "-C", k.modulesRoot().toString(), "-cf", tar.toString(), "lib/modules/" + rel), null,
                        Duration.ofMinutes(10));
                conn.upload(tar, dir + "/modules.tar", 0644);
                verify.append(RemoteDir.verify(dir + "/modules.tar", dev.kval.kernel.BzImage.sha256(tar)));
            } finally {
                Files.deleteIfExists(tar);
            }
        }
        log.accept(entry.name() + ": uploaded in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        t0 = System.nanoTime();
        // every uploaded file is checked against its sha256 right before it is used
        String script = "set -e; d=\"$1\"; r=\"$2\"; " + verify + "mkdir -p /boot; cp \"$d/vmlinuz\" \"/boot/vmlinuz-$r\"; "
                + "if [ -f \"$d/config\" ]; then cp \"$d/config\" \"/boot/config-$r\"; fi; "
                + "if [ -f \"$d/modules.tar\" ]; then tar -C / -xf \"$d/modules.tar\"; rm -f \"$d/modules.tar\"; "
                // kval's artifact always carries modules.dep (made by depmod on the kval side): skip re-running it
                // over thousands of modules where only busybox's depmod exists
                + "  [ -s \"/lib/modules/$r/modules.dep\" ] || depmod \"$r\"; fi; "
                + "if command -v update-initramfs >/dev/null; then update-initramfs -c -k \"$r\" >/dev/null; "
                + "elif command -v dracut >/dev/null; then dracut -f \"/boot/initrd.img-$r\" \"$r\"; "
                + "elif grep -q '^rootfs / rootfs' /proc/mounts; then "
                + "  cd / && find . -xdev -path ./boot -prune -o -print | cpio -o -H newc > \"/boot/initrd.img-$r.tmp\" "
                + "  && mv \"/boot/initrd.img-$r.tmp\" \"/boot/initrd.img-$r\"; "
                + "else echo 'no update-initramfs or dracut, and / is not an initramfs: cannot build an initrd' >&2; exit 3; fi";
        ExecResult r = conn.exec(List.of("sh", "-c", script + "; rm -rf \"$d\"", "sh", dir, rel), Duration.ofMinutes(15));
        if (r.exit() == 5) {
            throw HostFailure.infra("installing " + rel + " on " + entry.name() + ": " + r.stderr().strip()
                    + " - something on the machine changed kval's upload; check who else has access to it", null);
        }
        if (r.exit() != 0) {
            throw HostFailure.infra("installing " + rel + " on " + entry.name() + " failed (exit " + r.exit() + "): " + r.stderr().strip()
                    + " - check free space in / and /boot on the machine", null);
        }
        log.accept(entry.name() + ": installed " + rel + " (modules, initrd) in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }

    /**
     * Loads the installed kernel with kexec (keeping the running command line: console, root, ip settings), jumps
     * into it from a detached shell (the SSH session dies with the old kernel), then waits for SSH with the same
     * pinned host key and a new boot id, so an answer from the old kernel before it went down is not taken for the
     * new one. A machine that does not come back within bootTimeoutSeconds is power-cycled and the failure is the
     * kernel's.
     */
    private void kexec(SshConnection conn, KernelArtifact k) throws IOException {
        String rel = k.release();
        String bootId = conn.exec(List.of("cat", BOOT_ID), Duration.ofSeconds(30)).stdout().strip();
        String script = "set -e; r=\"$1\"; i=''; [ -f \"/boot/initrd.img-$r\" ] && i=\"--initrd=/boot/initrd.img-$r\"; "
                + "kexec -l \"/boot/vmlinuz-$r\" $i --reuse-cmdline";
        ExecResult r = conn.exec(List.of("sh", "-c", script, "sh", rel), Duration.ofMinutes(5));
        if (r.exit() != 0) {
            throw HostFailure.infra("kexec -l of /boot/vmlinuz-" + rel + " on " + entry.name() + " failed (exit " + r.exit() + "): "
                    + r.stderr().strip() + " - is kexec-tools installed and CONFIG_KEXEC set in the running kernel?", null);
        }
        log.accept(entry.name() + ": kexec into " + rel);
        long t0 = System.nanoTime();
        conn.exec(List.of("sh", "-c", "setsid sh -c 'sleep 1; systemctl kexec 2>/dev/null || kexec -e' </dev/null >/dev/null 2>&1 &"),
                Duration.ofSeconds(30));
        conn.close();
        long deadline = t0 + Duration.ofSeconds(entry.bootTimeoutSeconds()).toNanos();
        String last = "no answer";
        try {
            Thread.sleep(1000);
            while (System.nanoTime() < deadline) {
                try {
                    ExecResult u = conn.exec(List.of("cat", BOOT_ID), Duration.ofSeconds(20));
                    String now = u.stdout().strip();
                    if (u.exit() == 0 && !now.isEmpty() && !now.equals(bootId)) {
                        log.accept(entry.name() + ": back after kexec in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
                        return;
                    }
                    last = "still the old boot " + bootId;
                    conn.close();
                } catch (HostKeyMismatchException e) {
                    throw e;
                } catch (HostFailure e) {
                    last = e.getMessage();
                }
                Thread.sleep(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw HostFailure.infra("interrupted while waiting for " + entry.name() + " to come back", e);
        }
        String cycled = powerCycle();
        throw new HostFailure(Attribution.KERNEL, entry.name() + " did not come back within " + entry.bootTimeoutSeconds()
                + " s after kexec into " + rel + " (last: " + last + "); " + cycled, List.of("no SSH after kexec into " + rel, last, cycled));
    }

    private String powerCycle() {
        if (entry.powerCycle().isEmpty()) {
            return "no powerCycle command in the inventory: the machine needs a manual reset";
        }
        try {
            Proc.Result r = Proc.run(entry.powerCycle(), null, Duration.ofMinutes(2));
            return "power-cycled with " + entry.powerCycle() + " (exit " + r.exit() + ")";
        } catch (IOException e) {
            return "power cycle " + entry.powerCycle() + " failed: " + e.getMessage();
        }
    }
}
