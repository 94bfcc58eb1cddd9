package dev.kval.suites;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kval.agent.AgentDeployer;
import dev.kval.agent.BatchHost;
import dev.kval.agent.AgentOptions;
import dev.kval.agent.AgentRun;
import dev.kval.console.CrashOracle;
import dev.kval.host.Attribution;
import dev.kval.host.ExecResult;
import dev.kval.host.Host;
import dev.kval.host.HostFailure;
import dev.kval.host.HostProviders;
import dev.kval.host.HostSpec;
import dev.kval.host.qemu.QemuConfig;
import dev.kval.kernel.KernelArtifact;
import dev.kval.kernel.KernelResolver;
import dev.kval.run.KernelPipeline;
import dev.kval.ktap.KtapTree;
import dev.kval.lava.LavaBatchHost;
import dev.kval.lava.LavaConfig;
import dev.kval.result.HostResult;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One target of the plan, start to end, through the stage pipeline kval sweep and bisect use too
 * ({@link KernelPipeline}: resolve the kernel, provision the host, deploy the agent, run every planned suite once,
 * collect the evidence - agent.ktap, caps.json, console.log, dmesg.txt - and release the host). The verdicts
 * are made afterwards from what this leaves behind, so a host is never held while JUnit reports.
 */
final class HostRun {
    private final RunPlan plan;
    private final AgentDeployer agent;
    private final Consumer<String> say;

    HostRun(RunPlan plan, AgentDeployer agent, Consumer<String> say) {
        this.plan = plan;
        this.agent = agent;
        this.say = say;
    }

    HostUnderTest run(RunPlan.Target t) {
        return run(t, plan.suites(), "");
    }

    /**
     * Runs {@code suites} (none: provision and read the capability report only, a placement probe) on the target; its
     * directory is the target's name plus {@code suffix} (a probe or a re-run keeps its own).
     */
    HostUnderTest run(RunPlan.Target t, List<String> suites, String suffix) {
        String name = plan.dirName(t) + suffix;
        HostSpec spec;
        try {
            spec = HostSpec.parse(t.host());
        } catch (IllegalArgumentException e) {
            HostResult hr = new HostResult(name, "?");
            return failed(t, null, hr, "plan", new HostFailure(Attribution.INFRASTRUCTURE, e.getMessage(), List.of()), null);
        }
        HostResult hr = new HostResult(name, spec.kind().name().toLowerCase());
        Path dir = plan.out().resolve(name);
        if (spec.kind() == HostSpec.Kind.LAVA) {
            return lava(t, suites, spec, dir, hr);
        }
        QemuConfig qemu = plan.append() == null || plan.append().isBlank() ? null : QemuConfig.auto().withAppend(plan.append());
        if (plan.stress() != null) {
            // the stressor is a Java program: QEMU hosts run this machine's JVM from a read-only 9p share of its root
            qemu = (qemu == null ? QemuConfig.auto() : qemu).withHostRoot(true);
        }
        if (suites.contains(RaceBoots.SUITE)) {
            qemu = (qemu == null ? QemuConfig.auto() : qemu).withSmp(2); // the race threads are pinned to different vCPUs
        }
        QemuConfig q = qemu;
        Work w = new Work(spec, name, dir, hr, suites);
        // resolve -> provision -> deploy -> run -> collect, as kval sweep and kval bisect do (dev.kval.run.KernelPipeline)
        KernelPipeline.Result r = new KernelPipeline(dir, agent, plan.overall(), s -> say.accept(name + ": " + s)).run(
                () -> t.kernel() == null ? null : resolve(t, name, hr),
                kernel -> {
                    w.kernel = kernel;
                    say.accept(name + ": provisioning " + spec.kind().name().toLowerCase());
                    return HostProviders.forSpec(spec, new HostProviders.Settings(plan.out(), name, agent.binary(), q, plan.inventory(), say))
                            .provision(kernel);
                },
                (host, remote) -> w.runSuites(t, host, remote, q),
                w);
        r.millis().forEach((stage, ms) -> hr.timing(stage.equals("resolve") ? "kernelResolve" : stage, ms));
        if (!r.ok()) {
            w.consoleFindings();
            return failed(t, dir, hr, r.failure().stage().name(), r.failure().failure(), r.release());
        }
        w.consoleFindings();
        if (!w.ownBoot.isEmpty() && w.mainRun != null) {
            List<KtapTree> own = new ArrayList<>();
            for (OwnBoot.Case c : w.ownBoot) {
                try {
                    own.add(OwnBoot.run(c, new OwnBoot.Context(spec, w.kernel, new HostProviders.Settings(plan.out(),
                            name + "-own-" + c.id().replace('.', '_'), agent.binary(), q, plan.inventory(), say), agent,
                            new AgentOptions(List.of(), null, plan.repeat(), plan.timeout(), plan.overall()), dir, say)));
                } catch (IOException | RuntimeException e) {
                    say.accept(name + ": own boot of " + c.id() + " could not run (its leaves will be missing): " + e);
                }
            }
            hr.ktap(OwnBoot.merge(hr.tree(), own), w.mainRun.exit(), w.mainRun.timedOut());
            hr.file("ownBoot", name + "/own-boot");
        }
        return new HostUnderTest(t, dir, hr.kind(), r.release(), hr.tree(), null, hr,
                w.progress == null ? Map.of() : w.progress.caseConsole(), w.kernel == null ? null : w.kernel.configFile().orElse(null),
                w.selftests);
    }

