package dev.kval.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kval.agent.AgentDeployer;
import dev.kval.host.HostFailure;
import dev.kval.host.HostSpec;
import dev.kval.host.LocalHost;
import dev.kval.kernel.KernelCache;
import dev.kval.ktap.Counts;
import dev.kval.result.HostResult;
import dev.kval.result.RunSummary;
import dev.kval.result.SuiteCounts;
import dev.kval.suites.RunPlan;
import dev.kval.suites.RunSession;
import io.qameta.allure.AllureLifecycle;
import io.qameta.allure.FileSystemResultsWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The work behind {@code kval run}: pick the host, build the run plan, run the suites through the JUnit Platform
 * Launcher (which provisions the host, runs the agent and turns every KTAP leaf into a verdict, with Allure results),
 * then write summary.json with the verdicts' outcome and generate the HTML report.
 */
public final class RunEngine {
    /** System property: skip the HTML report (tests that read only verdicts, summary and Allure results set it). */
    public static final String NO_HTML = "kval.report.no-html";

    public static final String DEFAULT_KERNEL = "debian:7.3.4";

    /** What to run. host/kernel may be null (auto-selection). */
    public record Request(String host, String kernel, List<String> suites, String casePattern, Integer repeat, Integer timeout,
            Path out, Duration overall, Path inventory, String append, String stress, boolean place, dev.kval.agent.RaceOptions race) {
        public Request(String host, String kernel, List<String> suites, String casePattern, Integer repeat, Integer timeout, Path out,
                Duration overall, Path inventory, String append, String stress, boolean place) {
            this(host, kernel, suites, casePattern, repeat, timeout, out, overall, inventory, append, stress, place, null);
        }

        public Request(String host, String kernel, List<String> suites, String casePattern, Integer repeat, Integer timeout, Path out,
                Duration overall, Path inventory, String append, String stress) {
            this(host, kernel, suites, casePattern, repeat, timeout, out, overall, inventory, append, stress, false);
        }

        public Request(String host, String kernel, List<String> suites, String casePattern, Integer repeat, Integer timeout, Path out,
                Duration overall) {
            this(host, kernel, suites, casePattern, repeat, timeout, out, overall, null, null, null);
        }

        public Request(String host, String kernel, List<String> suites, String casePattern, Integer repeat, Integer timeout, Path out,
                Duration overall, Path inventory) {
            this(host, kernel, suites, casePattern, repeat, timeout, out, overall, inventory, null, null);
        }
    }

    private final PrintStream err;

    public RunEngine(PrintStream err) {
        this.err = err;
    }

    private void say(String s) {
        err.println("kval: " + s);
        err.flush();
    }

    public RunSummary run(Request req) throws IOException {
        String version = kvalVersion();
        RunSummary summary = new RunSummary().kvalVersion(version);
        summary.option("host", req.host()).option("kernel", req.kernel()).option("suites", req.suites()).option("case", req.casePattern())
                .option("repeat", req.repeat()).option("timeout", req.timeout()).option("out", req.out().toAbsolutePath().toString()).option("append", req.append())
                .option("iterations", req.race() == null ? null : req.race().iterations()).option("seed", req.race() == null || req.race().seed() == null ? null : "0x" + Long.toHexString(req.race().seed()));
        Files.createDirectories(req.out());
        List<RunPlan.Target> targets = req.host() != null && req.host().contains(",") ? hostList(req, summary)
                : List.of(chooseTarget(req, summary));
        RunPlan plan = new RunPlan(targets, req.suites(), req.casePattern(), req.repeat(), req.timeout(), req.overall(),
                req.out(), req.inventory(), req.append(), version, req.stress(), req.place(), req.race());
        Path results = req.out().resolve("allure-results");
        KernelCache.deleteTree(results); // a reused --out must not mix another run's results into the report
        AllureLifecycle allure = new AllureLifecycle(new FileSystemResultsWriter(results));
        RunSession session = RunSession.open(plan, summary, allure, results, this::say);
        VerdictTally tally;
        try {
            tally = SuiteLauncher.run(session, allure);
        } finally {
            session.finish(); // verdicts.json, and summary.json derived from it: each written once
        }
        report(summary, tally);
        if (Boolean.getBoolean(NO_HTML)) {
            // the verdicts, summary and Allure results are complete without the HTML page; a test that only reads those
            // skips the ~4 s allure-commandline process (tests run ~30 kval runs)
            say("report: not generated (-D" + NO_HTML + "); the Allure results are in " + results);
        } else {
            AllureReport.Html html = AllureReport.generate(results, req.out().resolve("allure-report"));
            if (html.ok()) {
                say("report: " + html.index().toAbsolutePath() + " (" + html.millis() + " ms; results in " + results + ")");
            } else {
                say("report: not generated: " + html.problem() + "; the Allure results are kept in " + results);
            }
        }
        say("summary: " + req.out().resolve("summary.json") + " -> " + summary.outcome().name().toLowerCase() + " (exit " + summary.exitCode() + ")");
        return summary;
    }

    /**
     * {@code --host local,qemu=debian:7.3.4,lava:qemu}: several host classes (each {@code <host>[=<kernel>]}; --kernel is
     * the kernel of those that need one and name none).
     */
    private List<RunPlan.Target> hostList(Request req, RunSummary summary) {
        List<RunPlan.Target> out = new java.util.ArrayList<>();
        for (RunPlan.Target t : RunPlan.parse(req.host(), "").targets()) {
            HostSpec spec = HostSpec.parse(t.host());
            boolean needsKernel = spec.kind() == HostSpec.Kind.QEMU || spec.kind() == HostSpec.Kind.LAVA;
            out.add(t.kernel() == null && needsKernel ? new RunPlan.Target(t.host(), req.kernel() != null ? req.kernel() : DEFAULT_KERNEL) : t);
        }
        summary.hostChoice(req.host(), "--host " + req.host() + (req.place() ? " with --place: each suite goes to a class that can run it" : ""));
        return out;
    }

