package dev.kval.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What to run: suites (empty = all), a case glob, repeat count, per-case timeout (seconds), an overall limit, the
 * case-id globs to leave out (cases that run in their own boot) and the race suite's iterations and seed.
 */
public record AgentOptions(List<String> suites, String casePattern, Integer repeat, Integer timeoutSeconds, Duration overall,
        List<String> exclude, RaceOptions race) {
    public static AgentOptions all() {
        return new AgentOptions(List.of(), null, null, null, Duration.ofMinutes(30));
    }

    public AgentOptions(List<String> suites, String casePattern, Integer repeat, Integer timeoutSeconds, Duration overall) {
        this(suites, casePattern, repeat, timeoutSeconds, overall, List.of(), RaceOptions.DEFAULT);
    }

    public AgentOptions(List<String> suites, String casePattern, Integer repeat, Integer timeoutSeconds, Duration overall,
            List<String> exclude) {
        this(suites, casePattern, repeat, timeoutSeconds, overall, exclude, RaceOptions.DEFAULT);
    }

    public AgentOptions(List<String> suites, String casePattern, Integer repeat, Integer timeoutSeconds, Duration overall,
            RaceOptions race) {
        this(suites, casePattern, repeat, timeoutSeconds, overall, List.of(), race);
    }

    public AgentOptions {
        suites = suites == null ? List.of() : List.copyOf(suites);
        exclude = exclude == null ? List.of() : List.copyOf(exclude);
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
        if (!exclude.isEmpty()) {
            a.add("--exclude");
            a.add(String.join(",", exclude));
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
