package dev.kval.sweep;

import dev.kval.agent.AgentDeployer;
import dev.kval.agent.AgentOptions;
import dev.kval.agent.AgentRun;
import dev.kval.console.CrashOracle;
import dev.kval.console.Finding;
import dev.kval.host.Attribution;
import dev.kval.host.HostFailure;
import dev.kval.host.qemu.QemuConfig;
import dev.kval.host.Host;
import dev.kval.host.qemu.QemuProvider;
import dev.kval.kernel.KernelArtifact;
import dev.kval.run.KernelPipeline;
import dev.kval.run.Stage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs the agent on one kernel in its own QEMU host through the stage pipeline ({@link KernelPipeline}: the same stages
 * as {@code kval run}), keeping everything under {@code dir/attempt-N/}: console.log, dmesg.txt
 * and qemu.cmdline (written by QemuHost), caps.json, agent.ktap, agent.stderr. A boot, deploy or infrastructure
 * failure is retried once before the kernel is called broken (TCG boots of some kernels fail now and then, see
 * stack-probe.md §5); a kernel that dies while the agent runs is not retried: its crash is the result, with the
 * partial KTAP and the console evidence. A race case that leaves stuck tasks stops the agent; the cases after it run in
 * fresh boots under {@code attempt-N/boot-K/} ({@link RaceResumeBoots}) and their results are spliced into agent.ktap.
 */
final class KernelRunner {
    static final int ATTEMPTS = 2;
    private final QemuConfig cfg;
    private final AgentDeployer agent;
    private final AgentOptions opts;
    private final Consumer<String> progress;

    KernelRunner(QemuConfig cfg, AgentDeployer agent, AgentOptions opts, Consumer<String> progress) {
        this.cfg = cfg;
        this.agent = agent;
        this.opts = opts;
        this.progress = progress;
    }

    KernelRun run(SweepKernel k, KernelArtifact a, Path dir) throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(dir);
        List<KernelRun.Attempt> attempts = new ArrayList<>();
        String ktap = null;
        List<String> findings = List.of();
        KernelRun.Health health = KernelRun.Health.BROKEN;
        for (int n = 1; n <= ATTEMPTS; n++) {
            Outcome o = attempt(k, a, dir, n);
            attempts.add(o.attempt());
            if (o.ktap() != null) {
                ktap = o.ktap();
                findings = o.findings();
            }
            if (o.attempt().ok()) {
                health = KernelRun.Health.OK;
                break;
            }
            if (o.attempt().stage().equals("run") && Attribution.KERNEL.name().equals(o.attempt().attribution())) {
                health = KernelRun.Health.CRASHED;
                break;
            }
            if (n < ATTEMPTS) {
                progress.accept(k.label() + ": attempt " + n + " failed at " + o.attempt().stage() + " (" + o.attempt().attribution()
                        + "): " + o.attempt().message() + " - retrying once");
            }
        }
        return new KernelRun(k, a.release(), a.sha256(), a.cacheHit(), health, attempts, dir, ktap, findings,
                (System.nanoTime() - t0) / 1_000_000);
    }

    private record Outcome(KernelRun.Attempt attempt, String ktap, List<String> findings) {
    }

    /** One attempt: the stage pipeline with the artifact already resolved (the sweep fetches kernels ahead of the boots). */
    private Outcome attempt(SweepKernel k, KernelArtifact a, Path dir, int n) {
        String name = "attempt-" + n;
        Path adir = dir.resolve(name);
        Path ktapFile = adir.resolve("agent.ktap");
        long[] bootMs = {0};
        String[] resumed = {""};
        KernelPipeline.Result r = new KernelPipeline(adir, agent, opts.overall(), s -> progress.accept(k.label() + ": " + s)).run(
                () -> a,
                kernel -> {
                    long t = System.nanoTime();
                    progress.accept(k.label() + ": booting" + (n > 1 ? " (attempt " + n + ")" : ""));
                    // agent null: deploy uploads it over SFTP, so the initramfs stays the one every kval run of this kernel shares
                    Host h = new QemuProvider(cfg, dir, null, s -> { }).boot(kernel, name);
                    bootMs[0] = ms(t);
                    return h;
                },
                (host, remote) -> {
                    progress.accept(k.label() + ": up in " + bootMs[0] / 1000.0 + " s, running " + (opts.suites().isEmpty() ? "all suites"
                            : String.join(",", opts.suites())) + (opts.repeat() != null && opts.repeat() > 1 ? " x" + opts.repeat() : ""));
                    AgentRun run;
                    try (OutputStream out = Files.newOutputStream(ktapFile)) {
                        run = agent.run(host, remote, opts, out);
                    }
                    if (!run.stderr().isBlank()) {
                        Files.writeString(adir.resolve("agent.stderr"), run.stderr());
                    }
                    // a race case that left stuck tasks: the rest of the suite runs in fresh boots, spliced into agent.ktap
                    resumed[0] = RaceResumeBoots.resume(cfg, agent, opts, k, a, adir, ktapFile, progress);
                    return run;
                }, null);
        long runMs = r.millis().getOrDefault("run", 0L);
        KernelRun.Attempt result;
        if (r.ok()) {
            String note = r.run().timedOut() ? "agent stopped at the overall limit " + opts.overall().toSeconds()
                    + " s (unfinished leaves are MISSING)" : "agent exit " + r.run().exit();
            note += resumed[0];
            result = new KernelRun.Attempt(n, "done", true, null, note, List.of(), adir, bootMs[0], runMs);
        } else {
            HostFailure f = r.failure().failure();
            // the sweep has always called the provision stage "boot" (behaviour-map.json's attempts)
            String stage = r.reached() == Stage.PROVISION || r.reached() == Stage.RESOLVE ? "boot" : r.reached().name();
            result = new KernelRun.Attempt(n, stage, false, f.attribution().name(), f.getMessage(), f.evidence(), adir, bootMs[0], runMs);
        }
        List<String> findings = new ArrayList<>(scanConsole(adir.resolve("console.log")));
        for (Path boot : RaceResumeBoots.bootDirs(adir)) {
            for (String f : scanConsole(boot.resolve("console.log"))) {
                findings.add(adir.relativize(boot) + "/" + f);
            }
        }
        String ktap = null;
        if (result.stage().equals("done") || result.stage().equals("run") || result.stage().equals("collect")) {
            try {
                // bytes, not readString: a kernel dying mid-line can leave bytes that are not UTF-8
                ktap = Files.exists(ktapFile) ? new String(Files.readAllBytes(ktapFile), StandardCharsets.UTF_8) : "";
            } catch (IOException e) {
                ktap = "";
            }
        }
        return new Outcome(result, ktap, findings);
    }

    /** The crash oracle over a console log (WARNINGs and oopses a passing run can still leave behind). */
    static List<String> scanConsole(Path console) {
        if (!Files.exists(console)) {
            return List.of();
        }
        try {
            // bytes, not readAllLines: a console can hold bytes that are not UTF-8 (boot noise, a dying kernel)
            List<String> lines = new String(Files.readAllBytes(console), StandardCharsets.UTF_8).lines().toList();
            List<String> out = new ArrayList<>();
            for (Finding f : CrashOracle.standard().scan(lines)) {
                out.add(f.crashClass() + ": " + f.title() + " (console.log lines " + f.firstLine() + "-" + f.lastLine() + ")");
            }
            return out;
        } catch (IOException e) {
            return List.of("console.log unreadable: " + e.getMessage());
        }
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
