package dev.kval.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kval.agent.AgentDeployer;
import dev.kval.agent.AgentOptions;
import dev.kval.agent.AgentRun;
import dev.kval.console.CrashOracle;
import dev.kval.host.Host;
import dev.kval.host.HostFailure;
import dev.kval.host.HostSpec;
import dev.kval.host.LocalHost;
import dev.kval.host.bare.Inventory;
import dev.kval.host.bare.SshHostProvider;
import dev.kval.host.qemu.QemuConfig;
import dev.kval.host.qemu.QemuProvider;
import dev.kval.kernel.KernelArtifact;
import dev.kval.kernel.KernelResolver;
import dev.kval.ktap.Counts;
import dev.kval.result.HostResult;
import dev.kval.result.RunSummary;
import dev.kval.result.SuiteCounts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The work behind {@code kval run}: pick a host, get the kernel, provision, deploy the agent, run, summarise. */
public final class RunEngine {
    public static final String DEFAULT_KERNEL = "debian:7.3.4";

    /** What to run. host/kernel may be null (auto-selection). */
    public record Request(String host, String kernel, List<String> suites, String casePattern, Integer repeat, Integer timeout,
            Path out, Duration overall, Path inventory, String append) {
        public Request(String host, String kernel, List<String> suites, String casePattern, Integer repeat, Integer timeout, Path out,
                Duration overall) {
            this(host, kernel, suites, casePattern, repeat, timeout, out, overall, null, null);
        }

        public Request(String host, String kernel, List<String> suites, String casePattern, Integer repeat, Integer timeout, Path out,
                Duration overall, Path inventory) {
            this(host, kernel, suites, casePattern, repeat, timeout, out, overall, inventory, null);
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
        RunSummary summary = new RunSummary().kvalVersion(new VersionCommand.Provider().getVersion()[0]);
        summary.option("host", req.host()).option("kernel", req.kernel()).option("suites", req.suites()).option("case", req.casePattern())
                .option("repeat", req.repeat()).option("timeout", req.timeout()).option("out", req.out().toAbsolutePath().toString()).option("append", req.append());
        Files.createDirectories(req.out());
        AgentDeployer agent = AgentDeployer.locate();
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
                deleteQuietly(req.out().resolve(".probe"));
            }
            summary.hostChoice(spec.toString(), why);
            say("host: " + spec + " - " + why);
        }
        if (spec.kind() == HostSpec.Kind.QEMU && kernelSpec == null) {
            kernelSpec = DEFAULT_KERNEL;
        }
        if (spec.kind() == HostSpec.Kind.LOCAL && kernelSpec != null) {
            throw new IllegalArgumentException("--host local runs this machine's kernel; drop --kernel or use --host qemu");
        }
        String hostName = spec.kind() == HostSpec.Kind.LOCAL ? "local" : spec.kind() == HostSpec.Kind.QEMU ? "qemu" : spec.name();
        HostResult hr = new HostResult(hostName, spec.kind().name().toLowerCase());
        summary.add(hr);
        Path hostDir = Files.createDirectories(req.out().resolve(hostName));
        Host host = null;
        String stage = "kernel";
        try {
            KernelArtifact kernel = null;
            if (kernelSpec != null) {
                long t0 = System.nanoTime();
                say(hostName + ": resolving kernel " + kernelSpec);
                kernel = new KernelResolver(dev.kval.kernel.KernelCache.defaultCache(), dev.kval.kernel.debian.PrivateApt.defaultInstance())
                        .log(this::say).resolve(kernelSpec);
                hr.timing("kernelResolve", ms(t0));
                hr.kernel(kernelSpec, kernel.release(), kernel.sha256(), kernel.packages());
                say(hostName + ": kernel " + kernel.release() + " sha256 " + kernel.sha256().substring(0, 16) + (kernel.cacheHit() ? " (cached)" : ""));
            }
            stage = "provision";
            long t1 = System.nanoTime();
            if (spec.kind() == HostSpec.Kind.LOCAL) {
                host = new LocalHost.Provider(hostDir.resolve("work")).provision(null);
                LocalHost.KvmState k = LocalHost.kvmState();
                say("local: " + host.kernelRelease() + ", " + k.reason());
            } else if (spec.kind() == HostSpec.Kind.SSH) {
                Path inv = req.inventory() != null ? req.inventory() : Inventory.defaultPath();
                host = new SshHostProvider(Inventory.load(inv).get(spec.name()), this::say).provision(kernel);
                say(hostName + ": " + host.kernelRelease() + " over SSH (" + host.info().get("address") + ")");
            } else {
                QemuConfig cfg = QemuConfig.auto();
                if (req.append() != null && !req.append().isBlank()) {
                    cfg = cfg.withAppend(req.append());
                }
                host = new QemuProvider(cfg, req.out(), null, this::say).boot(kernel, hostName);
            }
            hr.timing("provision", ms(t1));
            if (kernel == null) {
                hr.kernel("running", host.kernelRelease(), null, null);
            }
            stage = "deploy";
            long t2 = System.nanoTime();
            String remote = agent.deploy(host);
            hr.timing("deploy", ms(t2));
            String caps = host.capabilities().orElse("{}");
            hr.capabilities(caps);
            Files.writeString(hostDir.resolve("caps.json"), caps + "\n");
            hr.file("caps", hostName + "/caps.json");
            JsonNode cj = AgentDeployer.caps(caps);
            say(hostName + ": agent deployed; kvm_available=" + cj.path("kvm_available").asBoolean() + " guest_memfd="
                    + cj.path("caps").path("guest_memfd").asInt(0) + " guest_memfd_flags=" + cj.path("caps").path("guest_memfd_flags").asInt(0)
                    + (cj.path("kvm_available").asBoolean() ? "" : " (" + cj.path("kvm_unavailable_reason").asText() + ": suites will SKIP)"));
            try {
                var tainted = host.exec(List.of("cat", "/proc/sys/kernel/tainted"), Duration.ofSeconds(30));
                if (tainted.exit() == 0) {
                    hr.info().put("taintedBeforeRun", Long.parseLong(tainted.stdout().strip()));
                }
            } catch (NumberFormatException ignored) {
                // unreadable
            }
            stage = "run";
            long t3 = System.nanoTime();
            Path ktapFile = hostDir.resolve("agent.ktap");
            AgentRun run;
            try (OutputStream ktap = Files.newOutputStream(ktapFile)) {
                run = agent.run(host, remote, new AgentOptions(req.suites(), req.casePattern(), req.repeat(), req.timeout(), req.overall()),
                        new Progress(hostName, ktap));
            }
            hr.file("ktap", hostName + "/agent.ktap");
            hr.timing("run", ms(t3));
            hr.ktap(run.tree(), run.exit(), run.timedOut());
            if (!run.stderr().isBlank()) {
                Files.writeString(hostDir.resolve("agent.stderr"), run.stderr());
                hr.file("agentStderr", hostName + "/agent.stderr");
            }
            if (run.timedOut()) {
                say(hostName + ": agent stopped at the overall limit " + req.overall().toSeconds() + " s");
            }
        } catch (HostFailure e) {
            hr.failure(new HostResult.Failure(e.attribution().name(), stage, e.getMessage(), e.evidence()));
            say(hostName + ": " + stage + " failed, attributed to " + e.attribution() + ": " + e.getMessage());
            for (String l : e.evidence().subList(0, Math.min(12, e.evidence().size()))) {
                err.println("    | " + l);
            }
        } catch (IOException e) {
            hr.failure(new HostResult.Failure("INFRASTRUCTURE", stage, e.toString(), List.of()));
            say(hostName + ": " + stage + " failed (infrastructure): " + e.getMessage());
        } finally {
            if (host != null) {
                Object taint = hr.info().get("taintedBeforeRun");
                hr.info(host.info());
                if (taint != null) {
                    hr.info().put("taintedBeforeRun", taint);
                }
                try {
                    java.util.Optional<Path> log = host.consoleLog();
                    if (log.isPresent() && Files.exists(log.get())) {
                        Path dest = hostDir.resolve("console.log");
                        if (!log.get().toAbsolutePath().equals(dest.toAbsolutePath())) {
                            Files.copy(log.get(), dest, StandardCopyOption.REPLACE_EXISTING);
                        }
                        hr.file("console", hostName + "/console.log");
                        List<String> findings = new ArrayList<>();
                        for (var f : CrashOracle.standard().scan(Files.readAllLines(dest, StandardCharsets.UTF_8))) {
                            findings.add(f.crashClass() + ": " + f.title() + " (console.log lines " + f.firstLine() + "-" + f.lastLine() + ")");
                        }
                        hr.consoleFindings(findings);
                        for (String f : findings) {
                            say(hostName + ": console: " + f);
                        }
                    }
                } finally {
                    host.release();
                    try {
                        Files.deleteIfExists(hostDir.resolve("work")); // the local host's scratch root, empty by now
                    } catch (IOException ignored) {
                        // not empty: leave it
                    }
                }
            } else if (Files.exists(hostDir.resolve("console.log"))) {
                hr.file("console", hostName + "/console.log");
            }
            summary.finish();
            summary.write(req.out());
        }
        for (HostResult h : summary.hosts()) {
            for (Map.Entry<String, Counts> e : h.suites().entrySet()) {
                say(h.name() + ": suite " + e.getKey() + " " + fmt(e.getValue()));
            }
            say(h.name() + ": " + h.outcome().name().toLowerCase() + " - " + fmt(h.totals())
                    + (h.failure() != null ? " [" + h.failure().attribution() + " failure at " + h.failure().stage() + "]" : ""));
        }
        say("summary: " + req.out().resolve("summary.json") + " -> " + summary.outcome().name().toLowerCase() + " (exit " + summary.exitCode() + ")");
        return summary;
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

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static void deleteQuietly(Path p) {
        try {
            dev.kval.kernel.KernelCache.deleteTree(p);
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** Copies the KTAP to the file and prints one progress line per suite as it starts and ends. */
    private final class Progress extends OutputStream {
        private final Pattern start = Pattern.compile("^ {4}# Subtest: (\\S+)");
        private final Pattern end = Pattern.compile("^(not )?ok \\d+ (\\S+)(.*)$");
        private final String host;
        private final OutputStream file;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private final List<String> leaves = new ArrayList<>();

        Progress(String host, OutputStream file) {
            this.host = host;
            this.file = file;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            file.write(b, off, len);
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    onLine(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                } else {
                    line.write(b[i]);
                }
            }
        }

        private void onLine(String l) {
            Matcher m = start.matcher(l);
            if (m.find()) {
                say(host + ": suite " + m.group(1) + " running");
                return;
            }
            m = end.matcher(l);
            if (m.matches()) {
                say(host + ": suite " + m.group(2) + " " + (m.group(1) == null ? "ok" : "NOT OK") + m.group(3));
            }
        }

        @Override
        public void flush() throws IOException {
            file.flush();
        }
    }
}
