package dev.kval.gate;

import dev.kval.engine.RunEngine;

import dev.kval.result.Outcome;
import dev.kval.result.RunSummary;
import dev.kval.store.RunImporter;
import dev.kval.store.RunRow;
import dev.kval.store.Runs;
import dev.kval.store.Store;
import dev.kval.triage.FlakeSnapshot;
import dev.kval.triage.FlakeStatistics;
import dev.kval.triage.GateDecision;
import dev.kval.triage.GateDecision.Counts;
import dev.kval.triage.GateDecision.TestKey;
import dev.kval.triage.KernelInfo;
import dev.kval.triage.Quarantine;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The pre-merge gate: runs the candidate (and the baseline unless the store already holds a run of it that covers
 * the candidate's tests), compares per test and host class, re-runs each suspected regression N times on the
 * candidate (N from the test's measured flake rate, {@link GateDecision}), applies quarantine budgets and decides:
 * exit 0 no regression beyond the budget, 1 regression, 2 incomplete because of infrastructure.
 */
public final class GateEngine {
    /** candidatePatches: a git format-patch directory applied on a git: baseline (then candidate may be null). */
    public record Request(String baseline, String candidate, String host, List<String> suites, String casePattern, int repeat,
            double flakeBudget, Path out, Path inventory, Path candidatePatches) {
        public Request(String baseline, String candidate, String host, List<String> suites, String casePattern, int repeat,
                double flakeBudget, Path out, Path inventory) {
            this(baseline, candidate, host, suites, casePattern, repeat, flakeBudget, out, inventory, null);
        }

        Request with(String b, String c) {
            return new Request(b, c, host, suites, casePattern, repeat, flakeBudget, out, inventory, candidatePatches);
        }
    }

    /** One side's runs and what went wrong with them, if anything. */
    public record Side(String what, List<Long> runIds, List<Path> outDirs, List<String> infraProblems, boolean reused) {
    }

    public record Result(int exitCode, Side baseline, Side candidate, List<GateDecision.Judgement> judgements, List<Evidence> evidence,
            Map<TestKey, Counts> newSkips, int comparedTests, Optional<Side> reruns, Optional<GateGit.FirstBad> firstBad) {
        public List<GateDecision.Judgement> regressions() {
            return judgements.stream().filter(j -> j.verdict() == GateDecision.Verdict.REGRESSION).toList();
        }
    }

    public record Evidence(TestKey key, String message, List<String> ktap, List<String> console) {
    }

    private final Store store;
    private final PrintStream err;

    public GateEngine(Store store, PrintStream err) {
        this.store = store;
        this.err = err;
    }

    private void say(String s) {
        err.println("kval gate: " + s);
        err.flush();
    }

    public Result gate(Request req) throws java.io.IOException {
        String host = req.host() == null ? "qemu" : req.host();
        GateGit git = new GateGit(dev.kval.kernel.git.GitRepos.defaults(), this::say);
        String candidateSpec = req.candidatePatches() != null ? git.applySeries(req.baseline(), req.candidatePatches()) : req.candidate();
        if (candidateSpec == null) {
            throw new IllegalArgumentException("give --candidate SPEC or --candidate-patches DIR");
        }
        req = req.with(git.pin(req.baseline()), git.pin(candidateSpec));
        // a stored baseline run is looked up before anything boots, so a wrong id costs nothing
        Side storedBaseline = isRunId(req.baseline()) ? storedRun(req.baseline()) : null;
        Side candidate = run("candidate", req, host, req.candidate(), req.casePattern(), req.repeat(), req.out().resolve("candidate"));
        Side baseline = storedBaseline != null ? storedBaseline : baseline(req, host, candidate);
        FlakeSnapshot base = snapshot(baseline.runIds());
        FlakeSnapshot cand = snapshot(candidate.runIds());
        Map<TestKey, Counts> b = GateDecision.pool(base.series().values());
        Map<TestKey, Counts> c = GateDecision.pool(cand.series().values());
        List<TestKey> suspects = new ArrayList<>(GateDecision.suspects(b, c));
        // known findings only the candidate shows are suspects too; a finding both show never is (GateFindings)
        List<Path> baseDirs = baseline.outDirs().isEmpty() ? outDirs(baseline.runIds()) : baseline.outDirs();
        Map<TestKey, Counts> bF;
        Map<TestKey, Counts> cF;
        List<TestKey> findingSuspects;
        try {
            bF = GateFindings.counts(baseDirs);
            cF = GateFindings.counts(candidate.outDirs());
            findingSuspects = GateFindings.candidateOnly(bF, cF, GateFindings.findings(candidate.outDirs()));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("reading the runs' verdicts.json: " + e.getMessage(), e);
        }
        findingSuspects.removeAll(suspects);
        suspects.addAll(findingSuspects);
        say("compared " + c.size() + " test(s) x host class: " + suspects.size() + " suspect(s)"
                + (suspects.isEmpty() ? "" : ": " + suspects.stream().map(TestKey::testId).limit(5).toList()));
        List<GateDecision.Judgement> judgements = new ArrayList<>();
        Optional<Side> reruns = Optional.empty();
        List<Evidence> evidence = new ArrayList<>();
        if (!suspects.isEmpty()) {
            FlakeSnapshot history = snapshot(null);
            int n = 1;
            Map<TestKey, double[]> rate = new TreeMap<>();
            for (TestKey k : suspects) {
                long[] ev = history.flakeEvidence(k.testId(), k.hostClass());
                double f = GateDecision.flakeRateForReruns(ev[0], ev[1]);
                rate.put(k, new double[] {f, GateDecision.reruns(ev[0], ev[1])});
                n = Math.max(n, GateDecision.reruns(ev[0], ev[1]));
                say(k.testId() + " [" + k.hostClass() + "]: measured flake rate " + ev[0] + "/" + ev[1] + " runs in the store, upper 95% bound "
                        + String.format("%.3f", f) + " -> " + GateDecision.reruns(ev[0], ev[1]) + " re-run(s) make a flake failing all of them < 1% likely");
            }
            // One glob for the agent: a single suspect leaf re-runs alone; several (or a host-level check) re-run the gate's selection.
            String rerunCase = suspects.size() == 1 && !suspects.get(0).testId().startsWith("console.") && !suspects.get(0).testId().startsWith("host.")
                    ? suspects.get(0).testId() : req.casePattern();
            Side rr = run("re-run x" + n, req, host, req.candidate(), rerunCase, n, req.out().resolve("candidate-rerun"));
            reruns = Optional.of(rr);
            Map<TestKey, Counts> again = GateDecision.pool(snapshot(rr.runIds()).series().values());
            Map<TestKey, Counts> againF;
            try {
                againF = GateFindings.counts(rr.outDirs());
            } catch (java.io.IOException e) {
                throw new IllegalStateException("reading the re-runs' verdicts.json: " + e.getMessage(), e);
            }
            List<Quarantine.Entry> quarantine;
            quarantine = new Quarantine(store).list();
            KernelInfo candKernel = cand.kernelsInVersionOrder().stream().findFirst().orElse(null);
            for (TestKey k : suspects) {
                Optional<Quarantine.Entry> q = Quarantine.match(quarantine, k.testId(), candKernel, k.hostClass(), Instant.now());
                double budget = q.map(Quarantine.Entry::budget).orElse(req.flakeBudget());
                String from = q.map(e -> "quarantine #" + e.id() + " (" + e.testGlob() + ": " + e.reason() + ")").orElse("--flake-budget");
                boolean finding = findingSuspects.contains(k); // judged on the verdicts: the store counts a known finding as passed
                GateDecision.Judgement j = GateDecision.judge(k, (finding ? bF : b).getOrDefault(k, Counts.NONE), (finding ? cF : c).get(k),
                        (finding ? againF : again).getOrDefault(k, Counts.NONE), (int) rate.get(k)[1], rate.get(k)[0], budget, from);
                judgements.add(j);
                say(k.testId() + " [" + k.hostClass() + "]: " + j.verdict() + " - baseline " + j.baseline().failures() + "/" + j.baseline().runs()
                        + " failed, candidate " + j.candidate().failures() + "/" + j.candidate().runs() + ", re-runs " + j.reruns().failures() + "/"
                        + j.reruns().runs() + String.format(", Fisher p=%.4f, budget %.2f from %s", j.pValue(), j.budget(), j.budgetFrom()));
                if (j.verdict() == GateDecision.Verdict.REGRESSION) {
                    evidence.add(GateEvidence.of(store, k, candidate.runIds(), finding));
                }
            }
        }
        Map<TestKey, Counts> newSkips = GateDecision.newSkips(b, c);
        boolean regression = judgements.stream().anyMatch(j -> j.verdict() == GateDecision.Verdict.REGRESSION);
        boolean incomplete = !baseline.infraProblems().isEmpty() || !candidate.infraProblems().isEmpty()
                || reruns.map(r -> !r.infraProblems().isEmpty()).orElse(false) || c.isEmpty();
        int exit = regression ? 1 : incomplete ? 2 : 0;
        if (c.isEmpty() && candidate.infraProblems().isEmpty()) {
            candidate.infraProblems().add("the candidate produced no counted result (nothing ran, or only infrastructure failures)");
        }
        Optional<GateGit.FirstBad> firstBad = Optional.empty();
        if (regression && host.equals("qemu")) {
            GateDecision.Judgement first = judgements.stream().filter(j -> j.verdict() == GateDecision.Verdict.REGRESSION).findFirst().get();
            firstBad = git.firstBad(req.baseline(), req.candidate(), first.key().testId(), req.out().resolve("series-bisect"), err);
            firstBad.ifPresent(f -> say("first bad patch: " + f.commit().substring(0, 12) + " \"" + f.subject() + "\" (" + f.testId()
                    + ", confidence " + f.confidence() + ")"));
        }
        return new Result(exit, baseline, candidate, judgements, evidence, newSkips, c.size(), reruns, firstBad);
    }

    /** A stored run of the baseline that covers every test the candidate ran, else a fresh run; a run id is taken as it is. */
    public static boolean isRunId(String spec) {
        return spec.matches("\\d+") || spec.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    }

    private Side storedRun(String spec) {
        Runs runs = new Runs(store);
        RunRow r = (spec.contains("-") ? runs.findByUuid(spec) : runs.find(Long.parseLong(spec))).orElseThrow(() -> new IllegalArgumentException(
                "--baseline " + spec + ": no such run in the store " + store.url() + " (give the id or uuid of a stored run, or a kernel spec such as debian:7.3.4)"));
        List<String> infra = new ArrayList<>();
        if ("INCOMPLETE".equals(r.outcome())) {
            infra.add("baseline run " + spec + " is INCOMPLETE (infrastructure)");
        }
        say("baseline: stored run #" + r.id() + " (" + r.outDir() + ")");
        return new Side("run " + spec, List.of(r.id()), r.outDir() == null ? List.of() : List.of(Path.of(r.outDir())), infra, true);
    }

    private Side baseline(Request req, String host, Side candidate) {
        String spec = req.baseline();
        Optional<Long> stored = coveringRun(spec, host, candidate);
        if (stored.isPresent()) {
            say("baseline: " + spec + " on " + host + " is already in the store (run #" + stored.get() + " covers every test the candidate ran); not re-run");
            return new Side(spec, List.of(stored.get()), List.of(), new ArrayList<>(), true);
        }
        return run("baseline", req, host, spec, req.casePattern(), req.repeat(), req.out().resolve("baseline"));
    }

    /** The newest complete stored run of {@code spec} on a host of the same name whose results cover the candidate's tests. */
    private Optional<Long> coveringRun(String spec, String host, Side candidate) {
        return new Runs(store).coveringRun(spec, host.equals("qemu") ? "qemu=" + spec : host, candidate.runIds());
    }

    private Side run(String what, Request req, String host, String kernel, String casePattern, int repeat, Path out) {
        List<String> infra = new ArrayList<>();
        String hostArg = host;
        // every host that boots a kernel of ours gets it: qemu, ssh: bare metal, lava: labs
        String kernelArg = host.startsWith("ssh:") || host.startsWith("lava:") || host.equals("qemu") ? kernel : null;
        say(what + ": running " + kernel + " on " + host + (casePattern != null ? " --case " + casePattern : "") + " --repeat " + repeat + " -> " + out);
        try {
            RunSummary s = new RunEngine(err).run(new RunEngine.Request(hostArg, kernelArg, req.suites(), casePattern, repeat, null, out,
                    Duration.ofMinutes(30), req.inventory()));
            long id = RunImporter.importRun(store, out, "gate");
            if (s.outcome() == Outcome.INCOMPLETE) {
                infra.add(what + " " + kernel + " on " + host + ": incomplete because of infrastructure (" + out.resolve("summary.json") + ")");
            }
            return new Side(kernel, new ArrayList<>(List.of(id)), List.of(out), infra, false);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            infra.add(what + " " + kernel + " on " + host + ": " + e.getMessage());
            say(what + ": infrastructure failure: " + e.getMessage());
            return new Side(kernel, new ArrayList<>(), List.of(out), infra, false);
        }
    }

    /** The stored runs' directories (where their verdicts.json is). */
    private List<Path> outDirs(List<Long> runIds) {
        dev.kval.store.Runs runs = new dev.kval.store.Runs(store);
        List<Path> out = new ArrayList<>();
        for (long id : runIds) {
            runs.find(id).map(dev.kval.store.RunRow::outDir).filter(d -> d != null).ifPresent(d -> out.add(Path.of(d)));
        }
        return out;
    }

    private FlakeSnapshot snapshot(List<Long> runIds) {
        return FlakeStatistics.compute(store, runIds == null ? FlakeStatistics.Scope.ALL : FlakeStatistics.Scope.runs(new LinkedHashSet<>(runIds)));
    }

}