    /** The resolve stage: the kernel artifact, recorded in the host's summary. */
    private KernelArtifact resolve(RunPlan.Target t, String name, HostResult hr) throws IOException {
        say.accept(name + ": resolving kernel " + t.kernel());
        KernelArtifact kernel = KernelResolver.defaults().log(say).resolve(t.kernel());
        hr.kernel(t.kernel(), kernel.release(), kernel.sha256(), kernel.packages());
        if (kernel.configFile().isPresent()) { // the store's kernel identity: image + config
            hr.kernel().put("configSha256", dev.kval.kernel.BzImage.sha256(kernel.configFile().get()));
        }
        say.accept(name + ": kernel " + kernel.release() + " sha256 " + kernel.sha256().substring(0, 16)
                + (kernel.cacheHit() ? " (cached)" : ""));
        return kernel;
    }

    /** A LAVA target: resolve here, then one batch job does provision, deploy and run (see {@link #batch}). */
    private HostUnderTest lava(RunPlan.Target t, List<String> suites, HostSpec spec, Path dir, HostResult hr) {
        KernelArtifact kernel = null;
        try {
            Files.createDirectories(dir);
            if (t.kernel() != null) {
                kernel = resolve(t, hr.name(), hr);
            }
            return batch(t, suites, dir, hr, kernel, new LavaBatchHost(LavaConfig.load(), spec.name(), agent.binary()));
        } catch (HostFailure e) {
            return failed(t, dir, hr, kernel == null ? "resolve" : "lava", e, null);
        } catch (IOException | RuntimeException e) {
            return failed(t, dir, hr, kernel == null ? "resolve" : "lava", new HostFailure(Attribution.INFRASTRUCTURE,
                    "lava on " + t.label() + " failed: " + e, List.of(), e), null);
        }
    }

    /** One target's state across the pipeline's stages, and the stage hooks that record it in the host's summary. */
    private final class Work implements KernelPipeline.Hooks {
        final HostSpec spec;
        final String name;
        final Path dir;
        final HostResult hr;
        final List<String> suites;
        KernelArtifact kernel;
        KtapProgress progress;
        KtapTree selftests;
        List<OwnBoot.Case> ownBoot = List.of();
        AgentRun mainRun;

        Work(HostSpec spec, String name, Path dir, HostResult hr, List<String> suites) {
            this.spec = spec;
            this.name = name;
            this.dir = dir;
            this.hr = hr;
            this.suites = suites;
        }

        @Override
        public void provisioned(Host host) {
            say.accept(name + ": " + host.kind() + " host up, kernel " + host.kernelRelease());
            if (kernel == null) {
                hr.kernel("running", host.kernelRelease(), null, null);
            }
        }

