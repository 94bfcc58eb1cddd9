package dev.kval.bench;

import dev.kval.engine.RunEngine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kval.kernel.KernelCache;
import dev.kval.kernel.KvalPaths;
import dev.kval.lava.LocalLab;
import dev.kval.result.RunSummary;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `kval bench lava`: the same kernel and suite through a LAVA job and through kval's own QEMU provider, interleaved, in
 * one run; per job the target's wall time (LAVA: lab checks, submit, queue, the job, reading its log; QEMU: boot, agent
 * deployment, run) and the ratio of the medians.
 */
@Command(name = "lava", mixinStandardHelpOptions = true,
        description = "Runs a suite N times through LAVA (lava:<device type>) and N times on kval's QEMU provider, interleaved, same kernel; "
                + "prints each job's wall time, both medians and the ratio. The local lab (infra/lava/up) is brought up first unless --no-up.")
public class BenchLavaCommand implements Callable<Integer> {
    @Option(names = "--kernel", defaultValue = RunEngine.DEFAULT_KERNEL, description = "kernel spec (default " + RunEngine.DEFAULT_KERNEL + ")")
    String kernel;

    @Option(names = "--suite", defaultValue = "api", description = "suite (default api)")
    String suite;

    @Option(names = "--device-type", defaultValue = "qemu", description = "LAVA device type (default qemu)")
    String deviceType;

    @Option(names = {"-n", "--runs"}, defaultValue = "2", description = "jobs per side (default 2)")
    int runs;

    @Option(names = "--no-up", description = "do not run infra/lava/up (a lab that is already configured through KVAL_LAVA_URL)")
    boolean noUp;

    @Override
    public Integer call() throws Exception {
        if (!noUp) {
            String why = LocalLab.unavailableReason();
            if (why != null) {
                System.err.println("kval bench lava: " + why + " (or pass --no-up with KVAL_LAVA_URL set)");
                return 2;
            }
            LocalLab.ensureUp();
        }
        Path work = Files.createTempDirectory(Files.createDirectories(KvalPaths.state().resolve("bench-lava")), "run-");
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        List<Long> lava = new ArrayList<>();
        List<Long> qemu = new ArrayList<>();
        List<Long> lavaJob = new ArrayList<>();
        try {
            for (int i = 0; i < runs; i++) {
                long q = target(run("qemu", work.resolve("qemu-" + i), quiet), "provision", "deploy", "run");
                qemu.add(q);
                JsonNode l = RunSummary.read(run("lava:" + deviceType, work.resolve("lava-" + i), quiet).resolve("summary.json"));
                JsonNode h = l.path("hosts").get(0);
                if (!h.path("failure").isNull()) {
                    System.err.println("kval bench lava: the LAVA job failed: " + h.path("failure").path("message").asText());
                    return 2;
                }
                lava.add(h.path("timingsMs").path("batchJob").asLong());
                lavaJob.add(h.path("info").path("lavaJobMs").asLong());
                System.err.printf("kval: job %d: qemu %d ms, lava %d ms (submit -> finished %d ms)%n", i + 1, q, lava.get(i), lavaJob.get(i));
            }
            double lm = BenchSshCommand.median(lava);
            double qm = BenchSshCommand.median(qemu);
            System.out.printf("kval bench lava: %s, suite %s, %d jobs per side, interleaved%n", kernel, suite, runs);
            System.out.printf("  kval QEMU provider (boot, deploy over SSH, run):             median %.0f ms %s%n", qm, qemu);
            System.out.printf("  LAVA lava:%s (checks, submit, queue, job, read the log):   median %.0f ms %s%n", deviceType, lm, lava);
            System.out.printf("    of which LAVA's submit -> Finished:                       median %.0f ms %s%n", BenchSshCommand.median(lavaJob), lavaJob);
            System.out.printf("  ratio LAVA / QEMU: %.2fx%n", lm / qm);
            return 0;
        } finally {
            KernelCache.deleteTree(work);
        }
    }

    private Path run(String host, Path out, PrintStream log) throws Exception {
        new RunEngine(log).run(new RunEngine.Request(host, kernel, List.of(suite), null, null, null, out, Duration.ofMinutes(20)));
        return out;
    }

    private static long target(Path out, String... stages) throws Exception {
        JsonNode t = RunSummary.read(out.resolve("summary.json")).path("hosts").get(0).path("timingsMs");
        long sum = 0;
        for (String s : stages) {
            sum += t.path(s).asLong();
        }
        return sum;
    }
}
