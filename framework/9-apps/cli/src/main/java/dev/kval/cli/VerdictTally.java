package dev.kval.cli;

import dev.kval.result.Outcome;
import dev.kval.suites.Blame;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Counts the run's JUnit verdicts by status (passed, failed, broken, skipped) and by blame (the tag each failure
 * message starts with), and turns them into the run's outcome: any infrastructure failure -> INCOMPLETE (exit 2),
 * else any kernel or test failure -> FAIL (exit 1), else PASS; a run in which no test ran is INCOMPLETE.
 */
final class VerdictTally implements TestExecutionListener {
    /** One failed or broken verdict, for the console. */
    record Bad(String name, String status, Blame blame, String message) {
    }

    private final Map<String, Integer> counts = new LinkedHashMap<>();
    private final List<Bad> bad = new ArrayList<>();
    private int tests;

    VerdictTally() {
        for (String k : List.of("tests", "passed", "failed", "broken", "skipped", "kernel", "test", "infra")) {
            counts.put(k, 0);
        }
    }

    @Override
    public synchronized void executionSkipped(TestIdentifier id, String reason) {
        if (id.isTest()) {
            tests++;
            add("skipped");
        }
    }

    @Override
    public synchronized void executionFinished(TestIdentifier id, TestExecutionResult r) {
        if (id.isTest()) {
            tests++;
        }
        switch (r.getStatus()) {
            case SUCCESSFUL -> add(id.isTest() ? "passed" : null);
            case ABORTED -> add(id.isTest() ? "skipped" : null);
            case FAILED -> {
                // A failed container (a suite that could not even list its tests) counts like a broken test.
                Throwable t = r.getThrowable().orElse(null);
                String message = t == null ? "failed without an exception" : String.valueOf(t.getMessage());
                String status = t instanceof AssertionError ? "failed" : "broken";
                // Untagged failures come from kval's own code (an exception in a suite), so they are kval's.
                Blame blame = Blame.ofMessage(message).orElse(Blame.TEST);
                add(status);
                add(blame.name().toLowerCase());
                bad.add(new Bad(id.getDisplayName(), status, blame, t == null ? message : t.getClass().getSimpleName() + ": " + message));
            }
        }
    }

    private void add(String key) {
        if (key != null) {
            counts.merge(key, 1, Integer::sum);
        }
    }

    synchronized Map<String, Integer> counts() {
        Map<String, Integer> m = new LinkedHashMap<>(counts);
        m.put("tests", tests);
        return m;
    }

    synchronized List<Bad> bad() {
        return List.copyOf(bad);
    }

    synchronized Outcome outcome() {
        if (counts.get("infra") > 0 || tests == 0) {
            return Outcome.INCOMPLETE;
        }
        return counts.get("kernel") + counts.get("test") > 0 ? Outcome.FAIL : Outcome.PASS;
    }
}