        @Override
        public void deployed(Host host, String caps) throws HostFailure, IOException {
            hr.capabilities(caps);
            hr.file("caps", name + "/caps.json");
            sayCaps(name, caps);
            recordTaint(host, hr);
        }

        @Override
        public void releasing(Host host) {
            Map<String, Object> recorded = new java.util.LinkedHashMap<>(hr.info()); // taint, stressor effect: keep them
            hr.info(host.info());
            hr.info().putAll(recorded);
        }

        /** The run stage: the agent's suites (with the stressor around them if asked), then the kernel's selftests. */
        AgentRun runSuites(RunPlan.Target t, Host host, String remote, QemuConfig qemu) throws HostFailure, IOException {
            Path ktapFile = dir.resolve("agent.ktap");
            Path liveConsole = host.kind().equals("qemu") ? host.consoleLog().orElse(null) : null;
            List<String> agentSuites = suites.stream().filter(s -> !s.equals(KselftestStage.SUITE)).toList();
            AgentRun run = null;
            if (!agentSuites.isEmpty()) {
                say.accept(name + ": running the agent (suites " + String.join(",", agentSuites) + ")");
                try (OutputStream ktap = Files.newOutputStream(ktapFile)) {
                    KtapProgress sink = new KtapProgress(name, ktap, liveConsole, say);
                    progress = sink;
                    // crash-prone cases get their own boot afterwards (own-boot.tsv); only kval's QEMU hosts can re-boot
                    ownBoot = spec.kind() == HostSpec.Kind.QEMU && plan.stress() == null
                            ? OwnBoot.planned(agent.binary(), agentSuites, plan.casePattern()) : List.of();
                    AgentOptions opts = new AgentOptions(agentSuites, plan.casePattern(), plan.repeat(), plan.timeout(), plan.overall(),
                            ownBoot.stream().map(OwnBoot.Case::id).toList(), plan.race());
                    if (plan.stress() == null) {
                        run = agent.run(host, remote, opts, sink);
                    } else {
                        run = StressStage.around(host, plan.stress(), dir, hr, say, () -> agent.run(host, remote, opts, sink));
                    }
                }
                Files.writeString(dir.resolve(Judging.TIMES), progress.leafTimes()); // the leaves' real times, for the verdicts
                hr.file("ktap", name + "/agent.ktap");
                hr.ktap(run.tree(), run.exit(), run.timedOut());
                mainRun = run;
                if (!run.stderr().isBlank()) {
                    Files.writeString(dir.resolve("agent.stderr"), run.stderr());
                    hr.file("agentStderr", name + "/agent.stderr");
                }
                if (run.timedOut()) {
                    say.accept(name + ": agent stopped at the overall limit " + plan.overall().toSeconds() + " s");
                }
            }
            if (suites.contains(KselftestStage.SUITE)) {
                selftests = UpstreamOpinion.add(KselftestStage.run(host, t, host.kernelRelease(), dir, hr, say), hr.tree(), dir, say);
                if (agentSuites.isEmpty()) {
                    hr.ktap(selftests, 0, false); // the host's raw outcome comes from the only KTAP that ran
                }
            }
            return run;
        }

        /** Records dir/console.log and dmesg.txt in the host's summary, with the crash oracle's findings in the console. */
        void consoleFindings() {
            if (Files.exists(dir.resolve("dmesg.txt"))) {
                hr.file("dmesg", name + "/dmesg.txt");
            }
            try {
                keepConsole(dir, name, hr);
            } catch (IOException | RuntimeException e) {
                say.accept(name + ": could not read the console log: " + e);
            }
        }
    }

