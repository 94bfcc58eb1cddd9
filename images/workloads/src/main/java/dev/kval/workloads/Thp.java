package dev.kval.workloads;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Transparent-hugepage consumption: a child JVM with a {@code --mb} heap (default: 40% of MemAvailable, at most
 * 4 GiB), {@code -XX:+UseTransparentHugePages -XX:+AlwaysPreTouch}, holding it until stopped. A child, not this JVM,
 * so the "before" reading is taken before a single heap page is touched. Reports what the child really got from
 * its own /proc/PID/smaps_rollup (AnonHugePages of the holder), next to the system-wide counters.
 */
final class Thp implements Workload {
    static final String HOLD = "__hold";
    static final String HELD = "held";
    private final Main.Options o;
    private Process child;
    private long heapMb;
    private long pretouchMs;
    private long childCpu;
    private final Map<String, Long> held = new LinkedHashMap<>();
    private final ByteArrayOutputStream childErr = new ByteArrayOutputStream();

    Thp(Main.Options o) {
        this.o = o;
    }

    /** The child: the heap is pre-touched before main runs; say so, then hold until stdin closes (parent gone). */
    static void hold() throws IOException {
        System.out.println(HELD);
        System.out.flush();
        InputStream in = System.in;
        while (in.read() >= 0) {
            // nothing to read: EOF is the signal
        }
    }

    @Override
    public void start() throws IOException, InterruptedException {
        Snapshot s = Snapshot.read(o.proc());
        long avail = s.meminfoKb().getOrDefault("MemAvailable", s.meminfoKb().getOrDefault("MemFree", 0L));
        heapMb = o.mbOr(Math.min(4096, avail * 4 / 10 / 1024));
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "-Xms" + heapMb + "m", "-Xmx" + heapMb + "m", "-XX:+UseTransparentHugePages",
                "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), HOLD));
        long t0 = System.nanoTime();
        child = new ProcessBuilder(cmd).start();
        Thread err = new Thread(() -> {
            try (InputStream in = child.getErrorStream()) {
                in.transferTo(childErr);
            } catch (IOException ignored) {
                // child gone
            }
        }, "kval-thp-stderr");
        err.setDaemon(true);
        err.start();
        BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        pretouchMs = (System.nanoTime() - t0) / 1_000_000;
        if (!HELD.equals(line)) {
            child.waitFor(5, TimeUnit.SECONDS);
            throw new IOException("the THP holder JVM (" + String.join(" ", cmd) + ") did not start: exit "
                    + (child.isAlive() ? "-" : child.exitValue()) + ", stderr: " + childErr.toString(StandardCharsets.UTF_8).strip());
        }
    }

    @Override
    public void quiesce() {
        if (child == null || !child.isAlive()) {
            return;
        }
        for (String l : Main.readOr(o.proc().resolve(child.pid() + "/smaps_rollup"), "").split("\n")) {
            String[] t = l.trim().split("[:\\s]+");
            if (t.length >= 2 && List.of("Rss", "AnonHugePages").contains(t[0])) {
                held.put(t[0], Long.parseLong(t[1]));
            }
        }
        childCpu = child.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    @Override
    public long childCpuNanos() {
        return childCpu;
    }

    @Override
    public void release() throws InterruptedException {
        if (child == null) {
            return;
        }
        try {
            child.getOutputStream().close();
        } catch (IOException ignored) {
            // already gone
        }
        if (!child.waitFor(10, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            child.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public Map<String, Object> facts() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("heapMb", heapMb);
        m.put("pretouchMs", pretouchMs);
        m.put("holderRssKb", held.getOrDefault("Rss", -1L));
        m.put("holderAnonHugePagesKb", held.getOrDefault("AnonHugePages", -1L));
        String err = childErr.toString(StandardCharsets.UTF_8).strip();
        if (!err.isEmpty()) {
            m.put("holderStderr", err); // e.g. the JVM's "UseTransparentHugePages disabled" warning when THP is never
        }
        return m;
    }
}
