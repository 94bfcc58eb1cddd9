package dev.kval.workloads;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Memory churn: direct buffers of {@value #CHUNK_MB} MiB, every page touched, the oldest freed once {@code --mb}
 * (default 256) are live. The chunk is above glibc's largest dynamic mmap threshold (32 MiB): smaller ones get
 * served from a reused malloc arena after the first free (measured: 38k faults for 13 GB "touched"), larger ones are
 * a real mmap, page faults and munmap in the kernel every cycle. Freed explicitly through Unsafe.invokeCleaner;
 * without it (a runtime lacking jdk.unsupported), by GC pressure.
 */
final class Churn implements Workload {
    static final int PAGE = 4096;
    static final int CHUNK_MB = 34;
    private final int chunk;
    /** Chunks kept live: {@code --mb} rounded down to whole chunks, at least one. */
    private final int slots;
    private final Path proc;
    private final ArrayDeque<ByteBuffer> live = new ArrayDeque<>();
    private final Method cleaner;
    private final Object unsafe;
    private volatile boolean stop;
    private volatile long chunks;
    private volatile long freed;
    private Thread worker;
    private long minflt0;
    private long minflt;

    Churn(Main.Options o) {
        this.chunk = CHUNK_MB << 20;
        this.slots = (int) Math.max(1, (o.mbOr(256) << 20) / chunk);
        this.proc = o.proc();
        Object u = null;
        Method m = null;
        try {
            Class<?> uc = Class.forName("sun.misc.Unsafe");
            Field f = uc.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            u = f.get(null);
            m = uc.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // jdk.unsupported missing (a jlink'ed runtime): dropped buffers are freed by GC instead
        }
        this.unsafe = u;
        this.cleaner = m;
    }

    @Override
    public void start() {
        minflt0 = minflt();
        // fill the ring once before reporting "started": the live set is then in place
        while (!Main.stopping() && live.size() < slots) {
            cycle();
        }
        worker = new Thread(() -> {
            while (!stop) {
                cycle();
            }
        }, "kval-churn");
        worker.setDaemon(true);
        worker.start();
    }

    private void cycle() {
        ByteBuffer b = ByteBuffer.allocateDirect(chunk);
        for (int i = 0; i < chunk; i += PAGE) {
            b.put(i, (byte) 1);
        }
        live.addLast(b);
        chunks++;
        while (live.size() > slots) {
            free(live.removeFirst());
        }
    }

    private void free(ByteBuffer b) {
        freed++;
        if (cleaner != null) {
            try {
                cleaner.invoke(unsafe, b);
                return;
            } catch (ReflectiveOperationException e) {
                // fall through to GC
            }
        }
        if (freed % 16 == 0) {
            System.gc();
        }
    }

    /** Minor faults of this process (field 10 of /proc/self/stat), the kernel-side count of pages touched. */
    private long minflt() {
        String s = Main.readOr(proc.resolve("self/stat"), "");
        int r = s.lastIndexOf(')');
        if (r < 0) {
            return -1;
        }
        String[] t = s.substring(r + 2).split(" ");
        return t.length > 7 ? Long.parseLong(t[7]) : -1;
    }

    @Override
    public void quiesce() throws InterruptedException {
        stop = true;
        if (worker != null) {
            worker.join(10_000);
        }
        minflt = minflt();
    }

    @Override
    public void release() {
        while (!live.isEmpty()) {
            free(live.removeFirst());
        }
    }

    @Override
    public Map<String, Object> facts() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ringMb", (long) slots * chunk >> 20);
        m.put("chunkKb", chunk >> 10);
        m.put("chunksAllocated", chunks);
        m.put("mbTouched", chunks * chunk >> 20);
        m.put("freedBy", cleaner != null ? "Unsafe.invokeCleaner" : "gc");
        m.put("minorFaults", minflt - minflt0);
        return m;
    }
}
