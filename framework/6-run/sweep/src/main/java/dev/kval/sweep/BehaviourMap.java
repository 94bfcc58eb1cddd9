package dev.kval.sweep;

import dev.kval.ktap.KtapParser;
import dev.kval.result.Observed;
import dev.kval.ktap.Status;
import dev.kval.ktap.TestResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Assertions (KTAP leaf ids) x kernels (in version order): each cell the verdict and {@code # observed=} value the
 * kernel gave, every change point (last kernel with the old behaviour, first with the new) and flaky cells (verdicts
 * disagree across the agent's --repeat runs).
 *
 * <p>Behaviour is verdict + observed value (+ the reason for a SKIP, since a different reason is a different missing
 * feature). Some observed values are measurements rather than behaviour (inode numbers, kB of page cache, ns): a row's
 * observed value is treated as a measurement, and only its verdict compared, when it differs across repeats on one
 * kernel, or when it differs between more than half of at least three neighbouring kernel pairs. Cells that say
 * nothing about the kernel's behaviour (kernel broken, flaky, leaf lost in a crash) are skipped when looking for change
 * points and listed as "between" the two kernels of the change.
 */
public final class BehaviourMap {
    /** Verdicts beyond {@link Status}: the leaf is not in the kernel's KTAP; the kernel never ran; lost in a crash. */
    public static final String ABSENT = "ABSENT";
    public static final String BROKEN = "BROKEN";
    public static final String CRASHED = "CRASHED";
    public static final String FLAKY = "FLAKY";

    /** One kernel: identity, health, and its leaves (repeats included, in KTAP order). */
    public record Column(String label, String release, KernelRun.Health health, String attribution, String failure,
            List<String> findings, List<TestResult> leaves) {
        public Column {
            findings = findings == null ? List.of() : List.copyOf(findings);
            leaves = leaves == null ? List.of() : List.copyOf(leaves);
        }

        public static Column of(KernelRun r) {
            List<TestResult> leaves = r.ktap() == null ? List.of() : KtapParser.parseTree(r.ktap()).leaves();
            return new Column(r.label(), r.release(), r.health(), r.attribution(), r.failure(), r.findings(), leaves);
        }
    }

    /**
     * @param verdict    the verdict (a {@link Status} name or ABSENT/BROKEN/CRASHED/FLAKY)
     * @param verdicts   one per repetition (empty for ABSENT/BROKEN/CRASHED)
     * @param observed   the observed value if every repetition agreed (null if none or they differ)
     * @param observedAll one per repetition ("" where the leaf printed none)
     * @param definite   whether the cell says what the kernel does (false: BROKEN, CRASHED, FLAKY)
     */
    public record Cell(String verdict, List<String> verdicts, String observed, List<String> observedAll, String reason,
            boolean flaky, boolean observedVaries, boolean definite) {
    }

    /** A change between columns lastOld and firstNew (indexes); between: non-definite columns in the gap. */
    public record Change(String leaf, int lastOld, int firstNew, String from, String to, boolean verdictChanged, List<Integer> between) {
    }

    public record Row(String leaf, List<Cell> cells, boolean measurement, List<Change> changes) {
        public List<Integer> flakyColumns() {
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < cells.size(); i++) {
                if (cells.get(i).flaky()) {
                    out.add(i);
                }
            }
            return out;
        }
    }

    private final List<Column> columns;
    private final List<Row> rows;

    private BehaviourMap(List<Column> columns, List<Row> rows) {
        this.columns = List.copyOf(columns);
        this.rows = List.copyOf(rows);
    }

    public List<Column> columns() {
        return columns;
    }

    public List<Row> rows() {
        return rows;
    }

    public Row row(String leaf) {
        return rows.stream().filter(r -> r.leaf().equals(leaf)).findFirst().orElse(null);
    }

    public List<Change> changes() {
        return rows.stream().flatMap(r -> r.changes().stream()).toList();
    }

    /** Change points grouped by the pair of kernels they sit between, in version order. */
    public Map<String, List<Change>> changesByBoundary() {
        Map<String, List<Change>> m = new LinkedHashMap<>();
        changes().stream().sorted((a, b) -> a.firstNew() != b.firstNew() ? Integer.compare(a.firstNew(), b.firstNew())
                : Integer.compare(a.lastOld(), b.lastOld())).forEach(c -> m.computeIfAbsent(
                        columns.get(c.lastOld()).label() + " -> " + columns.get(c.firstNew()).label(), k -> new ArrayList<>()).add(c));
        return m;
    }

    /** Builds the map; columns must already be in version order. */
    public static BehaviourMap build(List<Column> columns) {
        List<Row> rows = new ArrayList<>();
        for (String leaf : leafOrder(columns)) {
            List<Cell> cells = new ArrayList<>();
            for (Column c : columns) {
                cells.add(cell(c, leaf));
            }
            boolean measurement = isMeasurement(cells);
            rows.add(new Row(leaf, cells, measurement, changes(leaf, cells, measurement)));
        }
        return new BehaviourMap(columns, rows);
    }

    /** Leaf ids: the order of the column with the most distinct leaves, then any others as they first appear. */
    static List<String> leafOrder(List<Column> columns) {
        Set<String> out = new LinkedHashSet<>();
        columns.stream().max((a, b) -> Integer.compare(distinct(a), distinct(b)))
                .ifPresent(c -> c.leaves().forEach(l -> out.add(l.name())));
        columns.forEach(c -> c.leaves().forEach(l -> out.add(l.name())));
        return List.copyOf(out);
    }

    private static int distinct(Column c) {
        return (int) c.leaves().stream().map(TestResult::name).distinct().count();
    }

    static Cell cell(Column c, String leaf) {
        if (c.health() == KernelRun.Health.BROKEN) {
            return new Cell(BROKEN, List.of(), null, List.of(), "", false, false, false);
        }
        List<TestResult> reps = c.leaves().stream().filter(l -> l.name().equals(leaf)).toList();
        boolean crashed = c.health() == KernelRun.Health.CRASHED;
        if (reps.isEmpty()) {
            // not emitted: on a kernel that ran to the end that is what it does; after a crash we cannot tell
            return crashed ? new Cell(CRASHED, List.of(), null, List.of(), "", false, false, false)
                    : new Cell(ABSENT, List.of(), null, List.of(), "", false, false, true);
        }
        List<String> verdicts = reps.stream().map(r -> r.status().name()).toList();
        List<String> observed = reps.stream().map(r -> Objects.requireNonNullElse(r.diagnostic("observed"), "")).toList();
        boolean sameVerdict = verdicts.stream().distinct().count() == 1;
        boolean sameObserved = observed.stream().distinct().count() == 1;
        String obs = sameObserved && !observed.get(0).isEmpty() ? observed.get(0) : null;
        String reason = reps.get(0).reason();
        if (crashed && reps.stream().allMatch(r -> r.status() == Status.MISSING)) {
            return new Cell(CRASHED, verdicts, null, observed, reason, false, false, false);
        }
        if (!sameVerdict) {
            return new Cell(FLAKY, verdicts, obs, observed, reason, true, !sameObserved, false);
        }
        return new Cell(verdicts.get(0), verdicts, obs, observed, reason, false, !sameObserved, true);
    }

    /**
     * A row whose untyped observed values are measurements after all (inode numbers): they move across repeats, or
     * between most neighbouring kernels (>= 3 pairs). Rows of typed MEASURED values are not: {@link #differ} compares them.
     */
    static boolean isMeasurement(List<Cell> cells) {
        if (cells.stream().flatMap(c -> c.observedAll().stream()).map(Observed::of).filter(Objects::nonNull)
                .allMatch(Observed::measured) && cells.stream().anyMatch(c -> !c.observedAll().isEmpty())) {
            return false; // typed MEASURED values (kB, ns, pages) are compared by their spread, not dropped
        }
        if (cells.stream().anyMatch(c -> c.definite() && c.observedVaries())) {
            return true;
        }
        int pairs = 0;
        int differ = 0;
        Cell prev = null;
        for (Cell c : cells) {
            if (!c.definite()) {
                continue;
            }
            if (prev != null && prev.verdict().equals(c.verdict()) && prev.observed() != null && c.observed() != null) {
                pairs++;
                if (!prev.observed().equals(c.observed())) {
                    differ++;
                }
            }
            prev = c;
        }
        return pairs >= 3 && 2 * differ > pairs;
    }

    static List<Change> changes(String leaf, List<Cell> cells, boolean measurement) {
        List<Change> out = new ArrayList<>();
        int prev = -1;
        List<Integer> gap = new ArrayList<>();
        for (int i = 0; i < cells.size(); i++) {
            Cell c = cells.get(i);
            if (!c.definite()) {
                if (prev >= 0) {
                    gap.add(i);
                }
                continue;
            }
            if (prev >= 0) {
                Cell p = cells.get(prev);
                boolean withObserved = !measurement;
                String from = describe(p, withObserved);
                String to = describe(c, withObserved);
                if (differ(p, c, measurement)) {
                    out.add(new Change(leaf, prev, i, from, to, !p.verdict().equals(c.verdict()), List.copyOf(gap)));
                }
            }
            prev = i;
            gap.clear();
        }
        return out;
    }

    /**
     * Whether two definite cells show different behaviour: the verdict, a SKIP's reason, or (unless the row is a
     * measurement) the observed value, typed: an EXACT value differs on any change, a MEASURED one only beyond its
     * spread across repeats ({@link Observed#differ}), so +131040 kB against +131072 kB of page cache is no change.
     */
    static boolean differ(Cell p, Cell c, boolean measurement) {
        if (!describe(p, false).equals(describe(c, false))) {
            return true;
        }
        return !measurement && Observed.differ(typed(p), typed(c));
    }

    private static List<Observed> typed(Cell c) {
        return c.observedAll().stream().map(Observed::of).filter(Objects::nonNull).toList();
    }

    /** The behaviour a cell shows: verdict, the SKIP reason, and the observed value unless the row is a measurement. */
    static String describe(Cell c, boolean withObserved) {
        StringBuilder b = new StringBuilder(c.verdict());
        if (c.verdict().equals("SKIP") && !c.reason().isEmpty()) {
            b.append(" (").append(c.reason()).append(')');
        }
        if (withObserved && c.observed() != null) {
            b.append(" observed=").append(c.observed());
        }
        return b.toString();
    }
}
