package dev.kval.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.ktap.KtapParser;
import dev.kval.ktap.Status;
import dev.kval.ktap.TestResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The splice of a resumed race boot into the first boot's KTAP, on two real boots of Debian 7.0.13 (SOURCES.md): the
 * merged KTAP must carry boot 2's verdicts (ctl_* PASS, pfn_punch's deadlock FAIL with its stacks) under boot 1's
 * numbers, keep madv_punch's deadlock, and leave exactly boot 2's own placeholders for a third boot.
 */
class RaceResumeTest {
    static String res(String name) throws IOException {
        try (InputStream in = RaceResumeTest.class.getResourceAsStream("/race-resume/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static Map<String, Status> leaves(String ktap) {
        return KtapParser.parseTree(ktap).leaves().stream().collect(Collectors.toMap(TestResult::name, TestResult::status, (a, b) -> b,
                java.util.LinkedHashMap::new));
    }

    @Test
    void resumedBootsVerdictsReplaceThePlaceholders() throws IOException {
        String b1 = res("boot-1.ktap");
        String b2 = res("boot-2.ktap");
        assertEquals(25, RaceResume.placeholders(b1).size());
        assertEquals("race.ctl_madv", RaceResume.placeholders(b1).get(0));
        String merged = RaceResume.splice(b1, b2, null, null);

        List<String> left = RaceResume.placeholders(merged);
        assertEquals(RaceResume.placeholders(b2), left, "only boot 2's own placeholders are left");
        assertEquals("race.madv_alloc", left.get(0));

        Map<String, Status> m = leaves(merged);
        assertEquals(Status.FAIL, m.get("race.madv_punch.no_deadlock"), "boot 1's deadlock stays");
        assertEquals(Status.FAIL, m.get("race.pfn_punch.no_deadlock"), "boot 2's deadlock comes in");
        assertEquals(Status.PASS, m.get("race.ctl_madv.no_deadlock"));
        assertEquals(Status.PASS, m.get("race.ctl_punch.invariants"));
        assertTrue(merged.contains("  not ok 4 race.pfn_punch\n"), "boot 1's number for pfn_punch (it was 3 in boot 2)");
        assertTrue(merged.contains("kvm_gmem_error_folio") && merged.lines().filter(l -> l.contains("stack")).count()
                > b1.lines().filter(l -> l.contains("stack")).count(), "boot 2's stacks are in the merged KTAP");
        // the plan of boot 1 (26 cases) still holds: no case lost or doubled
        assertEquals(26, merged.lines().filter(l -> l.matches("^  (not ok|ok) \\d+ race\\.\\S+.*")).count());
        assertTrue(RaceResume.hasResult(b2, "race.ctl_madv"));
        assertFalse(RaceResume.hasResult(b1, "race.ctl_madv"), "a placeholder is no result");
    }

    @Test
    void aResumedBootWhoseKernelDiedMakesItsCaseNotOk() throws IOException {
        String b1 = res("boot-1.ktap");
        String merged = RaceResume.splice(b1, "", "race.ctl_madv", "resumed boot 2: the kernel died during this case: panic");
        assertEquals(Status.FAIL, KtapParser.parseTree(merged).leaves().stream().filter(l -> l.name().equals("race.ctl_madv"))
                .map(TestResult::status).findFirst().orElse(null), merged);
        assertTrue(merged.contains("# resumed boot 2: the kernel died during this case: panic"));
        assertEquals(24, RaceResume.placeholders(merged).size(), "the cases after it still wait for a boot");
    }
}
