package dev.kval.suites;

import dev.kval.ktap.TestResult;
import dev.kval.result.LeafRules;
import io.qameta.allure.AllureLifecycle;
import io.qameta.allure.FileSystemResultsWriter;
import io.qameta.allure.model.Attachment;
import io.qameta.allure.model.FixtureResult;
import io.qameta.allure.model.Label;
import io.qameta.allure.model.Parameter;
import io.qameta.allure.model.Stage;
import io.qameta.allure.model.Status;
import io.qameta.allure.model.TestResultContainer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The run's Allure results beyond what allure-jupiter writes per test: labels and parameters of each leaf, one
 * container per host whose set-up fixture carries the host's evidence once (agent KTAP, caps.json, console, dmesg,
 * kernel config; the report shows it under every leaf of that host), environment.properties and categories.json
 * (kernel bug / test bug / infrastructure, matched on the blame every failure message starts with: see {@link Presenter}).
 */
public final class AllureRun {
    private final AllureLifecycle lifecycle;
    private final Path results;
    private final Map<Path, List<String>> childrenByHost = new LinkedHashMap<>();

    AllureRun(AllureLifecycle lifecycle, Path results) {
        this.lifecycle = lifecycle;
        this.results = results;
    }

    public Path results() {
        return results;
    }

    AllureLifecycle lifecycle() {
        return lifecycle;
    }

    /**
     * Labels the running test as one leaf: epic = suite, feature = its KTAP case, story = the spec's assertion id (from
     * the leaf id, e.g. B7 in poison.B7.mc_addr_equals_gpa), kernel, host
     * class and host; parameters host and kernel; {@code # observed=} in the description; the console slice of the
     * case on the case's first leaf. The history id is the host plus the leaf id, so Allure keeps history per leaf.
     */
    private static final LeafRules SEED_TODOS = LeafRules.seedTodos();
    static final String SEED_TODO_URL = "https://lore.kernel.org/all/ZOjpIL0SFH+E3Dj4@google.com/";

    void leaf(String suite, HostUnderTest h, TestResult leaf, boolean firstOfCase) {
        String[] parts = leaf.name().split("\\.");
        String caseId = AgentSuite.caseOf(leaf);
        String observed = leaf.diagnostic("observed");
        lifecycle.updateTestCase(r -> {
            r.getLabels().removeIf(l -> l.getName().equals("host")); // allure-jupiter's is this JVM's machine
            r.getLabels().add(newLabel("epic", suite));
            r.getLabels().add(newLabel("feature", caseId));
            r.getLabels().add(newLabel("story", parts.length >= 2 ? parts[1] : leaf.name()));
            suiteLabels(r.getLabels(), h, suite, caseId);
            hostLabels(r.getLabels(), h);
            r.getParameters().add(new Parameter().setName("host").setValue(h.target().label()));
            r.getParameters().add(new Parameter().setName("kernel").setValue(String.valueOf(h.kernelRelease())));
            r.setHistoryId(h.target().label() + "/" + leaf.name());
            SEED_TODOS.find(String.valueOf(h.kernelRelease()), leaf.name()).ifPresent(t -> r.getLinks().add(
                    new io.qameta.allure.model.Link().setName("seed to-do: " + t.text()).setUrl(SEED_TODO_URL).setType("issue")));
            StringBuilder d = new StringBuilder();
            if (observed != null) {
                d.append("observed=").append(observed).append("\n\n");
            }
            if (!leaf.reason().isEmpty()) {
                d.append(leaf.status()).append(": ").append(leaf.reason()).append("\n\n");
            }
            if (!leaf.diagnostics().isEmpty()) {
                d.append("agent diagnostics:\n\n    ").append(String.join("\n    ", leaf.diagnostics()));
            }
            r.setDescription(d.toString().strip());
        });
        if (firstOfCase && h.caseConsole().containsKey(caseId)) {
            lifecycle.addAttachment("console during " + caseId, "text/plain", "txt",
                    h.caseConsole().get(caseId).getBytes(StandardCharsets.UTF_8));
        }
        child(h);
    }

    /** Labels a host-level test (the host failed, its console has crash findings, ...). */
    void hostTest(String suite, HostUnderTest h) {
        lifecycle.updateTestCase(r -> {
            r.getLabels().removeIf(l -> l.getName().equals("host"));
            r.getLabels().add(newLabel("epic", suite));
            r.getLabels().add(newLabel("feature", "host"));
            suiteLabels(r.getLabels(), h, suite, "host");
            hostLabels(r.getLabels(), h);
            r.getParameters().add(new Parameter().setName("host").setValue(h.target().label()));
            r.getParameters().add(new Parameter().setName("kernel").setValue(String.valueOf(h.kernelRelease())));
        });
        child(h);
    }

    void label(String name, String value) {
        lifecycle.updateTestCase(r -> r.getLabels().add(newLabel(name, value)));
    }

    /** Allure's Suites tab: host > suite > case. */
    private static void suiteLabels(List<Label> labels, HostUnderTest h, String suite, String subSuite) {
        labels.removeIf(l -> l.getName().equals("parentSuite") || l.getName().equals("suite") || l.getName().equals("subSuite"));
        labels.add(newLabel("parentSuite", h.label()));
        labels.add(newLabel("suite", suite));
        labels.add(newLabel("subSuite", subSuite));
    }

    private void hostLabels(List<Label> labels, HostUnderTest h) {
        labels.add(newLabel("kernel", String.valueOf(h.kernelRelease())));
        labels.add(newLabel("hostClass", h.hostClass()));
        labels.add(newLabel("host", h.target().label()));
        if (h.result().info().get(RunSession.PLACEMENT) instanceof String why) {
            labels.add(newLabel("placement", why)); // where this verdict came from, and why there
        }
    }

