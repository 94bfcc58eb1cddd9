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

    /** Starts a night; returns its run id (the diff is made when it ends: {@link #awaitDiff}). */
    public long start(Plan plan) {
        return executor.submit(plan.request(), "nightly");
    }

    public NightlyDiff awaitDiff(long run, Duration limit) throws InterruptedException, IOException {
        if (!executor.await(run, limit)) {
            throw new IllegalStateException("nightly run " + run + " did not finish within " + limit);
        }
        return diff(executor.store(), run, flakes);
    }

    /** The diff of a nightly run against the last DONE nightly run before it (none: everything compares with nothing). */
    public static NightlyDiff diff(Store store, long run, FlakyCheck flakes) throws IOException {
        Runs runs = new Runs(store);
        Optional<RunRow> previous = runs.list("nightly", "DONE", 0).stream().filter(r -> r.id() < run).findFirst();
        NightlyDiff d = NightlyDiff.of(store, run, previous.map(RunRow::id).orElse(null), store.results(ResultFilter.ALL.withRun(run)),
                previous.map(p -> store.results(ResultFilter.ALL.withRun(p.id()))).orElse(List.of()), flakes);
        RunRow r = runs.find(run).orElseThrow();
        if (r.outDir() != null && Files.isDirectory(Path.of(r.outDir()))) {
            JSON.writeValue(Path.of(r.outDir(), "nightly-diff.json").toFile(), d);
        }
        return d;
    }
}
