package dev.kval.cli;

import dev.kval.bench.SweepArgs;

import dev.kval.host.qemu.QemuConfig;
import dev.kval.kernel.KernelCache;
import dev.kval.kernel.KernelResolver;
import dev.kval.sweep.KernelRun;
import dev.kval.sweep.Sweep;
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
        header = "Runs the agent's suites on every kernel of a range and writes a behaviour map with its change points.",
        description = {"Runs the agent's suites on every kernel of a range, J QEMU hosts at a time, and writes a behaviour map:",
            "OUT/behaviour-map.{json,tsv,html} (verdict and observed value per assertion per kernel, change points, flaky cells)",
            "and OUT/kernels/<release>/attempt-N/{agent.ktap,console.log,caps.json,qemu.cmdline}.",
            "Exit: 0 every kernel ran, 1 a kernel crashed or would not boot (attributed to the kernel), 2 infrastructure."})
public class SweepCommand implements Callable<Integer> {
    @Mixin
    SweepArgs args;

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
        return QemuConfig.forSuites(suites, casePattern);
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
}
