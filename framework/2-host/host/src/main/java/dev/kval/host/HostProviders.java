package dev.kval.host;

import dev.kval.host.bare.Inventory;
import dev.kval.host.bare.SshHostProvider;
import dev.kval.host.qemu.QemuConfig;
import dev.kval.host.qemu.QemuProvider;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The one place that maps a {@link HostSpec} to its provider, so the CLI and the suites cannot drift apart on how a
 * {@code local}, {@code qemu} or {@code ssh:<name>} host is made.
 */
public final class HostProviders {
    private HostProviders() {
    }

    /**
     * Where and how hosts are made.
     *
     * @param workRoot    parent of each host's work directory ({@code workRoot/<name>}; QEMU keeps console.log there)
     * @param name        the host's name, also its work directory's name (e.g. "qemu", "local", the inventory name)
     * @param agentBinary the static agent to bake into a QEMU initramfs (null: deployment uploads it)
     * @param qemu        QEMU settings (null: {@link QemuConfig#auto()})
     * @param inventory   bare-metal inventory for ssh hosts (null: {@link Inventory#defaultPath()})
     * @param log         progress lines
     */
    public record Settings(Path workRoot, String name, Path agentBinary, QemuConfig qemu, Path inventory, Consumer<String> log) {
        public Settings {
            log = log == null ? s -> { } : log;
        }
    }

    public static HostProvider forSpec(HostSpec spec, Settings s) {
        return switch (spec.kind()) {
            case LOCAL -> new LocalHost.Provider(s.workRoot().resolve(s.name()).resolve("work"));
            case QEMU -> kernel -> {
                if (kernel == null) {
                    throw new IllegalArgumentException("the qemu host needs a kernel (--kernel debian:7.3.4, path:..., ...)");
                }
                QemuConfig cfg = s.qemu() != null ? s.qemu() : QemuConfig.auto();
                return new QemuProvider(cfg, s.workRoot(), s.agentBinary(), s.log()).boot(kernel, s.name());
            };
            case SSH -> kernel -> {
                Path inv = s.inventory() != null ? s.inventory() : Inventory.defaultPath();
                return new SshHostProvider(Inventory.load(inv).get(spec.name()), s.log()).provision(kernel);
            };
            case LAVA -> throw new IllegalArgumentException("lava:" + spec.name() + " is a batch host: a LAVA job runs the agent "
                    + "(the suites' HostRun hands it to dev.kval.lava), there is no host to exec on");
        };
    }
}
