package dev.kval.host.bare;

import dev.kval.host.Attribution;
import dev.kval.host.ExecResult;
import dev.kval.host.Host;
import dev.kval.host.HostFailure;
import dev.kval.host.HostProvider;
import dev.kval.host.ssh.ClientKey;
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
 * <p>Not exercised against real hardware here: covered by tests only for kernel-less provisioning against a real
 * local sshd.
 */
public final class SshHostProvider implements HostProvider {
    private final Inventory.Entry entry;
    private final Consumer<String> log;

    public SshHostProvider(Inventory.Entry entry, Consumer<String> log) {
        this.entry = entry;
        this.log = log;
    }

    SshConnection connect() throws IOException {
        ClientKey key = entry.key() != null ? ClientKey.loadOrCreate(entry.key()) : ClientKey.defaultKey();
        HostKeyPin pin = entry.hostKey() != null ? HostKeyPin.ofPublicKeyLine(entry.hostKey(), "inventory " + entry.name())
                : HostKeyPin.fromKnownHosts(entry.knownHosts(), entry.address(), entry.port());
        return SshTransport.shared().connection(new SshTarget(entry.name(), entry.address(), entry.port(), entry.user(), key, pin));
    }

    @Override
    public Host provision(KernelArtifact kernel) throws IOException {
        SshConnection conn = connect();
        if (kernel != null) {
            install(conn, kernel);
            kexec(conn, kernel);
        }
        String release = conn.exec(List.of("uname", "-r"), Duration.ofSeconds(30)).stdout().strip();
        String version = conn.exec(List.of("cat", "/proc/version"), Duration.ofSeconds(30)).stdout().strip();
        if (kernel != null && !release.equals(kernel.release())) {
            conn.close();
            throw new HostFailure(Attribution.KERNEL, entry.name() + " came back running " + release + ", not " + kernel.release()
                    + " (the candidate did not boot; the machine fell back)", List.of(version));
        }
        return new SshHost(entry, conn, kernel, release, version);
    }

    private void install(SshConnection conn, KernelArtifact k) throws IOException {
        String rel = k.release();
        log.accept(entry.name() + ": installing " + rel);
        String dir = "/tmp/kval-kernel-" + k.sha256().substring(0, 12);
        check(conn, List.of("mkdir", "-p", dir));
        conn.upload(k.kernel(), dir + "/vmlinuz", 0644);
        if (k.configFile().isPresent()) {
            conn.upload(k.configFile().get(), dir + "/config", 0644);
        }
        if (k.modulesDir().isPresent()) {
            Path tar = Files.createTempFile("kval-modules", ".tar.gz");
            try {
                Proc.check(List.of("tar", "-C", k.modulesRoot().toString(), "-czf", tar.toString(), "lib/modules/" + rel), null,
                        Duration.ofMinutes(10));
                conn.upload(tar, dir + "/modules.tar.gz", 0644);
            } finally {
                Files.deleteIfExists(tar);
            }
        }
        String script = "set -e; d=\"$1\"; r=\"$2\"; cp \"$d/vmlinuz\" \"/boot/vmlinuz-$r\"; "
                + "[ -f \"$d/config\" ] && cp \"$d/config\" \"/boot/config-$r\"; "
                + "[ -f \"$d/modules.tar.gz\" ] && tar -C / -xzf \"$d/modules.tar.gz\" && depmod \"$r\"; "
                + "if command -v update-initramfs >/dev/null; then update-initramfs -c -k \"$r\" >/dev/null; "
                + "elif command -v dracut >/dev/null; then dracut -f \"/boot/initrd.img-$r\" \"$r\"; fi";
        ExecResult r = conn.exec(List.of("sh", "-c", script, "sh", dir, rel), Duration.ofMinutes(15));
        if (r.exit() != 0) {
            throw HostFailure.infra("installing " + rel + " on " + entry.name() + " failed: " + r.stderr().strip(), null);
        }
    }

    private void kexec(SshConnection conn, KernelArtifact k) throws IOException {
        String rel = k.release();
        String script = "set -e; r=\"$1\"; i=''; [ -f \"/boot/initrd.img-$r\" ] && i=\"--initrd=/boot/initrd.img-$r\"; "
                + "kexec -l \"/boot/vmlinuz-$r\" $i --reuse-cmdline";
        ExecResult r = conn.exec(List.of("sh", "-c", script, "sh", rel), Duration.ofMinutes(2));
        if (r.exit() != 0) {
            throw HostFailure.infra("kexec -l on " + entry.name() + " failed: " + r.stderr().strip(), null);
        }
        log.accept(entry.name() + ": kexec into " + rel);
        try {
            conn.start(List.of("sh", "-c", "sleep 1; systemctl kexec || kexec -e"), null, null);
        } catch (HostFailure ignored) {
            // the connection is expected to go away
        }
        conn.close();
        long deadline = System.nanoTime() + Duration.ofSeconds(entry.bootTimeoutSeconds()).toNanos();
        try {
            Thread.sleep(5000);
            while (System.nanoTime() < deadline) {
                try {
                    ExecResult u = conn.exec(List.of("uname", "-r"), Duration.ofSeconds(20));
                    if (u.exit() == 0) {
                        return;
                    }
                } catch (HostFailure e) {
                    if (e instanceof dev.kval.host.ssh.HostKeyMismatchException) {
                        throw e;
                    }
                }
                Thread.sleep(3000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw HostFailure.infra("interrupted", e);
        }
        String cycled = powerCycle();
        throw new HostFailure(Attribution.KERNEL, entry.name() + " did not come back within " + entry.bootTimeoutSeconds()
                + " s after kexec into " + rel + "; " + cycled, List.of("no SSH after kexec", cycled));
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

    private static void check(SshConnection c, List<String> argv) throws HostFailure {
        ExecResult r = c.exec(argv, Duration.ofSeconds(60));
        if (r.exit() != 0) {
            throw HostFailure.infra(String.join(" ", argv) + " failed: " + r.stderr().strip(), null);
        }
    }
}
