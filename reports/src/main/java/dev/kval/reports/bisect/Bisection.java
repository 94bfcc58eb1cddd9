package dev.kval.reports.bisect;

import dev.kval.kernel.debian.DebVersion;
import dev.kval.kernel.git.GitRepos;
import dev.kval.sweep.KernelRun;
import dev.kval.sweep.Sweep;
import dev.kval.sweep.SweepKernel;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Consumer;

/**
 * {@code kval bisect}: the first Debian kernel between --from and --to (in version order) where a case's verdict
 * differs from its verdict at --from, so it finds a break as well as a fix.
 *
 * <p>Each step boots the kernel in QEMU through the sweep's engine ({@link Sweep}: kernels from the cache, a boot
 * that fails is retried once) and runs only the case, N times in that one boot (the agent's --repeat: a repetition
 * costs well under a second against a boot of tens of seconds under TCG). A step whose N verdicts agree is decided
 * (early stop); a split step boots again for N more, up to {@link #MAX_BATCHES} boots, and takes the majority. A kernel
 * that never runs the case (does not boot twice) is a weak step: it is left out and the search moves to its neighbours;
 * if it sits right at the change point it is reported in {@code between}. Both ends are tried first, in parallel; then
 * each round tries up to {@code jobs} kernels at evenly spaced points of the remaining window (a k-ary search, so the
 * cores boot in parallel). The axis is {@code debian:} versions, or the commits of {@code git:R@good..git:R@bad} ({@link GitAxis}):
 * each commit is built incrementally (a commit that does not build or boot is a weak step, skipped as
 * {@code git bisect skip} would).
 */
public final class Bisection {
    public static final int MAX_BATCHES = 3;

    /**
     * What to bisect. runs null: from the flake rate, else {@link Confidence#DEFAULT_RUNS}. suites: the agent's --suite
     * (empty: those the case glob selects; the opt-in race suite runs for a race.* glob); race: its iterations and seed.
     */
    public record Options(String from, String to, String caseGlob, Integer runs, int jobs, Path out, Duration overall,
            List<String> suites, dev.kval.agent.RaceOptions race) {
        public Options {
            suites = suites == null ? List.of() : List.copyOf(suites);
        }

        public Options(String from, String to, String caseGlob, Integer runs, int jobs, Path out, Duration overall) {
            this(from, to, caseGlob, runs, jobs, out, overall, null, null);
        }
    }

    private final Sweep sweep;
    private final FlakeRates rates;
    private final Consumer<String> log;
    private final GitRepos repos;

    public Bisection(Sweep sweep, FlakeRates rates, Consumer<String> log) {
        this(sweep, rates, log, GitRepos.defaults());
    }

    public Bisection(Sweep sweep, FlakeRates rates, Consumer<String> log, GitRepos repos) {
        this.sweep = sweep;
        this.rates = rates;
        this.log = log;
        this.repos = repos;
    }

