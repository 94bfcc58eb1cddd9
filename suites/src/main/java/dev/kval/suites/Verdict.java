package dev.kval.suites;

import dev.kval.ktap.Status;
import dev.kval.ktap.TestResult;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.opentest4j.TestAbortedException;

/**
 * How one KTAP leaf becomes a JUnit outcome: PASS and XFAIL pass (XFAIL labelled with its reason), SKIP aborts with
 * the agent's reason, FAIL fails, TIMEOUT/ERROR/MISSING are "broken" (an error that is not an assertion failure).
 * A FAIL listed in known-findings.tsv for this kernel passes as a known finding, and a known finding that no longer
 * fails is itself a failure, so the table never goes stale silently. A SKIP listed in must-run.tsv for this kernel
 * fails: that kernel has what the leaf needs, so a skip there means kval broke, not that the kernel lacks it. Where
 * the SKIP reason names a capability, caps.json decides instead ({@link CapsFacts}): present fails on any kernel,
 * absent is the kernel's fact even under a broad must-run row.
 * Every failure message starts with its {@link Blame} tag.
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

    public static void apply(String suite, HostUnderTest host, TestResult leaf, LeafRules known, LeafRules mustRun,
            AllureRun allure, boolean firstOfCase) {
        allure.leaf(suite, host, leaf, firstOfCase);
        allure.label("ktapStatus", leaf.status().name()); // the store tells TIMEOUT/ERROR/MISSING apart (all "broken")
        String evidence = evidence(leaf);
        Optional<LeafRules.Row> finding = known.find(host.kernelRelease(), leaf.name());
        if (finding.isPresent()) {
            allure.label("known-finding", finding.get().text());
            if (leaf.status() == Status.FAIL) {
                return;
            }
            if (leaf.status() == Status.PASS) {
                Assertions.fail(Blame.TEST.message("known finding no longer reproduces on " + host.kernelRelease() + " ("
                        + leaf.name() + " passed): remove its row from suites/src/main/resources/known-findings.tsv: "
                        + finding.get().text()));
            }
        }
        switch (leaf.status()) {
            case PASS -> DmesgOracle.check(host, leaf).ifPresent(why -> Assertions.fail(Blame.KERNEL.message(why)));
            case XFAIL -> allure.label("xfail", leaf.reason());
            case SKIP -> {
                Optional<LeafRules.Row> must = mustRun.find(host.kernelRelease(), leaf.name());
                // A machine without /dev/kvm is a fact of the environment that the reason states, not a capability
                // kval lost; inside a QEMU guest the same reason would mean kval failed to load KVM, so it still fails.
                // Same for a bare-metal (ssh) machine: its /dev/kvm is the machine's, not something kval loads.
                boolean machineHasNoKvm = !host.hostClass().equals("qemu") && leaf.reason().startsWith("no /dev/kvm");
                Optional<Boolean> present = CapsFacts.of(host.dir()).needPresent(leaf.reason());
                if (present.orElse(false) && !machineHasNoKvm) {
                    Assertions.fail(Blame.TEST.message(leaf.name() + " skipped on " + host.label() + " (" + leaf.reason()
                            + ") but the host's caps.json shows that need is present (must-run derived from caps)"));
                }
                if (must.isPresent() && !machineHasNoKvm && present.isEmpty()) {
                    Assertions.fail(Blame.TEST.message(leaf.name() + " skipped on " + host.label() + " (" + leaf.reason()
                            + ") but must run there (kval lost a capability: deployment, modules, probing): " + must.get().text()));
                }
                throw new TestAbortedException(leaf.reason().isEmpty() ? "skipped (the agent gave no reason)" : leaf.reason());
            }
            case FAIL -> Assertions.fail(Blame.KERNEL.message(leaf.name() + " failed on " + host.label() + evidence));
            // A hung case is the kernel's until shown otherwise; a case that could not evaluate or died before its
            // leaves is the agent's (its setup, or an expected signal it did not handle).
            case TIMEOUT -> throw new BrokenTestException(Blame.KERNEL.message(leaf.name() + " timed out on " + host.label()
                    + ": " + leaf.reason() + evidence));
            case ERROR -> throw new BrokenTestException(Blame.TEST.message(leaf.name() + " errored on " + host.label() + ": "
                    + leaf.reason() + evidence));
            case MISSING -> throw new BrokenTestException(Blame.TEST.message(leaf.name() + " was planned on " + host.label()
                    + " but never reported (the case died before it; see the case's ERROR/TIMEOUT in agent.ktap)"));
        }
    }

    private static String evidence(TestResult leaf) {
        if (leaf.diagnostics().isEmpty()) {
            return "";
        }
        return "\n  agent said:\n    " + String.join("\n    ", leaf.diagnostics());
    }
}
