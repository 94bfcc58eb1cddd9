package dev.kval.suites;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kval.agent.AgentDeployer;
import dev.kval.host.HostSpec;
import dev.kval.ktap.Status;
import dev.kval.ktap.TestResult;
import dev.kval.lava.LavaConfig;
import dev.kval.result.RunSummary;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A run with placement: learn each host class's capabilities (a LAVA device type's declared ones; otherwise the agent's
 * caps report from a probe: provision, --caps, release), send each suite to a class that can run it, run, then re-run a
 * suite on another class when its cases SKIPped for a capability that class has. summary.json's "placement" and every
 * verdict's Allure label "placement" say where each verdict came from and why.
 */
final class PlacedRun {
    private final RunPlan plan;
    private final HostRun runner;
    private final Placement placement;
    private final Consumer<String> say;

    PlacedRun(RunPlan plan, HostRun runner, Placement placement, Consumer<String> say) {
        this.plan = plan;
        this.runner = runner;
        this.placement = placement;
        this.say = say;
    }

    List<HostUnderTest> run(RunSummary summary) {
        Map<RunPlan.Target, Set<String>> classes = new LinkedHashMap<>();
        Map<String, Object> record = new LinkedHashMap<>();
        Map<String, Object> classRecord = new LinkedHashMap<>();
        for (RunPlan.Target t : plan.targets()) {
            Set<String> caps = capabilities(t, classRecord);
            classes.put(t, caps);
            say.accept("placement: " + t.label() + " has " + (caps.isEmpty() ? "nothing kval needs" : String.join(", ", caps)));
        }
        record.put("classes", classRecord);
        Map<RunPlan.Target, List<String>> suitesOf = new LinkedHashMap<>();
        Map<RunPlan.Target, List<String>> reasons = new LinkedHashMap<>();
        List<Map<String, Object>> decisions = new ArrayList<>();
        for (Placement.Decision d : placement.place(plan.suites(), classes)) {
            suitesOf.computeIfAbsent(d.target(), k -> new ArrayList<>()).add(d.suite());
            reasons.computeIfAbsent(d.target(), k -> new ArrayList<>()).add(d.suite() + ": " + d.reason());
            decisions.add(Map.of("suite", d.suite(), "target", d.target().label(), "needs", d.needs(), "reason", d.reason()));
            say.accept("placement: suite " + d.suite() + " -> " + d.target().label() + " (" + d.reason() + ")");
        }
        record.put("suites", decisions);
        List<HostUnderTest> out = new ArrayList<>();
        for (Map.Entry<RunPlan.Target, List<String>> e : suitesOf.entrySet()) {
            HostUnderTest h = RunSession.runWithInfraRetries(() -> runner.run(e.getKey(), e.getValue(), ""), e.getKey(), say);
            mark(h, e.getValue(), String.join("; ", reasons.get(e.getKey())));
            summary.add(h.result());
            out.add(h);
        }
        List<Map<String, Object>> reruns = new ArrayList<>();
        for (HostUnderTest h : List.copyOf(out)) {
            for (Map.Entry<RunPlan.Target, Map<String, Set<String>>> r : rerunsFor(h, classes, suitesOf).entrySet()) {
                for (Map.Entry<String, Set<String>> bySuite : r.getValue().entrySet()) {
                    String why = "re-run of " + bySuite.getKey() + " from " + h.target().label() + ", where " + bySuite.getValue().size()
                            + " leaves SKIPped for lack of " + String.join(", ", new LinkedHashSet<>(lacking(h, bySuite.getKey(), classes)))
                            + ", which " + r.getKey().label() + " has";
                    say.accept("placement: " + why);
                    HostUnderTest again = RunSession.runWithInfraRetries(() -> runner.run(r.getKey(), List.of(bySuite.getKey()), "-rerun"),
                            r.getKey(), say);
                    mark(again, List.of(bySuite.getKey()), why);
                    summary.add(again.result());
                    out.add(again);
                    reruns.add(Map.of("suite", bySuite.getKey(), "from", h.target().label(), "to", r.getKey().label(),
                            "skippedLeaves", List.copyOf(bySuite.getValue()), "reason", why));
                }
            }
        }
        record.put("reruns", reruns);
        summary.option("placement", record);
        return out;
    }

