package dev.kval.workloads;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads /proc every {@code periodMs} while a workload runs and keeps the minimum of free 2M blocks per zone and the
 * maximum of the meminfo fields: the effect during the run, which the before/after pair alone would miss (a stressor
 * that compacts or reclaims may end where it started).
 */
final class Sampler extends Thread {
    private final Path proc;
    private final long periodMs;
    private final Map<String, Long> min2m = new LinkedHashMap<>();
    private final Map<String, Long> maxMem = new LinkedHashMap<>();
    private volatile boolean stop;
    private int samples;
    private String error;

    Sampler(Path proc, long periodMs) {
        super("kval-sampler");
        setDaemon(true);
        this.proc = proc;
        this.periodMs = periodMs;
    }

    synchronized void add(Snapshot s) {
        samples++;
        s.free2m().forEach((k, v) -> min2m.merge(k, v, Math::min));
        s.meminfoKb().forEach((k, v) -> maxMem.merge(k, v, Math::max));
    }

    @Override
    public void run() {
        while (!stop) {
            try {
                add(Snapshot.read(proc));
                Thread.sleep(periodMs);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                synchronized (this) {
                    error = e.toString();
                }
                return;
            }
        }
    }

    void finish() throws InterruptedException {
        stop = true;
        interrupt();
        join(5000);
    }

    synchronized Map<String, Long> min2m() {
        return new LinkedHashMap<>(min2m);
    }

    synchronized Map<String, Long> maxMem() {
        return new LinkedHashMap<>(maxMem);
    }

    synchronized int samples() {
        return samples;
    }

    synchronized String error() {
        return error;
    }
}
