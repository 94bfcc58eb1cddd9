package dev.kval.lava;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * This machine's own LAVA lab ({@code infra/lava/up}: server, scheduler, worker and a qemu device on loopback), for
 * tests and benchmarks. {@link #ensureUp} starts what is not running; it needs root, as the script does.
 */
public final class LocalLab {
    private LocalLab() {
    }

    /** Why the local lab cannot be brought up here, or null when it can. */
    public static String unavailableReason() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "the local LAVA lab needs root (infra/lava/up starts LAVA's services and its worker runs QEMU)";
        }
        if (script() == null) {
            return "infra/lava/up not found above " + Path.of("").toAbsolutePath() + " (set KVAL_HOME)";
        }
        return null;
    }

    /** Runs {@code infra/lava/up} (idempotent: seconds when already up); throws with its output when it fails. */
    public static synchronized void ensureUp() throws IOException {
        Path up = script();
        if (up == null) {
            throw new IOException(unavailableReason());
        }
        Path log = Files.createTempFile("kval-lava-up", ".log");
        try {
            Process p = new ProcessBuilder(List.of(up.toString())).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(up + " failed: " + Files.readString(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while bringing up the local LAVA lab", e);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    static Path script() {
        String home = System.getenv("KVAL_HOME");
        for (Path d = home != null ? Path.of(home) : Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path s = d.resolve("infra/lava/up");
            if (Files.isExecutable(s)) {
                return s;
            }
        }
        return null;
    }
}
