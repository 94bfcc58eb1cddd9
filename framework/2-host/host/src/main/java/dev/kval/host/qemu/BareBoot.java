package dev.kval.host.qemu;

import dev.kval.host.ConsoleWatch;
import dev.kval.kernel.KernelArtifact;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A boot without kval's SSH: any initramfs, timed to the first console line with a marker ({@code kval bench boot}'s baseline). */
public final class BareBoot {
    private BareBoot() {
    }

    /** Boots with an arbitrary initramfs and waits for a console line containing marker (no SSH); returns the time. */
    public static Duration toMarker(KernelArtifact kernel, Path initrd, Path work, QemuConfig cfg, String marker,
            ConsoleWatch watch) throws IOException {
        Files.createDirectories(work);
        QemuHost h = new QemuHost("bare", kernel, work, cfg, watch, s -> { });
        try {
            h.start(initrd);
            long deadline = h.bootStart + cfg.bootTimeout().toNanos();
            while (System.nanoTime() < deadline) {
                synchronized (h.console.lock) {
                    if (h.console.seen(marker)) {
                        return Duration.ofNanos(h.console.markerNanos - h.bootStart);
                    }
                    if (!h.qemu.isAlive() || watch.panicked()) {
                        throw h.failure("QEMU stopped before the console marker " + marker, null);
                    }
                    h.console.lock.wait(50);
                }
            }
            throw h.failure("no console marker " + marker + " within " + cfg.bootTimeout().toSeconds() + " s", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            h.release();
        }
    }
}
