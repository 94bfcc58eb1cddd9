package dev.kval.bench;

import dev.kval.kernel.debian.PrivateApt;
import dev.kval.ktap.CountingListener;
import dev.kval.ktap.KtapListener;
import dev.kval.ktap.KtapParser;
import dev.kval.ktap.TestResult;
import java.io.IOException;
import java.io.Reader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * kval's KTAP parser against the kernel's own tools/testing/kunit/kunit_parser.py on the same generated nested KTAP
 * files, in one run: both times, their ratio, and kval's heap after GC while parsing files of growing size.
 */
@Command(name = "ktap", mixinStandardHelpOptions = true,
        description = {"Parses generated nested KTAP files (N/4, N/2 and N lines) with kval and with the kernel's"
                + " kunit_parser.py (from Debian's linux-source package, fetched into $KVAL_CACHE with a private apt"
                + " configuration) and prints both times, the ratio and kval's heap after GC per file size."})
public class BenchKtapCommand implements Callable<Integer> {

    @Option(names = "--lines", description = "lines of the largest file (default ${DEFAULT-VALUE})")
    int lines = 1_000_000;

    @Option(names = "--runs", description = "kval timing runs per file; the median is reported (default ${DEFAULT-VALUE})")
    int runs = 5;

    @Option(names = "--no-kunit", description = "measure kval only")
    boolean noKunit;

    @Option(names = "--source-package", description = "Debian package with the kernel source (default: linux-source-7.3,"
            + " then linux-source-6.1)")
    String sourcePackage;

    @Override
    public Integer call() throws Exception {
        Path cache = cacheDir();
        Path work = Files.createDirectories(cache.resolve("bench-ktap"));
        long[] sizes = {lines / 4, lines / 2, lines};
        List<KtapCorpus.Generated> files = new ArrayList<>();
        for (long n : sizes) {
            KtapCorpus.Generated g = KtapCorpus.generate(work.resolve("nested-" + n + ".ktap"), n);
            files.add(g);
            System.out.printf(Locale.ROOT, "generated %s: %,d lines, %,d results, %,d leaves%n", g.file(), g.lines(),
                    g.results(), g.leaves());
        }

        Path kunitDir = null;
        if (!noKunit) {
            try {
                kunitDir = kunitParser(cache);
                System.out.println("kunit_parser.py: " + kunitDir.resolve("kunit_parser.py"));
            } catch (IOException | InterruptedException e) {
                System.out.println("kunit_parser.py unavailable (" + e.getMessage() + "); measuring kval only");
            }
        }

        // Warm up the JIT on the smallest file, as any long-running kval process would be.
        for (int i = 0; i < 3; i++) {
            parseKval(files.get(0).file(), -1);
        }

        List<KunitRun> kunitRuns = new ArrayList<>();
        List<List<WholeProcess>> kvalRuns = new ArrayList<>();
        String home = System.getenv("KVAL_HOME");
        String launcher = home != null && Files.isExecutable(Path.of(home, "kval")) ? Path.of(home, "kval").toString() : null;
        if (launcher != null) {
            WholeProcess.run(List.of(launcher, "ktap", "--json", files.get(0).file().toString()), work); // trains AppCDS if needed
        }
        System.out.println();
        System.out.println("in-process parse (warm JIT):");
        System.out.printf(Locale.ROOT, "%12s %12s %12s %14s %10s %16s%n", "lines", "kval ms", "kunit ms", "ratio",
                "leaves", "kval heap MiB*");
        for (KtapCorpus.Generated g : files) {
            long[] times = new long[runs];
            long heap = 0;
            int leaves = 0;
            for (int r = 0; r < runs; r++) {
                long gcAt = r == 0 ? (long) (g.results() * 0.9) : -1;
                long t0 = System.nanoTime();
                Measured m = parseKval(g.file(), gcAt);
                times[r] = System.nanoTime() - t0;
                if (r == 0) {
                    heap = m.heapAfterGc();
                    leaves = m.leaves();
                }
            }
            Arrays.sort(times);
            double kvalMs = times[runs / 2] / 1e6;
            String kunitMs = "-";
            String ratio = "-";
            if (kunitDir != null) {
                // whole-process runs of kval right before and after the python process, so both see the same load
                List<WholeProcess> kv = new ArrayList<>();
                if (launcher != null) {
                    kv.add(WholeProcess.run(List.of(launcher, "ktap", "--json", g.file().toString()), work));
                }
                KunitRun k = runKunit(kunitDir, work, g.file());
                kunitRuns.add(k);
                kvalRuns.add(kv);
                if (k != null) {
                    kunitMs = String.format(Locale.ROOT, "%.0f", k.seconds() * 1000);
                    ratio = String.format(Locale.ROOT, "%.1fx", k.seconds() * 1000 / kvalMs);
                    if (k.tests() >= 0 && k.tests() != leaves) {
                        ratio += " (!)";
                        System.out.println("note: kunit_parser counted " + k.tests() + " leaf tests, kval " + leaves);
                    }
                }
            }
            System.out.printf(Locale.ROOT, "%,12d %12.1f %12s %14s %,10d %16.1f%n", g.lines(), kvalMs, kunitMs, ratio,
                    leaves, heap / 1048576.0);
        }
        System.out.println();
        System.out.println("* used heap after System.gc() at 90% of the results, while the parse is running"
                + " (streaming listener, nothing retained); flat = constant memory in the input size.");
        System.out.println("kval: median of " + runs + " in-process runs after warm-up, reading the file from disk."
                + " kunit: python3 " + pythonVersion() + ", readlines + parse_run_tests, one run, timed inside python.");
        int wholeProcessExit = launcher == null ? 0 : wholeProcess(launcher, files, kunitDir == null ? null : kunitRuns, kvalRuns, work);
        if (launcher == null) {
            System.out.println("whole process: skipped (KVAL_HOME unset: run this through ./kval)");
        }
        System.out.println("re-run: ./kval bench ktap --lines " + lines);
        return wholeProcessExit;
    }

