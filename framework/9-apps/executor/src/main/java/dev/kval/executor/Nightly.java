package dev.kval.executor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kval.store.ResultFilter;
import dev.kval.store.RunRow;
import dev.kval.store.Runs;
import dev.kval.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One night: the scheduled matrix (kernel sources x hosts x suites, repeated) as a run of kind {@code nightly}, then
 * its {@link NightlyDiff} against the last finished nightly before it, written to {@code nightly-diff.json} in the
 * run's directory and summarised in its message.
 */
public final class Nightly {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The schedule's matrix. */
    public record Plan(List<String> kernels, List<String> hosts, List<String> suites, String casePattern, Integer repeat) {
        public RunRequest request() {
            return new RunRequest(kernels, hosts, suites, casePattern, repeat, null, null);
        }
    }

    private final Executor executor;
    private final FlakyCheck flakes;

    public Nightly(Executor executor, FlakyCheck flakes) {
        this.executor = executor;
        this.flakes = flakes;
    }

    /** Starts a night; returns its run id (the diff is made when it ends: {@link #awaitDiff}), or -1 if nothing is new. */
    public long start(Plan plan) {
        try {
            return startNight(plan).run();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A night: its run (-1: skipped, every git: branch unchanged and nothing else scheduled) and its branches' heads. */
    public record Night(long run, List<NightlyBranches.Branch> branches) {
        public boolean skipped() {
            return run < 0;
        }
    }

    /**
     * Resolves the schedule's git: branches first: a branch whose head the last finished night already tested is left out
     * of this night (said in {@link NightlyBranches#FILE}); the rest run as scheduled.
     */
    public Night startNight(Plan plan) throws IOException {
        Runs runs = new Runs(executor.store());
        Optional<Path> prevDir = runs.list("nightly", "DONE", 0).stream().map(RunRow::outDir).filter(d -> d != null)
                .map(Path::of).filter(d -> Files.isRegularFile(d.resolve(NightlyBranches.FILE))).findFirst();
        List<NightlyBranches.Branch> branches = NightlyBranches.resolve(plan.kernels(), prevDir, dev.kval.kernel.git.GitRepos.defaults());
        java.util.Set<String> skip = new java.util.HashSet<>();
        for (NightlyBranches.Branch b : branches) {
            if (b.unchanged()) {
                skip.add(b.spec());
            }
        }
        List<String> kernels = new java.util.ArrayList<>();
        for (String k : plan.kernels()) {
            if (skip.contains(k)) {
                continue;
            }
            // not pinned to the sha: the diff keys results by host=kernel-as-scheduled (qemu=git:R@next) to compare nights;
            // each verdict's summary.json carries the commit its cell built (git.commit)
            kernels.add(k);
        }
        if (kernels.isEmpty()) {
            return new Night(-1, branches);
        }
        Plan p = new Plan(kernels, plan.hosts(), plan.suites(), plan.casePattern(), plan.repeat());
        long run = executor.submit(p.request(), "nightly");
        Optional<RunRow> r = runs.find(run);
        if (r.isPresent() && r.get().outDir() != null) {
            NightlyBranches.write(Path.of(r.get().outDir()), branches);
        }
        return new Night(run, branches);
    }

    public NightlyDiff awaitDiff(long run, Duration limit) throws InterruptedException, IOException {
        if (!executor.await(run, limit)) {
            throw new IllegalStateException("nightly run " + run + " did not finish within " + limit);
        }
        return diff(executor.store(), run, flakes);
    }

    /**
     * A branch whose head moved is a new kernel with the old release (every commit of a 7.3 branch is 7.3.4): its history
     * in the store belongs to other commits, so a test that failed on the new head and passed on the old one would look
     * flaky. Its verdicts are judged on this night's repetitions alone; other kernels keep the classifier.
     */
    static FlakyCheck movedBranchesJudgedAlone(String outDir, FlakyCheck flakes) {
        if (outDir == null) {
            return flakes;
        }
        java.util.Set<String> moved = new java.util.HashSet<>();
        try {
            Path f = Path.of(outDir, NightlyBranches.FILE);
            if (Files.isRegularFile(f)) {
                for (NightlyBranches.Branch b : JSON.readValue(f.toFile(), NightlyBranches.Branch[].class)) {
                    if (!b.unchanged()) {
                        moved.add(b.spec());
                    }
                }
            }
        } catch (IOException e) {
            return flakes;
        }
        if (moved.isEmpty()) {
            return flakes;
        }
        return (store, host, test, attempts) -> moved.stream().anyMatch(m -> host.endsWith("=" + m))
                ? FlakyCheck.REPETITIONS.isFlaky(store, host, test, attempts) : flakes.isFlaky(store, host, test, attempts);
    }

    /** The diff of a nightly run against the last DONE nightly run before it (none: everything compares with nothing). */
    public static NightlyDiff diff(Store store, long run, FlakyCheck flakes) throws IOException {
        Runs runs = new Runs(store);
        Optional<RunRow> previous = runs.list("nightly", "DONE", 0).stream().filter(r -> r.id() < run).findFirst();
        flakes = movedBranchesJudgedAlone(runs.find(run).map(RunRow::outDir).orElse(null), flakes);
        NightlyDiff d = NightlyDiff.of(store, run, previous.map(RunRow::id).orElse(null), store.results(ResultFilter.ALL.withRun(run)),
                previous.map(p -> store.results(ResultFilter.ALL.withRun(p.id()))).orElse(List.of()), flakes);
        RunRow r = runs.find(run).orElseThrow();
        if (r.outDir() != null && Files.isDirectory(Path.of(r.outDir()))) {
            JSON.writeValue(Path.of(r.outDir(), "nightly-diff.json").toFile(), d);
        }
        return d;
    }
}
