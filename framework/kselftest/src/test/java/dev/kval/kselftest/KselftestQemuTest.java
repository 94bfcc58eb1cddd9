package dev.kval.kselftest;

import dev.kval.host.qemu.QemuConfig;
import dev.kval.host.qemu.QemuHost;
import dev.kval.host.qemu.QemuProvider;
import dev.kval.kernel.KernelArtifact;
import dev.kval.kernel.KernelResolver;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KselftestQemuTest {
    @TempDir
    Path work;

    @Test
    void observe() throws Exception {
        long t0 = System.nanoTime();
        SelftestBinaries b = KselftestBuild.defaults(System.err::println).build("linux-source-7.3", Kselftests.GUEST_MEMFD_TESTS);
        System.err.println("BUILD " + (System.nanoTime() - t0) / 1_000_000 + " ms hit=" + b.cacheHit() + " " + b);
        KernelArtifact k = KernelResolver.defaults().resolve("debian:7.3.4");
        try (QemuHost h = new QemuProvider(QemuConfig.defaults(), work, null, System.err::println).boot(k, "ksft")) {
            KselftestResult r = new KselftestRun(System.err::println).run(h, KselftestRun.Program.of(b), KselftestRun.DEFAULT_TIMEOUT,
                    java.util.List.of("observe"));
            System.err.println("KTAP>>>\n" + r.ktap() + "<<<KTAP");
            r.tree().leaves().forEach(l -> System.err.println("LEAF " + l.id() + " " + l.status() + " " + l.reason()));
            System.err.println("ERRORS " + r.tree().parseErrors() + " elapsed " + r.elapsed());
        }
    }
}
