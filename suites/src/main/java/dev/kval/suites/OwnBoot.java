package dev.kval.suites;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kval.agent.AgentDeployer;
import dev.kval.agent.AgentOptions;
import dev.kval.agent.AgentRun;
import dev.kval.console.CrashOracle;
import dev.kval.host.Host;
import dev.kval.host.HostFailure;
import dev.kval.host.HostProviders;
import dev.kval.host.HostSpec;
import dev.kval.host.qemu.QemuConfig;
import dev.kval.kernel.KernelArtifact;
import dev.kval.kernel.Proc;
import dev.kval.ktap.KtapListener;
import dev.kval.ktap.KtapTree;
import dev.kval.ktap.Status;
import dev.kval.ktap.TestResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Agent cases that run in their own boot (own-boot.tsv): a case that can crash kernels without a fix runs after the
 * main boot, alone, on a fresh boot of the same kernel. Its leaves join the host's tree; a crash of that boot (the
 * host died, or the console holds a crash finding) turns every leaf of the case into a FAIL carrying the splat, so
 * the crash is the kernel's verdict and costs nothing else.
 */
final class OwnBoot {
    record Case(String id, String why) {
        String suite() {
            return id.substring(0, id.indexOf('.'));
        }
    }

    /** Test hook (a JVM system property): {@code panic} crashes the own boot's kernel before its case runs. */
    static final String FAULT = "kval.ownBoot.fault";

    private OwnBoot() {
    }

    static List<Case> table() {
        try (InputStream in = OwnBoot.class.getResourceAsStream("/own-boot.tsv")) {
            if (in == null) {
                throw new IllegalStateException("own-boot.tsv is missing from the suites' resources");
            }
            List<Case> out = new ArrayList<>();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String l; (l = r.readLine()) != null;) {
                if (l.isBlank() || l.startsWith("#")) {
                    continue;
                }
                String[] f = l.split("\t");
                if (f.length != 2) {
                    throw new IllegalStateException("own-boot.tsv: expected 2 tab-separated columns (case id, why): " + l);
                }
                out.add(new Case(f[0], f[1]));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("reading own-boot.tsv", e);
        }
    }

    /** The own-boot cases the run selects: their suite is planned and the plan's --case glob (if any) selects them. */
    static List<Case> planned(Path agentBinary, List<String> agentSuites, String casePattern) throws IOException {
        List<Case> out = new ArrayList<>();
        for (Case c : table()) {
            if (!agentSuites.contains(c.suite())) {
                continue;
            }
            if (casePattern != null && !casePattern.isBlank() && leafIds(agentBinary, c.id(), casePattern).isEmpty()) {
                continue;
            }
            out.add(c);
        }
        return out;
    }

    /** The leaf ids of one case (from the agent's --list --json), optionally only if the case glob selects it. */
    static List<String> leafIds(Path agentBinary, String caseId, String casePattern) throws IOException {
        String json = Proc.check(List.of(agentBinary.toString(), "--list", "--json", "--case",
                casePattern == null ? caseId : casePattern), null, Duration.ofSeconds(30)).stdout();
        List<String> ids = new ArrayList<>();
        for (JsonNode n : new ObjectMapper().readTree(json)) {
            if (n.path("case").asText().equals(caseId)) {
                ids.add(n.path("id").asText());
            }
        }
        return ids;
    }

    /** What one own-boot case needs from the host run. */
    record Context(HostSpec spec, KernelArtifact kernel, HostProviders.Settings settings, AgentDeployer agent,
            AgentOptions base, Path dir, Consumer<String> say) {
    }

