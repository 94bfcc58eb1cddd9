package dev.kval.triage;

import dev.kval.kernel.debian.DebVersion;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The statistics of every series at one moment, and the views the dashboard, the gate, the bisection and the
 * nightly diff ask for.
 */
public final class FlakeSnapshot implements FlakeClassifier {
    private final Map<SeriesKey, SeriesStats> series;
    private final Map<Long, KernelInfo> kernels;

    public FlakeSnapshot(Map<SeriesKey, SeriesStats> series, Map<Long, KernelInfo> kernels) {
        this.series = series;
        this.kernels = kernels;
    }

    public Map<SeriesKey, SeriesStats> series() {
        return series;
    }

    public Map<Long, KernelInfo> kernels() {
        return kernels;
    }

    public KernelInfo kernel(long id) {
        return kernels.getOrDefault(id, new KernelInfo(id, "?", "kernel#" + id, ""));
    }

    /** Kernels that have results, oldest first by Debian version order of their release. */
    public List<KernelInfo> kernelsInVersionOrder() {
        return series.keySet().stream().map(SeriesKey::kernelId).distinct().map(this::kernel)
                .sorted(Comparator.comparing(KernelInfo::release, FlakeSnapshot::compareReleases).thenComparing(KernelInfo::configHash)).toList();
    }

    static int compareReleases(String a, String b) {
        try {
            return DebVersion.compare(a, b);
        } catch (RuntimeException notDebian) {
            return a.compareTo(b);
        }
    }

    /** Flaky series, most flaky first: by flip rate, then by how evenly the outcomes split, then by runs. */
    public List<SeriesStats> flakyRanked() {
        return series.values().stream().filter(s -> s.classification() == Classification.FLAKY)
                .sorted(Comparator.comparingDouble(SeriesStats::flipRate).reversed()
                        .thenComparing(Comparator.comparingDouble((SeriesStats s) -> (double) s.minority() / s.runs()).reversed())
                        .thenComparing(Comparator.comparingLong(SeriesStats::runs).reversed())
                        .thenComparing(SeriesStats::key))
                .toList();
    }

    /** A candidate series with its baseline and the comparison's class. */
    public record Comparison(SeriesStats baseline, SeriesStats candidate, Classification classification, double pValue) {
    }

    /**
     * For each kernel, its series compared with the same test and host class on the kernel before it in version
     * order (the first kernel has no baseline); only REGRESSION and FIXED are returned, per kernel id.
     */
    public Map<Long, List<Comparison>> changesPerKernel() {
        List<KernelInfo> order = kernelsInVersionOrder();
        Map<Long, List<Comparison>> out = new TreeMap<>();
        for (int i = 1; i < order.size(); i++) {
            out.put(order.get(i).id(), compare(order.get(i - 1).id(), order.get(i).id(), c -> true));
        }
        return out;
    }

    /** Every series of {@code candidateKernel} that moved against {@code baselineKernel} (REGRESSION or FIXED). */
    public List<Comparison> compare(long baselineKernel, long candidateKernel, Predicate<SeriesKey> which) {
        List<Comparison> out = new ArrayList<>();
        for (SeriesStats c : series.values()) {
            if (c.key().kernelId() != candidateKernel || !which.test(c.key())) {
                continue;
            }
            SeriesStats b = series.get(new SeriesKey(c.key().testId(), baselineKernel, c.key().hostClass()));
            Classification cls = Classification.against(b, c);
            if (cls == Classification.REGRESSION || cls == Classification.FIXED) {
                double p = cls == Classification.REGRESSION
                        ? Significance.fisherGreater(c.failures(), c.runs(), b.failures(), b.runs())
                        : Significance.fisherGreater(b.failures(), b.runs(), c.failures(), c.runs());
                out.add(new Comparison(b, c, cls, p));
            }
        }
        out.sort(Comparator.comparing((Comparison x) -> x.classification()).thenComparingDouble(Comparison::pValue)
                .thenComparing(x -> x.candidate().key()));
        return out;
    }

    /** One cell of the kernel x suite matrix: how many series of the suite are in each class on the kernel. */
    public record Cell(Map<Classification, Integer> counts, long runs, long failures, long skips) {
        public int count(Classification c) {
            return counts.getOrDefault(c, 0);
        }
    }

