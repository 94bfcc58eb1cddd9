package dev.kval.result;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.ktap.KtapParser;
import dev.kval.ktap.TestResult;
import java.io.BufferedReader;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The judge's rules on small inputs (the rules, not a kernel: VerdictConsistencyTest and GateTest judge real boots).
 * Tables are given inline so a change to kval's own tables cannot make these pass or fail.
 */
class JudgeTest {
    static final String KERNEL = "7.3.4+deb13-amd64";

    static Judge judge(String known) throws Exception {
        return new Judge(LeafRules.parse("known", new BufferedReader(new StringReader(known))),
                LeafRules.parse("must", new BufferedReader(new StringReader(""))),
                LeafRules.parse("dmesg", new BufferedReader(new StringReader(""))));
    }

    static List<TestResult> leaves(String... lines) {
        StringBuilder b = new StringBuilder("KTAP version 1\n1..1\n  KTAP version 1\n  1..1\n    KTAP version 1\n    1.." + lines.length / 2 + "\n");
        for (String l : lines) {
            b.append("    ").append(l).append('\n');
        }
        b.append("  ok 1 poison.madv\nok 1 poison\n");
        return KtapParser.parseTree(b.toString()).leaves();
    }

    static Judge.Facts facts(List<String> console) {
        return new Judge.Facts("qemu [" + KERNEL + "]", "qemu", KERNEL, null, null, console, null);
    }

    @Test
    void aKnownFindingIsCheckedForEveryStatus() throws Exception {
        Judge j = judge(".\tpoison.B4.*\tthe MF_DELAYED bug\n");
        List<TestResult> l = leaves("# observed=EBUSY", "not ok 1 poison.B4.madv_inject_rc", "# observed=0", "ok 2 poison.B4.pfn_inject_rc",
                "# SKIP no hwpoison_inject", "ok 3 poison.B4.soft_inject_rc # SKIP needs hwpoison_inject");
        Verdict known = j.leaf(facts(List.of()), l.get(0), 1);
        assertEquals(Verdict.Outcome.PASS, known.outcome());
        assertEquals("the MF_DELAYED bug", known.finding());
        Verdict stale = j.leaf(facts(List.of()), l.get(1), 1);
        assertEquals(Verdict.Outcome.FAIL, stale.outcome(), "a known finding that passes is a stale row");
        assertEquals(Blame.TEST, stale.blame());
        Verdict skipped = j.leaf(facts(List.of()), l.get(2), 1);
        assertEquals(Verdict.Outcome.SKIP, skipped.outcome());
        assertTrue(skipped.reason().contains("could not be checked"), skipped.reason());
    }

    @Test
    void aConsoleRowIsStaleWhenItsProvokingLeavesRanAndTheConsoleStayedClean() throws Exception {
        Judge j = judge(".\tconsole.hwpoison\tMF_DELAYED\tpoison.B4.*_inject_rc\n");
        List<TestResult> l = leaves("# observed=EBUSY", "not ok 1 poison.B4.madv_inject_rc");
        List<String> clean = List.of("[    1.0] Linux version 7.3.4", "[    2.0] kval-agent: ready");
        List<Verdict> v = j.hostChecks(facts(clean), l, false, List.of(), 600);
        assertEquals(1, v.size(), v.toString());
        assertEquals("host.console-hwpoison", v.get(0).leaf());
        assertEquals(Blame.TEST, v.get(0).blame());
        List<String> poisoned = List.of("[    1.0] Linux version 7.3.4",
                "[   12.0] Memory failure: 0x366e: recovery action for dirty unevictable LRU page: Failed");
        List<Verdict> w = j.hostChecks(facts(poisoned), l, false, List.of(), 600);
        assertEquals(1, w.size(), w.toString());
        assertEquals(Verdict.Outcome.PASS, w.get(0).outcome(), "the finding showed and is known: " + w);
        assertTrue(judge("").hostChecks(facts(poisoned), l, false, List.of(), 600).get(0).bad(), "an unknown console finding fails");
    }

    @Test
    void observedValuesAreTypedInTheVerdict() throws Exception {
        List<TestResult> l = leaves("# observed=+131040_kB", "ok 1 api.accounting.cached_rises_on_fallocate", "# observed=EEXIST",
                "ok 2 api.memslot.gpa_overlap_eexist");
        Judge j = judge("");
        Verdict kb = j.leaf(facts(List.of()), l.get(0), 1);
        assertTrue(kb.observed().measured());
        assertEquals("kB", kb.observed().unit());
        assertTrue(!kb.essence().contains("131040"), "a measured value is not what a verdict says: " + kb.essence());
        Verdict errno = j.leaf(facts(List.of()), l.get(1), 1);
        assertEquals(Observed.Kind.EXACT, errno.observed().kind());
        assertTrue(errno.essence().contains("observed=EEXIST"), errno.essence());
        assertNull(errno.blame());
    }
}