    /** Boots the kernel again, runs only {@code c}, keeps agent.ktap and console.log under dir/own-boot/&lt;case&gt;/. */
    static KtapTree run(Case c, Context x) throws IOException {
        Path cdir = x.dir().resolve("own-boot").resolve(c.id());
        Files.createDirectories(cdir);
        x.say().accept(c.id() + ": own boot (" + c.why() + ")");
        Host host = null;
        String failure = null;
        KtapTree tree = null;
        List<String> findings = new ArrayList<>();
        try {
            host = HostProviders.forSpec(x.spec(), x.settings()).provision(x.kernel());
            String remote = x.agent().deploy(host);
            if ("panic".equals(System.getProperty(FAULT))) {
                // injected fault for the crash path's test (OwnBootTest): the kernel of the own boot panics here
                x.say().accept(c.id() + ": own boot: injected fault " + FAULT + "=panic (sysrq-trigger c)");
                host.exec(List.of("sh", "-c", "echo c > /proc/sysrq-trigger"), Duration.ofSeconds(30));
            }
            AgentOptions o = new AgentOptions(List.of(c.suite()), c.id(), x.base().repeat(), x.base().timeoutSeconds(),
                    x.base().overall());
            AgentRun run;
            try (OutputStream ktap = Files.newOutputStream(cdir.resolve("agent.ktap"))) {
                run = x.agent().run(host, remote, o, ktap);
            }
            tree = run.tree();
        } catch (HostFailure e) {
            failure = "the own boot failed (" + e.attribution() + "): " + e.getMessage();
        } finally {
            if (host != null) {
                try {
                    var log = host.consoleLog();
                    if (log.isPresent() && Files.exists(log.get())) {
                        Path dest = cdir.resolve("console.log");
                        Files.copy(log.get(), dest, StandardCopyOption.REPLACE_EXISTING);
                        for (var f : CrashOracle.standard().scan(Files.readAllLines(dest, StandardCharsets.UTF_8))) {
                            findings.add(f.crashClass() + ": " + f.title() + " (own-boot/" + c.id() + "/console.log lines "
                                    + f.firstLine() + "-" + f.lastLine() + ")");
                        }
                    }
                } finally {
                    host.release();
                }
            }
        }
        if (failure == null && findings.isEmpty()) {
            return tree;
        }
        // the crash is the kernel's FAIL: every leaf of the case fails with the failure and the splat as evidence
        List<String> evidence = new ArrayList<>();
        if (failure != null) {
            evidence.add(failure);
        }
        findings.forEach(f -> evidence.add("console: " + f));
        x.say().accept(c.id() + ": own boot: " + String.join("; ", evidence));
        KtapTree.Builder b = new KtapTree.Builder();
        int n = 0;
        for (String id : leafIds(x.agent().binary(), c.id(), null)) {
            b.onResult(new TestResult(List.of(c.suite(), c.id()), id, ++n, Status.FAIL, "", evidence, true, 0));
        }
        b.onResult(new TestResult(List.of(c.suite()), c.id(), 1, Status.FAIL, "", evidence, false, 0));
        b.onResult(new TestResult(List.of(), c.suite(), 1, Status.FAIL, "", List.of(), false, 0));
        return b.build();
    }

    /** The main tree with each own-boot tree's cases inside the same suite node (post-order replay). */
    static KtapTree merge(KtapTree main, List<KtapTree> own) {
        KtapTree.Builder b = new KtapTree.Builder();
        List<String> seen = new ArrayList<>();
        if (main != null) {
            for (KtapTree.Node root : main.roots()) {
                root.children().forEach(ch -> replay(ch, b));
                for (KtapTree o : own) {
                    o.roots().stream().filter(r -> r.result().name().equals(root.result().name()))
                            .forEach(r -> r.children().forEach(ch -> replay(ch, b)));
                }
                b.onResult(root.result());
                seen.add(root.result().name());
            }
        }
        for (KtapTree o : own) {
            o.roots().stream().filter(r -> !seen.contains(r.result().name())).forEach(r -> replay(r, b));
        }
        return b.build();
    }

    private static void replay(KtapTree.Node n, KtapListener l) {
        n.children().forEach(ch -> replay(ch, l));
        l.onResult(n.result());
    }
}
