package dev.kval.triage;

/** One series: a test on one kernel build (the store's kernel row: release + image sha256 + config hash) and host class. */
public record SeriesKey(String testId, long kernelId, String hostClass) implements Comparable<SeriesKey> {
    @Override
    public int compareTo(SeriesKey o) {
        int c = testId.compareTo(o.testId);
        if (c == 0) {
            c = Long.compare(kernelId, o.kernelId);
        }
        return c != 0 ? c : hostClass.compareTo(o.hostClass);
    }
}
