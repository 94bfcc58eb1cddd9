package dev.kval.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kval.store.StoredResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The diff's category table, one row each, with the default classifier (failed in some but not all repetitions). */
class NightlyDiffTest {
    private static final List<StoredResult> rows = new ArrayList<>();

    static List<StoredResult> night(long run, String... testStatuses) {
        List<StoredResult> out = new ArrayList<>();
        for (String ts : testStatuses) {
            String[] p = ts.split("=");
            String[] statuses = p[1].split("/");
            for (int i = 0; i < statuses.length; i++) {
                out.add(new StoredResult(rows.size() + out.size(), run, "u" + run, "debian:newest", "7.3.4", "qemu=debian:newest", "qemu", "api",
                        p[0], statuses[i], statuses[i].equals("FAIL") ? "KERNEL" : null, 1L, 0, i + 1, null, null, Instant.EPOCH));
            }
        }
        return out;
    }

    @Test
    void everyRowOfTheTable() {
        List<StoredResult> before = night(1, "a=PASS/PASS", "b=FAIL/FAIL", "c=FAIL/FAIL", "d=PASS/PASS", "e=PASS/PASS", "f=SKIP/SKIP", "g=XFAIL/XFAIL");
        List<StoredResult> now = night(2, "a=FAIL/FAIL", "b=FAIL/FAIL", "c=PASS/PASS", "d=PASS/FAIL", "e=SKIP/SKIP", "f=SKIP/SKIP", "g=XFAIL/XFAIL",
                "h=FAIL/FAIL");
        NightlyDiff d = NightlyDiff.of(null, 2, 1L, now, before, FlakyCheck.REPETITIONS);
        assertEquals(List.of("a", "h"), d.newFailures().stream().map(NightlyDiff.Entry::test).toList(), "passed or absent -> failed");
        assertEquals(List.of("b"), d.stillFailing().stream().map(NightlyDiff.Entry::test).toList());
        assertEquals(List.of("c"), d.fixed().stream().map(NightlyDiff.Entry::test).toList());
        assertEquals(List.of("d"), d.flaky().stream().map(NightlyDiff.Entry::test).toList());
        assertEquals(List.of("e"), d.newSkips().stream().map(NightlyDiff.Entry::test).toList(), "a skip already there is not new");
        assertEquals(List.of("PASS", "FAIL"), d.flaky().get(0).now());
        assertEquals(8, d.tests());
    }
}
