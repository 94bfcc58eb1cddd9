package dev.kval.cli;

import dev.kval.gate.GateEngine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kval.store.Store;
import dev.kval.triage.GateDecision;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "gate", mixinStandardHelpOptions = true,
        header = "Pre-merge gate: compares a candidate kernel's verdicts with a baseline's and re-runs each new failure.",
        description = {"Pre-merge gate: runs the candidate kernel (and the baseline unless the store already holds a run of it",
            "covering the same tests), compares per test and host class, re-runs each candidate failure N times (N: the",
            "smallest with f^N < 1% for the test's measured flake rate f, upper 95% bound) and applies quarantine budgets.",
            "Exit: 0 no regression beyond the flake budget, 1 regression (each listed with its KTAP line and console",
            "excerpt), 2 incomplete because of infrastructure. Results go to the store (KVAL_DB_URL or the default H2 file)."})
public class GateCommand implements Callable<Integer> {
    @Option(names = "--baseline", required = true, description = "kernel spec (debian:7.3.4, build:..., path:..., git:<repo>@<base>) or a stored run id / uuid")
    String baseline;

    @Option(names = "--candidate", description = "kernel spec of the candidate (git:<repo>@<topic> for a branch: a regression is bisected inside baseline..topic)")
    String candidate;

    @Option(names = "--candidate-patches", description = "a git format-patch series (directory of *.patch) applied with git am on the git: --baseline as the candidate")
    Path candidatePatches;

    @Option(names = "--host", defaultValue = "qemu", description = "qemu (default) | ssh:<name> | lava:<device type>")
    String host;

    @Option(names = "--suite", split = ",", description = "suites, comma separated (default: all)")
    List<String> suites;

    @Option(names = "--case", description = "only cases matching this glob (agent --case)")
    String casePattern;

    @Option(names = "--repeat", defaultValue = "3", description = "repetitions of each case in the baseline and candidate runs (default 3)")
    int repeat;

    @Option(names = "--flake-budget", defaultValue = "0", description = "failure rate tolerated for tests without a quarantine entry (0..1, default 0)")
    double flakeBudget;

    @Option(names = "--inventory", description = "bare-metal inventory for ssh:<name>")
    Path inventory;

    @Option(names = "--db", description = "result store JDBC URL (default: KVAL_DB_URL, else the H2 file under ~/.local/share/kval)")
    String db;

    @Option(names = "--out", description = "output directory (default: runs/gate-<timestamp>)")
    Path out;

    @Option(names = "--json", description = "print the decision as JSON on stdout")
    boolean json;

