package dev.kval.triage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds results, in any order, into per-series statistics. Each series keeps its counted runs' (time, id, failed)
 * in primitive arrays; {@link #stats()} puts them in time order (ids break ties: the store assigns them in insertion
 * order) and counts the flips. Rows usually arrive in time order already, and then nothing is sorted.
 */
public final class SeriesAccumulator {
    // A million rows fold into tens of thousands of series: the row path looks a series up by a packed long (test,
    // kernel and host class numbered on first sight) in an open-addressing table, and allocates nothing per row.
    private final Map<String, Integer> tests = new HashMap<>();
    private final Map<Long, Integer> kernels = new HashMap<>();
    private final Map<String, Integer> hostClasses = new HashMap<>();
    private final List<Series> series = new ArrayList<>();
    private long[] slotKeys = new long[1 << 12];
    private int[] slotSeries = new int[1 << 12];

    public void add(String testId, long kernelId, String hostClass, String suite, String status, String attribution, long startedMillis, long id) {
        CountedAs o = CountedAs.of(status, attribution);
        if (o == CountedAs.UNCOUNTED) {
            return;
        }
        Series s = series(testId, kernelId, hostClass, suite);
        if (o == CountedAs.SKIP) {
            s.skips++;
            s.seen(startedMillis);
        } else {
            s.add(startedMillis, id, o == CountedAs.FAIL);
        }
    }

    public Map<SeriesKey, SeriesStats> stats() {
        Map<SeriesKey, SeriesStats> out = new HashMap<>(series.size() * 2);
        for (Series s : series) {
            out.put(s.key, s.stats());
        }
        return out;
    }

    private Series series(String testId, long kernelId, String hostClass, String suite) {
        Integer t = tests.get(testId);
        if (t == null) {
            t = tests.size();
            tests.put(testId, t);
        }
        Integer k = kernels.get(kernelId);
        if (k == null) {
            k = kernels.size();
            kernels.put(kernelId, k);
        }
        Integer h = hostClasses.get(hostClass);
        if (h == null) {
            h = hostClasses.size();
            hostClasses.put(hostClass, h);
        }
        if (k >= 1 << 20 || h >= 1 << 12) {
            throw new IllegalStateException("more than 2^20 kernels or 2^12 host classes in one statistics pass");
        }
        long packed = ((long) t << 32 | (long) k << 12 | h) + 1; // +1: 0 marks an empty slot
        int mask = slotKeys.length - 1;
        int i = Long.hashCode(packed * 0x9E3779B97F4A7C15L) & mask;
        while (slotKeys[i] != 0) {
            if (slotKeys[i] == packed) {
                return series.get(slotSeries[i]);
            }
            i = (i + 1) & mask;
        }
        Series s = new Series(new SeriesKey(testId, kernelId, hostClass), suite);
        series.add(s);
        slotKeys[i] = packed;
        slotSeries[i] = series.size() - 1;
        if (series.size() * 2 > slotKeys.length) {
            grow();
        }
        return s;
    }

    private void grow() {
        long[] oldKeys = slotKeys;
        int[] oldSeries = slotSeries;
        slotKeys = new long[oldKeys.length * 2];
        slotSeries = new int[oldKeys.length * 2];
        int mask = slotKeys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] != 0) {
                int i = Long.hashCode(oldKeys[j] * 0x9E3779B97F4A7C15L) & mask;
                while (slotKeys[i] != 0) {
                    i = (i + 1) & mask;
                }
                slotKeys[i] = oldKeys[j];
                slotSeries[i] = oldSeries[j];
            }
        }
    }

    private static final class Series {
        final SeriesKey key;
        final String suite;
        long[] time = new long[8];
        long[] id = new long[8];
        boolean[] failed = new boolean[8];
        int n;
        long failures;
        long skips;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        boolean ordered = true;

        Series(SeriesKey key, String suite) {
            this.key = key;
            this.suite = suite;
        }

        void seen(long t) {
            first = Math.min(first, t);
            last = Math.max(last, t);
        }

        void add(long t, long rowId, boolean fail) {
            if (n == time.length) {
                time = Arrays.copyOf(time, n * 2);
                id = Arrays.copyOf(id, n * 2);
                failed = Arrays.copyOf(failed, n * 2);
            }
            if (n > 0 && (t < time[n - 1] || (t == time[n - 1] && rowId < id[n - 1]))) {
                ordered = false;
            }
            time[n] = t;
            id[n] = rowId;
            failed[n] = fail;
            n++;
            if (fail) {
                failures++;
            }
            seen(t);
        }

        SeriesStats stats() {
            boolean[] inOrder = failed;
            if (!ordered) {
                Integer[] idx = new Integer[n];
                for (int i = 0; i < n; i++) {
                    idx[i] = i;
                }
                Arrays.sort(idx, (a, b) -> time[a] != time[b] ? Long.compare(time[a], time[b]) : Long.compare(id[a], id[b]));
                inOrder = new boolean[n];
                for (int i = 0; i < n; i++) {
                    inOrder[i] = failed[idx[i]];
                }
            }
            long flips = 0;
            for (int i = 1; i < n; i++) {
                if (inOrder[i] != inOrder[i - 1]) {
                    flips++;
                }
            }
            return new SeriesStats(key, suite, n, failures, skips, flips,
                    first == Long.MAX_VALUE ? null : Instant.ofEpochMilli(first), last == Long.MIN_VALUE ? null : Instant.ofEpochMilli(last));
        }
    }
}
