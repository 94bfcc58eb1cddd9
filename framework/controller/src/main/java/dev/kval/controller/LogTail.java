package dev.kval.controller;

import io.smallrye.mutiny.Multi;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/** A growing log file as a stream of lines: what is there, then new lines as they come, until the run has ended. */
final class LogTail {
    private LogTail() {
    }

    static Multi<String> follow(Path file, BooleanSupplier ended) {
        return Multi.createFrom().emitter(em -> {
            Thread t = new Thread(() -> {
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
                }
            }, "kval-log-tail");
            t.setDaemon(true);
            t.start();
        });
    }
}
