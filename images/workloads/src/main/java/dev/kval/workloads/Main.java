package dev.kval.workloads;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * kval's stressors, run on the host under test beside a suite:
 * <pre>
 * java -jar kval-workloads.jar churn|thp|fragment|cpu [--duration 30s|0] [--mb N] [--max-mb N] [--threads N] [--dir D]
 *                                                    [--watch-pid PID] [--sample-ms 200] [--proc /proc]
 * </pre>
 * Prints {@value #STARTED} once the pressure is in effect, then at the end (duration over, SIGTERM, or the watched
 * process gone) {@code # key=value} diagnostics and one JSON line with the measured effect. {@code --duration 0}
 * runs until killed.
 */
public final class Main {
    public static final String STARTED = "# kval-workload started";
    private static final CountDownLatch STOP = new CountDownLatch(1);

    private Main() {
    }

    /** True once the run should end (duration, signal): long start phases check it so a kill never waits on them. */
    static boolean stopping() {
        return STOP.getCount() == 0;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println("usage: java -jar kval-workloads.jar churn|thp|fragment|cpu [--duration 30s|0] [--mb N] [--max-mb N] [--threads N]"
                    + " [--dir D] [--watch-pid PID] [--sample-ms MS] [--proc DIR]");
            return;
        }
        if (args[0].equals(Thp.HOLD)) {
            Thp.hold();
            return;
        }
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("kval-workloads: " + e.getMessage() + " (see --help)");
            System.exit(2);
            return;
        }
        System.exit(run(o, System.out));
    }

    static Workload create(Options o) {
        return switch (o.workload()) {
            case "churn" -> new Churn(o);
            case "thp" -> new Thp(o);
            case "fragment" -> new Fragment(o);
            case "cpu" -> new Cpu(o);
            default -> throw new IllegalArgumentException("unknown workload " + o.workload() + " (churn, thp, fragment, cpu)");
        };
    }

    static int run(Options o, PrintStream out) throws Exception {
        Workload w = create(o);
        CountDownLatch done = new CountDownLatch(1);
        // SIGTERM: stop, but let main take the "after" reading and print the report before the JVM goes
        Thread hook = new Thread(() -> {
            STOP.countDown();
            try {
                done.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                // exiting anyway
            }
        }, "kval-workload-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        String stoppedBy = "signal";
        try {
            Snapshot before = Snapshot.read(o.proc());
            Sampler sampler = new Sampler(o.proc(), o.sampleMs());
            sampler.add(before);
            sampler.start();
            long t0 = System.nanoTime();
            long cpu0 = cpuNanos();
            String error = null;
            try {
                w.start();
            } catch (Exception | OutOfMemoryError e) {
                error = "start failed: " + e;
            }
            long startNanos = System.nanoTime() - t0;
            out.println(STARTED + " workload=" + o.workload() + " startMs=" + startNanos / 1_000_000);
            out.flush();
            if (error == null) {
                // the duration is how long the pressure is held, counted from when it is in effect
                stoppedBy = waitForEnd(o);
            }
            w.quiesce();
            Snapshot after = Snapshot.read(o.proc());
            sampler.add(after);
            sampler.finish();
            long cpu = cpuNanos() - cpu0 + w.childCpuNanos();
            long wall = System.nanoTime() - t0;
            w.release();
            Map<String, Object> r = report(o, before, after, sampler, w.facts(), wall, startNanos, cpu, error == null ? stoppedBy : "error");
            if (error != null) {
                r.put("error", error);
            }
            for (String l : Json.flatten("", without(r, "vmstat"))) {
                out.println("# " + l);
            }
            for (String l : Json.flatten("vmstat.delta", asMap(((Map<?, ?>) r.get("vmstat")).get("delta")))) {
                out.println("# " + l);
            }
            out.println(Json.write(r));
            out.flush();
            return error == null ? 0 : 1;
        } finally {
            done.countDown();
            if (!stopping()) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException ignored) {
                    // shutting down
                }
            }
        }
    }

    private static String waitForEnd(Options o) throws InterruptedException {
        long end = o.duration().isZero() ? Long.MAX_VALUE : System.nanoTime() + o.duration().toNanos();
        while (true) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return "duration";
            }
            if (STOP.await(Math.min(left, 500_000_000L), TimeUnit.NANOSECONDS)) {
                return "signal";
            }
            if (o.watchPid() > 0 && ProcessHandle.of(o.watchPid()).map(p -> !p.isAlive()).orElse(true)) {
                return "watched process " + o.watchPid() + " gone";
            }
        }
    }

    static long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    static Map<String, Object> report(Options o, Snapshot before, Snapshot after, Sampler s, Map<String, Object> facts, long wall,
            long start, long cpu, String stoppedBy) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("workload", o.workload());
        r.put("kernel", readOr(o.proc().resolve("sys/kernel/osrelease"), "?"));
        r.put("stoppedBy", stoppedBy);
        r.put("wallMs", wall / 1_000_000);
        r.put("startMs", start / 1_000_000);
        r.put("cpuMs", cpu / 1_000_000);
        r.put("params", o.asMap());
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("before", before.free2m());
        f.put("after", after.free2m());
        f.put("min", s.min2m());
        r.put("free2m", f);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("before", before.meminfoKb());
        m.put("after", after.meminfoKb());
        m.put("max", s.maxMem());
        r.put("meminfoKb", m);
        Map<String, Long> delta = new LinkedHashMap<>();
        after.vmstat().forEach((k, v) -> delta.put(k, v - before.vmstat().getOrDefault(k, v)));
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("before", before.vmstat());
        v.put("after", after.vmstat());
        v.put("delta", delta);
        r.put("vmstat", v);
        Map<String, Object> thp = new LinkedHashMap<>();
        Path sys = o.proc().resolveSibling("sys").resolve("kernel/mm/transparent_hugepage");
        thp.put("enabled", selected(readOr(sys.resolve("enabled"), "absent")));
        thp.put("defrag", selected(readOr(sys.resolve("defrag"), "absent")));
        r.put("thp", thp);
        r.put("samples", s.samples());
        if (s.error() != null) {
            r.put("samplerError", s.error());
        }
        r.put("work", facts);
        return r;
    }

    /** "always [madvise] never" -> "madvise". */
    static String selected(String s) {
        int a = s.indexOf('[');
        int b = s.indexOf(']');
        return a >= 0 && b > a ? s.substring(a + 1, b) : s.strip();
    }

    static String readOr(Path p, String dflt) {
        try {
            return Files.readString(p).strip();
        } catch (IOException e) {
            return dflt;
        }
    }

    private static Map<String, ?> without(Map<String, Object> m, String key) {
        Map<String, Object> c = new LinkedHashMap<>(m);
        c.remove(key);
        return c;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> asMap(Object o) {
        return (Map<String, ?>) o;
    }

    /** Parsed command line; sizes default per workload (see each workload). */
    record Options(String workload, Duration duration, long mb, long maxMb, int threads, Path dir, long watchPid, long sampleMs,
            Path proc, List<String> raw) {
        static Options parse(String[] a) {
            String w = a[0];
            Duration d = Duration.ofSeconds(30);
            long mb = -1;
            long maxMb = 4096;
            int threads = Runtime.getRuntime().availableProcessors();
            Path dir = null;
            long watch = -1;
            long sample = 200;
            Path proc = Path.of("/proc");
            for (int i = 1; i < a.length; i++) {
                String k = a[i];
                if (i + 1 >= a.length) {
                    throw new IllegalArgumentException(k + " needs a value");
                }
                String v = a[++i];
                switch (k) {
                    case "--duration" -> d = duration(v);
                    case "--mb" -> mb = Long.parseLong(v);
                    case "--max-mb" -> maxMb = Long.parseLong(v);
                    case "--threads" -> threads = Integer.parseInt(v);
                    case "--dir" -> dir = Path.of(v);
                    case "--watch-pid" -> watch = Long.parseLong(v);
                    case "--sample-ms" -> sample = Long.parseLong(v);
                    case "--proc" -> proc = Path.of(v);
                    default -> throw new IllegalArgumentException("unknown option " + k);
                }
            }
            if (!List.of("churn", "thp", "fragment", "cpu").contains(w)) {
                throw new IllegalArgumentException("unknown workload " + w + " (churn, thp, fragment, cpu)");
            }
            return new Options(w, d, mb, maxMb, threads, dir, watch, sample, proc, List.of(a));
        }

        /** "30s", "500ms", "2m", "1h" or plain seconds; 0 = until killed. */
        static Duration duration(String v) {
            String s = v.strip().toLowerCase();
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            char u = s.charAt(s.length() - 1);
            if (Character.isDigit(u)) {
                return Duration.ofSeconds(Long.parseLong(s));
            }
            long n = Long.parseLong(s.substring(0, s.length() - 1));
            return switch (u) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new IllegalArgumentException("bad duration " + v + " (e.g. 30s, 500ms, 2m, 0)");
            };
        }

        long mbOr(long dflt) {
            return mb > 0 ? mb : dflt;
        }

        Map<String, Object> asMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("durationMs", duration.toMillis());
            if (mb > 0) {
                m.put("mb", mb);
            }
            m.put("threads", threads);
            if (dir != null) {
                m.put("dir", dir.toString());
            }
            m.put("args", new ArrayList<>(raw));
            return m;
        }
    }
}
