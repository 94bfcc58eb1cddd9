package dev.kval.host.qemu;

import dev.kval.host.Host;
import dev.kval.host.HostProvider;
import dev.kval.host.OracleConsoleWatch;
import dev.kval.host.ssh.ClientKey;
import dev.kval.kernel.KernelArtifact;
import dev.kval.kernel.KvalPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** Boots candidate kernels in QEMU; several in parallel are fine (own ports, own work directories). */
public final class QemuProvider implements HostProvider {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private final QemuConfig cfg;
    private final Path workRoot;
    private final Path agent;
    private final Consumer<String> log;
    private List<Path> tools = List.of();

    /** @param agent the static agent binary to put in the initramfs (may be null: deploy uploads it) */
    public QemuProvider(QemuConfig cfg, Path workRoot, Path agent, Consumer<String> log) {
        this.cfg = cfg;
        this.workRoot = workRoot;
        this.agent = agent;
        this.log = log;
    }

    /** Extra host binaries for the initramfs (with their libraries), e.g. /usr/sbin/kexec. */
    public QemuProvider withTools(List<Path> tools) {
        this.tools = List.copyOf(tools);
        return this;
    }

    @Override
    public Host provision(KernelArtifact kernel) throws IOException {
        if (kernel == null) {
            throw new IllegalArgumentException("the qemu host needs a kernel (--kernel debian:7.3.4, path:..., ...)");
        }
        return boot(kernel, "qemu-" + SEQ.incrementAndGet());
    }

    public QemuHost boot(KernelArtifact kernel, String name) throws IOException {
        ClientKey key = ClientKey.defaultKey();
        Path initrd = Initramfs.forHost(kernel, key.publicKeyLine(), agent, tools, KvalPaths.cache().resolve("initramfs"));
        Files.createDirectories(workRoot);
        Path work = workRoot.resolve(name);
        log.accept(name + ": booting " + kernel.release() + " (" + cfg.accelArg() + ", -cpu " + cfg.cpu() + ", " + cfg.memoryMb() + " MiB)");
        return QemuHost.boot(name, kernel, initrd, work, cfg, key, OracleConsoleWatch.standard(), log);
    }
}
