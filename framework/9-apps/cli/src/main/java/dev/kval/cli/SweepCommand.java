package dev.kval.cli;

import dev.kval.host.qemu.QemuConfig;
import dev.kval.kernel.KernelCache;
import dev.kval.kernel.KernelResolver;
import dev.kval.sweep.KernelRun;
import dev.kval.sweep.Sweep;
import dev.kval.sweep.SweepBench;
import dev.kval.sweep.SweepKernel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Runs the agent's suites on every kernel of a range, J QEMU hosts at a time, and writes a behaviour map:",
            "OUT/behaviour-map.{json,tsv,html} (verdict and observed value per assertion per kernel, change points, flaky cells)",
            "and OUT/kernels/<release>/attempt-N/{agent.ktap,console.log,caps.json,qemu.cmdline}.",
            "Exit: 0 every kernel ran, 1 a kernel crashed or would not boot (attributed to the kernel), 2 infrastructure."})
public class SweepCommand implements Callable<Integer> {
    /** Options shared by {@code sweep} and {@code bench sweep}. */
    static class Args {
        @Option(names = "--kernels", required = true,
                description = "range and/or list, e.g. 'debian:6.12..debian:7.3.4' or 'debian:7.1.13,debian:7.2.6' (inclusive, by version prefix)")
        String kernels;

        @Option(names = "--suite", split = ",", description = "suites to run, comma separated (default: all)")
        List<String> suites;

        @Option(names = "--case", description = "only cases matching this glob")
        String casePattern;

        @Option(names = "--repeat", description = "run each case N times; cells whose verdicts disagree are marked flaky")
        Integer repeat;

        @Option(names = "--jobs", defaultValue = "0", description = "QEMU hosts at a time (default: one per core)")
        int jobs;

        @Option(names = "--overall-timeout", defaultValue = "1800", description = "limit for one kernel's agent run in seconds (default 1800)")
        int overall;

        @Option(names = "--out", description = "output directory (default: runs/sweep-<timestamp>)")
        Path out;

        @Option(names = "--iterations", description = "race suite: iterations per thread (agent default 200)")
        Integer iterations;

        @Option(names = "--seed", description = "race suite: seed of every thread's choices, decimal or 0x hex (default: from the clock; "
                + "printed in each case's KTAP)")
        String seed;

        Sweep.Options options(String prefix) {
            Path dir = out != null ? out : Path.of("runs", prefix + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            return new Sweep.Options(kernels, suites, casePattern, repeat, jobs, dir, Duration.ofSeconds(overall),
                    RunCommand.raceOptions(iterations, seed));
        }
    }

    @Mixin
    Args args;

    @Option(names = "--list", description = "print the kernels the expression selects, in version order, and whether each is cached; run nothing")
    boolean list;

    @Option(names = "--download-only", description = "download and verify every selected kernel into the cache; run nothing")
    boolean downloadOnly;

    static Sweep sweep() {
        return new Sweep(KernelResolver.defaults(), QemuConfig.auto(), System.err);
    }

    /**
     * The QEMU hosts of a sweep or bisection: the race suite's threads are pinned to different vCPUs (-smp 2) and a
     * stuck task must reach the console in seconds (hung_task_timeout_secs=10), as in {@code kval run --suite race};
     * no_timer_check as there: the IO-APIC timer check panics a starved TCG guest at boot.
     * A case that leaves stuck tasks stops the agent; the sweep boots the kernel again for the cases after it
     * (RaceResumeBoots), as {@code run} does.
     */
    static QemuConfig qemuFor(List<String> suites, String casePattern) {
        boolean race = (suites != null && suites.contains("race")) || (casePattern != null && casePattern.startsWith("race."));
        return race ? QemuConfig.auto().withSmp(2).withAppend("sysctl.kernel.hung_task_timeout_secs=10 no_timer_check") : QemuConfig.auto();
    }

    @Override
    public Integer call() {
        try {
            if (list || downloadOnly) {
                Sweep sweep = sweep();
                List<SweepKernel> ks = sweep.select(args.kernels);
                if (downloadOnly) {
                    System.err.println("kval sweep: " + sweep.prefetch(ks) + " of " + ks.size() + " kernel(s) downloaded, the rest were cached");
                }
                KernelCache cache = KernelCache.defaultCache();
                for (SweepKernel k : ks) {
                    System.out.println(k.label() + "\t" + k.packageVersion() + "\t" + k.spec() + "\t"
                            + (cache.lookup(k.spec()).isPresent() ? "cached" : "not cached"));
                }
                return 0;
            }
            Sweep.Result r = new Sweep(KernelResolver.defaults(), qemuFor(args.suites, args.casePattern), System.err).run(args.options("sweep"));
            if (r.runs().stream().anyMatch(k -> k.health() == KernelRun.Health.BROKEN && "INFRASTRUCTURE".equals(k.attribution()))) {
                return 2;
            }
            return r.runs().stream().allMatch(k -> k.health() == KernelRun.Health.OK) ? 0 : 1;
        } catch (IllegalArgumentException e) {
            System.err.println("kval sweep: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            System.err.println("kval sweep: infrastructure error: " + e);
            return 2;
        }
    }

    /** {@code kval bench sweep}: the sweep's wall time against the same kernels run one at a time, in one invocation. */
    @Command(name = "sweep", mixinStandardHelpOptions = true,
            description = {"Resolves the kernels into the cache, runs them one at a time (jobs=1) and then as a sweep (--jobs),",
                "and prints both wall times, per kernel and in total, and their ratio. Outputs: OUT/sequential, OUT/sweep."})
    public static class Bench implements Callable<Integer> {
        @Mixin
        Args args;

        @Override
        public Integer call() {
            try {
                SweepBench.Report r = SweepBench.run(sweep(), args.options("bench-sweep"));
                System.out.print(SweepBench.format(r));
                return r.disagreements().isEmpty() ? 0 : 1;
            } catch (IllegalArgumentException e) {
                System.err.println("kval bench sweep: " + e.getMessage());
                return 2;
            } catch (Exception e) {
                System.err.println("kval bench sweep: infrastructure error: " + e);
                return 2;
            }
        }
    }
}
