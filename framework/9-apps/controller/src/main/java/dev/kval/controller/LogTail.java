package dev.kval.controller;

import io.smallrye.mutiny.Multi;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * A growing log file as a stream of lines: what is there, then new lines as they come, until the run has ended.
 * Each open stream holds one thread of a shared pool for its whole life, so the streams are bounded
 * ({@code kval.controller.max-log-streams}, default {@value #DEFAULT_STREAMS}): one more is a 503, not one more thread.
 */
final class LogTail {
    static final int DEFAULT_STREAMS = 16;
    private static final java.util.concurrent.ExecutorService POOL = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "kval-log-tail");
        t.setDaemon(true);
        return t;
    });
    private static final java.util.concurrent.atomic.AtomicInteger OPEN = new java.util.concurrent.atomic.AtomicInteger();

    private LogTail() {
    }

    static int open() {
        return OPEN.get();
    }

    static Multi<String> follow(Path file, BooleanSupplier ended, int maxStreams) {
        if (OPEN.incrementAndGet() > maxStreams) {
            OPEN.decrementAndGet();
            throw new jakarta.ws.rs.WebApplicationException(jakarta.ws.rs.core.Response.status(503).type("application/json")
                    .header("Retry-After", "10").entity(java.util.Map.of("error", maxStreams + " log streams are open, the most this"
                            + " controller serves at once (kval.controller.max-log-streams): close one or retry later")).build());
        }
        java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                OPEN.decrementAndGet();
            }
        };
        return Multi.createFrom().<String>emitter(em -> {
            POOL.execute(() -> {
                long pos = 0;
                StringBuilder partial = new StringBuilder();
                try {
                    while (!em.isCancelled()) {
                        boolean over = ended.getAsBoolean(); // read once more after the end: the last lines
                        if (Files.exists(file)) {
                            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                                if (f.length() > pos) {
                                    f.seek(pos);
                                    byte[] b = new byte[(int) Math.min(f.length() - pos, 1 << 20)];
                                    f.readFully(b);
                                    pos += b.length;
                                    partial.append(new String(b, StandardCharsets.UTF_8));
                                    int nl;
                                    while ((nl = partial.indexOf("\n")) >= 0) {
                                        em.emit(partial.substring(0, nl));
                                        partial.delete(0, nl + 1);
                                    }
                                    continue;
                                }
                            }
                        }
                        if (over) {
                            break;
                        }
                        Thread.sleep(250);
                    }
                    if (partial.length() > 0) {
                        em.emit(partial.toString());
                    }
                    em.complete();
                } catch (IOException e) {
                    em.fail(e);
                } catch (InterruptedException e) {
                    em.complete();
                } finally {
                    release.run();
                }
            });
        }).onTermination().invoke(release);
    }
}
