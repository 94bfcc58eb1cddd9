package dev.kval.sweep;

import dev.kval.agent.AgentDeployer;
import dev.kval.agent.AgentOptions;
import dev.kval.agent.RaceOptions;
import dev.kval.host.Attribution;
import dev.kval.host.qemu.QemuConfig;
import dev.kval.kernel.KernelArtifact;
import dev.kval.kernel.KernelResolver;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code kval sweep}: the agent's suites on every kernel of a range, J QEMU hosts at a time, then the behaviour map.
 * Kernels are resolved (downloaded once, then served from {@link dev.kval.kernel.KernelCache} by content hash) by one
 * thread in version order while the hosts run, so downloads overlap with boots. Layout of OUT:
 * {@code kernels/<release>/attempt-N/{console.log,qemu.cmdline,caps.json,agent.ktap}} and
 * {@code behaviour-map.{json,tsv,html}}.
 */
public final class Sweep {
    /** What to sweep. jobs &lt; 1 means one per core. race: the race suite's iterations and seed (null: the agent's defaults). */
    public record Options(String kernels, List<String> suites, String casePattern, Integer repeat, int jobs, Path out, Duration overall,
            RaceOptions race) {
        public Options {
            suites = suites == null ? List.of() : List.copyOf(suites);
            overall = overall == null ? Duration.ofMinutes(20) : overall;
            race = race == null ? RaceOptions.DEFAULT : race;
        }

        public Options(String kernels, List<String> suites, String casePattern, Integer repeat, int jobs, Path out, Duration overall) {
            this(kernels, suites, casePattern, repeat, jobs, out, overall, null);
        }

        public int effectiveJobs() {
            return jobs >= 1 ? jobs : defaultJobs();
        }

        public Options withJobs(int j) {
            return new Options(kernels, suites, casePattern, repeat, j, out, overall, race);
        }

        public Options withOut(Path o) {
            return new Options(kernels, suites, casePattern, repeat, jobs, o, overall, race);
        }
    }

    /** Runs in version order (one per kernel release), the map, the wall time. */
    public record Result(List<KernelRun> runs, BehaviourMap map, long wallMs, List<String> duplicates) {
        public long broken() {
            return runs.stream().filter(r -> r.health() == KernelRun.Health.BROKEN).count();
        }
    }

    private final KernelResolver resolver;
    private final QemuConfig qemu;
    private final PrintStream err;

    /** Routes the resolver's log (downloads, pool fetches, cache hits) into the sweep's progress on err. */
    public Sweep(KernelResolver resolver, QemuConfig qemu, PrintStream err) {
        this.resolver = resolver.log(this::say);
        this.qemu = qemu;
        this.err = err;
    }

    /** One QEMU host per core: TCG with one vCPU keeps one core busy. */
    public static int defaultJobs() {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    public void say(String s) {
        synchronized (err) {
            err.println("kval sweep: " + s);
            err.flush();
        }
    }

    public List<SweepKernel> select(String expr) throws IOException {
        return KernelSelection.expand(expr, resolver.apt(), this::say);
    }

    public Result run(Options o) throws IOException {
        List<SweepKernel> ks = select(o.kernels());
        say(ks.size() + " kernel(s): " + ks.get(0).label() + " ... " + ks.get(ks.size() - 1).label() + "; suites "
                + (o.suites().isEmpty() ? "all" : String.join(",", o.suites())) + ", repeat " + (o.repeat() == null ? 1 : o.repeat())
                + ", " + o.effectiveJobs() + " at a time; output " + o.out().toAbsolutePath());
        return run(o, ks);
    }

    /** Resolves every kernel (one thread, in order), warming the cache; returns how many were downloaded. */
    public int prefetch(List<SweepKernel> ks) throws IOException {
        int downloaded = 0;
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < ks.size(); i++) {
            long t = System.nanoTime();
            KernelArtifact a;
            try {
                a = resolveWithRetry(ks.get(i));
            } catch (IOException e) {
                // keep going: one unreachable package should not stop the rest from being cached
                failed.add(ks.get(i).label() + ": " + e.getMessage());
                say("[" + (i + 1) + "/" + ks.size() + "] " + ks.get(i).label() + ": FAILED: " + e.getMessage());
                continue;
            }
            downloaded += a.cacheHit() ? 0 : 1;
            say("[" + (i + 1) + "/" + ks.size() + "] " + ks.get(i).label() + ": " + (a.cacheHit() ? "cached" : "downloaded and verified in "
                    + (System.nanoTime() - t) / 100_000_000 / 10.0 + " s") + " (" + a.release() + ", sha256 " + a.sha256().substring(0, 12) + ")");
        }
        if (!failed.isEmpty()) {
            throw new IOException(failed.size() + " kernel(s) could not be resolved (the others are cached): " + String.join("; ", failed));
        }
        return downloaded;
    }

