package dev.kval.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What to run: suites (empty = all), a case glob, repeat count, per-case timeout (seconds), an overall limit and the race
 * suite's iterations and seed.
 */
public record AgentOptions(List<String> suites, String casePattern, Integer repeat, Integer timeoutSeconds, Duration overall,
        RaceOptions race) {
    public AgentOptions(List<String> suites, String casePattern, Integer repeat, Integer timeoutSeconds, Duration overall) {
        this(suites, casePattern, repeat, timeoutSeconds, overall, RaceOptions.DEFAULT);
    }

    public static AgentOptions all() {
        return new AgentOptions(List.of(), null, null, null, Duration.ofMinutes(30));
    }

    public AgentOptions {
        suites = suites == null ? List.of() : List.copyOf(suites);
        overall = overall == null ? Duration.ofMinutes(30) : overall;
        race = race == null ? RaceOptions.DEFAULT : race;
    }

    /** The agent's command line arguments (after the binary). */
    public List<String> args() {
        List<String> a = new ArrayList<>();
        if (!suites.isEmpty()) {
            a.add("--suite");
            a.add(String.join(",", suites));
        }
        if (casePattern != null && !casePattern.isEmpty()) {
            a.add("--case");
            a.add(casePattern);
        }
        if (repeat != null) {
            a.add("--repeat");
            a.add(String.valueOf(repeat));
        }
        if (timeoutSeconds != null) {
            a.add("--timeout");
            a.add(String.valueOf(timeoutSeconds));
        }
        a.addAll(race.args());
        return a;
    }
}
