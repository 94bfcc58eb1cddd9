package dev.kval.bench;

import dev.kval.engine.RunEngine;

import dev.kval.host.OracleConsoleWatch;
import dev.kval.host.qemu.Initramfs;
import dev.kval.host.qemu.QemuConfig;
import dev.kval.host.qemu.QemuHost;
import dev.kval.host.qemu.QemuProvider;
import dev.kval.kernel.KernelArtifact;
import dev.kval.kernel.KernelCache;
import dev.kval.kernel.KernelResolver;
import dev.kval.kernel.KvalPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `kval bench boot`: boot-to-SSH-ready of a kval QEMU host vs a bare busybox boot to a shell marker, same kernel. */
@Command(name = "boot", mixinStandardHelpOptions = true,
        description = "Boots the kernel N times as a kval host (until SSH answers) and N times with a bare busybox initramfs "
                + "(until a shell marker on the console), interleaved; prints both medians and the ratio (goal <= 1.2x).")
public class BenchBootCommand implements Callable<Integer> {
    @Option(names = "--kernel", defaultValue = RunEngine.DEFAULT_KERNEL, description = "kernel spec (default " + RunEngine.DEFAULT_KERNEL + ")")
    String kernel;

    @Option(names = {"-n", "--runs"}, defaultValue = "3", description = "boots per side (default 3)")
    int runs;

    @Override
    public Integer call() throws Exception {
        KernelArtifact k = KernelResolver.defaults().log(s -> System.err.println("kval: " + s)).resolve(kernel);
        Path work = Files.createTempDirectory(Files.createDirectories(KvalPaths.state().resolve("bench-boot")), "run-");
        QemuConfig cfg = QemuConfig.auto();
        try {
            Path bare = Initramfs.bare(KvalPaths.cache().resolve("initramfs"));
            QemuProvider provider = new QemuProvider(cfg, work, null, s -> { });
            // warm-up: builds/caches the host initramfs and primes the page cache for both
            try (QemuHost h = provider.boot(k, "warm")) {
                h.kernelRelease();
            }
            List<Long> full = new ArrayList<>();
            List<Long> base = new ArrayList<>();
            List<Long> modules = new ArrayList<>();
            List<Long> ready = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                long b = dev.kval.host.qemu.BareBoot.toMarker(k, bare, work.resolve("bare-" + i), cfg, Initramfs.SHELL_MARKER, OracleConsoleWatch.standard())
                        .toMillis();
                base.add(b);
                try (QemuHost h = provider.boot(k, "full-" + i)) {
                    full.add(h.bootTime().toMillis());
                    h.awaitSettled(java.time.Duration.ofSeconds(60));
                    modules.add(((Number) h.info().get("bootToKvmModulesMs")).longValue());
                    ready.add(((Number) h.info().get("bootToConsoleReadyMs")).longValue());
                }
                System.err.printf("kval: boot %d: bare %d ms, kval host ssh-ready %d ms%n", i + 1, b, full.get(i));
            }
            double f = BenchSshCommand.median(full);
            double bb = BenchSshCommand.median(base);
            System.out.printf("kval bench boot: %s (%s), %s, -cpu %s, %d MiB, %d boots each%n", k.release(), kernel, cfg.accel(), cfg.cpu(),
                    cfg.memoryMb(), runs);
            System.out.printf("  bare busybox initramfs, QEMU start -> shell marker on console: median %.0f ms %s%n", bb, base);
            System.out.printf("  kval host, QEMU start -> SSH ready (pinned key, `uname -r` answered): median %.0f ms %s%n", f, full);
            System.out.printf("  (kval host: %s on the console at median %.0f ms; KVM modules loaded (niced, in the background) at median %.0f ms)%n",
                    Initramfs.READY_MARKER, BenchSshCommand.median(ready), BenchSshCommand.median(modules));
            System.out.printf("  ratio: %.2fx (goal <= 1.2x) %s%n", f / bb, f / bb <= 1.2 ? "MET" : "NOT MET");
            return 0;
        } finally {
            KernelCache.deleteTree(work);
        }
    }
}
