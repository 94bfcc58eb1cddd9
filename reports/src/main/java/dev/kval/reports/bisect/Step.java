package dev.kval.reports.bisect;

import dev.kval.sweep.SweepKernel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One kernel the bisection tried: its runs' verdicts over all its boots, or why it is weak (it never ran the case).
 * Mutable while the bisection runs (a split step boots again), read-only after.
 */
public final class Step {
    final int index;
    final SweepKernel kernel;
    final int round;
    final List<String> verdicts = new ArrayList<>();
    final List<Path> dirs = new ArrayList<>();
    int boots;
    long wallMs;
    String release;
    String weakReason;

    Step(int index, SweepKernel kernel, int round) {
        this.index = index;
        this.kernel = kernel;
        this.round = round;
    }

    public boolean weak() {
        return weakReason != null && verdicts.isEmpty();
    }

    public boolean unanimous() {
        return !verdicts.isEmpty() && verdicts.stream().distinct().count() == 1;
    }

    /** The verdict most runs gave (ties: the one seen first), or null for a weak step. */
    public String verdict() {
        Map<String, Integer> n = counts();
        return n.entrySet().stream().max((a, b) -> Integer.compare(a.getValue(), b.getValue())).map(Map.Entry::getKey).orElse(null);
    }

    Map<String, Integer> counts() {
        Map<String, Integer> n = new LinkedHashMap<>();
        verdicts.forEach(v -> n.merge(v, 1, Integer::sum));
        return n;
    }

    public Confidence.Votes votes() {
        String v = verdict();
        int maj = v == null ? 0 : counts().get(v);
        return new Confidence.Votes(maj, verdicts.size() - maj);
    }

    public SweepKernel kernel() {
        return kernel;
    }

    public List<String> verdicts() {
        return List.copyOf(verdicts);
    }

    public int index() {
        return index;
    }
}