    /**
     * `./kval ktap --json FILE` as a user runs it (launcher, JVM start, parse, JSON) vs the python process that runs
     * kunit_parser.py, per file: wall times, their ratio and both peak RSS. Exit 1 if the counts differ.
     */
    int wholeProcess(String launcher, List<KtapCorpus.Generated> files, List<KunitRun> kunitRuns, List<List<WholeProcess>> kvalRuns, Path work)
            throws IOException, InterruptedException {
        System.out.println();
        System.out.println("whole process, as a user runs it: `./kval ktap --json FILE` vs `python3 kunit_driver.py` (same file):");
        System.out.printf(Locale.ROOT, "%12s %10s %10s %10s %10s %10s %10s %12s %12s%n", "lines", "kval ms", "kunit ms", "ratio",
                "kval cpu", "kunit cpu", "cpu ratio", "kval RSS MB", "kunit RSS MB");
        int exit = 0;
        double lastWall = -1;
        double lastCpu = -1;
        long lastRss = -1;
        for (int i = 0; i < files.size(); i++) {
            KtapCorpus.Generated g = files.get(i);
            List<WholeProcess> ps = new ArrayList<>(kvalRuns.size() > i ? kvalRuns.get(i) : List.of());
            while (ps.size() < Math.max(3, runs)) {
                ps.add(WholeProcess.run(List.of(launcher, "ktap", "--json", g.file().toString()), work));
            }
            for (WholeProcess p : ps) {
                if (!p.stdout().contains("\"leaves\":" + g.leaves() + ",")) {
                    System.out.println("kval ktap --json on " + g.file() + " did not count " + g.leaves() + " leaves: "
                            + p.stdout().substring(0, Math.min(300, p.stdout().length())));
                    exit = 1;
                }
            }
            ps.sort(java.util.Comparator.comparingDouble(WholeProcess::seconds));
            WholeProcess median = ps.get(ps.size() / 2);
            List<WholeProcess> byCpu = new ArrayList<>(ps);
            byCpu.sort(java.util.Comparator.comparingDouble(WholeProcess::cpuSeconds));
            double cpu = byCpu.get(byCpu.size() / 2).cpuSeconds();
            long rss = ps.stream().mapToLong(WholeProcess::peakRssKb).max().orElse(-1);
            KunitRun k = kunitRuns == null ? null : kunitRuns.get(i);
            WholeProcess kp = k == null ? null : k.process();
            System.out.printf(Locale.ROOT, "%,12d %10.0f %10s %10s %10.2f %10s %10s %12s %12s%n", g.lines(), median.seconds() * 1000,
                    kp == null ? "-" : String.format(Locale.ROOT, "%.0f", kp.seconds() * 1000),
                    kp == null ? "-" : String.format(Locale.ROOT, "%.1fx", kp.seconds() / median.seconds()), cpu,
                    kp == null ? "-" : String.format(Locale.ROOT, "%.2f", kp.cpuSeconds()),
                    kp == null || cpu <= 0 ? "-" : String.format(Locale.ROOT, "%.1fx", kp.cpuSeconds() / cpu),
                    new WholeProcess(0, rss, 0, "", -1).rssMb(), kp == null ? "-" : kp.rssMb());
            lastWall = kp == null ? -1 : kp.seconds() / median.seconds();
            lastCpu = kp == null || cpu <= 0 ? -1 : kp.cpuSeconds() / cpu;
            lastRss = rss;
        }
        if (lastWall >= 0) {
            System.out.printf(Locale.ROOT, "goal whole process >= 20x kunit_parser.py (wall): %.1fx %s   (cpu time: %.1fx)%n", lastWall,
                    lastWall >= 20 ? "MET" : "NOT MET", lastCpu);
        }
        if (lastRss >= 0) {
            System.out.printf(Locale.ROOT, "goal kval peak RSS < 200 MB: %s MB %s%n", new WholeProcess(0, lastRss, 0, "", -1).rssMb(),
                    lastRss < 200 * 1024 ? "MET" : "NOT MET");
        }
        System.out.println("kval: median of " + Math.max(3, runs) + " runs of the launcher (fast path: plain picocli main +"
                + " AppCDS, no Quarkus), the first right before the python process; peak RSS the highest of them (GNU time %M ="
                + " the process's VmHWM); cpu = user + sys seconds (less sensitive than wall time to other processes' load)."
                + " kunit: the same python process as above, timed from fork to exit.");
        try {
            String load = Files.readString(Path.of("/proc/loadavg")).strip();
            System.out.println("load average while measuring (1/5/15 min): " + load);
        } catch (IOException e) {
            // not Linux: no load figure
        }
        return exit;
    }

