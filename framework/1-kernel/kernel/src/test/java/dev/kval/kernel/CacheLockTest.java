package dev.kval.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CacheLock between threads of one JVM (where a bare FileChannel.lock() throws OverlappingFileLockException) and between
 * processes (where the file lock does the work). No kernel involved: KernelCacheConcurrencyTest does it with real kernels.
 */
class CacheLockTest {

    @Test
    void threadsOfOneJvmWaitInsteadOfThrowingAndNeverOverlap(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("sub/dir/.lock");
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        AtomicInteger entered = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService ex = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                fs.add(ex.submit(() -> {
                    go.await();
                    for (int i = 0; i < 25; i++) {
                        try (CacheLock l = CacheLock.acquire(f)) {
                            assertTrue(l.heldByCurrentThread());
                            int n = inside.incrementAndGet();
                            maxInside.accumulateAndGet(n, Math::max);
                            Thread.sleep(1);
                            inside.decrementAndGet();
                            entered.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> x : fs) {
                x.get(60, TimeUnit.SECONDS); // rethrows an OverlappingFileLockException if one happened
            }
        } finally {
            ex.shutdownNow();
        }
        assertEquals(200, entered.get());
        assertEquals(1, maxInside.get(), "two threads held the lock at once");
        assertTrue(Files.exists(f));
    }

    @Test
    void nestedAcquireBySameThreadKeepsTheFileLockUntilTheOuterClose(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve(".lock");
        CacheLock outer = CacheLock.acquire(f);
        try (CacheLock inner = CacheLock.acquire(f)) {
            assertTrue(inner.heldByCurrentThread());
        }
        // still held: another process must not get it
        assertFalse(otherProcessCanLock(f), "inner close released the outer holder's file lock");
        outer.close();
        assertTrue(otherProcessCanLock(f), "lock not released after the outer close");
    }

    @Test
    void anotherProcessWaitsForTheHolder(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve(".lock");
        Path marker = tmp.resolve("child-has-it");
        Process child = javaMain(HoldLock.class, f.toString(), marker.toString(), "1500");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(marker) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(Files.exists(marker), "child never took the lock");
            long t0 = System.nanoTime();
            try (CacheLock l = CacheLock.acquire(f)) {
                long waitedMs = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(waitedMs >= 500, "took the lock while another process held it (waited " + waitedMs + " ms)");
            }
        } finally {
            child.destroyForcibly().waitFor();
        }
    }

    private static boolean otherProcessCanLock(Path f) throws Exception {
        Process p = javaMain(TryLock.class, f.toString());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return p.exitValue() == 0;
    }

    static Process javaMain(Class<?> main, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).inheritIO().start();
    }

    static Process javaMainCaptured(Class<?> main, Path out, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    }

    /** Child: takes the lock, writes the marker, holds it for N ms. */
    public static final class HoldLock {
        public static void main(String[] a) throws Exception {
            try (CacheLock l = CacheLock.acquire(Path.of(a[0]))) {
                Files.writeString(Path.of(a[1]), "held");
                Thread.sleep(Long.parseLong(a[2]));
            }
        }
    }

    /** Child: exit 0 when the file lock is free right now, 1 when another process holds it. */
    public static final class TryLock {
        public static void main(String[] a) throws Exception {
            try (var ch = java.nio.channels.FileChannel.open(Path.of(a[0]), java.nio.file.StandardOpenOption.WRITE);
                    var l = ch.tryLock()) {
                System.exit(l != null ? 0 : 1);
            }
        }
    }
}
