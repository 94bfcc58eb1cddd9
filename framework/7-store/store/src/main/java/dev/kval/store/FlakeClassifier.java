package dev.kval.store;

import java.util.List;
import java.util.ServiceLoader;

/**
 * Decides whether one test's verdicts on one host in one run are flaky rather than a pass or a failure. The nightly
 * diff asks it; the triage module provides the statistical one (through {@link ServiceLoader}); until one is on the
 * class path, {@link #REPETITIONS} is used.
 */
public interface FlakeClassifier {
    /**
     * @param attempts the run's verdicts of {@code testId} on {@code hostName}, one per repetition
     * @param store    for history (earlier runs of the same test), if the classifier wants it
     */
    boolean isFlaky(Store store, String hostName, String testId, List<StoredResult> attempts);

    /** Failed in some but not all repetitions of the run. */
    FlakeClassifier REPETITIONS = (store, host, test, attempts) -> {
        long failed = attempts.stream().filter(r -> !r.passed() && !r.status().equals("SKIP")).count();
        return failed > 0 && failed < attempts.size();
    };

    /** The first classifier registered as a service, else {@link #REPETITIONS}. */
    static FlakeClassifier load() {
        return ServiceLoader.load(FlakeClassifier.class).findFirst().orElse(REPETITIONS);
    }
}