    /** --host as given; --kernel alone implies qemu; neither: local if this machine can run guest_memfd, else qemu. */
    private RunPlan.Target chooseTarget(Request req, RunSummary summary) throws IOException {
        HostSpec spec;
        String kernelSpec = req.kernel();
        if (req.host() != null) {
            spec = HostSpec.parse(req.host());
            summary.hostChoice(spec.toString(), "--host " + req.host());
        } else if (req.kernel() != null) {
            spec = HostSpec.parse("qemu");
            summary.hostChoice("qemu", "--kernel without --host implies qemu");
            say("host: qemu (--kernel without --host implies qemu)");
        } else {
            String why;
            AgentDeployer agent = AgentDeployer.locate();
            try (LocalHost probe = (LocalHost) new LocalHost.Provider(req.out().resolve(".probe")).provision(null)) {
                agent.deploy(probe);
                JsonNode caps = AgentDeployer.caps(probe.capabilities().orElse("{}"));
                if (AgentDeployer.canRunGuestMemfd(caps)) {
                    spec = HostSpec.parse("local");
                    why = "this machine can run guest_memfd (/dev/kvm opens, a VM is created, KVM_CAP_GUEST_MEMFD="
                            + caps.path("caps").path("guest_memfd").asInt() + " on " + caps.path("kernel_release").asText() + ")";
                } else {
                    spec = HostSpec.parse("qemu");
                    kernelSpec = DEFAULT_KERNEL;
                    why = "this machine cannot run guest_memfd: " + AgentDeployer.whyNot(caps) + "; booting " + DEFAULT_KERNEL + " in QEMU";
                }
            } catch (HostFailure e) {
                spec = HostSpec.parse("qemu");
                kernelSpec = DEFAULT_KERNEL;
                why = "the local capability probe failed (" + e.getMessage() + "); booting " + DEFAULT_KERNEL + " in QEMU";
            } finally {
                KernelCache.deleteTree(req.out().resolve(".probe"));
            }
            summary.hostChoice(spec.toString(), why);
            say("host: " + spec + " - " + why);
        }
        if ((spec.kind() == HostSpec.Kind.QEMU || spec.kind() == HostSpec.Kind.LAVA) && kernelSpec == null) {
            kernelSpec = DEFAULT_KERNEL;
        }
        if (spec.kind() == HostSpec.Kind.LOCAL && kernelSpec != null) {
            throw new IllegalArgumentException("--host local runs this machine's kernel; drop --kernel or use --host qemu");
        }
        return new RunPlan.Target(spec.toString(), kernelSpec);
    }

    private void report(RunSummary summary, VerdictTally tally) {
        for (HostResult h : summary.hosts()) {
            for (Map.Entry<String, Counts> e : h.suites().entrySet()) {
                say(h.name() + ": suite " + e.getKey() + " " + fmt(e.getValue()));
            }
            // the raw KTAP counts and what besides them is wrong; the run's outcome is the verdicts' (next line), so
            // this line never calls a host failed because of a count that is zero
            say(h.name() + ": KTAP " + fmt(h.totals()) + rawNotes(h)
                    + (h.failure() != null ? " [" + h.failure().attribution() + " failure at " + h.failure().stage() + "]" : ""));
        }
        StringBuilder v = new StringBuilder();
        tally.counts().forEach((k, n) -> v.append(v.length() == 0 ? "" : " ").append(k).append('=').append(n));
        say("verdicts: " + v);
        List<dev.kval.result.Verdict> bad = tally.bad();
        for (dev.kval.result.Verdict b : bad.subList(0, Math.min(20, bad.size()))) {
            say("  " + b.outcome() + " [" + b.blame() + "] " + b.leaf() + " on " + b.host() + ": " + b.reason().lines().findFirst().orElse(""));
        }
        if (bad.size() > 20) {
            say("  ... " + (bad.size() - 20) + " more in summary.json and the report");
        }
    }

    /** What the host's raw evidence shows besides the leaf counts: agent exit, bail-outs, timeout, console findings. */
    static String rawNotes(HostResult h) {
        StringBuilder b = new StringBuilder();
        if (h.agentExit() != null && h.agentExit() != 0) {
            b.append(" agent-exit=").append(h.agentExit());
        }
        if (h.agentTimedOut()) {
            b.append(" agent-stopped-at-overall-limit");
        }
        if (h.tree() != null && !h.tree().bailOuts().isEmpty()) {
            b.append(" bail-outs=").append(h.tree().bailOuts().size());
        }
        if (!h.consoleFindings().isEmpty()) {
            b.append(" console-findings=").append(h.consoleFindings().size());
        }
        return b.toString();
    }

    static String fmt(Counts c) {
        Map<String, Object> m = SuiteCounts.json(c);
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> {
            if (!(v instanceof Integer i) || i != 0 || k.equals("leaves")) {
                b.append(b.length() == 0 ? "" : " ").append(k).append('=').append(v);
            }
        });
        return b.toString();
    }

    /** The version Maven stamped into the CLI's jar (kval-version.properties, on the class path when the CLI runs). */
    static String kvalVersion() {
        try (java.io.InputStream in = RunEngine.class.getResourceAsStream("/kval-version.properties")) {
            java.util.Properties p = new java.util.Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unreadable (" + e.getMessage() + ")";
        }
    }
}