    public BisectReport run(Options o) throws IOException {
        long t0 = System.nanoTime();
        GitAxis git = GitAxis.applies(o.from(), o.to()) ? GitAxis.of(o.from(), o.to(), repos) : null;
        for (String s : git != null ? List.<String>of() : List.of(o.from(), o.to())) {
            if (!s.startsWith("debian:")) {
                throw new IllegalArgumentException("bisect takes debian: kernels or git: commits for --from and --to (got '" + s + "')");
            }
        }
        if (o.caseGlob() == null || o.caseGlob().isBlank()) {
            throw new IllegalArgumentException("--case is required: the test id (leaf or case) or a glob, e.g. api.memslot.gmem_range_overlap*");
        }
        List<SweepKernel> ks = git != null ? git.kernels() : axis(o.from(), o.to());
        Map<String, GitRepos.Commit> commits = git != null ? git.commits() : Map.of();
        if (ks.size() < 2) {
            throw new IllegalArgumentException("--from and --to select " + ks.size() + " kernel(s) (" + ks + "); a bisection needs two");
        }
        OptionalDouble measured = rates.rate(o.caseGlob(), o.from(), "qemu");
        int n = o.runs() != null ? o.runs() : measured.isPresent() ? Confidence.runsFor(measured.getAsDouble()) : Confidence.DEFAULT_RUNS;
        if (n < 1) {
            throw new IllegalArgumentException("--runs must be at least 1");
        }
        int jobs = o.jobs() >= 1 ? o.jobs() : Sweep.defaultJobs();
        log.accept(ks.size() + " kernels from " + ks.get(0).label() + " to " + ks.get(ks.size() - 1).label() + "; case " + o.caseGlob()
                + ", " + n + " run(s) per step" + (measured.isPresent() ? " (flake rate " + measured.getAsDouble() + ")" : " (no measured flake rate)")
                + ", " + jobs + " kernel(s) at a time");
        StepVerdicts sv = new StepVerdicts(o.caseGlob());
        Map<Integer, Step> steps = new LinkedHashMap<>();
        Rounds rounds = new Rounds(o, n, jobs, ks, steps, sv);

        // Both ends first. --from calibrates which leaves are measurements, so it is judged before anything is compared.
        rounds.probe(List.of(0, ks.size() - 1));
        Step from = steps.get(0);
        if (from.weak()) {
            throw new IllegalStateException("the --from kernel " + ks.get(0).label() + " did not run the case: " + from.weakReason
                    + "; pick a --from that boots");
        }
        int hi = ks.size() - 1;
        while (steps.get(hi).weak() && hi > 1) {
            log.accept(ks.get(hi).label() + " is weak (" + steps.get(hi).weakReason + "); trying its neighbour " + ks.get(hi - 1).label());
            hi--;
            rounds.probe(List.of(hi));
        }
        String fromVerdict = from.verdict();
        String toVerdict = steps.get(hi).verdict();
        int lo = 0;
        if (toVerdict == null || toVerdict.equals(fromVerdict)) {
            log.accept("no change: " + ks.get(0).label() + " and " + ks.get(hi).label() + " both give " + fromVerdict);
            return BisectReport.of(o, ks, commits, steps, sv, n, measured, fromVerdict, toVerdict, -1, -1, elapsed(t0));
        }
        while (true) {
            List<Integer> candidates = new ArrayList<>();
            for (int i = lo + 1; i < hi; i++) {
                if (!steps.containsKey(i)) {
                    candidates.add(i);
                }
            }
            if (candidates.isEmpty()) {
                break;
            }
            List<Integer> probes = new ArrayList<>();
            if (candidates.size() <= jobs) {
                probes.addAll(candidates);
            } else {
                for (int t = 1; t <= jobs; t++) {
                    int c = candidates.get(t * candidates.size() / (jobs + 1));
                    if (!probes.contains(c)) {
                        probes.add(c);
                    }
                }
            }
            log.accept("window " + ks.get(lo).label() + " .. " + ks.get(hi).label() + " (" + candidates.size() + " untried); trying "
                    + probes.stream().map(i -> ks.get(i).label()).toList());
            rounds.probe(probes);
            for (int i = lo + 1; i < hi; i++) {
                Step s = steps.get(i);
                if (s == null || s.weak()) {
                    continue;
                }
                if (s.verdict().equals(fromVerdict)) {
                    lo = i;
                } else {
                    hi = i;
                    break;
                }
            }
        }
        log.accept("change between " + ks.get(lo).label() + " (" + fromVerdict + ") and " + ks.get(hi).label() + " (" + steps.get(hi).verdict() + ")");
        return BisectReport.of(o, ks, commits, steps, sv, n, measured, fromVerdict, toVerdict, lo, hi, elapsed(t0));
    }