    private void child(HostUnderTest h) {
        lifecycle.getCurrentTestCase().ifPresent(uuid -> {
            synchronized (childrenByHost) {
                childrenByHost.computeIfAbsent(key(h), k -> new ArrayList<>()).add(uuid);
            }
        });
    }

    private static Path key(HostUnderTest h) {
        return h.dir() != null ? h.dir() : Path.of(h.target().label());
    }

    private static Label newLabel(String name, String value) {
        return new Label().setName(name).setValue(value);
    }

    /** Writes the per-host containers, environment.properties and categories.json. */
    void finish(List<HostUnderTest> hosts, String kvalVersion, String agentSha256, List<dev.kval.result.Verdict> verdicts)
            throws IOException {
        Files.createDirectories(results);
        realTimes(hosts, verdicts);
        FileSystemResultsWriter writer = new FileSystemResultsWriter(results);
        long now = System.currentTimeMillis();
        for (HostUnderTest h : hosts) {
            List<String> children;
            synchronized (childrenByHost) {
                children = List.copyOf(childrenByHost.getOrDefault(key(h), List.of()));
            }
            FixtureResult agentRun = new FixtureResult().setName("agent run on " + h.label())
                    .setStatus(h.failure() == null ? Status.PASSED : Status.BROKEN).setStage(Stage.FINISHED).setStart(now).setStop(now);
            if (h.dir() != null) {
                attach(writer, agentRun, "agent KTAP (whole run)", h.dir().resolve("agent.ktap"), "text/plain", "txt");
                attach(writer, agentRun, "capabilities (caps.json)", h.dir().resolve("caps.json"), "application/json", "json");
                attach(writer, agentRun, "console.log", h.dir().resolve("console.log"), "text/plain", "txt");
                attach(writer, agentRun, "dmesg", h.dir().resolve("dmesg.txt"), "text/plain", "txt");
                attach(writer, agentRun, "agent stderr", h.dir().resolve("agent.stderr"), "text/plain", "txt");
            }
            if (h.kernelConfig() != null) {
                attach(writer, agentRun, "kernel config", h.kernelConfig(), "text/plain", "txt");
            }
            TestResultContainer c = new TestResultContainer().setUuid(UUID.randomUUID().toString())
                    .setName("agent run on " + h.label()).setChildren(children).setStart(now).setStop(now);
            c.getBefores().add(agentRun);
            writer.write(c);
        }
        writeEnvironment(hosts, kvalVersion, agentSha256);
        try (InputStream in = AllureRun.class.getResourceAsStream("/allure-categories.json")) {
            if (in == null) {
                throw new IllegalStateException("allure-categories.json is missing from the suites' resources");
            }
            Files.copy(in, results.resolve("categories.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Sets each leaf's Allure start and stop to when the agent ran it (the KTAP stream's times in the verdict), instead
     * of when JUnit presented the verdict: the whole run's tests are presented in about a second after the hosts ran.
     */
    private void realTimes(List<HostUnderTest> hosts, List<dev.kval.result.Verdict> verdicts) throws IOException {
        Map<String, String> target = new java.util.HashMap<>();
        hosts.forEach(h -> target.put(h.label(), h.target().label()));
        Map<String, long[]> times = new java.util.HashMap<>();
        for (dev.kval.result.Verdict v : verdicts) {
            if (v.start() > 0 && v.stop() >= v.start() && target.containsKey(v.host())) {
                times.putIfAbsent(target.get(v.host()) + "/" + v.leaf(), new long[] {v.start(), v.stop()});
            }
        }
        if (times.isEmpty() || !Files.isDirectory(results)) {
            return;
        }
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        try (var files = Files.list(results)) {
            for (Path p : files.filter(x -> x.getFileName().toString().endsWith("-result.json")).toList()) {
                var r = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(p.toFile());
                long[] t = times.get(r.path("historyId").asText());
                if (t != null) {
                    r.put("start", t[0]).put("stop", t[1]);
                    json.writeValue(p.toFile(), r);
                }
            }
        }
    }

    private static void attach(FileSystemResultsWriter writer, FixtureResult f, String name, Path file, String type, String ext) {
        if (!Files.isRegularFile(file)) {
            return;
        }
        String source = UUID.randomUUID() + "-attachment." + ext;
        try (InputStream in = Files.newInputStream(file)) {
            writer.write(source, in);
        } catch (IOException e) {
            throw new UncheckedIOException("attaching " + file + " to the Allure results", e);
        }
        f.getAttachments().add(new Attachment().setName(name).setType(type).setSource(source));
    }

    private void writeEnvironment(List<HostUnderTest> hosts, String kvalVersion, String agentSha256) throws IOException {
        StringBuilder env = new StringBuilder();
        env.append("kval.version=").append(esc(kvalVersion)).append('\n');
        env.append("agent.sha256=").append(esc(agentSha256)).append('\n');
        for (HostUnderTest h : hosts) {
            String k = h.dir() != null ? h.dir().getFileName().toString() : h.target().host();
            env.append("host.").append(esc(k)).append('=').append(esc(h.target().label() + " (" + h.hostClass() + ")")).append('\n');
            env.append("kernel.").append(esc(k)).append('=').append(esc(String.valueOf(h.kernelRelease()))).append('\n');
        }
        Files.writeString(results.resolve("environment.properties"), env.toString());
    }

    /** Properties-file escaping for keys and values (':' '=' '#' '!' and backslashes). */
    private static String esc(String s) {
        return s.replace("\\", "\\\\").replace(":", "\\:").replace("=", "\\=").replace("#", "\\#").replace("!", "\\!");
    }
}
