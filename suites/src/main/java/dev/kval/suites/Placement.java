package dev.kval.suites;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kval.agent.Capability;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Sends each suite to a host class that can run it. Two data tables: the agent's capability table ({@link Capability},
 * shared with the agent's requirement names and the deploy check) says how a capability shows in the caps report and which
 * SKIP reasons mean it is missing; requirements.tsv (resources {@code placement/}) says what each suite needs. A class's capabilities come from its caps report, or are declared (a LAVA device type).
 */
public final class Placement {
    /** Where one suite goes and why. */
    public record Decision(String suite, RunPlan.Target target, List<String> needs, String reason) {
    }

    private final Map<String, Capability> capabilities;
    private final Map<String, List<String>> requirements;

    Placement(Map<String, Capability> capabilities, Map<String, List<String>> requirements) {
        this.capabilities = capabilities;
        this.requirements = requirements;
    }

    public static Placement standard() {
        Map<String, Capability> caps = new LinkedHashMap<>();
        Capability.all().forEach(c -> caps.put(c.id(), c));
        Map<String, List<String>> req = new LinkedHashMap<>();
        for (String[] r : rows("placement/requirements.tsv", 2)) {
            if (!caps.containsKey(r[1])) {
                throw new IllegalStateException("requirements.tsv names capability '" + r[1] + "', which the agent's capability table (dev/kval/agent/capabilities.tsv) does not define");
            }
            req.computeIfAbsent(r[0], k -> new ArrayList<>()).add(r[1]);
        }
        return new Placement(caps, req);
    }

    /** The capabilities a caps report shows. */
    public Set<String> of(JsonNode caps) {
        Set<String> out = new LinkedHashSet<>();
        capabilities.values().stream().filter(c -> c.holds(caps)).forEach(c -> out.add(c.id()));
        return out;
    }

    /** What a suite needs ("*" rows first). */
    public List<String> needs(String suite) {
        List<String> n = new ArrayList<>(requirements.getOrDefault("*", List.of()));
        requirements.getOrDefault(suite, List.of()).stream().filter(c -> !n.contains(c)).forEach(n::add);
        return n;
    }

    /** The capability a SKIP reason says is missing, if the table knows it. */
    public Optional<String> explains(String skipReason) {
        return capabilities.values().stream().filter(c -> c.skipReason() != null && c.skipReason().matcher(skipReason).find())
                .map(Capability::id).findFirst();
    }

    /**
     * Each suite to the first class (in plan order) that has everything it needs; when none has, to the class that lacks
     * the fewest (its cases then SKIP with the reason).
     */
    public List<Decision> place(List<String> suites, Map<RunPlan.Target, Set<String>> classes) {
        List<Decision> out = new ArrayList<>();
        for (String s : suites) {
            List<String> needs = needs(s);
            RunPlan.Target best = null;
            List<String> bestMissing = null;
            for (Map.Entry<RunPlan.Target, Set<String>> e : classes.entrySet()) {
                List<String> missing = needs.stream().filter(n -> !e.getValue().contains(n)).toList();
                if (bestMissing == null || missing.size() < bestMissing.size()) {
                    best = e.getKey();
                    bestMissing = missing;
                }
            }
            String reason = bestMissing.isEmpty() ? best.label() + " has " + String.join(", ", needs)
                    : "no class has all of " + String.join(", ", needs) + "; " + best.label() + " lacks only " + String.join(", ", bestMissing);
            List<String> skipped = new ArrayList<>();
            for (Map.Entry<RunPlan.Target, Set<String>> e : classes.entrySet()) {
                if (e.getKey() == best) {
                    break;
                }
                skipped.add(e.getKey().label() + " lacks " + String.join(", ", needs.stream().filter(n -> !e.getValue().contains(n)).toList()));
            }
            out.add(new Decision(s, best, needs, reason + (skipped.isEmpty() ? "" : " (" + String.join("; ", skipped) + ")")));
        }
        return out;
    }

    private static List<String[]> rows(String resource, int columns) {
        List<String[]> out = new ArrayList<>();
        try (var in = Placement.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null;) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] cols = line.split("\t");
                if (cols.length != columns) {
                    throw new IllegalStateException(resource + ": expected " + columns + " tab-separated columns: " + line);
                }
                out.add(cols);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
