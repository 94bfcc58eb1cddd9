package dev.kval.suites;

import dev.kval.ktap.Status;
import dev.kval.ktap.TestResult;
import io.qameta.allure.Allure;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.opentest4j.TestAbortedException;

/**
 * How one KTAP leaf becomes a JUnit outcome: PASS and XFAIL pass (XFAIL labelled with its reason), SKIP aborts with
 * the agent's reason, FAIL fails, TIMEOUT/ERROR/MISSING are "broken" (an error that is not an assertion failure).
 * A FAIL listed in {@link KnownFindings} for this kernel passes as a known finding, and a known finding that no longer
 * fails is itself a failure, so the table never goes stale silently. A SKIP listed in must-run.tsv for this kernel
 * fails: that kernel has what the leaf needs, so a skip there means kval broke, not that the kernel lacks it.
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

    public static void apply(String suite, HostUnderTest host, TestResult leaf, LeafRules known, LeafRules mustRun) {
        label(suite, host, leaf);
        String evidence = evidence(leaf);
        Optional<LeafRules.Row> finding = known.find(host.kernelRelease(), leaf.name());
        if (finding.isPresent()) {
            Allure.label("known-finding", finding.get().text());
            if (leaf.status() == Status.FAIL) {
                return;
            }
            if (leaf.status() == Status.PASS) {
                Assertions.fail("known finding no longer reproduces on " + host.kernelRelease() + " (" + leaf.name()
                        + " passed): remove its row from known-findings.tsv: " + finding.get().text());
            }
        }
        switch (leaf.status()) {
            case PASS -> { }
            case XFAIL -> Allure.label("xfail", leaf.reason());
            case SKIP -> {
                Optional<LeafRules.Row> must = mustRun.find(host.kernelRelease(), leaf.name());
                if (must.isPresent()) {
                    Assertions.fail(leaf.name() + " skipped on " + host.label() + " (" + leaf.reason()
                            + ") but must run there: " + must.get().text());
                }
                throw new TestAbortedException(leaf.reason().isEmpty() ? "skipped (no reason given)" : leaf.reason());
            }
            case FAIL -> Assertions.fail(leaf.name() + " failed on " + host.label() + evidence);
            case TIMEOUT -> throw new BrokenTestException(leaf.name() + " timed out: " + leaf.reason() + evidence);
            case ERROR -> throw new BrokenTestException(leaf.name() + " errored: " + leaf.reason() + evidence);
            case MISSING -> throw new BrokenTestException(leaf.name()
                    + " was planned but never reported (the case died before it; see the case's ERROR/TIMEOUT)");
        }
    }

    /** Allure labels: epic = suite, feature = the case, story = the spec's assertion id, plus kernel and host. */
    private static void label(String suite, HostUnderTest host, TestResult leaf) {
        Allure.epic(suite);
        String[] parts = leaf.name().split("\\.");
        if (parts.length >= 2) {
            Allure.feature(parts[0] + "." + parts[1]);
            Allure.story(parts[1]);
        }
        Allure.label("kernel", String.valueOf(host.kernelRelease()));
        Allure.label("host", host.target().label());
        Allure.label("hostClass", host.host() == null ? "?" : host.host().kind());
        String observed = leaf.diagnostic("observed");
        if (observed != null) {
            Allure.parameter("observed", observed);
        }
        if (!leaf.diagnostics().isEmpty()) {
            Allure.addAttachment("agent diagnostics", "text/plain", String.join("\n", leaf.diagnostics()));
        }
    }

    private static String evidence(TestResult leaf) {
        if (leaf.diagnostics().isEmpty()) {
            return "";
        }
        return "\n  agent said:\n    " + String.join("\n    ", leaf.diagnostics());
    }
}