    private static void mark(HostUnderTest h, List<String> suites, String why) {
        h.result().info().put(RunSession.PLACED_SUITES, List.copyOf(suites));
        h.result().info().put(RunSession.PLACEMENT, why);
    }

    /** Declared (LAVA) or probed (everything else); a class whose probe fails has nothing (and says why). */
    private Set<String> capabilities(RunPlan.Target t, Map<String, Object> record) {
        try {
            HostSpec spec = HostSpec.parse(t.host());
            if (spec.kind() == HostSpec.Kind.LAVA) {
                LavaConfig.DeviceClass dc = LavaConfig.load().deviceClass(spec.name());
                record.put(t.label(), Map.of("from", "declared for LAVA device type " + spec.name(), "capabilities", dc.capabilities()));
                return new LinkedHashSet<>(dc.capabilities());
            }
        } catch (IOException | IllegalArgumentException e) {
            record.put(t.label(), Map.of("from", "unavailable: " + e.getMessage(), "capabilities", List.of()));
            return Set.of();
        }
        HostUnderTest probe = runner.run(t, List.of(), "-probe");
        if (probe.failed().isPresent()) {
            record.put(t.label(), Map.of("from", "probe failed: " + probe.failed().get().getMessage(), "capabilities", List.of()));
            return Set.of();
        }
        try {
            JsonNode caps = AgentDeployer.caps(probe.result().capabilities());
            Set<String> have = placement.of(caps);
            record.put(t.label(), Map.of("from", "agent --caps on " + probe.label(), "capabilities", List.copyOf(have)));
            return have;
        } catch (IOException | RuntimeException e) {
            record.put(t.label(), Map.of("from", "caps report unreadable: " + e.getMessage(), "capabilities", List.of()));
            return Set.of();
        }
    }

    /** For each other class that has what h's SKIPs lacked: suite -> the skipped leaf ids it would turn into verdicts. */
    private Map<RunPlan.Target, Map<String, Set<String>>> rerunsFor(HostUnderTest h, Map<RunPlan.Target, Set<String>> classes,
            Map<RunPlan.Target, List<String>> placedOn) {
        Map<RunPlan.Target, Map<String, Set<String>>> out = new LinkedHashMap<>();
        if (h.tree() == null) {
            return out;
        }
        Set<String> mine = classes.get(h.target());
        for (TestResult leaf : h.tree().leaves()) {
            if (leaf.status() != Status.SKIP) {
                continue;
            }
            String cap = placement.explains(leaf.reason() == null ? "" : leaf.reason()).orElse(null);
            if (cap == null || mine.contains(cap)) {
                continue;
            }
            String suite = !leaf.path().isEmpty() ? leaf.path().get(0) : leaf.name().split("\\.")[0];
            for (Map.Entry<RunPlan.Target, Set<String>> c : classes.entrySet()) {
                if (!c.getKey().equals(h.target()) && c.getValue().contains(cap)
                        && !placedOn.getOrDefault(c.getKey(), List.of()).contains(suite)) {
                    out.computeIfAbsent(c.getKey(), k -> new LinkedHashMap<>()).computeIfAbsent(suite, k -> new LinkedHashSet<>()).add(leaf.name());
                    break;
                }
            }
        }
        return out;
    }

    private List<String> lacking(HostUnderTest h, String suite, Map<RunPlan.Target, Set<String>> classes) {
        List<String> caps = new ArrayList<>();
        for (TestResult leaf : h.leaves(suite)) {
            if (leaf.status() == Status.SKIP) {
                placement.explains(leaf.reason() == null ? "" : leaf.reason()).filter(c -> !classes.get(h.target()).contains(c)).ifPresent(caps::add);
            }
        }
        return caps;
    }
}