    /**
     * A batch host (a LAVA device): one job boots the kernel and runs the agent; its caps report, KTAP, dmesg and console
     * are kept exactly as a driven host's are, so the verdicts are made the same way.
     */
    private HostUnderTest batch(RunPlan.Target t, List<String> suites, Path dir, HostResult hr, KernelArtifact kernel, BatchHost batch)
            throws IOException {
        String name = hr.name();
        List<String> agentSuites = suites.stream().filter(s -> !s.equals(KselftestStage.SUITE)).toList();
        if (agentSuites.size() < suites.size()) {
            say.accept(name + ": the kselftest suite needs a host kval drives itself; it is not run on a batch host");
        }
        AgentOptions opts = new AgentOptions(agentSuites, plan.casePattern(), plan.repeat(), plan.timeout(), plan.overall(), plan.race());
        long t0 = System.nanoTime();
        BatchHost.Outcome o;
        try {
            o = batch.run(kernel, opts, plan.append(), dir, say);
        } catch (HostFailure e) {
            keepConsole(dir, name, hr);
            throw e;
        } finally {
            hr.timing("batchJob", ms(t0));
        }
        hr.info().putAll(o.info());
        hr.capabilities(o.caps());
        Files.writeString(dir.resolve("caps.json"), o.caps() + "\n");
        hr.file("caps", name + "/caps.json");
        sayCaps(name, o.caps());
        Files.writeString(dir.resolve("agent.ktap"), o.run().ktap());
        hr.file("ktap", name + "/agent.ktap");
        hr.ktap(o.run().tree(), o.run().exit(), o.run().timedOut());
        if (!o.run().stderr().isBlank()) {
            Files.writeString(dir.resolve("agent.stderr"), o.run().stderr());
            hr.file("agentStderr", name + "/agent.stderr");
        }
        if (o.dmesg() != null && !o.dmesg().isBlank()) {
            Files.writeString(dir.resolve("dmesg.txt"), o.dmesg());
            hr.file("dmesg", name + "/dmesg.txt");
        }
        keepConsole(dir, name, hr);
        say.accept(name + ": " + o.run().tree().leaves().size() + " KTAP leaves from the job's log");
        return new HostUnderTest(t, dir, hr.kind(), o.kernelRelease(), hr.tree(), null, hr, Map.of(),
                kernel == null ? null : kernel.configFile().orElse(null), null);
    }

    /** Records dir/console.log (a batch host's job console) and the crash oracle's findings in it. */
    private void keepConsole(Path dir, String name, HostResult hr) throws IOException {
        Path log = dir.resolve("console.log");
        if (!Files.exists(log)) {
            return;
        }
        hr.file("console", name + "/console.log");
        List<String> findings = new ArrayList<>();
        for (var f : CrashOracle.standard().scan(Files.readAllLines(log, StandardCharsets.UTF_8))) {
            findings.add(f.crashClass() + ": " + f.title() + " (console.log lines " + f.firstLine() + "-" + f.lastLine() + ")");
        }
        hr.consoleFindings(findings);
        findings.forEach(f -> say.accept(name + ": console: " + f));
    }

    private HostUnderTest failed(RunPlan.Target t, Path dir, HostResult hr, String stage, HostFailure e, String release) {
        hr.failure(new HostResult.Failure(e.attribution().name(), stage, e.getMessage(), e.evidence()));
        say.accept(hr.name() + ": " + stage + " failed, attributed to " + e.attribution() + ": " + e.getMessage());
        for (String l : e.evidence().subList(0, Math.min(12, e.evidence().size()))) {
            say.accept("    | " + l);
        }
        return new HostUnderTest(t, dir, hr.kind(), release, null, e, hr, Map.of(), null, null);
    }

    private void sayCaps(String name, String caps) throws IOException {
        JsonNode cj = AgentDeployer.caps(caps);
        say.accept(name + ": agent deployed; kvm_available=" + cj.path("kvm_available").asBoolean() + " guest_memfd="
                + cj.path("caps").path("guest_memfd").asInt(0) + " guest_memfd_flags=" + cj.path("caps").path("guest_memfd_flags").asInt(0)
                + (cj.path("kvm_available").asBoolean() ? "" : " (" + cj.path("kvm_unavailable_reason").asText() + ": suites will SKIP)"));
    }

    private static void recordTaint(Host host, HostResult hr) throws HostFailure {
        ExecResult tainted = host.exec(List.of("cat", "/proc/sys/kernel/tainted"), Duration.ofSeconds(30));
        if (tainted.exit() == 0 && tainted.stdout().strip().matches("\\d+")) {
            hr.info().put("taintedBeforeRun", Long.parseLong(tainted.stdout().strip()));
        }
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
