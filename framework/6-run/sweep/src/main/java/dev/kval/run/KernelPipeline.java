package dev.kval.run;

import dev.kval.agent.AgentDeployer;
import dev.kval.agent.AgentRun;
import dev.kval.host.ExecResult;
import dev.kval.host.Host;
import dev.kval.host.HostFailure;
import dev.kval.kernel.KernelArtifact;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One kernel on one host, as the stages resolve -> provision -> deploy -> run -> collect, each a {@link Stage} with its
 * own limit and failure class. {@code kval run} (suites' HostRun), {@code kval sweep} (KernelRunner, one pipeline per
 * attempt) and {@code kval bisect} (a sweep per step) all go through it, so they boot, deploy, run and keep evidence
 * alike: dir/caps.json, the agent's KTAP (where the run step writes it), dir/dmesg.txt and dir/console.log, which the
 * judge reads.
 */
public final class KernelPipeline {
    /** Resolve: the kernel artifact, or null for a host that runs its own kernel. */
    @FunctionalInterface
    public interface Resolver {
        KernelArtifact resolve() throws HostFailure, IOException;
    }

    /** Provision: the host up with the kernel. */
    @FunctionalInterface
    public interface Provisioner {
        Host provision(KernelArtifact kernel) throws HostFailure, IOException;
    }

    /** Run: the agent (and whatever else the caller runs on the host: kselftests, a stressor) on the deployed host. */
    @FunctionalInterface
    public interface Runner {
        AgentRun run(Host host, String remote) throws HostFailure, IOException;
    }

    /** What the caller records between stages (summary.json's host, progress lines); all optional. */
    public interface Hooks {
        default void resolved(KernelArtifact kernel) throws IOException {
        }

        default void provisioned(Host host) throws HostFailure, IOException {
        }

        default void deployed(Host host, String caps) throws HostFailure, IOException {
        }

        /** Before the host is released: read what only the live host object knows (its info). */
        default void releasing(Host host) {
        }
    }

    /**
     * What the pipeline got: how far it came and the evidence it kept.
     *
     * @param reached the last stage that began (the failed one if {@code failure} is set)
     * @param release the running kernel's release (null if the host never came up)
     * @param run     the agent's run, or null if the run stage did not finish
     */
    public record Result(Stage reached, KernelArtifact kernel, String release, String caps, AgentRun run, StageFailure failure,
            Map<String, Long> millis) {
        public boolean ok() {
            return failure == null;
        }
    }

    private final Path dir;
    private final AgentDeployer agent;
    private final Duration agentOverall;
    private final Consumer<String> say;

    /**
     * @param dir          where caps.json, dmesg.txt and console.log go
     * @param agentOverall the agent's own overall limit (the run stage's limit adds a margin)
     */
    public KernelPipeline(Path dir, AgentDeployer agent, Duration agentOverall, Consumer<String> say) {
        this.dir = dir;
        this.agent = agent;
        this.agentOverall = agentOverall == null ? Duration.ofMinutes(20) : agentOverall;
        this.say = say;
    }

    public Result run(Resolver resolver, Provisioner provisioner, Runner runner, Hooks hooks) {
        Hooks h = hooks == null ? new Hooks() { } : hooks;
        KernelArtifact kernel = null;
        Host[] host = {null};
        String caps = null;
        AgentRun run = null;
        try (Stages stages = new Stages()) {
            try {
                Files.createDirectories(dir);
                kernel = stages.run(Stage.RESOLVE, resolver::resolve, null);
                h.resolved(kernel);
                KernelArtifact k = kernel;
                host[0] = stages.run(Stage.PROVISION, () -> provisioner.provision(k), null);
                h.provisioned(host[0]);
                Host on = host[0];
                String remote = stages.run(Stage.DEPLOY, () -> agent.deploy(on), on::release);
                caps = on.capabilities().orElse("{}");
                Files.writeString(dir.resolve("caps.json"), caps + "\n");
                h.deployed(on, caps);
                run = stages.run(Stage.run(agentOverall), () -> runner.run(on, remote), on::release);
                stages.run(Stage.COLLECT, () -> {
                    saveDmesg(on);
                    return null;
                }, null);
                return new Result(stages.current(), kernel, on.kernelRelease(), caps, run, null, stages.millis());
            } catch (StageFailure f) {
                return new Result(f.stage(), kernel, host[0] == null ? null : host[0].kernelRelease(), caps, run, f, stages.millis());
            } catch (IOException e) {
                Stage s = stages.current() == null ? Stage.RESOLVE : stages.current();
                return new Result(s, kernel, host[0] == null ? null : host[0].kernelRelease(), caps, run, new StageFailure(s,
                        new HostFailure(dev.kval.host.Attribution.INFRASTRUCTURE, s.name() + " failed: " + e, List.of(), e)), stages.millis());
            } finally {
                if (host[0] != null) {
                    keepConsole(host[0]);
                    h.releasing(host[0]);
                    host[0].release();
                }
            }
        }
    }

    /** The kernel log after the run (an unprivileged local dmesg may be refused: then there is none). */
    private void saveDmesg(Host host) throws IOException {
        try {
            ExecResult d = host.exec(List.of("dmesg"), Duration.ofSeconds(30));
            if (d.exit() == 0 && !d.stdout().isBlank()) {
                Files.writeString(dir.resolve("dmesg.txt"), d.stdout());
            }
        } catch (HostFailure e) {
            // the verdicts are in already; a host that died afterwards shows in its console, not here
            say.accept("no dmesg after the run: " + e.getMessage());
        }
    }

    /** dir/console.log: the host's console (QEMU's serial log), copied unless it is written there already. */
    private void keepConsole(Host host) {
        try {
            Optional<Path> log = host.consoleLog();
            Path dest = dir.resolve("console.log");
            if (log.isPresent() && Files.exists(log.get()) && !log.get().toAbsolutePath().equals(dest.toAbsolutePath())) {
                Files.copy(log.get(), dest, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            say.accept("could not keep the console log: " + e);
        }
    }
}
