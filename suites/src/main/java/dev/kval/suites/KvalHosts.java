package dev.kval.suites;

import dev.kval.agent.AgentDeployer;
import dev.kval.agent.AgentOptions;
import dev.kval.agent.AgentRun;
import dev.kval.host.Attribution;
import dev.kval.host.Host;
import dev.kval.host.HostFailure;
import dev.kval.host.HostProvider;
import dev.kval.host.HostSpec;
import dev.kval.host.LocalHost;
import dev.kval.host.qemu.QemuConfig;
import dev.kval.host.qemu.QemuProvider;
import dev.kval.kernel.KernelArtifact;
import dev.kval.kernel.KernelResolver;
import dev.kval.kernel.KvalPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives suites the hosts of the run plan. Each target is provisioned once per test run (shared by all suite classes
 * through the root store), the agent runs there once with every planned suite, and the hosts are released when the
 * run ends.
 */
public final class KvalHosts implements ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(KvalHosts.class);

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        return p.getParameter().getType() == List.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
        return c.getRoot().getStore(NS).getOrComputeIfAbsent("hosts", k -> Provisioned.start(RunPlan.fromEnvironment()),
                Provisioned.class).hosts();
    }

    /** All hosts of the run; closing it releases them (QEMU killed, scratch removed). */
    record Provisioned(List<HostUnderTest> hosts) implements AutoCloseable {
        static Provisioned start(RunPlan plan) {
            List<HostUnderTest> out = new ArrayList<>();
            for (RunPlan.Target t : plan.targets()) {
                out.add(provision(t, plan.suites()));
            }
            return new Provisioned(List.copyOf(out));
        }

        @Override
        public void close() {
            for (HostUnderTest h : hosts) {
                if (h.host() != null) {
                    h.host().release();
                }
            }
        }
    }

    static HostUnderTest provision(RunPlan.Target t, List<String> suites) {
        log("provisioning " + t.label());
        Host host = null;
        try {
            AgentDeployer agent = AgentDeployer.locate();
            KernelArtifact kernel = t.kernel() == null ? null
                    : KernelResolver.defaults().log(KvalHosts::log).resolve(t.kernel());
            host = provider(HostSpec.parse(t.host()), agent).provision(kernel);
            String remote = agent.deploy(host);
            log("running the agent on " + t.label() + " (" + host.kernelRelease() + "): suites " + suites);
            AgentRun run = agent.run(host, remote, new AgentOptions(suites, null, null, null, Duration.ofMinutes(20)), null);
            log(t.label() + ": " + run.tree().counts() + " in " + run.elapsed().toSeconds() + " s");
            return new HostUnderTest(t, host, host.kernelRelease(), run.ktap(), run.tree(),
                    host.capabilities().orElse(null), null);
        } catch (HostFailure f) {
            log(t.label() + ": host failed (" + f.attribution() + "): " + f.getMessage());
            return new HostUnderTest(t, host, null, null, null, null, f);
        } catch (IOException | RuntimeException e) {
            log(t.label() + ": could not provision: " + e);
            return new HostUnderTest(t, host, null, null, null, null,
                    new HostFailure(Attribution.INFRASTRUCTURE, "provisioning " + t.label() + " failed: " + e, List.of(), e));
        }
    }

    private static HostProvider provider(HostSpec spec, AgentDeployer agent) throws IOException {
        Path work = Files.createDirectories(KvalPaths.cache().resolve("hosts"));
        return switch (spec.kind()) {
            case LOCAL -> new LocalHost.Provider(work);
            case QEMU -> new QemuProvider(QemuConfig.defaults(), work, agent.binary(), KvalHosts::log);
            case SSH -> throw new IllegalArgumentException("ssh hosts are not supported by the suites yet: " + spec);
        };
    }

    private static void log(String s) {
        System.err.println("[kval-suites] " + s);
    }
}
