package dev.kval.triage;

import dev.kval.store.Store;
import dev.kval.store.StoredResult;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The nightly diff's flake decision: a test is flaky on a night when its series - the same test, kernel build and
 * host class, over the night's repetitions and every earlier stored run - has both outcomes (counted as the
 * statistics count: INFRA never, SKIP apart). So a test that failed once a week ago on this kernel and passes tonight
 * is reported flaky, not fixed; one that fails every night is failing. The executor's nightly is handed this method;
 * nothing finds it through a service registry (a store that looked up its own classifier in triage was a back-edge).
 */
public final class SeriesFlakiness {
    private SeriesFlakiness() {
    }

    /**
     * @param attempts tonight's verdicts of {@code testId} on {@code hostName}, one per repetition
     * @param store    for the series' history (null: tonight's repetitions only)
     */
    public static boolean isFlaky(Store store, String hostName, String testId, List<StoredResult> attempts) {
        SeriesAccumulator acc = new SeriesAccumulator();
        for (StoredResult r : attempts) {
            acc.add(testId, 0, r.hostClass(), r.suite(), r.status(), r.attribution(), r.startedAt() == null ? 0 : r.startedAt().toEpochMilli(), r.id());
        }
        if (store != null && !attempts.isEmpty()) {
            StoredResult first = attempts.get(0);
            Set<Long> seen = new HashSet<>();
            attempts.forEach(a -> seen.add(a.id()));
            for (StoredResult r : store.series(testId, first.kernelRelease(), first.hostClass())) {
                if (seen.add(r.id())) {
                    acc.add(testId, 0, first.hostClass(), r.suite(), r.status(), r.attribution(), r.startedAt().toEpochMilli(), r.id());
                }
            }
        }
        return acc.stats().values().stream().anyMatch(s -> s.classification() == Classification.FLAKY);
    }
}
