package dev.kval.executor;

import dev.kval.store.Store;
import dev.kval.store.StoredResult;
import java.util.List;

/**
 * Decides whether one test's verdicts on one host in one night are flaky rather than a pass or a failure. The caller
 * hands it in (the CLI and the controller pass triage's {@code SeriesFlakiness::isFlaky}); {@link #REPETITIONS}
 * looks at the night alone.
 */
@FunctionalInterface
public interface FlakyCheck {
    /**
     * @param attempts the night's verdicts of {@code testId} on {@code hostName}, one per repetition
     * @param store    for history (earlier runs of the same test), if the check wants it
     */
    boolean isFlaky(Store store, String hostName, String testId, List<StoredResult> attempts);

    /** Failed in some but not all repetitions of the run. */
    FlakyCheck REPETITIONS = (store, host, test, attempts) -> {
        long failed = attempts.stream().filter(r -> !r.passed() && !r.status().equals("SKIP")).count();
        return failed > 0 && failed < attempts.size();
    };
}
