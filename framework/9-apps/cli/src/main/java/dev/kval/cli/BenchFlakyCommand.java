package dev.kval.cli;

import dev.kval.store.Store;
import dev.kval.triage.FlakeSnapshot;
import dev.kval.triage.FlakeStatistics;
import dev.kval.triage.FlakyBench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kval bench flaky}: the flakiness statistics over 1M stored results, three ways, side by side. */
@Command(name = "flaky", mixinStandardHelpOptions = true,
        header = "Times the store's flakiness statistics over a generated history of about a million rows.",
        description = {"Generates a result history into a fresh embedded H2 store (300 tests x 20 kernels x 3 host classes x 2 hosts",
            "x 7 runs x 4 repeats = 1,008,000 rows; ~85%% stable, 5%% flaky, 3%% regressing, 0.3%% infrastructure failures), each",
            "run in one transaction with its per-series rollup update (as the importer does), then reads the flakiness statistics",
            "from the rollup (kval) and computes them again with the full streaming pass, SQL window functions and one query per",
            "series, and prints each time, the ratios and the goal (<= 1 s). Exit 1 if any two disagree."})
public class BenchFlakyCommand implements Callable<Integer> {
    @Option(names = "--tests", defaultValue = "300")
    int tests;

    @Option(names = "--kernels", defaultValue = "20")
    int kernels;

    @Option(names = "--runs", defaultValue = "7", description = "runs per kernel and host (each with --repeats repetitions)")
    int runs;

    @Option(names = "--repeats", defaultValue = "4")
    int repeats;

    @Option(names = "--rounds", defaultValue = "5", description = "timed rounds of the streaming pass after a warm-up (best is reported; the comparisons get one)")
    int rounds;

    @Option(names = "--cache-mb", defaultValue = "512", description = "H2 page cache in MiB (CACHE_SIZE; default 512)")
    int cacheMb;

    @Option(names = "--db", description = "directory for the H2 file, kept and reused by the next run (default: a temporary directory, deleted afterwards)")
    Path db;

    @Override
    public Integer call() throws Exception {
        Path dir = db != null ? db : Files.createTempDirectory("kval-bench-flaky");
        FlakyBench.Shape shape = new FlakyBench.Shape(tests, kernels, 3, 2, runs, repeats, 7);
        System.err.printf("kval bench flaky: generating %,d rows into %s%n", shape.rows(), dir);
        // the embedded H2 file with a page cache that holds the table (H2's default is 16 MB; the 1M rows take ~150 MB)
        String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("bench") + ";CACHE_SIZE=" + cacheMb * 1024;
        System.err.println("kval bench flaky: store " + url);
        try (Store store = Store.open(url, "sa", "")) {
            long t0 = System.nanoTime();
            long rows = FlakyBench.existingRows(store);
            boolean existing = rows > 0;
            if (!existing) {
                rows = FlakyBench.generate(store, shape, System.err);
            } else {
                System.err.printf("kval bench flaky: reusing the %,d rows already in %s%n", rows, dir);
            }
            long insertMs = existing ? -1 : (System.nanoTime() - t0) / 1_000_000;
            FlakyBench.Report r = FlakyBench.measure(store, rows, insertMs, rounds, System.err);
            FlakeSnapshot snap;
            try (Connection c = store.connection()) {
                snap = FlakeStatistics.compute(c, FlakeStatistics.Scope.ALL);
            }
            System.out.print(FlakyBench.format(r, snap));
            return r.agree() ? 0 : 1;
        } finally {
            if (db == null) {
                dev.kval.kernel.KernelCache.deleteTree(dir);
            }
        }
    }
}
