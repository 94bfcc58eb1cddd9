package dev.kval.host.qemu;

import dev.kval.host.Attribution;
import dev.kval.host.ConsoleWatch;
import dev.kval.host.ExecResult;
import dev.kval.host.Host;
import dev.kval.host.HostFailure;
import dev.kval.host.HostSpec;
import dev.kval.host.ssh.ClientKey;
import dev.kval.host.ssh.HostKeyPin;
import dev.kval.host.ssh.LocalSshd;
import dev.kval.host.ssh.SshConnection;
import dev.kval.host.ssh.SshDroppedException;
import dev.kval.host.ssh.SshTarget;
import dev.kval.host.ssh.SshTransport;
import dev.kval.kernel.KernelArtifact;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A candidate kernel booted in QEMU (TCG by default) with kval's initramfs, reached over SSH through user-mode
 * networking's host forward on 127.0.0.1. The serial console is logged from the first byte and fed line by line to
 * a {@link ConsoleWatch}; the SSH host key is pinned from the key init prints on the console.
 */
public final class QemuHost implements Host {

    private final String name;
    private final KernelArtifact kernel;
    private final Path work;
    private final Path consoleLog;
    private final QemuConfig cfg;
    private final ConsoleWatch watch;
    private final Consumer<String> log;
    final SerialConsole console;
    QemuProcess qemu;
    private int port;
    volatile long bootStart;
    private volatile Duration bootTime;
    private volatile Duration consoleReadyTime;
    private volatile SshConnection conn;
    private volatile HostFailure dead;
    private volatile String caps;
    private volatile String release;
    private volatile boolean released;

    QemuHost(String name, KernelArtifact kernel, Path work, QemuConfig cfg, ConsoleWatch watch, Consumer<String> log) {
        this.name = name;
        this.kernel = kernel;
        // absolute: QEMU runs in this directory, so a relative --out would be resolved twice
        this.work = work.toAbsolutePath();
        this.consoleLog = this.work.resolve("console.log");
        this.cfg = cfg;
        this.watch = watch;
        this.log = log;
        this.console = new SerialConsole(watch);
    }

    /** Boots and waits until SSH answers (or throws an attributed {@link HostFailure}; the VM is then stopped). */
    public static QemuHost boot(String name, KernelArtifact kernel, Path initrd, Path work, QemuConfig cfg, ClientKey key,
            ConsoleWatch watch, Consumer<String> log) throws IOException {
        Files.createDirectories(work);
        for (int attempt = 1;; attempt++) {
            QemuHost h = new QemuHost(name, kernel, work, cfg, watch, log);
            try {
                h.start(initrd);
                h.awaitReady(key);
                return h;
            } catch (HostFailure e) {
                h.release();
                // the free port was taken between choosing it and QEMU binding it (parallel runs): try another one
                if (attempt < 3 && e.attribution() == Attribution.INFRASTRUCTURE && h.qemu != null && h.qemu.stderr().contains("forwarding")) {
                    log.accept(name + ": host forward port " + h.port + " was taken; retrying with another port");
                    continue;
                }
                throw e;
            } catch (IOException | RuntimeException e) {
                h.release();
                throw e;
            }
        }
    }

    @Override
    public void awaitSettled(Duration timeout) throws HostFailure {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (console.lock) {
            while (console.modulesDoneNanos == 0) {
                checkAlive();
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw failure("KVM modules not loaded " + timeout.toSeconds() + " s after boot", null);
                }
                try {
                    console.lock.wait(Math.min(100, left / 1_000_000 + 1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw HostFailure.infra("interrupted", e);
                }
            }
        }
    }

    void start(Path initrd) throws IOException {
        port = LocalSshd.freePort();
        qemu = QemuProcess.start(name, work, QemuProcess.command(name, cfg, kernel, initrd, consoleLog, port, work), console);
        bootStart = qemu.startNanos();
        Thread mon = new Thread(this::monitor, "qemu-monitor-" + name);
        mon.setDaemon(true);
        mon.start();
    }

    /** Marks the host dead on a panic or QEMU exit, and cuts the SSH session so running commands stop at once. */
    private void monitor() {
        while (!released) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            if (dead == null && (watch.panicked() || !qemu.isAlive())) {
                try {
                    Thread.sleep(300); // let the rest of the splat arrive
                } catch (InterruptedException e) {
                    return;
                }
                dead = failure(watch.panicked() ? "kernel panic on " + name : "QEMU exited (" + qemu.exitText() + ") on " + name, null);
                SshConnection c = conn;
                if (c != null) {
                    c.close();
                }
            } else if (dead == null && release != null && conn != null && !conn.isOpen()
                    && System.nanoTime() - console.lastNanos > cfg.deadSilence().toNanos() && !sshAnswers()) {
                // SSH is gone (keepalives unanswered) and the console has been silent: the machine is dead or hung
                dead = failure("SSH dead and console silent for " + cfg.deadSilence().toSeconds() + " s on " + name, null);
            }
        }
    }

