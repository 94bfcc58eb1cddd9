package dev.kval.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kval.host.ExecResult;
import dev.kval.host.Host;
import dev.kval.host.HostFailure;
import dev.kval.ktap.KtapTree;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Puts the agent on a host, records its capability report, runs suites and parses the KTAP it prints. */
public final class AgentDeployer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path binary;

    public AgentDeployer(Path binary) {
        this.binary = binary;
    }

    public static AgentDeployer locate() throws IOException {
        return new AgentDeployer(AgentBinary.locate());
    }

    public Path binary() {
        return binary;
    }

    /**
     * Uploads the agent (local: a temp copy), waits for the host to settle, runs {@code --caps --json} and keeps the
     * report with the host. Returns the remote path of the agent.
     */
    public String deploy(Host host) throws HostFailure {
        String remote = host.workDir() + "/kval-agent";
        host.upload(binary, remote, 0755);
        host.awaitSettled(Duration.ofSeconds(120));
        ExecResult r = host.exec(List.of(remote, "--caps", "--json"), Duration.ofSeconds(120));
        String out = r.stdout().strip();
        if (r.timedOut() || out.isEmpty()) {
            host.checkAlive();
            throw HostFailure.infra("kval-agent --caps --json on " + host.name() + " failed (exit " + r.exit() + "): " + r.stderr().strip(),
                    null);
        }
        try {
            JSON.readTree(out);
        } catch (IOException e) {
            throw HostFailure.infra("kval-agent --caps --json on " + host.name() + " printed no JSON: " + e.getMessage(), e);
        }
        host.capabilities(out);
        return remote;
    }

    /** Parses a caps report. */
    public static JsonNode caps(String json) throws IOException {
        return JSON.readTree(json);
    }

    /**
     * Whether a caps report shows a machine that can really run guest_memfd: /dev/kvm opens, a default VM can be
     * created and KVM_CAP_GUEST_MEMFD &gt; 0.
     */
    public static boolean canRunGuestMemfd(JsonNode caps) {
        return GUEST_MEMFD_HOST.stream().allMatch(c -> c.holds(caps));
    }

    /** What a host must show to run guest_memfd at all (rows of the capability table). */
    static final List<Capability> GUEST_MEMFD_HOST = List.of(Capability.get("kvm"), Capability.get("default_vm"), Capability.get("guest_memfd"));

    /** Why a caps report cannot run guest_memfd (for "chose qemu because ..."). */
    public static String whyNot(JsonNode caps) {
        for (Capability c : GUEST_MEMFD_HOST) {
            if (!c.holds(caps)) {
                return switch (c.id()) {
                    case "kvm" -> {
                        String r = caps.path("kvm_unavailable_reason").asText("");
                        yield "no usable /dev/kvm" + (r.isEmpty() ? "" : " (" + r + ")");
                    }
                    case "default_vm" -> "KVM_CREATE_VM fails";
                    case "guest_memfd" -> "KVM_CAP_GUEST_MEMFD is 0";
                    default -> "no " + c.id();
                };
            }
        }
        return "it can";
    }

    /** JVM system property: leaf globs whose expectations the agent inverts (its KVAL_EXPECT_FLIP), for negative controls. */
    public static final String EXPECT_FLIP = "kval.agent.expectFlip";

    /** Runs the agent with opts, streaming its KTAP to ktapSink (may be null) as it is printed. */
    public AgentRun run(Host host, String remote, AgentOptions opts, OutputStream ktapSink) throws HostFailure {
        List<String> argv = new ArrayList<>();
        String flip = System.getProperty(EXPECT_FLIP);
        if (flip != null && !flip.isBlank()) {
            // negative controls on a real host: the agent inverts these leaves' expectations (KVAL_EXPECT_FLIP)
            argv.addAll(List.of("env", "KVAL_EXPECT_FLIP=" + flip));
        }
        argv.add(remote);
        argv.addAll(opts.args());
        // The KTAP goes to a file and to the streaming parser as it arrives (KtapSpool), capped; the run's text is read
        // back from the file (bounded by the cap), not kept from the SSH command's in-memory copy.
        Path spoolFile;
        KtapSpool spool;
        try {
            spoolFile = Files.createTempFile("kval-agent-" + host.name().replaceAll("[^A-Za-z0-9._-]", "_") + "-", ".ktap");
            spool = new KtapSpool(spoolFile, KtapSpool.cap());
        } catch (IOException e) {
            throw HostFailure.infra("cannot create a spool file for the agent's KTAP in " + System.getProperty("java.io.tmpdir") + ": "
                    + e.getMessage(), e);
        }
        try {
            ExecResult r = host.exec(argv, opts.overall(), ktapSink == null ? spool : new dev.kval.host.Tee(spool, ktapSink), null);
            if (r.timedOut()) {
                host.checkAlive();
            }
            KtapTree tree = spool.finish(host.name());
            String ktap;
            try {
                ktap = spool.text();
            } catch (IOException e) {
                throw HostFailure.infra("cannot read back the agent's KTAP from " + spoolFile + ": " + e.getMessage(), e);
            }
            return new AgentRun(ktap, tree, r.exit(), r.stderr(), r.elapsed(), r.timedOut());
        } finally {
            try {
                spool.close();
            } catch (IOException e) {
                // already reported by finish when it mattered
            }
            if (!spool.overflowed()) { // an overflowing run's file stays: the error names it
                try {
                    Files.deleteIfExists(spoolFile);
                } catch (IOException e) {
                    // a temporary file left behind is not worth failing a run for
                }
            }
        }
    }
}
