package dev.kval.bench;

import dev.kval.sweep.BehaviourMap;
import dev.kval.sweep.KernelRun;
import dev.kval.sweep.Sweep;
import dev.kval.sweep.SweepKernel;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code kval bench sweep}: the same kernels and suites run twice in one invocation, after every kernel is in the
 * cache: first one at a time (jobs=1, the same as {@code kval run} per kernel, one after another), then as the sweep
 * runs them (jobs=J). Prints both, per kernel and in total, their ratio, and whether the two behaviour maps agree (a
 * parallel sweep that changed verdicts, e.g. through timeouts under load, would be fast but wrong).
 */
public final class SweepBench {
    /** seqSumMs: sum of the per-kernel wall times of the sequential pass; the ratio is seqSumMs / sweepWallMs. */
    public record Report(List<SweepKernel> kernels, String suites, int downloaded, int jobs, Sweep.Result sequential, Sweep.Result sweep,
            long seqSumMs, List<String> disagreements, int comparedCells, int observedDiffer) {
        public double ratio() {
            return sweep.wallMs() == 0 ? 0 : (double) seqSumMs / sweep.wallMs();
        }
    }

    private SweepBench() {
    }

    public static Report run(Sweep sweep, Sweep.Options o) throws IOException {
        List<SweepKernel> ks = sweep.select(o.kernels());
        sweep.say("bench: " + ks.size() + " kernel(s); resolving all first so both passes run from the cache");
        int downloaded = sweep.prefetch(ks);
        sweep.say("bench: sequential pass (jobs=1)");
        Sweep.Result seq = sweep.run(o.withJobs(1).withOut(o.out().resolve("sequential")), ks);
        int jobs = o.effectiveJobs();
        sweep.say("bench: sweep pass (jobs=" + jobs + ")");
        Sweep.Result par = sweep.run(o.withJobs(jobs).withOut(o.out().resolve("sweep")), ks);
        long sum = seq.runs().stream().mapToLong(KernelRun::wallMs).sum();
        List<String> diff = new ArrayList<>();
        int[] observed = new int[1];
        int compared = compare(seq.map(), par.map(), diff, observed);
        return new Report(ks, o.suites().isEmpty() ? "all" : String.join(",", o.suites()), downloaded, jobs, seq, par, sum, diff, compared, observed[0]);
    }

    /**
     * Cells whose verdict differs between the two maps (into out), and how many observed values differ (returned in
     * observedOut[0]): an observed value moving between two boots of the same kernel is a measurement (inode numbers,
     * kB of page cache), so only verdicts decide whether the parallel sweep changed results.
     */
    static int compare(BehaviourMap a, BehaviourMap b, List<String> out, int[] observedOut) {
        int n = 0;
        for (BehaviourMap.Row ra : a.rows()) {
            BehaviourMap.Row rb = b.row(ra.leaf());
            if (rb == null) {
                out.add(ra.leaf() + ": only in the one-at-a-time map");
                continue;
            }
            for (int i = 0; i < ra.cells().size() && i < rb.cells().size(); i++) {
                n++;
                BehaviourMap.Cell ca = ra.cells().get(i);
                BehaviourMap.Cell cb = rb.cells().get(i);
                if (!BehaviourMap.describe(ca, false).equals(BehaviourMap.describe(cb, false))) {
                    out.add(ra.leaf() + " on " + a.columns().get(i).label() + ": one at a time " + BehaviourMap.describe(ca, true)
                            + ", sweep " + BehaviourMap.describe(cb, true));
                } else if (!java.util.Objects.equals(ca.observed(), cb.observed())) {
                    observedOut[0]++;
                }
            }
        }
        return n;
    }

    public static String format(Report r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "kval bench sweep: %d kernel(s), suites %s, kernels cached (%d downloaded before timing)%n",
                r.kernels().size(), r.suites(), r.downloaded()));
        b.append(String.format(Locale.ROOT, "%-26s %16s %16s%n", "kernel", "one at a time", "sweep jobs=" + r.jobs()));
        for (int i = 0; i < r.sequential().runs().size(); i++) {
            KernelRun s = r.sequential().runs().get(i);
            KernelRun p = i < r.sweep().runs().size() ? r.sweep().runs().get(i) : null;
            b.append(String.format(Locale.ROOT, "%-26s %14.1f s %14s%n", s.label(), s.wallMs() / 1000.0,
                    p == null ? "-" : String.format(Locale.ROOT, "%.1f s", p.wallMs() / 1000.0)));
        }
        b.append(String.format(Locale.ROOT, "%-26s %14.1f s %16s%n", "sum of per-kernel runs", r.seqSumMs() / 1000.0, ""));
        b.append(String.format(Locale.ROOT, "%-26s %14.1f s %14.1f s%n", "wall time", r.sequential().wallMs() / 1000.0,
                r.sweep().wallMs() / 1000.0));
        b.append(String.format(Locale.ROOT, "ratio (sum of per-kernel runs / sweep wall time): %.2fx on %d core(s)%n", r.ratio(),
                Runtime.getRuntime().availableProcessors()));
        b.append(r.disagreements().isEmpty() ? String.format(Locale.ROOT, "verdicts agree: %d cells%n", r.comparedCells())
                : String.format(Locale.ROOT, "verdicts DISAGREE on %d of %d cells, e.g. %s%n", r.disagreements().size(), r.comparedCells(),
                        String.join("; ", r.disagreements().subList(0, Math.min(3, r.disagreements().size())))));
        b.append(String.format(Locale.ROOT, "observed values differing between the two boots: %d cells (measurements: inode numbers, kB, ...)%n",
                r.observedDiffer()));
        return b.toString();
    }
}
