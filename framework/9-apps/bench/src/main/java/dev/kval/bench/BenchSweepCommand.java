package dev.kval.bench;

import dev.kval.host.qemu.QemuConfig;
import dev.kval.kernel.KernelResolver;
import dev.kval.sweep.Sweep;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code kval bench sweep}: the sweep's wall time against the same kernels run one at a time, in one invocation. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        header = "Times a sweep against the same kernels run one at a time.",
        description = {"Resolves the kernels into the cache, runs them one at a time (jobs=1) and then as a sweep (--jobs),",
            "and prints both wall times, per kernel and in total, and their ratio. Outputs: OUT/sequential, OUT/sweep."})
public class BenchSweepCommand implements Callable<Integer> {
    @Mixin
    SweepArgs args;

    @Override
    public Integer call() {
        try {
            SweepBench.Report r = SweepBench.run(new Sweep(KernelResolver.defaults(), QemuConfig.auto(), System.err), args.options("bench-sweep"));
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