    /** kernel id -> suite -> cell, kernels in version order, suites by name. */
    public Map<Long, Map<String, Cell>> matrix() {
        Map<Long, Map<String, Cell>> m = new java.util.LinkedHashMap<>();
        for (KernelInfo k : kernelsInVersionOrder()) {
            m.put(k.id(), new TreeMap<>());
        }
        for (SeriesStats s : series.values()) {
            Map<String, Cell> row = m.get(s.key().kernelId());
            Cell old = row.get(s.suite());
            Map<Classification, Integer> counts = new java.util.EnumMap<>(Classification.class);
            long runs = s.runs();
            long fails = s.failures();
            long skips = s.skips();
            if (old != null) {
                counts.putAll(old.counts());
                runs += old.runs();
                fails += old.failures();
                skips += old.skips();
            }
            counts.merge(s.classification(), 1, Integer::sum);
            row.put(s.suite(), new Cell(counts, runs, fails, skips));
        }
        return m;
    }

    public Optional<KernelInfo> findKernel(String kernel) {
        return kernelsInVersionOrder().stream().filter(k -> k.matches(kernel)).reduce((a, b) -> b);
    }

    /**
     * A test's measured flake rate, for deciding how often to repeat it (the gate's reproduction): the probability that
     * one run gives the verdict its series does not usually give, pooled over the series (kernel build x config x host
     * class) the test ran in; empty when the store holds no counted run of a test matching {@code testGlob}.
     */
    public OptionalDouble flakeRate(String testGlob, String hostClass) {
        long[] e = flakeEvidence(testGlob, hostClass);
        return e[1] == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) e[0] / e[1]);
    }

    /** The runs per step that make a false verdict from flakiness unlikely (< 1%): {@link Significance#rerunsFor}. */
    public int repeatsFor(String testGlob, String hostClass, double whenUnknown) {
        return Significance.rerunsFor(flakeRate(testGlob, hostClass).orElse(whenUnknown));
    }

    /** Fewer counted runs than this and {@link #rate} says "not measured". */
    public static final int MIN_RUNS_FOR_RATE = 3;

    /**
     * The flake rate the reports module's bisection asks for ({@code dev.kval.reports.bisect.FlakeRates#rate}, so
     * {@code snapshot::rate} plugs in): the minority-verdict rate of the tests matching {@code testGlob} on the kernel
     * named by {@code kernelSpec} (spec or release; all kernels when null or not in the store) and host class (all when
     * null); empty below {@value #MIN_RUNS_FOR_RATE} counted runs.
     */
    public OptionalDouble rate(String testGlob, String kernelSpec, String hostClass) {
        Optional<KernelInfo> k = kernelSpec == null ? Optional.empty() : findKernel(kernelSpec);
        Pattern p = Globs.compile(testGlob);
        long runs = 0;
        long minority = 0;
        for (SeriesStats s : series.values()) {
            if ((hostClass == null || hostClass.equals(s.key().hostClass())) && k.map(x -> x.id() == s.key().kernelId()).orElse(true)
                    && p.matcher(s.key().testId()).matches()) {
                runs += s.runs();
                minority += s.minority();
            }
        }
        return runs < MIN_RUNS_FOR_RATE ? OptionalDouble.empty() : OptionalDouble.of((double) minority / runs);
    }

    /** {minority verdicts, counted runs} of the tests matching the glob on one host class (null: all), pooled over series. */
    public long[] flakeEvidence(String testGlob, String hostClass) {
        Pattern p = Globs.compile(testGlob);
        long runs = 0;
        long minority = 0;
        for (SeriesStats s : series.values()) {
            if ((hostClass == null || hostClass.equals(s.key().hostClass())) && p.matcher(s.key().testId()).matches()) {
                runs += s.runs();
                minority += s.minority();
            }
        }
        return new long[] {minority, runs};
    }

    /** The series of a test on a kernel, pooled over host classes when hostClass is null; null when there is none. */
    public SeriesStats pooled(String testId, long kernelId, String hostClass) {
        SeriesStats out = null;
        for (SeriesStats s : series.values()) {
            SeriesKey k = s.key();
            if (k.kernelId() == kernelId && k.testId().equals(testId) && (hostClass == null || hostClass.equals(k.hostClass()))) {
                out = out == null ? s : out.plus(s);
            }
        }
        return out;
    }

    @Override
    public Classification classify(String testId, String kernel, String hostClass) {
        Optional<KernelInfo> k = findKernel(kernel);
        SeriesStats s = k.map(ki -> pooled(testId, ki.id(), hostClass)).orElse(null);
        return s == null ? Classification.NO_VERDICT : s.classification();
    }

    @Override
    public Classification compare(String testId, String hostClass, String baselineKernel, String candidateKernel) {
        SeriesStats c = findKernel(candidateKernel).map(ki -> pooled(testId, ki.id(), hostClass)).orElse(null);
        if (c == null) {
            return Classification.NO_VERDICT;
        }
        SeriesStats b = findKernel(baselineKernel).map(ki -> pooled(testId, ki.id(), hostClass)).orElse(null);
        return Classification.against(b, c);
    }
}