    public Result run(Options o, List<SweepKernel> ks) throws IOException {
        long t0 = System.nanoTime();
        Instant started = Instant.now();
        Files.createDirectories(o.out().resolve("kernels"));
        AgentDeployer agent = AgentDeployer.locate();
        AgentOptions ao = new AgentOptions(o.suites(), o.casePattern(), o.repeat(), null, o.overall(), o.race());
        KernelRunner runner = new KernelRunner(qemu, agent, ao, this::say);
        ExecutorService downloads = Executors.newSingleThreadExecutor(r -> daemon(r, "sweep-resolve"));
        ExecutorService hosts = Executors.newFixedThreadPool(o.effectiveJobs(), r -> daemon(r, "sweep-host"));
        List<CompletableFuture<KernelArtifact>> artifacts = new ArrayList<>();
        for (SweepKernel k : ks) {
            artifacts.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return resolveWithRetry(k);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, downloads));
        }
        AtomicInteger done = new AtomicInteger();
        List<Future<KernelRun>> futures = new ArrayList<>();
        List<String> duplicates = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < ks.size(); i++) {
            final int idx = i;
            futures.add(hosts.submit(() -> {
                KernelRun r = one(ks.get(idx), artifacts, idx, runner, o.out(), duplicates);
                if (r != null) {
                    say("[" + done.incrementAndGet() + "/" + ks.size() + "] " + line(r));
                }
                return r;
            }));
        }
        List<KernelRun> runs = new ArrayList<>();
        try {
            for (Future<KernelRun> f : futures) {
                KernelRun r = f.get();
                if (r != null) {
                    runs.add(r);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("sweep interrupted", e);
        } catch (ExecutionException e) {
            throw new IOException("sweep worker failed: " + e.getCause(), e.getCause());
        } finally {
            hosts.shutdownNow();
            downloads.shutdownNow();
        }
        runs.sort((a, b) -> SweepKernel.VERSION_ORDER.compare(a.kernel(), b.kernel()));
        for (KernelRun r : runs) { // each kernel judged as kval run judges it: kernels/<release>/verdicts.json
            List<dev.kval.result.Verdict> vs = KernelJudge.verdicts(r, o.overall().toSeconds());
            if (r.dir() != null && !vs.isEmpty()) {
                dev.kval.result.Verdicts.write(r.dir(), vs);
                say(r.label() + ": verdicts " + dev.kval.result.Verdicts.outcome(vs).name().toLowerCase() + " "
                        + dev.kval.result.Verdicts.counts(vs) + " (" + r.dir().resolve(dev.kval.result.Verdicts.FILE) + ")");
            }
        }
        BehaviourMap map = BehaviourMap.build(runs.stream().map(BehaviourMap.Column::of).toList());
        long wall = (System.nanoTime() - t0) / 1_000_000;
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("kernels", o.kernels());
        meta.put("suites", o.suites().isEmpty() ? "all" : String.join(",", o.suites()));
        meta.put("case", o.casePattern());
        meta.put("repeat", o.repeat() == null ? 1 : o.repeat());
        if (o.race().iterations() != null || o.race().seed() != null) {
            meta.put("iterations", o.race().iterations());
            meta.put("seed", o.race().seed() == null ? null : "0x" + Long.toHexString(o.race().seed()));
        }
        meta.put("jobs", o.effectiveJobs());
        meta.put("qemu", qemu.accelArg() + " -cpu " + qemu.cpu() + ", " + qemu.memoryMb() + " MiB");
        meta.put("started", started.toString());
        meta.put("wallMs", wall);
        meta.put("kernelCount", runs.size());
        meta.put("broken", runs.stream().filter(r -> r.health() != KernelRun.Health.OK).map(KernelRun::label).toList());
        meta.put("deduplicated", duplicates);
        MapFiles.write(o.out(), meta, runs, map);
        say("done in " + wall / 1000.0 + " s: " + runs.size() + " kernel(s), " + map.changes().size() + " change point(s) in "
                + map.changesByBoundary().size() + " place(s), " + map.rows().stream().mapToLong(r -> r.flakyColumns().size()).sum()
                + " flaky cell(s); " + o.out().resolve(MapFiles.HTML_FILE));
        map.changesByBoundary().forEach((b, cs) -> say("  change: " + b + ": " + cs.size() + " assertion(s), e.g. " + cs.get(0).leaf()
                + ": " + cs.get(0).from() + " -> " + cs.get(0).to()));
        return new Result(List.copyOf(runs), map, wall, List.copyOf(duplicates));
    }

    /** Resolves (or fails) kernel idx and runs it; null if its release duplicates an earlier kernel of the sweep. */
    private KernelRun one(SweepKernel k, List<CompletableFuture<KernelArtifact>> artifacts, int idx, KernelRunner runner, Path out,
            List<String> duplicates) throws IOException {
        KernelArtifact a;
        try {
            a = artifacts.get(idx).join();
        } catch (java.util.concurrent.CompletionException e) {
            Throwable c = e.getCause() instanceof java.io.UncheckedIOException u ? u.getCause() : e.getCause();
            say(k.label() + ": cannot get the kernel: " + c.getMessage());
            Path dir = out.resolve("kernels").resolve(k.label());
            KernelRun.Attempt at = new KernelRun.Attempt(1, "resolve", false, Attribution.INFRASTRUCTURE.name(),
                    "resolving " + k.spec() + " failed twice: " + c.getMessage() + " (check the network to the Debian archive, then re-run)",
                    List.of(), dir, 0, 0);
            return new KernelRun(k, null, null, false, KernelRun.Health.BROKEN, List.of(at), dir, null, List.of(), 0);
        }
        // The resolver thread works in order, so every earlier kernel is resolved by now: duplicates are deterministic.
        for (int j = 0; j < idx; j++) {
            CompletableFuture<KernelArtifact> fj = artifacts.get(j);
            KernelArtifact b = fj.isDone() && !fj.isCompletedExceptionally() ? fj.join() : null;
            // git: commits share a release (7.3.4 at every commit of a branch): only the same image is the same kernel
            boolean sameRelease = !k.spec().startsWith("git:") && b != null && b.release().equals(a.release());
            if (b != null && (sameRelease || b.sha256().equals(a.sha256()))) {
                duplicates.add(k.spec() + " = " + b.release());
                say(k.label() + ": same kernel release as an earlier one (" + b.release() + "); not run twice");
                return null;
            }
        }
        if (k.spec().startsWith("path:") || k.spec().startsWith("build:")) {
            k = new SweepKernel(k.spec(), a.release(), a.release(), "");
        }
        return runner.run(k, a, out.resolve("kernels").resolve(k.spec().startsWith("git:") ? k.label() : a.release()));
    }

    private KernelArtifact resolveWithRetry(SweepKernel k) throws IOException {
        try {
            return resolver.resolve(k.spec());
        } catch (IOException e) {
            say(k.label() + ": resolving " + k.spec() + " failed (" + e.getMessage() + "); retrying once");
            return resolver.resolve(k.spec());
        }
    }

    static String line(KernelRun r) {
        StringBuilder b = new StringBuilder(r.label()).append(": ").append(r.health());
        if (r.ktap() != null) {
            var t = dev.kval.ktap.KtapParser.parseTree(r.ktap());
            b.append(" - ").append(t.leaves().size()).append(" leaves: ").append(t.counts().pass()).append(" pass, ").append(t.counts().skip())
                    .append(" skip, ").append(t.counts().fail()).append(" fail");
            long broken = t.leaves().stream().filter(l -> l.status().isBad() && l.status() != dev.kval.ktap.Status.FAIL).count();
            if (broken > 0) {
                b.append(", ").append(broken).append(" timeout/error/missing");
            }
        }
        if (r.health() != KernelRun.Health.OK) {
            b.append(" [").append(r.attribution()).append("] ").append(r.failure());
        } else if (r.attempts().size() > 1) {
            b.append(" (after a retry: ").append(r.failure()).append(')');
        }
        if (!r.findings().isEmpty()) {
            b.append("; console: ").append(String.join("; ", r.findings()));
        }
        return b.append(" (").append(r.wallMs() / 1000.0).append(" s").append(r.cacheHit() ? ", kernel cached" : "").append(')').toString();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