    static Path cacheDir() {
        String env = System.getenv("KVAL_CACHE");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "kval");
    }

    record Measured(int leaves, long heapAfterGc) {
    }

    static Measured parseKval(Path file, long gcAtResult) throws IOException {
        CountingListener counter = new CountingListener();
        long[] heap = {0};
        KtapListener l = new KtapListener() {
            long n;

            @Override
            public void onResult(TestResult r) {
                counter.onResult(r);
                if (++n == gcAtResult) {
                    System.gc();
                    System.gc();
                    heap[0] = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                }
            }

            @Override
            public void onParseError(int line, String message) {
                counter.onParseError(line, message);
            }
        };
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            KtapParser.parse(in, l);
        }
        if (counter.parseErrors() > 0) {
            System.out.println("warning: kval reported " + counter.parseErrors() + " parse errors on " + file);
        }
        return new Measured(counter.counts().leaves(), heap[0]);
    }

    /** seconds: the parse timed inside python; process: the whole python process (start, imports, parse). */
    record KunitRun(double seconds, int tests, WholeProcess process) {
    }

    private static final String DRIVER = """
            import inspect, sys, time
            sys.path.insert(0, sys.argv[1])
            import kunit_parser, kunit_printer
            t0 = time.perf_counter()
            with open(sys.argv[2], errors='replace') as f:
                lines = f.readlines()
            if len(inspect.signature(kunit_parser.parse_run_tests).parameters) >= 2:
                test = kunit_parser.parse_run_tests(lines, kunit_printer.Printer(print=False))
            else:
                test = kunit_parser.parse_run_tests(lines)
            t1 = time.perf_counter()
            c = test.counts
            print('%f %d' % (t1 - t0, c.passed + c.failed + c.crashed + c.skipped))
            """;

    static KunitRun runKunit(Path kunitDir, Path work, Path file) throws IOException, InterruptedException {
        Path driver = work.resolve("kunit_driver.py");
        Files.writeString(driver, DRIVER);
        WholeProcess p = WholeProcess.run(List.of("python3", driver.toString(), kunitDir.toString(), file.toString()), work);
        String out = p.stdout().trim();
        if (p.exit() != 0) {
            System.out.println("kunit_parser.py failed on " + file + " (exit " + p.exit() + "): " + out);
            return null;
        }
        String[] last = out.lines().reduce((a, b) -> b).orElse("").split(" ");
        return new KunitRun(Double.parseDouble(last[0]), last.length > 1 ? Integer.parseInt(last[1]) : -1, p);
    }

    static String pythonVersion() {
        try {
            Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            return v.replace("Python ", "");
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }

    /**
     * tools/testing/kunit/*.py from Debian's linux-source package, cached under $KVAL_CACHE/kunit-parser/PKG. Fetched
     * with dev.kval.kernel.debian.PrivateApt (never touches the system's apt configuration).
     */
    Path kunitParser(Path cache) throws IOException, InterruptedException {
        // an unpacked linux-source-X.Y in the kernel cache (kval build: specs unpack one) has it already
        Path src = cache.resolve("kernel-src");
        if (sourcePackage == null && Files.isDirectory(src)) {
            try (Stream<Path> dirs = Files.list(src)) {
                for (Path d : dirs.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Path k = d.resolve(d.getFileName().toString().replaceFirst("=.*", "")).resolve("tools/testing/kunit");
                    if (Files.exists(k.resolve("kunit_parser.py")) && Files.exists(k.resolve("kunit_printer.py"))) {
                        return k;
                    }
                }
            }
        }
        List<String> candidates = sourcePackage != null ? List.of(sourcePackage)
                : List.of("linux-source-7.3", "linux-source-6.1");
        for (String pkg : candidates) {
            Path dir = cache.resolve("kunit-parser").resolve(pkg);
            Path found = findKunit(dir);
            if (found != null) {
                return found;
            }
        }
        PrivateApt apt = PrivateApt.defaultInstance();
        apt.ensureUpdated(Duration.ofDays(1));
        IOException last = null;
        for (String pkg : candidates) {
            try {
                if (apt.policy(pkg).isEmpty()) {
                    continue;
                }
                System.out.println("fetching " + pkg + " with kval's private apt (one time, ~170 MB) ...");
                Path deb = apt.download(pkg);
                Path dir = Files.createDirectories(cache.resolve("kunit-parser").resolve(pkg));
                // dpkg-deb --fsys-tarfile | tar -xO <inner tarball> | tar -xJ '*/tools/testing/kunit/*.py'
                String script = "set -eo pipefail; inner=$(dpkg-deb --fsys-tarfile \"$1\" | tar -t | grep -E"
                        + " 'usr/src/linux-source-[0-9.]+\\.tar\\.xz$' | head -1); dpkg-deb --fsys-tarfile \"$1\""
                        + " | tar -xO \"$inner\" | tar -xJf - -C \"$2\" --wildcards '*/tools/testing/kunit/*.py'";
                Process p = new ProcessBuilder("bash", "-c", script, "extract", deb.toString(), dir.toString())
                        .inheritIO().start();
                if (p.waitFor() != 0) {
                    throw new IOException("extracting kunit from " + deb + " failed");
                }
                Path found = findKunit(dir);
                if (found != null) {
                    return found;
                }
                last = new IOException("no tools/testing/kunit/kunit_parser.py in " + deb);
            } catch (IOException e) {
                last = e;
            }
        }
        throw last != null ? last : new IOException("none of " + candidates + " is available from the Debian archive");
    }

    private static Path findKunit(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.endsWith(Path.of("tools", "testing", "kunit", "kunit_parser.py")))
                    .filter(p -> Files.exists(p.resolveSibling("kunit_printer.py")))
                    .map(Path::getParent).findFirst().orElse(null);
        }
    }
}
