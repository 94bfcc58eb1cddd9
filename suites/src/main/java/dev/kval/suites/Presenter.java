package dev.kval.suites;

import dev.kval.result.Verdict;
import org.junit.jupiter.api.Assertions;
import org.opentest4j.TestAbortedException;

/**
 * Presents a verdict the {@link dev.kval.result.Judge} made as a JUnit outcome, and nothing more: PASS returns, SKIP
 * aborts with the reason, FAIL fails, BROKEN throws {@link BrokenTestException} (Allure: broken). The message starts
 * with the blame in brackets for the reader and Allure's categories; nothing parses it back: the verdict itself travels
 * in the exception, and the exit code, summary.json and the store read verdicts.json.
 */
public final class Presenter {
    private Presenter() {
    }

    /** A failure that is a judged verdict (not an exception of kval's own code). */
    public interface Judged {
        Verdict verdict();
    }

    /** Thrown for a FAIL verdict: JUnit reports it as a failure, Allure as failed. */
    public static final class FailedVerdict extends AssertionError implements Judged {
        private final transient Verdict verdict;

        FailedVerdict(Verdict v) {
            super(message(v));
            this.verdict = v;
        }

        @Override
        public Verdict verdict() {
            return verdict;
        }
    }

    /** Thrown for BROKEN (TIMEOUT, ERROR, MISSING, a failed host): JUnit reports it as an error, Allure as broken. */
    public static final class BrokenTestException extends RuntimeException implements Judged {
        private final transient Verdict verdict;

        BrokenTestException(Verdict v) {
            super(message(v));
            this.verdict = v;
        }

        @Override
        public Verdict verdict() {
            return verdict;
        }
    }

    static String message(Verdict v) {
        return v.blame() == null ? v.reason() : "[" + v.blame().name().toLowerCase() + "] " + v.reason();
    }

    public static void present(Verdict v) {
        switch (v.outcome()) {
            case PASS -> {
            }
            case SKIP -> throw new TestAbortedException(v.reason());
            case FAIL -> throw new FailedVerdict(v);
            case BROKEN -> throw new BrokenTestException(v);
        }
        Assertions.assertNotNull(v); // PASS
    }
}
