package dev.kval.workloads;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/** CPU contention: {@code --threads N} (default: all CPUs) threads spinning on arithmetic until stopped. */
final class Cpu implements Workload {
    private final int n;
    private final AtomicLongArray iterations;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stop;

    Cpu(Main.Options o) {
        this.n = Math.max(1, o.threads());
        this.iterations = new AtomicLongArray(n);
    }

    @Override
    public void start() {
        for (int i = 0; i < n; i++) {
            int idx = i;
            Thread t = new Thread(() -> spin(idx), "kval-cpu-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void spin(int idx) {
        long x = idx + 1;
        while (!stop) {
            // a data-dependent loop the JIT cannot fold away; counted per block so the counter is not the hot spot
            for (int k = 0; k < 100_000; k++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
            iterations.addAndGet(idx, x == 0 ? 2 : 1);
        }
    }

    @Override
    public void quiesce() throws InterruptedException {
        stop = true;
        for (Thread t : threads) {
            t.join(5000);
        }
    }

    @Override
    public void release() {
    }

    @Override
    public Map<String, Object> facts() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("threads", n);
        long total = 0;
        for (int i = 0; i < n; i++) {
            total += iterations.get(i);
        }
        m.put("blocks", total);
        return m;
    }
}