    @Override
    public Integer call() {
        if (flakeBudget < 0 || flakeBudget > 1) {
            System.err.println("kval gate: --flake-budget " + flakeBudget + " is not a failure rate between 0 and 1");
            return 2;
        }
        if ((candidate == null) == (candidatePatches == null)) {
            System.err.println("kval gate: give exactly one of --candidate SPEC and --candidate-patches DIR");
            return 2;
        }
        if (repeat < 1) {
            System.err.println("kval gate: --repeat must be at least 1");
            return 2;
        }
        Path dir = out != null ? out : Path.of("runs", "gate-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        try (Store store = db != null ? Store.open(db, System.getenv().getOrDefault(Store.ENV_USER, ""), System.getenv().getOrDefault(Store.ENV_PASSWORD, ""))
                : Store.open()) {
            GateEngine.Result r = new GateEngine(store, System.err).gate(new GateEngine.Request(baseline, candidate, host, suites, casePattern,
                    repeat, flakeBudget, dir.toAbsolutePath(), inventory, candidatePatches == null ? null : candidatePatches.toAbsolutePath()));
            if (json) {
                System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toJson(r)));
            } else {
                System.out.print(text(r));
            }
            return r.exitCode();
        } catch (IllegalArgumentException e) {
            System.err.println("kval gate: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            System.err.println("kval gate: infrastructure error: " + e);
            return 2;
        }
    }

    static String text(GateEngine.Result r) {
        StringBuilder b = new StringBuilder();
        b.append("gate: baseline ").append(r.baseline().what()).append(r.baseline().reused() ? " (from the store)" : "")
                .append(", candidate ").append(r.candidate().what()).append(": ").append(r.comparedTests()).append(" test(s) compared\n");
        for (GateDecision.Judgement j : r.judgements()) {
            b.append(String.format("  %-14s %s [%s]: baseline %d/%d failed, candidate %d/%d, re-runs %d/%d (N=%d from flake rate <= %.3f), p=%.4f, budget %.2f (%s)%n",
                    j.verdict(), j.key().testId(), j.key().hostClass(), j.baseline().failures(), j.baseline().runs(), j.candidate().failures(),
                    j.candidate().runs(), j.reruns().failures(), j.reruns().runs(), j.rerunsAsked(), j.flakeRateUsed(), j.pValue(), j.budget(), j.budgetFrom()));
        }
        for (GateEngine.Evidence e : r.evidence()) {
            b.append("  evidence for ").append(e.key().testId()).append(":\n    message: ")
                    .append(e.message().lines().limit(3).reduce((x, y) -> x + " | " + y).orElse("")).append('\n');
            e.ktap().forEach(l -> b.append("    ktap: ").append(l).append('\n'));
            e.console().forEach(l -> b.append("    console: ").append(l).append('\n'));
        }
        r.newSkips().keySet().forEach(k -> b.append("  new skip      ").append(k.testId()).append(" [").append(k.hostClass()).append("]\n"));
        r.baseline().infraProblems().forEach(p -> b.append("  INCOMPLETE    ").append(p).append('\n'));
        r.candidate().infraProblems().forEach(p -> b.append("  INCOMPLETE    ").append(p).append('\n'));
        r.reruns().ifPresent(x -> x.infraProblems().forEach(p -> b.append("  INCOMPLETE    ").append(p).append('\n')));
        r.firstBad().ifPresent(f -> {
            b.append("  first bad patch: ").append(f.commit(), 0, 12).append(" \"").append(f.subject()).append("\" (").append(f.testId())
                    .append(String.format(", confidence %.4f", f.confidence())).append(f.report() == null ? "" : ", " + f.report()).append(")\n");
            f.series().forEach(l -> b.append("    ").append(l.startsWith(f.commit().substring(0, 7)) ? "> " : "  ").append(l).append('\n'));
        });
        b.append("gate: exit ").append(r.exitCode()).append(switch (r.exitCode()) {
            case 0 -> " - no regression beyond the flake budget";
            case 1 -> " - " + r.regressions().size() + " regression(s)";
            default -> " - incomplete because of infrastructure";
        }).append('\n');
        return b.toString();
    }

    static ObjectNode toJson(GateEngine.Result r) {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("exit", r.exitCode());
        n.put("decision", switch (r.exitCode()) {
            case 0 -> "pass";
            case 1 -> "regression";
            default -> "incomplete";
        });
        side(n.putObject("baseline"), r.baseline());
        side(n.putObject("candidate"), r.candidate());
        r.reruns().ifPresent(x -> side(n.putObject("reruns"), x));
        n.put("comparedTests", r.comparedTests());
        ArrayNode tests = n.putArray("tests");
        for (GateDecision.Judgement j : r.judgements()) {
            ObjectNode t = tests.addObject();
            t.put("test", j.key().testId());
            t.put("hostClass", j.key().hostClass());
            t.put("verdict", j.verdict().name().toLowerCase());
            t.putObject("baseline").put("runs", j.baseline().runs()).put("failures", j.baseline().failures());
            t.putObject("candidate").put("runs", j.candidate().runs()).put("failures", j.candidate().failures());
            t.putObject("reruns").put("asked", j.rerunsAsked()).put("runs", j.reruns().runs()).put("failures", j.reruns().failures());
            t.put("flakeRateUsed", j.flakeRateUsed());
            t.put("pValue", j.pValue());
            t.put("budget", j.budget());
            t.put("budgetFrom", j.budgetFrom());
            r.evidence().stream().filter(e -> e.key().equals(j.key())).findFirst().ifPresent(e -> {
                ObjectNode ev = t.putObject("evidence");
                ev.put("message", e.message());
                ev.putPOJO("ktap", e.ktap());
                ev.putPOJO("console", e.console());
            });
        }
        r.firstBad().ifPresent(f -> {
            ObjectNode fb = n.putObject("firstBadPatch");
            fb.put("commit", f.commit());
            fb.put("subject", f.subject());
            fb.put("test", f.testId());
            fb.put("confidence", f.confidence());
            fb.putPOJO("series", f.series());
            fb.put("report", f.report() == null ? null : f.report().toString());
        });
        ArrayNode skips = n.putArray("newSkips");
        r.newSkips().keySet().forEach(k -> skips.addObject().put("test", k.testId()).put("hostClass", k.hostClass()));
        return n;
    }

    private static void side(ObjectNode n, GateEngine.Side s) {
        n.put("what", s.what());
        n.put("reusedFromStore", s.reused());
        n.putPOJO("runIds", s.runIds());
        n.putPOJO("outDirs", s.outDirs().stream().map(Path::toString).toList());
        n.putPOJO("infrastructureProblems", s.infraProblems());
    }
}
