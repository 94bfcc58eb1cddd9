package dev.kval.cli;

import dev.kval.result.Outcome;
import dev.kval.result.Verdict;
import dev.kval.result.Verdicts;
import dev.kval.suites.Presenter;
import dev.kval.suites.RunSession;
import java.util.List;
import java.util.Map;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Watches the JUnit run for what the judge did not decide: a test or container that failed with an exception that is
 * not a presented verdict is kval's own failure, recorded in the session as a KVAL_BUG verdict. Counts and the run's
 * outcome come from the session's verdicts (the ones verdicts.json holds), never from failure messages.
 */
final class VerdictTally implements TestExecutionListener {
    private final RunSession session;

    VerdictTally(RunSession session) {
        this.session = session;
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult r) {
        if (r.getStatus() != TestExecutionResult.Status.FAILED) {
            return;
        }
        Throwable t = r.getThrowable().orElse(null);
        if (t instanceof Presenter.Judged) {
            return; // a verdict the judge made: already in the session
        }
        if (t instanceof dev.kval.result.InfraException) {
            session.infra(id.getDisplayName(), t.getMessage()); // typed: the infrastructure's, not kval's code
            return;
        }
        session.kvalBug(id.getDisplayName(), "kval failed while presenting verdicts: "
                + (t == null ? "failed without an exception" : t.getClass().getSimpleName() + ": " + t.getMessage()));
    }

    Map<String, Integer> counts() {
        return Verdicts.counts(session.verdicts());
    }

    List<Verdict> bad() {
        return Verdicts.bad(session.verdicts());
    }

    Outcome outcome() {
        return Verdicts.outcome(session.verdicts());
    }
}