    /** One quick reconnect attempt (the session may just have been closed after a cut command). */
    private boolean sshAnswers() {
        try {
            return conn.exec(List.of("true"), Duration.ofSeconds(15)).exit() == 0;
        } catch (HostFailure e) {
            return false;
        }
    }

    private void awaitReady(ClientKey key) throws IOException {
        long deadline = bootStart + cfg.bootTimeout().toNanos();
        try {
            synchronized (console.lock) {
                while (!console.ready || console.hostKeyLine == null) {
                    if (watch.panicked() || !qemu.isAlive()) {
                        console.lock.wait(300);
                        throw failure("boot failed: " + (watch.panicked() ? "kernel panic" : "QEMU exited (" + qemu.exitText() + ")")
                                + " before " + Initramfs.READY_MARKER, null);
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw failure("boot timeout: no " + Initramfs.READY_MARKER + " after " + cfg.bootTimeout().toSeconds() + " s", null);
                    }
                    console.lock.wait(Math.min(100, left / 1_000_000 + 1));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        consoleReadyTime = Duration.ofNanos(console.markerNanos - bootStart);
        HostKeyPin pin = HostKeyPin.ofPublicKeyLine(console.hostKeyLine, name + " serial console");
        conn = SshTransport.shared().connection(new SshTarget(name, "127.0.0.1", port, "root", key, pin))
                .connectTimeout(Duration.ofSeconds(10));
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try {
                ExecResult r = conn.exec(List.of("uname", "-r"), Duration.ofSeconds(20));
                if (r.exit() == 0) {
                    release = r.stdout().strip();
                    bootTime = Duration.ofNanos(System.nanoTime() - bootStart);
                    break;
                }
            } catch (dev.kval.host.ssh.HostKeyMismatchException e) {
                throw e;
            } catch (HostFailure e) {
                last = e;
                if (watch.panicked() || !qemu.isAlive()) {
                    throw failure("SSH never came up: " + e.getMessage(), e);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException(ie);
                }
            }
        }
        if (release == null) {
            throw failure("SSH on 127.0.0.1:" + port + " did not answer within the boot timeout"
                    + (last != null ? ": " + last.getMessage() : ""), last);
        }
        if (!release.equals(kernel.release())) {
            throw failure("the guest runs " + release + ", not the candidate " + kernel.release(), null);
        }
        log.accept(name + ": " + release + " up in " + bootTime.toMillis() + " ms (console ready " + consoleReadyTime.toMillis()
                + " ms), ssh 127.0.0.1:" + port);
    }

    /** An attributed failure: KERNEL when the console has crash evidence, else INFRASTRUCTURE with what is known. */
    HostFailure failure(String what, Throwable cause) {
        if (watch.crashed()) {
            List<String> ev = new ArrayList<>(watch.findings());
            ev.addAll(watch.evidence());
            return new HostFailure(Attribution.KERNEL, what + " - kernel crash: " + String.join("; ", watch.findings()), ev, cause);
        }
        List<String> ev = new ArrayList<>();
        ev.add("qemu: " + (qemu == null ? "not started" : qemu.exitText()));
        String err = qemu == null ? "" : qemu.stderr().strip();
        if (!err.isEmpty()) {
            ev.add("qemu stderr: " + err);
        }
        long silent = (System.nanoTime() - console.lastNanos) / 1_000_000_000L;
        ev.add("console silent for " + silent + " s; last console lines:");
        List<String> t = console.tail();
        ev.addAll(t.subList(Math.max(0, t.size() - 30), t.size()));
        return new HostFailure(Attribution.INFRASTRUCTURE, what, ev, cause);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public HostSpec.Kind kind() {
        return HostSpec.Kind.QEMU;
    }

    @Override
    public ExecResult exec(List<String> argv, Duration timeout) throws HostFailure {
        return exec(argv, timeout, null, null);
    }

    @Override
    public ExecResult exec(List<String> argv, Duration timeout, OutputStream out, OutputStream err) throws HostFailure {
        checkAlive();
        try {
            return conn.exec(argv, timeout, out, err);
        } catch (SshDroppedException e) {
            throw attributeDrop(e);
        }
    }

    private HostFailure attributeDrop(HostFailure e) {
        long until = System.nanoTime() + 3_000_000_000L;
        while (dead == null && System.nanoTime() < until) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (dead != null) {
            return dead;
        }
        return failure("SSH to " + name + " dropped: " + e.getMessage(), e);
    }

    @Override
    public void upload(Path local, String remote, int mode) throws HostFailure {
        checkAlive();
        try {
            conn.upload(local, remote, mode);
        } catch (SshDroppedException e) {
            throw attributeDrop(e);
        }
    }

    @Override
    public void download(String remote, Path local) throws HostFailure {
        checkAlive();
        try {
            conn.download(remote, local);
        } catch (SshDroppedException e) {
            throw attributeDrop(e);
        }
    }

    @Override
    public String workDir() {
        return "/tmp";
    }

    @Override
    public Optional<Path> consoleLog() {
        return Optional.of(consoleLog);
    }

    @Override
    public String kernelRelease() {
        return release != null ? release : kernel.release();
    }

    @Override
    public Optional<KernelArtifact> kernel() {
        return Optional.of(kernel);
    }

    public Duration bootTime() {
        return bootTime;
    }

    /** The dropbear host key init printed on the console ("ssh-ed25519 AAAA..."), pinned for every connection. */
    public String hostKeyLine() {
        return console.hostKeyLine;
    }

    public int sshPort() {
        return port;
    }

    public ConsoleWatch watch() {
        return watch;
    }

    @Override
    public Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind().id());
        m.put("kernelRelease", kernelRelease());
        m.put("kernelSha256", kernel.sha256());
        m.put("kernelSpec", kernel.spec());
        m.put("accel", cfg.accelArg());
        m.put("cpu", cfg.cpu());
        m.put("memoryMb", cfg.memoryMb());
        m.put("smp", cfg.smp());
        if (cfg.hostRoot()) {
            m.put("hostRoot", "this machine's JVM (" + JvmShare.javaHome() + " and its libraries) read-only over virtio-9p, tags "
                    + JvmShare.ROOT_TAG + " and " + JvmShare.JDK_TAG);
        }
        m.put("sshPort", port);
        if (console.hostKeyLine != null) {
            try {
                m.put("hostKeyPinnedFromConsole", HostKeyPin.ofPublicKeyLine(console.hostKeyLine, "console").fingerprints());
            } catch (IOException ignored) {
                // parsed before
            }
        }
        if (bootTime != null) {
            m.put("bootToSshMs", bootTime.toMillis());
            m.put("bootToConsoleReadyMs", consoleReadyTime.toMillis());
            if (console.modulesDoneNanos != 0) {
                m.put("bootToKvmModulesMs", (console.modulesDoneNanos - bootStart) / 1_000_000);
            }
        }
        m.put("consoleLog", consoleLog.toString());
        return m;
    }

    @Override
    public Optional<String> capabilities() {
        return Optional.ofNullable(caps);
    }

    @Override
    public void capabilities(String json) {
        caps = json;
    }

    @Override
    public void checkAlive() throws HostFailure {
        if (dead != null) {
            throw dead;
        }
    }

    @Override
    public void release() {
        if (released) {
            return;
        }
        released = true;
        if (conn != null) {
            conn.close();
        }
        if (qemu != null) {
            qemu.stop();
        }
    }
}