    private static long elapsed(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** The ordered kernels between the two specs (inclusive); --from may be the newer one (a fix searched backwards). */
    List<SweepKernel> axis(String from, String to) throws IOException {
        SweepKernel f = sweep.select(from).get(0);
        SweepKernel t = sweep.select(to).get(0);
        boolean backwards = SweepKernel.VERSION_ORDER.compare(f, t) > 0;
        SweepKernel lo = backwards ? t : f;
        SweepKernel hi = backwards ? f : t;
        List<SweepKernel> ks = new ArrayList<>(sweep.select("debian:" + lo.label() + "..debian:" + hi.label()));
        ks.removeIf(k -> SweepKernel.VERSION_ORDER.compare(k, lo) < 0 || SweepKernel.VERSION_ORDER.compare(k, hi) > 0);
        if (backwards) {
            java.util.Collections.reverse(ks);
        }
        return ks;
    }

    /** Runs kernels of the axis as bisection steps, re-booting split steps; records them in steps. */
    private final class Rounds {
        private final Options o;
        private final int n;
        private final int jobs;
        private final List<SweepKernel> ks;
        private final Map<Integer, Step> steps;
        private final StepVerdicts sv;
        private int round;
        private boolean calibrated;

        Rounds(Options o, int n, int jobs, List<SweepKernel> ks, Map<Integer, Step> steps, StepVerdicts sv) {
            this.o = o;
            this.n = n;
            this.jobs = jobs;
            this.ks = ks;
            this.steps = steps;
            this.sv = sv;
        }

        void probe(List<Integer> idx) throws IOException {
            round++;
            List<Step> todo = new ArrayList<>();
            for (int i : idx) {
                Step s = new Step(i, ks.get(i), round);
                steps.put(i, s);
                todo.add(s);
            }
            for (int batch = 1; batch <= MAX_BATCHES && !todo.isEmpty(); batch++) {
                boot(todo, "round-" + round + (batch > 1 ? "-batch-" + batch : ""));
                if (!calibrated && lastRuns.containsKey(0)) {
                    // --from decides which leaves are measurements before any verdict is compared
                    KernelRun fr = lastRuns.get(0);
                    if (fr.ktap() != null) {
                        sv.calibrate(fr);
                        if (sv.selected(fr).isEmpty() && fr.health() == KernelRun.Health.OK) {
                            throw new IllegalArgumentException("--case " + o.caseGlob() + " matches no KTAP leaf on " + fr.label()
                                    + " (see " + fr.dir() + "/attempt-*/agent.ktap for the leaf ids)");
                        }
                    }
                    calibrated = true;
                }
                for (Step s : todo) {
                    KernelRun r = lastRuns.get(s.index);
                    if (r != null && r.ktap() != null && r.health() != KernelRun.Health.BROKEN) {
                        s.verdicts.addAll(sv.verdicts(r, n));
                    }
                }
                todo = todo.stream().filter(s -> !s.weak() && !s.unanimous()).toList();
                if (!todo.isEmpty() && batch < MAX_BATCHES) {
                    log.accept("split verdicts on " + todo.stream().map(s -> s.kernel.label() + " " + s.counts()).toList() + "; booting again");
                }
            }
            for (int i : idx) {
                Step s = steps.get(i);
                log.accept("step " + s.kernel.label() + ": " + (s.weak() ? "WEAK (" + s.weakReason + ")" : s.verdict() + " " + s.counts()));
            }
        }

        private final Map<Integer, KernelRun> lastRuns = new LinkedHashMap<>();

        private void boot(List<Step> todo, String dirName) throws IOException {
            List<SweepKernel> sks = todo.stream().map(s -> s.kernel).toList();
            Sweep.Options so = new Sweep.Options(String.join(",", sks.stream().map(SweepKernel::spec).toList()), o.suites(), o.caseGlob(), n,
                    Math.min(jobs, sks.size()), o.out().resolve(dirName), o.overall(), o.race());
            Sweep.Result r = sweep.run(so, sks);
            lastRuns.clear();
            for (Step s : todo) {
                KernelRun kr = r.runs().stream().filter(x -> x.label().equals(s.kernel.label())).findFirst().orElse(null);
                s.boots++;
                if (kr == null) {
                    s.weakReason = "same kernel release as another step (not run twice)";
                    continue;
                }
                lastRuns.put(s.index, kr);
                s.release = kr.release();
                s.wallMs += kr.wallMs();
                s.dirs.add(kr.dir());
                if (kr.health() == KernelRun.Health.BROKEN || kr.ktap() == null) {
                    s.weakReason = "did not run the case: [" + kr.attribution() + "] " + kr.failure();
                    continue;
                }
            }
        }
    }

    static int compareVersions(String a, String b) {
        return DebVersion.compare(a, b);
    }
}
