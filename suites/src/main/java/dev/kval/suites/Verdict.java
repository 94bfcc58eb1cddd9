package dev.kval.suites;

import dev.kval.ktap.TestResult;
import org.junit.jupiter.api.Assertions;
import org.opentest4j.TestAbortedException;

/**
 * How one KTAP leaf becomes a JUnit outcome: PASS and XFAIL pass (XFAIL labelled with its reason), SKIP aborts with
 * the agent's reason, FAIL fails, TIMEOUT/ERROR/MISSING are "broken" (an error that is not an assertion failure).
 */
public final class Verdict {
    private Verdict() {
    }

    /** Thrown for TIMEOUT, ERROR and MISSING: JUnit reports it as an error, Allure as broken. */
    public static final class BrokenTestException extends RuntimeException {
        public BrokenTestException(String message) {
            super(message);
        }
    }

    public static void apply(TestResult leaf) {
        String evidence = evidence(leaf);
        switch (leaf.status()) {
            case PASS, XFAIL -> { }
            case SKIP -> throw new TestAbortedException(leaf.reason().isEmpty() ? "skipped (no reason given)" : leaf.reason());
            case FAIL -> Assertions.fail(leaf.name() + " failed" + evidence);
            case TIMEOUT -> throw new BrokenTestException(leaf.name() + " timed out: " + leaf.reason() + evidence);
            case ERROR -> throw new BrokenTestException(leaf.name() + " errored: " + leaf.reason() + evidence);
            case MISSING -> throw new BrokenTestException(leaf.name()
                    + " was planned but never reported (the case died before it; see the case's ERROR/TIMEOUT)");
        }
    }

    private static String evidence(TestResult leaf) {
        if (leaf.diagnostics().isEmpty()) {
            return "";
        }
        return "\n  agent said:\n    " + String.join("\n    ", leaf.diagnostics());
    }
}
