package dev.kval.host.qemu;

import dev.kval.kernel.KernelArtifact;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The QEMU process of a {@link QemuHost}: its command line (written to qemu.cmdline), the serial console handed to a
 * {@link SerialConsole} reader thread, stderr kept for failure reports, and a shutdown hook so that a JVM that exits
 * leaves no guest behind.
 */
final class QemuProcess {
    private final Process process;
    private final long startNanos;
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final Thread shutdownHook;

    private QemuProcess(Process process, long startNanos) {
        this.process = process;
        this.startNanos = startNanos;
        this.shutdownHook = new Thread(process::destroyForcibly, "qemu-shutdown");
    }

    /** The guest's command line: TCG by default, the console on stdio (and console.log), SSH forwarded on 127.0.0.1:port only. */
    static List<String> command(String name, QemuConfig cfg, KernelArtifact kernel, Path initrd, Path consoleLog, int port, Path work)
            throws IOException {
        List<String> c = new ArrayList<>(List.of("qemu-system-x86_64", "-name", "kval-" + name,
                "-accel", cfg.accelArg(), "-cpu", cfg.cpu(), "-m", String.valueOf(cfg.memoryMb()), "-smp", String.valueOf(cfg.smp()),
                "-nographic", "-nodefaults", "-no-reboot", "-monitor", "none",
                "-chardev", "stdio,id=con,signal=off,logfile=" + consoleLog, "-serial", "chardev:con",
                "-kernel", kernel.kernel().toString(), "-initrd", initrd.toString(),
                "-append", ("console=ttyS0 panic=-1 loglevel=5 " + cfg.extraAppend()).strip(),
                // restrict=on: the guest (an untrusted kernel) reaches nothing - not this machine's loopback services at
                // 10.0.2.2 (the store, the controller), not the network; kval's own SSH forward still works
                "-netdev", "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:" + port + "-:22", "-device", "virtio-net-pci,netdev=n0"));
        c.addAll(cfg.numaArgs());
        if (cfg.hostRoot()) {
            c.addAll(JvmShare.qemuArgs(JvmShare.stage(work)));
        }
        return c;
    }

    /** Starts QEMU in work with cmd; its console goes to console (a reader thread), its stderr is kept. */
    static QemuProcess start(String name, Path work, List<String> cmd, SerialConsole console) throws IOException {
        Files.writeString(work.resolve("qemu.cmdline"), String.join(" ", cmd) + "\n");
        long t0 = System.nanoTime();
        QemuProcess p = new QemuProcess(new ProcessBuilder(cmd).directory(work.toFile()).start(), t0);
        Runtime.getRuntime().addShutdownHook(p.shutdownHook);
        p.process.getOutputStream().close();
        Thread reader = new Thread(() -> console.read(p.process.getInputStream()), "qemu-console-" + name);
        reader.setDaemon(true);
        reader.start();
        Thread err = new Thread(() -> {
            try (InputStream in = p.process.getErrorStream()) {
                in.transferTo(p.stderr);
            } catch (IOException ignored) {
                // gone
            }
        }, "qemu-stderr-" + name);
        err.setDaemon(true);
        err.start();
        return p;
    }

    long startNanos() {
        return startNanos;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String exitText() {
        return process.isAlive() ? "still running" : "exit " + process.exitValue();
    }

    String stderr() {
        return stderr.toString(StandardCharsets.UTF_8);
    }

    /** Stops QEMU (TERM, then KILL after 3 s) and drops the shutdown hook. */
    void stop() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // shutting down already, or never registered
        }
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(3, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(3, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
