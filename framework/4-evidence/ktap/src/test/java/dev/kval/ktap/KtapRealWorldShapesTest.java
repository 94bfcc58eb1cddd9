package dev.kval.ktap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The shapes real KTAP arrives in, each on the smallest input that shows it. */
class KtapRealWorldShapesTest {

    static KtapTree tree(String... lines) {
        return KtapParser.parseTree(String.join("\n", lines) + "\n");
    }

    static Counts counts(String... lines) {
        CountingListener c = new CountingListener();
        KtapParser.parse(new java.io.StringReader(String.join("\n", lines) + "\n"), c);
        return c.counts();
    }

    @Test
    void printkPrefixesAreStrippedEvenWhenTheTimestampGrowsAWider() {
        KtapTree t = tree(
                "[    9.999998] kunit: something before the stream",
                "[    9.999999] KTAP version 1",
                "[   10.000001] 1..1",
                "[   10.000002]     KTAP version 1",
                "[   10.000003]     # Subtest: gmem",
                "[   10.000004]     1..2",
                "[   10.000005]     ok 1 create",
                "[  100.000006]     not ok 2 bind",
                "[  100.000007] not ok 1 gmem");
        assertEquals(List.of(), t.parseErrors());
        assertEquals(List.of("gmem"), t.leaves().get(0).path());
        assertEquals(Status.FAIL, t.leaves().get(1).status());
    }

    @Test
    void callerIdsSyslogAndLevelPrefixes() {
        for (String p : List.of("[   12.345678][  T123] ", "<6>[   12.345678] ", "Dec  7 18:51:35 host kernel: [   12.345678] ",
                "2026-12-07T18:51:35.123456+00:00 host kernel: ")) {
            Counts c = counts(p + "KTAP version 1", p + "1..2", p + "ok 1 a", p + "ok 2 b # SKIP no gmem");
            assertEquals(1, c.pass(), p);
            assertEquals(1, c.skip(), p);
        }
    }

    @Test
    void hashTapVersionIsNestingNotAPrefix() {
        Counts c = counts("# TAP version 13", "# 1..1", "# ok 1 inner");
        assertEquals(1, c.leaves());
    }

    @Test
    void tabIndentedKunitSuitesWithoutNestedVersionLines() {
        Counts c = counts("TAP version 14", "1..1", "\t# Subtest: example", "\t1..2", "\tok 1 - a", "\tnot ok 2 - b",
                "not ok 1 - example");
        assertEquals(new Counts(1, 1, 0, 0, 0, 0, 0, 2, 2), c);
    }

    @Test
    void aPanicInTheMiddleLeavesThePlannedTestsMissing() {
        Counts c = counts("[    0.06] TAP version 14", "[    0.06] 1..2", "[    0.06] \t# Subtest: s", "[    0.06] \t1..3",
                "[    0.06] \tok 1 - a", "[    0.06] \tKernel panic - not syncing: VFS: Unable to mount root fs",
                "[    0.06] CPU: 0 PID: 1 Comm: swapper Not tainted 5.4.0 #2");
        // s: 1 passed, 2 planned never reported; the second top-level test never started: one more missing leaf.
        assertEquals(new Counts(1, 0, 0, 0, 0, 0, 3, 4, 2), c);
    }

    @Test
    void aResultLineAMailerWrappedKeepsItsDirective() {
        KtapTree t = tree("TAP version 13", "1..2",
                "not ok 1 selftests: kvm: hardware_disable_test # TIMEOUT 120",
                "seconds",
                "ok 2 selftests: membarrier: membarrier_test_multi_thread #",
                "SKIP not supported");
        assertEquals(Status.TIMEOUT, t.leaves().get(0).status());
        assertEquals("120 seconds", t.leaves().get(0).reason());
        assertEquals(Status.SKIP, t.leaves().get(1).status());
        assertTrue(t.parseErrors().stream().anyMatch(e -> e.message().contains("joined")), t.parseErrors().toString());
    }

    @Test
    void inDmesgOnlyALineThatLostThePrefixIsAWrappedTail() {
        KtapTree t = tree("[    1.000000] KTAP version 1", "[    1.000001] 1..2",
                "[    1.000002] ok 1 kunit_resource_test_proper_free_ordering_long_name",
                "[    1.000003] kAFS: Red Hat AFS client v0.1 registering.",
                "[    1.000004] not ok 2 kunit_resource_test_cleanup_resources_long_name #",
                "SKIP no resources");
        assertEquals("kunit_resource_test_proper_free_ordering_long_name", t.leaves().get(0).name());
        assertEquals(Status.SKIP, t.leaves().get(1).status());
    }

    @Test
    void noJoinWhenTheNextLineIsKtapOrIndentedOrTheResultIsShort() {
        KtapTree t = tree("KTAP version 1", "1..3",
                "ok 1 a_test_name_that_is_long_enough_to_have_been_wrapped_by_a_mailer",
                "ok 2 b",
                "ok 3 c",
                "  indented console line");
        assertEquals(3, t.leaves().size());
        assertEquals(List.of("a_test_name_that_is_long_enough_to_have_been_wrapped_by_a_mailer", "b", "c"),
                t.leaves().stream().map(TestResult::name).toList());
        KtapTree shortLine = tree("KTAP version 1", "1..1", "ok 1 short", "tail");
        assertEquals("short", shortLine.leaves().get(0).name());
    }
}
