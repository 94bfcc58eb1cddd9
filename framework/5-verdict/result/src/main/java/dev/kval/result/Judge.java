package dev.kval.result;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kval.console.CrashOracle;
import dev.kval.console.Finding;
import dev.kval.ktap.Status;
import dev.kval.ktap.TestResult;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one judge: turns what a host left behind (the agent's KTAP leaves, caps.json, dmesg, the console) into
 * {@link Verdict}s, applying known-findings.tsv (stale-checked for every status, console rows included), must-run.tsv
 * and the capability facts of caps.json (a SKIP whose need is present is kval's failure), the dmesg oracle (a PASS the
 * kernel log contradicts fails) and the crash oracle (a console WARNING/oops fails the kernel). `kval run`, `kval sweep`
 * and `kval bisect` all judge with it, so one kernel's evidence gets one verdict per leaf whichever command ran it.
 */
public final class Judge {
    private static final String TABLES = "framework/5-verdict/result/src/main/resources/";
    private final LeafRules known;
    private final LeafRules mustRun;
    private final DmesgOracle dmesg;

    public Judge(LeafRules known, LeafRules mustRun, LeafRules dmesgOracles) {
        this.known = known;
        this.mustRun = mustRun;
        this.dmesg = new DmesgOracle(dmesgOracles);
    }

    /** The judge with kval's tables (known-findings.tsv, must-run.tsv, dmesg-oracles.tsv). */
    public static Judge standard() {
        return new Judge(LeafRules.knownFindings(), LeafRules.mustRun(), LeafRules.load("dmesg-oracles.tsv"));
    }

    /**
     * What one host left behind.
     *
     * @param host      the host's label (name (class))
     * @param hostClass qemu, local, ssh, lava
     * @param kernel    the kernel release it ran
     * @param caps      the agent's caps.json (an empty object when there is none)
     * @param dmesg     the kernel log after the run, or null when it could not be read
     * @param console   the console log's lines, or an empty list
     * @param times     leaf id -> [start, stop] epoch ms as the KTAP streamed in (may be empty)
     */
    public record Facts(String host, String hostClass, String kernel, JsonNode caps, String dmesg, List<String> console,
            Map<String, long[]> times) {
        public Facts {
            caps = caps == null ? new ObjectMapper().createObjectNode() : caps;
            console = console == null ? List.of() : console;
            times = times == null ? Map.of() : times;
        }
    }

    /** Every leaf's verdict, then the host checks (console, bail-outs, an agent stopped at its limit). */
    public List<Verdict> judge(Facts f, List<TestResult> leaves, boolean agentTimedOut, List<String> bailOuts, long overallSeconds) {
        List<Verdict> out = new ArrayList<>();
        Map<String, Integer> seen = new java.util.HashMap<>();
        for (TestResult l : leaves) {
            out.add(leaf(f, l, seen.merge(l.name(), 1, Integer::sum)));
        }
        out.addAll(hostChecks(f, leaves, agentTimedOut, bailOuts, overallSeconds));
        return out;
    }

    /** The verdict on one leaf. */
    public Verdict leaf(Facts f, TestResult leaf, int attempt) {
        String suite = leaf.name().contains(".") ? leaf.name().substring(0, leaf.name().indexOf('.')) : leaf.name();
        Observed obs = Observed.of(leaf.diagnostic("observed"));
        List<EvidenceRef> ev = leaf.diagnostics().isEmpty() ? List.of()
                : List.of(new EvidenceRef(EvidenceRef.Kind.KTAP, "agent.ktap", 0, 0, String.join("\n", leaf.diagnostics())));
        long[] t = f.times().getOrDefault(leaf.name(), new long[] {0, 0});
        Status s = leaf.status();
        Optional<LeafRules.Row> finding = known.find(f.kernel(), leaf.name());
        String fText = finding.map(LeafRules.Row::text).orElse(null);
        V v = new V(leaf.name(), suite, s.name(), obs, fText, ev, f, attempt, t);
        if (finding.isPresent()) {
            switch (s) {
                case FAIL -> {
                    return v.make(Verdict.Outcome.PASS, null, "known finding: " + fText);
                }
                case PASS, XFAIL -> {
                    return v.make(Verdict.Outcome.FAIL, Blame.TEST, "known finding no longer reproduces on " + f.kernel() + " ("
                            + leaf.name() + " " + s.name().toLowerCase() + "): remove or re-scope its row in " + TABLES
                            + "known-findings.tsv: " + fText);
                }
                default -> {
                    // SKIP/TIMEOUT/ERROR/MISSING: the finding could not show; judged below like any leaf, with the row named
                }
            }
        }
        String evidence = leaf.diagnostics().isEmpty() ? "" : "\n  agent said:\n    " + String.join("\n    ", leaf.diagnostics());
        String unchecked = finding.isPresent() ? " (the known finding could not be checked: " + fText + ")" : "";
        return switch (s) {
            case PASS -> dmesg.check(f.kernel(), f.host(), f.dmesg(), leaf)
                    .map(why -> v.make(Verdict.Outcome.FAIL, Blame.KERNEL, why))
                    .orElseGet(() -> v.make(Verdict.Outcome.PASS, null, ""));
            case XFAIL -> v.make(Verdict.Outcome.PASS, null, leaf.reason());
            case SKIP -> skip(f, leaf, v, unchecked);
            case FAIL -> v.make(Verdict.Outcome.FAIL, Blame.KERNEL, leaf.name() + " failed on " + f.host() + evidence);
            // A hung case is the kernel's until shown otherwise; a case that could not evaluate or died before its
            // leaves is the agent's (its setup, or an expected signal it did not handle).
            case TIMEOUT -> v.make(Verdict.Outcome.BROKEN, Blame.KERNEL, leaf.name() + " timed out on " + f.host() + ": "
                    + leaf.reason() + evidence + unchecked);
            case ERROR -> v.make(Verdict.Outcome.BROKEN, Blame.TEST, leaf.name() + " errored on " + f.host() + ": " + leaf.reason()
                    + evidence + unchecked);
            case MISSING -> v.make(Verdict.Outcome.BROKEN, Blame.TEST, leaf.name() + " was planned on " + f.host()
                    + " but never reported (the case died before it; see the case's ERROR/TIMEOUT in agent.ktap)" + unchecked);
        };
    }

    private Verdict skip(Facts f, TestResult leaf, V v, String unchecked) {
        Optional<LeafRules.Row> must = mustRun.find(f.kernel(), leaf.name());
        // A machine without /dev/kvm is a fact of the environment that the reason states, not a capability kval lost;
        // inside a QEMU guest the same reason would mean kval failed to load KVM, so it still fails. Same for a
        // bare-metal (ssh) machine: its /dev/kvm is the machine's, not something kval loads.
        boolean machineHasNoKvm = !"qemu".equals(f.hostClass()) && leaf.reason().startsWith("no /dev/kvm");
        Optional<Boolean> present = new CapsFacts(f.caps()).needPresent(leaf.reason());
        if (present.orElse(false) && !machineHasNoKvm) {
            return v.make(Verdict.Outcome.FAIL, Blame.TEST, leaf.name() + " skipped on " + f.host() + " (" + leaf.reason()
                    + ") but the host's caps.json shows that need is present (must-run derived from caps)");
        }
        if (must.isPresent() && !machineHasNoKvm && present.isEmpty()) {
            return v.make(Verdict.Outcome.FAIL, Blame.TEST, leaf.name() + " skipped on " + f.host() + " (" + leaf.reason()
                    + ") but must run there (kval lost a capability: deployment, modules, probing): " + must.get().text());
        }
        return v.make(Verdict.Outcome.SKIP, null, (leaf.reason().isEmpty() ? "skipped (the agent gave no reason)" : leaf.reason()) + unchecked);
    }

    /**
     * What no single leaf shows: crash findings on the console (a WARNING or oops fails the kernel whatever the leaves
     * said, unless known-findings.tsv lists its class for this kernel), console rows of the table that did not show
     * although the leaves that provoke them ran (stale), an agent stopped at its overall limit, KTAP bail-outs.
     * Produces verdicts only for what is wrong or known, so a clean run has exactly one verdict per leaf.
     */
    public List<Verdict> hostChecks(Facts f, List<TestResult> leaves, boolean agentTimedOut, List<String> bailOuts, long overallSeconds) {
        List<Verdict> out = new ArrayList<>();
        V host = new V("host.console", "host", null, null, null, List.of(), f, 1, new long[] {0, 0});
        List<Finding> findings = CrashOracle.standard().scan(f.console());
        List<String> unknown = new ArrayList<>();
        List<String> knownSeen = new ArrayList<>();
        Set<String> classes = new HashSet<>();
        List<EvidenceRef> ev = new ArrayList<>();
        for (Finding x : findings) {
            classes.add(x.crashClass());
            String line = x.crashClass() + ": " + x.title() + " (console.log lines " + x.firstLine() + "-" + x.lastLine() + ")";
            ev.add(new EvidenceRef(EvidenceRef.Kind.CONSOLE, "console.log", x.firstLine(), x.lastLine(), x.crashClass() + ": " + x.title()));
            Optional<LeafRules.Row> k = known.find(f.kernel(), "console." + x.crashClass());
            if (k.isPresent()) {
                knownSeen.add(line + " -> " + k.get().text());
            } else {
                unknown.add(line);
            }
        }
        V console = new V("host.console", "host", null, null, knownSeen.isEmpty() ? null : String.join("; ", knownSeen), ev, f, 1,
                new long[] {0, 0});
        if (!unknown.isEmpty()) {
            out.add(console.make(Verdict.Outcome.FAIL, Blame.KERNEL, "the kernel's console on " + f.host() + " shows " + unknown.size()
                    + " crash finding(s) during the run (see console.log):\n  " + String.join("\n  ", unknown)));
        } else if (!knownSeen.isEmpty()) {
            out.add(console.make(Verdict.Outcome.PASS, null, "known finding(s): " + String.join("; ", knownSeen)));
        }
        // stale console rows: the row's provoking leaves ran to a verdict, the finding did not show
        if (!f.console().isEmpty()) {
            for (LeafRules.Row r : known.forKernel(f.kernel())) {
                if (!r.leafGlob().startsWith("console.") || r.provokedBy() == null) {
                    continue;
                }
                String cls = r.leafGlob().substring("console.".length());
                java.nio.file.PathMatcher pm = java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + r.provokedBy());
                boolean provoked = leaves.stream().anyMatch(l -> pm.matches(java.nio.file.Path.of(l.name()))
                        && (l.status() == Status.PASS || l.status() == Status.FAIL));
                if (provoked && !classes.contains(cls)) {
                    out.add(new V("host.console-" + cls, "host", null, null, r.text(), List.of(), f, 1, new long[] {0, 0})
                            .make(Verdict.Outcome.FAIL, Blame.TEST, "known console finding console." + cls + " no longer shows on "
                                    + f.kernel() + " although " + r.provokedBy() + " ran: remove or re-scope its row in " + TABLES
                                    + "known-findings.tsv: " + r.text()));
                }
            }
        }
        if (agentTimedOut) {
            out.add(new V("host.agent-run", "host", null, null, null, List.of(), f, 1, new long[] {0, 0}).make(Verdict.Outcome.BROKEN,
                    Blame.INFRA, "the agent on " + f.host() + " was stopped at the overall limit of " + overallSeconds
                            + " s: the run is incomplete (raise --overall-timeout or narrow --suite/--case)"));
        }
        if (bailOuts != null && !bailOuts.isEmpty()) {
            out.add(new V("host.ktap", "host", null, null, null, List.of(), f, 1, new long[] {0, 0}).make(Verdict.Outcome.BROKEN,
                    Blame.TEST, "the agent bailed out on " + f.host() + ": " + bailOuts));
        }
        return out;
    }

    /** A host that failed before any leaf (boot, deploy, a crash): one BROKEN verdict per suite it was to run. */
    public static Verdict hostFailed(String suite, String host, String hostClass, String kernel, String stage, boolean kernelsFault,
            String message, List<String> evidence) {
        return new Verdict(suite + ".host", suite, null, Verdict.Outcome.BROKEN, null, kernelsFault ? Blame.KERNEL : Blame.INFRA,
                "host " + host + " failed at " + stage + " (" + (kernelsFault ? "KERNEL" : "INFRASTRUCTURE") + "): " + message
                        + (evidence.isEmpty() ? "" : "\n  " + String.join("\n  ", evidence)),
                null, List.of(), kernel, host, hostClass, 1, 0, 0);
    }

    /** A planned suite the agent printed nothing for. */
    public static Verdict noResults(String suite, String host, String hostClass, String kernel, String why) {
        return new Verdict(suite + ".host", suite, null, Verdict.Outcome.BROKEN, null, Blame.TEST,
                "the agent printed no result for suite " + suite + " on " + host + " (" + why + ")", null, List.of(), kernel, host,
                hostClass, 1, 0, 0);
    }

    /** A verdict under construction: everything but the outcome, blame and reason. */
    private record V(String leaf, String suite, String ktap, Observed obs, String finding, List<EvidenceRef> ev, Facts f, int attempt,
            long[] t) {
        Verdict make(Verdict.Outcome o, Blame b, String reason) {
            return new Verdict(leaf, suite, ktap, o, obs, b, reason, finding, ev, f.kernel(), f.host(), f.hostClass(), attempt, t[0], t[1]);
        }
    }
}
