package dev.kval.result;

import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A leaf's {@code # observed=} value, typed. EXACT values (an errno, flags, a byte, a pattern, an exit reason) are the
 * kernel's behaviour: two kernels that print different ones behave differently. MEASURED values (kB of page cache,
 * ns per operation, page counts that move with load) carry a unit after the number ({@code +131040_kB},
 * {@code 812_ns_per_op}, {@code +512_pages}): they change only beyond their spread across repeats, never by one
 * reading against another (the page cache alone moves by a few pages between boots).
 *
 * @param text   the value as the agent printed it
 * @param number the measured number (MEASURED only)
 * @param unit   the measured unit, e.g. "kB" (MEASURED only)
 */
public record Observed(Kind kind, String text, Double number, String unit) {
    public enum Kind {
        EXACT, MEASURED
    }

    /** A number with a unit the agent uses for quantities; anything after the unit ("_vs_start") stays in the unit. */
    private static final Pattern MEASURE = Pattern.compile(
            "^([+-]?\\d+(?:\\.\\d+)?)_((?:kB|KiB|MiB|MB|bytes|ns|us|ms|s|pages)(?:_[A-Za-z_]+)?)$");

    public Observed {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(text, "text");
    }

    /** The typed value of an agent's observed text; null for null or empty text (the leaf printed none). */
    public static Observed of(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        Matcher m = MEASURE.matcher(text);
        if (m.matches()) {
            return new Observed(Kind.MEASURED, text, Double.parseDouble(m.group(1)), m.group(2));
        }
        return new Observed(Kind.EXACT, text, null, null);
    }

    public boolean measured() {
        return kind == Kind.MEASURED;
    }

    /**
     * Whether two series of readings of one leaf (each the repeats on one kernel) show different behaviour. EXACT:
     * any difference in the texts. MEASURED (same unit): only when the ranges lie apart by more than the larger spread
     * across repeats; with fewer than two repeats on either side the spread is unknown and no change is claimed.
     * Mixed kinds or units differ.
     */
    public static boolean differ(List<Observed> a, List<Observed> b) {
        if (a.isEmpty() || b.isEmpty()) {
            return !(a.isEmpty() && b.isEmpty());
        }
        boolean allMeasured = a.stream().allMatch(o -> o != null && o.measured()) && b.stream().allMatch(o -> o != null && o.measured());
        String unit = a.get(0) == null ? null : a.get(0).unit();
        if (!allMeasured || a.stream().anyMatch(o -> !o.unit().equals(unit)) || b.stream().anyMatch(o -> !o.unit().equals(unit))) {
            return !texts(a).equals(texts(b));
        }
        if (a.size() < 2 || b.size() < 2) {
            return false;
        }
        double aMin = min(a), aMax = max(a), bMin = min(b), bMax = max(b);
        double spread = Math.max(aMax - aMin, bMax - bMin);
        return bMin > aMax + spread || bMax < aMin - spread;
    }

    private static List<String> texts(List<Observed> l) {
        return l.stream().map(o -> o == null ? "" : o.text()).distinct().sorted().toList();
    }

    private static double min(List<Observed> l) {
        return l.stream().mapToDouble(Observed::number).min().orElse(0);
    }

    private static double max(List<Observed> l) {
        return l.stream().mapToDouble(Observed::number).max().orElse(0);
    }

    @Override
    public String toString() {
        return text;
    }
}
