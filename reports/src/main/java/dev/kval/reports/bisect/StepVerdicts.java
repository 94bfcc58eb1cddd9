package dev.kval.reports.bisect;

import dev.kval.ktap.KtapParser;
import dev.kval.ktap.TestResult;
import dev.kval.result.Verdict;
import dev.kval.sweep.KernelJudge;
import dev.kval.sweep.KernelRun;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Turns one kernel's KTAP (the agent ran the case N times, {@code --repeat N}) into N verdicts of the case.
 *
 * <p>The "verdict" of a repetition is what the selected leaves did: for each leaf its status and, unless the leaf is a
 * measurement, its {@code # observed=} value ("PASS observed=EINVAL"). The observed value is needed because a leaf can
 * PASS on both sides of a change while the kernel's behaviour differs (the overlap assertion expects the errno by
 * kernel version). A leaf is a measurement when its observed value moves between repetitions on the --from kernel
 * while its status does not (inode numbers, timings); then only its status is compared, everywhere. Selected leaves:
 * those whose id matches the --case glob, or, if the glob names a case, every leaf of that case.
 */
public final class StepVerdicts {
    /** Verdicts of a kernel where the selected leaves are not in the KTAP at all. */
    public static final String ABSENT = "ABSENT";

    private final String glob;
    private final Set<String> statusOnly = new LinkedHashSet<>();

    public StepVerdicts(String glob) {
        this.glob = glob;
    }

    /** Leaves whose observed value is ignored (measurements), found on the --from kernel. */
    public Set<String> statusOnly() {
        return Set.copyOf(statusOnly);
    }

    /** Decides which leaves are measurements from the --from kernel's repetitions. */
    public void calibrate(KernelRun from) {
        for (Map.Entry<String, List<TestResult>> e : selected(from).entrySet()) {
            List<TestResult> reps = e.getValue();
            boolean sameStatus = reps.stream().map(TestResult::status).distinct().count() == 1;
            boolean sameObserved = reps.stream().map(r -> Objects.requireNonNullElse(r.diagnostic("observed"), "")).distinct().count() == 1;
            boolean measured = reps.stream().map(r -> dev.kval.result.Observed.of(r.diagnostic("observed")))
                    .anyMatch(o -> o != null && o.measured());
            if (sameStatus && (!sameObserved || measured)) {
                statusOnly.add(e.getKey());
            }
        }
    }

    /** The leaves of the case in the kernel's KTAP: leaf id -> its repetitions in order. */
    public Map<String, List<TestResult>> selected(KernelRun run) {
        Map<String, List<TestResult>> m = new LinkedHashMap<>();
        if (run.ktap() == null) {
            return m;
        }
        List<TestResult> leaves = KtapParser.parseTree(run.ktap()).leaves();
        PathMatcher pm = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        for (TestResult l : leaves) {
            if (matches(pm, l.name())) {
                m.computeIfAbsent(l.name(), k -> new ArrayList<>()).add(l);
            }
        }
        if (m.isEmpty()) {
            for (TestResult l : leaves) {
                if (matches(pm, caseOf(l.name()))) {
                    m.computeIfAbsent(l.name(), k -> new ArrayList<>()).add(l);
                }
            }
        }
        return m;
    }

    /** One verdict per repetition (empty if the kernel never ran the agent). */
    public List<String> verdicts(KernelRun run, int repetitions) {
        Map<String, List<TestResult>> sel = selected(run);
        if (run.ktap() == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (sel.isEmpty()) {
            for (int i = 0; i < repetitions; i++) {
                out.add(ABSENT);
            }
            return out;
        }
        dev.kval.result.Judge.Facts facts = KernelJudge.facts(run);
        int reps = Math.max(repetitions, sel.values().stream().mapToInt(List::size).max().orElse(0));
        for (int i = 0; i < reps; i++) {
            StringBuilder b = new StringBuilder();
            for (Map.Entry<String, List<TestResult>> e : sel.entrySet()) {
                if (sel.size() > 1) {
                    b.append(b.length() == 0 ? "" : "; ").append(e.getKey()).append(": ");
                }
                List<TestResult> rs = e.getValue();
                if (i >= rs.size()) {
                    b.append(ABSENT);
                    continue;
                }
                TestResult r = rs.get(i);
                b.append(behaviour(KernelJudge.leaf(facts, r, i + 1), statusOnly.contains(e.getKey())));
            }
            out.add(b.toString());
        }
        return out;
    }

    /**
     * A repetition's behaviour from the judge's verdict: the KTAP status; where the judge decided otherwise than the status
     * alone says (a known finding, the dmesg oracle, a capability kval lost), the verdict and its blame; the observed
     * value when it is EXACT (a MEASURED one never splits a bisection by itself) and the leaf is not a measurement.
     */
    public static String behaviour(Verdict v, boolean statusOnly) {
        StringBuilder b = new StringBuilder(v.ktapStatus());
        Verdict.Outcome plain = switch (v.ktapStatus()) {
            case "PASS", "XFAIL" -> Verdict.Outcome.PASS;
            case "SKIP" -> Verdict.Outcome.SKIP;
            case "FAIL" -> Verdict.Outcome.FAIL;
            default -> Verdict.Outcome.BROKEN;
        };
        if (v.outcome() != plain) {
            b.append(" judged ").append(v.outcome()).append(v.blame() == null ? "" : " [" + v.blame() + "]");
        }
        if (v.finding() != null) {
            b.append(" (known finding)");
        }
        if (v.observed() != null && !v.observed().measured() && !statusOnly) {
            b.append(" observed=").append(v.observed().text());
        }
        return b.toString();
    }

    private static boolean matches(PathMatcher pm, String id) {
        // ids are dotted, never slashed: a glob over them is a glob over one "file name"
        return pm.matches(Path.of(id.replace('/', '_')));
    }

    /** The case id of a leaf id: {@code <suite>.<case>} (api.memslot.gmem_range_overlap_errno_by_version -> api.memslot). */
    static String caseOf(String leaf) {
        int a = leaf.indexOf('.');
        int b = a < 0 ? -1 : leaf.indexOf('.', a + 1);
        return b < 0 ? leaf : leaf.substring(0, b);
    }
}
