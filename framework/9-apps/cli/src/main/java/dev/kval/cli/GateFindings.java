package dev.kval.cli;

import dev.kval.result.Verdict;
import dev.kval.result.Verdicts;
import dev.kval.triage.GateDecision.Counts;
import dev.kval.triage.GateDecision.TestKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Known findings in a comparison. A leaf listed in known-findings.tsv for a kernel passes there as a verdict (the
 * table accepts the kernel's bug), but a gate compares two kernels: a finding both show is never a regression, and a
 * finding only the candidate shows is one, table or not (the candidate has a bug the baseline has not). Counted from
 * the runs' verdicts.json: each run of a leaf, and as a failure each run where the kernel showed the finding or failed.
 */
final class GateFindings {
    private GateFindings() {
    }

    /** Per leaf and host class: runs, and runs where the kernel showed a known finding or the verdict was bad. */
    static Map<TestKey, Counts> counts(List<Path> runDirs) throws IOException {
        Map<TestKey, Counts> m = new TreeMap<>();
        for (Path d : runDirs) {
            if (d == null || !Files.isRegularFile(d.resolve(Verdicts.FILE))) {
                continue;
            }
            for (Verdict v : Verdicts.read(d)) {
                if (v.ktapStatus() == null) {
                    continue; // host checks: the store's counts judge them
                }
                boolean shows = v.finding() != null && v.outcome() == Verdict.Outcome.PASS || v.bad();
                m.merge(new TestKey(v.leaf(), v.hostClass()), new Counts(1, shows ? 1 : 0, 0), Counts::plus);
            }
        }
        return m;
    }

    /** Leaves with a known finding the candidate shows and the baseline (which ran them) never showed. */
    static List<TestKey> candidateOnly(Map<TestKey, Counts> baseline, Map<TestKey, Counts> candidate, Map<TestKey, Counts> findingsOnly) {
        List<TestKey> out = new ArrayList<>();
        findingsOnly.forEach((k, n) -> {
            Counts b = baseline.get(k);
            if (n.failures() > 0 && b != null && b.runs() > 0 && b.failures() == 0 && candidate.containsKey(k)) {
                out.add(k);
            }
        });
        return out;
    }

    /** Per leaf and host class: only the runs where the verdict passed against a known finding. */
    static Map<TestKey, Counts> findings(List<Path> runDirs) throws IOException {
        Map<TestKey, Counts> m = new TreeMap<>();
        for (Path d : runDirs) {
            if (d == null || !Files.isRegularFile(d.resolve(Verdicts.FILE))) {
                continue;
            }
            for (Verdict v : Verdicts.read(d)) {
                if (v.ktapStatus() != null && v.finding() != null && v.outcome() == Verdict.Outcome.PASS) {
                    m.merge(new TestKey(v.leaf(), v.hostClass()), new Counts(1, 1, 0), Counts::plus);
                }
            }
        }
        return m;
    }
}
