package dev.kval.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kval.executor.Executor;
import dev.kval.executor.ExecutorListener;
import dev.kval.executor.KvalCli;
import dev.kval.executor.Nightly;
import dev.kval.executor.NightlyDiff;
import dev.kval.triage.SeriesFlakiness;
import dev.kval.store.RunRow;
import dev.kval.store.Runs;
import dev.kval.store.StepRow;
import dev.kval.store.Store;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "nightly", mixinStandardHelpOptions = true,
        header = "Runs the nightly matrix of kernels x hosts x suites and diffs it against the night before.",
        description = {"Nightly kernel testing: the matrix of kernel sources x hosts x suites (repeated), stored as a run of kind nightly,",
            "and its diff against the night before: new failures, fixed, still failing, flaky, new skips.",
            "Without --now: the diff of the last night. The controller (./kval serve) runs the same on its cron (kval.nightly.cron).",
            "Exit: 0 no new failures, 1 new failures, 2 the night could not run (infrastructure) or there is no night yet."})
public class NightlyCommand implements Callable<Integer> {
    @Mixin
    StoreOptions store;

    @Option(names = "--now", description = "run one night now")
    boolean now;

    @Option(names = "--kernels", split = ",", defaultValue = "debian:newest",
            description = "kernel sources: debian:newest, debian:<version>, build:..., git:<repo>@<branch>[,<config>...] (a branch whose head an earlier night tested is not run again; a moved one lists git log --oneline A..B) (default debian:newest)")
    List<String> kernels;

    @Option(names = "--hosts", split = ",", defaultValue = "qemu", description = "local, qemu, ssh:NAME, lava:DEVICE_TYPE (default qemu)")
    List<String> hosts;

    @Option(names = "--suite", split = ",", defaultValue = "api", description = "suites (default api)")
    List<String> suites;

    @Option(names = "--case", description = "only cases matching this glob")
    String casePattern;

    @Option(names = "--repeat", defaultValue = "2", description = "repetitions of each case, so flaky tests show (default 2)")
    int repeat;

    @Option(names = "--parallel", defaultValue = "2", description = "cells at a time (default 2)")
    int parallel;

    @Option(names = "--json", description = "the diff as JSON on stdout (progress stays on stderr)")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        try (Store s = store.open()) {
            long run;
            NightlyDiff diff;
            if (now) {
                try (Executor ex = new Executor(s, store.dataDir().resolve("runs"), KvalCli.of(cliJar()), parallel, ExecutorListener.NONE)) {
                    Nightly nightly = new Nightly(ex, SeriesFlakiness::isFlaky);
                    // build: and git: specs have commas of their own
                    List<String> ks = dev.kval.kernel.KernelSpec.splitList(String.join(",", kernels));
                    Nightly.Night night = nightly.startNight(new Nightly.Plan(ks, hosts, suites, casePattern, repeat));
                    for (dev.kval.executor.NightlyBranches.Branch b : night.branches()) {
                        err.println("kval nightly: " + b.line());
                        b.range().forEach(l -> err.println("kval nightly:   " + l));
                    }
                    if (night.skipped()) {
                        err.println("kval nightly: nothing new: every scheduled branch is at the commit an earlier night tested; no run");
                        err.flush();
                        return 0;
                    }
                    run = night.run();
                    err.println("kval nightly: run " + run + " (" + ks + " x " + hosts + " x " + suites + ", repeat " + repeat + ")");
                    while (!ex.await(run, Duration.ofSeconds(2))) {
                        progress(err, s, run);
                    }
                    progress(err, s, run);
                    err.println();
                    diff = Nightly.diff(s, run, SeriesFlakiness::isFlaky);
                }
            } else {
                Optional<RunRow> last = new Runs(s).list("nightly", null, 1).stream().findFirst();
                if (last.isEmpty()) {
                    err.println("kval nightly: no night in the store yet (run one: ./kval nightly --now)");
                    return 2;
                }
                run = last.get().id();
                diff = Nightly.diff(s, run, SeriesFlakiness::isFlaky);
            }
            RunRow r = new Runs(s).find(run).orElseThrow();
            print(diff, r);
            branches(r);
            if (!r.state().equals("DONE")) {
                err.println("kval nightly: run " + run + " is " + r.state() + ": " + r.message());
                return 2;
            }
            return diff.newFailures().isEmpty() ? 0 : 1;
        }
    }

    /** The CLI a cell runs: KVAL_CLI, else this checkout's packaged CLI. */
    static Path cliJar() {
        String env = System.getenv("KVAL_CLI");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String home = Optional.ofNullable(System.getenv("KVAL_HOME")).orElse(System.getProperty("kval.repo", ""));
        return KvalCli.defaultJar(Path.of(home).toAbsolutePath());
    }

    /** One progress line (a bar over the cells, then where each unfinished cell is), redrawn in place on a terminal. */
    static void progress(PrintWriter err, Store s, long run) {
        List<StepRow> steps = new Runs(s).steps(run);
        Map<String, List<StepRow>> byCell = steps.stream().collect(Collectors.groupingBy(StepRow::cell, java.util.LinkedHashMap::new, Collectors.toList()));
        long done = byCell.values().stream().filter(l -> l.stream().anyMatch(x -> x.step().equals("collect") && !x.state().equals("RUNNING"))).count();
        int total = Math.max(1, byCell.size());
        int width = 20, filled = (int) (width * done / total);
        String where = byCell.entrySet().stream().filter(e -> e.getValue().get(e.getValue().size() - 1).state().equals("RUNNING"))
                .map(e -> e.getKey() + ": " + e.getValue().get(e.getValue().size() - 1).step()).collect(Collectors.joining(", "));
        String line = "[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + done + "/" + byCell.size() + " cells " + where;
        err.print(System.console() != null ? "\r" + line + "\033[K" : line + "\n");
        err.flush();
    }

    private void print(NightlyDiff d, RunRow r) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(d));
            out.flush();
            return;
        }
        out.println("night " + d.run() + " (" + r.state() + ", " + r.outcome() + ") against " + (d.previousRun() == null ? "no earlier night" : "night " + d.previousRun())
                + ": " + d.tests() + " tests; " + d.counts());
        section(out, "new failures", d.newFailures());
        section(out, "fixed", d.fixed());
        section(out, "still failing", d.stillFailing());
        section(out, "flaky", d.flaky());
        section(out, "new skips", d.newSkips());
        out.flush();
    }

    /** The night's branches and their commit ranges (git log --oneline A..B), from the run directory. */
    private void branches(RunRow r) throws Exception {
        if (json || r.outDir() == null) {
            return;
        }
        Path f = Path.of(r.outDir(), dev.kval.executor.NightlyBranches.FILE);
        if (!java.nio.file.Files.isRegularFile(f)) {
            return;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("branches:");
        for (var n : new ObjectMapper().readTree(f.toFile())) {
            var b = new ObjectMapper().treeToValue(n, dev.kval.executor.NightlyBranches.Branch.class);
            out.println("  " + b.line());
            b.range().forEach(l -> out.println("    " + l));
        }
        out.flush();
    }

    private static void section(PrintWriter out, String title, List<NightlyDiff.Entry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        out.println(title + " (" + entries.size() + "):");
        for (NightlyDiff.Entry e : entries.subList(0, Math.min(entries.size(), 50))) {
            out.println("  " + e.host() + " " + e.test() + "  " + e.before() + " -> " + e.now() + (e.message() == null ? "" : "  " + e.message().lines().findFirst().orElse("")));
        }
        if (entries.size() > 50) {
            out.println("  ... " + (entries.size() - 50) + " more (--json lists all)");
        }
    }
}
