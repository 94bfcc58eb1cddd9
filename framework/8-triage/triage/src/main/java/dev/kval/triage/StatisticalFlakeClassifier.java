package dev.kval.triage;

import dev.kval.store.Store;
import dev.kval.store.StoredResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The nightly diff's flake classifier (registered as a {@link java.util.ServiceLoader} service of
 * {@link dev.kval.store.FlakeClassifier}): a test is flaky on a night when its series - the same test, kernel build
 * and host class, over the night's repetitions and every earlier stored run - has both outcomes (counted as the
 * statistics count: INFRA never, SKIP apart). So a test that failed once a week ago on this kernel and passes tonight
 * is reported flaky, not fixed; one that fails every night is failing.
 */
public final class StatisticalFlakeClassifier implements dev.kval.store.FlakeClassifier {
    @Override
    public boolean isFlaky(Store store, String hostName, String testId, List<StoredResult> attempts) {
        SeriesAccumulator acc = new SeriesAccumulator();
        for (StoredResult r : attempts) {
            acc.add(testId, 0, r.hostClass(), r.suite(), r.status(), r.attribution(), r.startedAt() == null ? 0 : r.startedAt().toEpochMilli(), r.id());
        }
        if (store != null && !attempts.isEmpty()) {
            StoredResult first = attempts.get(0);
            try (Connection c = store.connection(); PreparedStatement ps = c.prepareStatement(
                    "SELECT r.id, r.status, r.attribution, r.started_at, r.suite FROM result r JOIN kernel k ON k.id = r.kernel_id"
                            + " JOIN host h ON h.id = r.host_id WHERE r.test_id = ? AND k.release = ? AND h.host_class = ?")) {
                ps.setString(1, testId);
                ps.setString(2, first.kernelRelease());
                ps.setString(3, first.hostClass());
                java.util.Set<Long> seen = new java.util.HashSet<>();
                attempts.forEach(a -> seen.add(a.id()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (seen.add(rs.getLong(1))) {
                            acc.add(testId, 0, first.hostClass(), rs.getString(5), rs.getString(2), rs.getString(3), rs.getTimestamp(4).getTime(), rs.getLong(1));
                        }
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read the history of " + testId + " from " + store.url() + ": " + e.getMessage(), e);
            }
        }
        return acc.stats().values().stream().anyMatch(s -> s.classification() == Classification.FLAKY);
    }
}
