package dev.kval.executor;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kval.store.Store;
import dev.kval.store.StoredResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One night against the night before, per (host, test): the host name carries the kernel source as scheduled
 * ({@code qemu=debian:newest}), so a source that moved to a new kernel is still compared with itself.
 *
 * <table>
 * <tr><th>this night</th><th>night before</th><th>category</th></tr>
 * <tr><td>flaky (the {@link FlakyCheck})</td><td>any</td><td>flaky</td></tr>
 * <tr><td>failed</td><td>failed</td><td>stillFailing</td></tr>
 * <tr><td>failed</td><td>passed, skipped or absent</td><td>newFailures</td></tr>
 * <tr><td>passed</td><td>failed</td><td>fixed</td></tr>
 * <tr><td>skipped</td><td>passed, failed or absent</td><td>newSkips</td></tr>
 * </table>
 * A test that failed in every repetition has failed; "passed" includes XFAIL.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NightlyDiff(long run, Long previousRun, int tests, List<Entry> newFailures, List<Entry> fixed, List<Entry> stillFailing,
        List<Entry> flaky, List<Entry> newSkips) {

    /** A test in a category, with this night's statuses (one per repetition), the night before's, and a message. */
    public record Entry(String host, String test, List<String> now, List<String> before, String message) {
    }

    enum Verdict { PASSED, FAILED, SKIPPED, FLAKY }

    public static NightlyDiff of(Store store, long run, Long previousRun, List<StoredResult> now, List<StoredResult> before, FlakyCheck flakes) {
        Map<String, List<StoredResult>> cur = byTest(now), prev = byTest(before);
        List<Entry> newFailures = new ArrayList<>(), fixed = new ArrayList<>(), still = new ArrayList<>(), flaky = new ArrayList<>(),
                newSkips = new ArrayList<>();
        for (Map.Entry<String, List<StoredResult>> e : cur.entrySet()) {
            List<StoredResult> a = e.getValue();
            StoredResult first = a.get(0);
            List<StoredResult> b = prev.getOrDefault(e.getKey(), List.of());
            Verdict v = verdict(store, a, flakes);
            Verdict was = b.isEmpty() ? null : verdict(store, b, flakes);
            Entry entry = new Entry(first.hostName(), first.testId(), statuses(a), statuses(b),
                    a.stream().map(StoredResult::message).filter(m -> m != null && !m.isBlank()).findFirst().orElse(null));
            switch (v) {
                case FLAKY -> flaky.add(entry);
                case FAILED -> (was == Verdict.FAILED ? still : newFailures).add(entry);
                case PASSED -> {
                    if (was == Verdict.FAILED) {
                        fixed.add(entry);
                    }
                }
                case SKIPPED -> {
                    if (was != Verdict.SKIPPED) {
                        newSkips.add(entry);
                    }
                }
            }
        }
        return new NightlyDiff(run, previousRun, cur.size(), newFailures, fixed, still, flaky, newSkips);
    }

    static Verdict verdict(Store store, List<StoredResult> attempts, FlakyCheck flakes) {
        StoredResult first = attempts.get(0);
        if (flakes.isFlaky(store, first.hostName(), first.testId(), attempts)) {
            return Verdict.FLAKY;
        }
        if (attempts.stream().allMatch(r -> r.status().equals("SKIP"))) {
            return Verdict.SKIPPED;
        }
        return attempts.stream().allMatch(r -> r.passed() || r.status().equals("SKIP")) ? Verdict.PASSED : Verdict.FAILED;
    }

    private static Map<String, List<StoredResult>> byTest(List<StoredResult> rows) {
        Map<String, List<StoredResult>> m = new TreeMap<>();
        for (StoredResult r : rows) {
            m.computeIfAbsent(r.hostName() + " " + r.testId(), k -> new ArrayList<>()).add(r);
        }
        m.values().forEach(l -> l.sort(java.util.Comparator.comparingInt(StoredResult::attempt)));
        return m;
    }

    private static List<String> statuses(List<StoredResult> rows) {
        return rows.stream().map(StoredResult::status).toList();
    }

    /** Counts per category, for one line of text and the run's message. */
    public Map<String, Integer> counts() {
        Map<String, Integer> c = new LinkedHashMap<>();
        c.put("newFailures", newFailures.size());
        c.put("fixed", fixed.size());
        c.put("stillFailing", stillFailing.size());
        c.put("flaky", flaky.size());
        c.put("newSkips", newSkips.size());
        return c;
    }
}
