package dev.kval.triage;

import dev.kval.store.BulkResults;
import dev.kval.store.ResultStatistics;
import dev.kval.store.Store;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Random;

/**
 * A realistic synthetic result history for the flakiness statistics (tests x kernels x host classes x repeated runs,
 * mostly stable, a few flaky and regressing tests, some infrastructure failures), written through the store's
 * {@link BulkResults}: the data {@code ./kval bench flaky} times the statistics on, and the statistics tests' input.
 */
public final class SyntheticHistory {
    private SyntheticHistory() {
    }

    /** The shape of the generated history. */
    public record Shape(int tests, int kernels, int hostClasses, int hostsPerClass, int runsPerCell, int repeats, long seed) {
        public static final Shape DEFAULT = new Shape(300, 20, 3, 2, 7, 4, 7);

        public long rows() {
            return (long) tests * kernels * hostClasses * hostsPerClass * runsPerCell * repeats;
        }
    }

    /** What a generated test does, by share of the tests (a data table, applied in order). */
    enum Profile {
        STABLE(0.85), SKIPS_ON_OLD_KERNELS(0.05), STABLE_FAIL(0.02), FLAKY(0.05), REGRESSES(0.03);

        final double share;

        Profile(double share) {
            this.share = share;
        }

        static Profile pick(double u) {
            double acc = 0;
            for (Profile p : values()) {
                acc += p.share;
                if (u < acc) {
                    return p;
                }
            }
            return STABLE;
        }
    }

    static final double INFRA_SHARE = 0.003;
    static final String[] SUITES = {"api", "guest", "hugepage", "poison", "migration"};

    /** Writes the history of {@code shape} into the store (deterministic for its seed); the number of result rows. */
    public static long generate(Store store, Shape shape, PrintStream err) {
        Random rnd = new Random(shape.seed());
        Profile[] profile = new Profile[shape.tests()];
        double[] rate = new double[shape.tests()];
        int[] breaksAt = new int[shape.tests()];
        for (int t = 0; t < shape.tests(); t++) {
            profile[t] = Profile.pick(rnd.nextDouble());
            rate[t] = 0.02 + rnd.nextDouble() * 0.28;
            breaksAt[t] = shape.kernels() / 2 + rnd.nextInt(shape.kernels() / 2);
        }
        long rows = 0;
        long t0 = System.nanoTime();
        try (BulkResults out = new BulkResults(store)) {
            long[] kernelIds = new long[shape.kernels()];
            for (int i = 0; i < shape.kernels(); i++) {
                String release = "7." + (i / 8) + "." + (i % 8 + 1) + "+deb13-amd64";
                kernelIds[i] = out.kernel("debian:" + release.replace("-amd64", ""), release, String.format("%064x", i + 1), String.format("%064x", 1000 + i));
            }
            long[] hostIds = new long[shape.hostClasses() * shape.hostsPerClass()];
            for (int i = 0; i < hostIds.length; i++) {
                hostIds[i] = out.host("bench-host-" + i, "class-" + (i / shape.hostsPerClass()));
            }
            Instant clock = Instant.parse("2026-01-01T00:00:00Z");
            for (int k = 0; k < shape.kernels(); k++) {
                for (int h = 0; h < hostIds.length; h++) {
                    for (int r = 0; r < shape.runsPerCell(); r++) {
                        clock = clock.plusSeconds(60);
                        long runId = out.run(new java.util.UUID(rnd.nextLong(), rnd.nextLong()).toString(), clock);
                        for (int rep = 1; rep <= shape.repeats(); rep++) {
                            for (int t = 0; t < shape.tests(); t++) {
                                String[] st = status(profile[t], rate[t], breaksAt[t], k, rnd);
                                out.result(runId, kernelIds[k], hostIds[h], SUITES[t % SUITES.length], SUITES[t % SUITES.length] + ".C" + (t / 10) + ".assertion_" + t,
                                        st[0], st[1], 5 + rnd.nextInt(50), rep, clock.plusMillis(rep * 1000L + t));
                                rows++;
                            }
                        }
                        // as RunImporter does: the run's results and the rollup in one transaction
                        out.endRun(runId);
                    }
                }
                if (err != null) {
                    err.printf("kval bench flaky: generated %,d rows (%d of %d kernels)%n", rows, k + 1, shape.kernels());
                }
            }
        }
        if (err != null) {
            err.printf("kval bench flaky: %,d result rows inserted in %,d ms%n", rows, (System.nanoTime() - t0) / 1_000_000);
        }
        return rows;
    }

    /** The result rows already in the store (a --db given again reuses them). */
    public static long existingRows(Store store) {
        return new ResultStatistics(store).resultRows();
    }

    private static String[] status(Profile p, double rate, int breaksAt, int kernel, Random rnd) {
        if (rnd.nextDouble() < INFRA_SHARE) {
            return new String[] {"ERROR", "INFRA"};
        }
        boolean fail = switch (p) {
            case STABLE -> false;
            case SKIPS_ON_OLD_KERNELS -> false;
            case STABLE_FAIL -> true;
            case FLAKY -> rnd.nextDouble() < rate;
            case REGRESSES -> kernel >= breaksAt && rnd.nextDouble() < 0.7;
        };
        if (p == Profile.SKIPS_ON_OLD_KERNELS && kernel < 8) {
            return new String[] {"SKIP", null};
        }
        return fail ? new String[] {"FAIL", "KERNEL"} : new String[] {"PASS", null};
    }

}
