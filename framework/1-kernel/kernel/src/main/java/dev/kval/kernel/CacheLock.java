package dev.kval.kernel;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An exclusive lock on a cache's lock file that works between processes <em>and</em> between threads of one JVM.
 *
 * <p>Why: a JVM holds a POSIX file lock for the whole process, so a second thread's {@link FileChannel#lock()} on the same
 * file throws {@link java.nio.channels.OverlappingFileLockException} instead of waiting (seen on a cold cache: two
 * threads resolving two Debian kernels at once). So every cache takes one in-process lock per lock file first (a
 * JVM-wide map from the file's absolute path to a {@link ReentrantLock}), and only the thread holding it takes the file
 * lock. A thread that already holds the lock may take it again (nested use); the file lock is taken once and released
 * when the outermost holder closes.
 *
 * <pre>{@code
 * try (CacheLock l = CacheLock.acquire(root.resolve(".lock"))) { ... }
 * }</pre>
 */
public final class CacheLock implements AutoCloseable {

    private static final ConcurrentHashMap<Path, Holder> HOLDERS = new ConcurrentHashMap<>();

    /** One per lock file, never removed: a few dozen small objects per JVM at most (one per cache key). */
    private static final class Holder {
        final ReentrantLock inProcess = new ReentrantLock(true);
        FileChannel channel; // guarded by inProcess
        FileLock fileLock; // guarded by inProcess
    }

    private final Path file;
    private final Holder holder;
    private boolean closed;

    private CacheLock(Path file, Holder holder) {
        this.file = file;
        this.holder = holder;
    }

    /** Waits for the lock (other threads of this JVM first, then other processes); creates the file and its parents. */
    public static CacheLock acquire(Path lockFile) throws IOException {
        Path key = lockFile.toAbsolutePath().normalize();
        Holder h = HOLDERS.computeIfAbsent(key, k -> new Holder());
        try {
            h.inProcess.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the cache lock " + key, e);
        }
        if (h.inProcess.getHoldCount() > 1) {
            return new CacheLock(key, h); // nested: this thread already holds the file lock
        }
        try {
            Files.createDirectories(key.getParent());
            h.channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            h.fileLock = h.channel.lock();
            return new CacheLock(key, h);
        } catch (IOException | RuntimeException e) {
            closeQuietly(h);
            h.inProcess.unlock();
            throw new IOException("cannot lock the cache lock file " + key + ": " + e.getMessage()
                    + " (check that its directory is writable)", e);
        }
    }

    /** The lock file's absolute path. */
    public Path file() {
        return file;
    }

    /** True while this thread holds the lock (for assertions in tests). */
    public boolean heldByCurrentThread() {
        return !closed && holder.inProcess.isHeldByCurrentThread();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (holder.inProcess.getHoldCount() == 1) {
                IOException err = null;
                try {
                    if (holder.fileLock != null) {
                        holder.fileLock.release();
                    }
                } catch (IOException e) {
                    err = e;
                } finally {
                    closeQuietly(holder);
                }
                if (err != null) {
                    throw err;
                }
            }
        } finally {
            holder.inProcess.unlock();
        }
    }

    private static void closeQuietly(Holder h) {
        try {
            if (h.channel != null) {
                h.channel.close();
            }
        } catch (IOException ignored) {
            // closing the channel releases the lock too
        }
        h.channel = null;
        h.fileLock = null;
    }
}
