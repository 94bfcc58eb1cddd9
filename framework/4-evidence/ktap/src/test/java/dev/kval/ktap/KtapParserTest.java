package dev.kval.ktap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KtapParserTest {

    static KtapTree tree(String... lines) {
        return KtapParser.parseTree(String.join("\n", lines) + "\n");
    }

    static TestResult leaf(KtapTree t, String id) {
        return t.leaves().stream().filter(r -> r.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no leaf " + id + " in " + t.leaves()));
    }

    static boolean hasError(KtapTree t, String fragment) {
        return t.parseErrors().stream().anyMatch(e -> e.message().contains(fragment));
    }

    @Test
    void flatDocument() {
        KtapTree t = tree("KTAP version 1", "1..3", "ok 1 a", "not ok 2 b", "ok 3 c");
        assertEquals(new Counts(2, 1, 0, 0, 0, 0, 0, 3, 1), t.counts());
        assertTrue(t.parseErrors().isEmpty());
        assertEquals(List.of(), leaf(t, "a").path());
        assertEquals(2, leaf(t, "b").number());
        assertEquals(4, leaf(t, "b").line());
    }

    @Test
    void tapVersions13And14Accepted() {
        for (String v : List.of("TAP version 13", "TAP version 14", "KTAP version 1", "KTAP version 2")) {
            KtapTree t = tree(v, "1..1", "ok 1 - x");
            assertTrue(t.parseErrors().isEmpty(), v);
            assertEquals("x", t.leaves().get(0).name(), "TAP14 '- ' is stripped");
        }
        assertTrue(hasError(tree("KTAP version 3", "1..1", "ok 1 x"), "unsupported version"));
        assertTrue(hasError(tree("KTAP version x", "1..1", "ok 1 x"), "malformed version"));
    }

    @Test
    void directivesCaseInsensitive() {
        KtapTree t = tree("KTAP version 1", "1..8",
                "ok 1 s # SKIP no hugepages",
                "not ok 2 s2 # skip reason two",
                "not ok 3 t # TIMEOUT 45 seconds",
                "not ok 4 e # error setup failed",
                "not ok 5 x # XFAIL known gap",
                "not ok 6 td # TODO later",
                "ok 7 u # exit=0",
                "not ok 8 f # exit=1");
        assertEquals(Status.SKIP, leaf(t, "s").status());
        assertEquals("no hugepages", leaf(t, "s").reason());
        assertEquals(Status.SKIP, leaf(t, "s2").status());
        assertEquals(Status.TIMEOUT, leaf(t, "t").status());
        assertEquals("45 seconds", leaf(t, "t").reason());
        assertEquals(Status.ERROR, leaf(t, "e").status());
        assertEquals("setup failed", leaf(t, "e").reason());
        assertEquals(Status.XFAIL, leaf(t, "x").status());
        assertEquals(Status.XFAIL, leaf(t, "td").status());
        assertEquals(Status.PASS, leaf(t, "u").status());
        assertEquals("exit=0", leaf(t, "u").reason(), "unknown directive kept as reason");
        assertEquals(Status.FAIL, leaf(t, "f").status());
        Counts c = t.counts();
        assertEquals(new Counts(1, 1, 2, 2, 1, 1, 0, 8, 1), c);
    }

    @Test
    void resultWithoutNumberOrDescription() {
        KtapTree t = tree("KTAP version 1", "1..3", "ok", "ok second", "not ok 3");
        assertEquals(3, t.counts().leaves());
        assertEquals(1, t.leaves().get(0).number());
        assertEquals(2, leaf(t, "second").number());
        assertTrue(t.parseErrors().isEmpty(), t.parseErrors().toString());
    }

    @Test
    void escapedHashInDescription() {
        KtapTree t = tree("KTAP version 1", "1..1", "ok 1 a \\# b # SKIP why");
        assertEquals("a # b", t.leaves().get(0).name());
        assertEquals(Status.SKIP, t.leaves().get(0).status());
    }

    @Test
    void diagnosticsAttachToFollowingResult() {
        KtapTree t = tree("KTAP version 1", "1..2", "# observed=EINVAL", "# perf.punch_ns=1234", "not ok 1 api.C16.punch_unaligned_0_1",
                "ok 2 b");
        TestResult r = leaf(t, "api.C16.punch_unaligned_0_1");
        assertEquals(List.of("observed=EINVAL", "perf.punch_ns=1234"), r.diagnostics());
        assertEquals("EINVAL", r.diagnostic("observed"));
        assertEquals("1234", r.diagnostic("perf.punch_ns"));
        assertEquals(List.of(), leaf(t, "b").diagnostics());
    }

    @Test
    void unknownLinesAreConsoleLinesAndDoNotAffectResults() {
        List<String> console = new ArrayList<>();
        KtapParser.parse(new StringReader("[   1.2] random kernel message\nKTAP version 1\n1..1\nsome noise\n  more noise\nok 1 a\n"),
                new KtapListener() {
                    public void onResult(TestResult r) {
                    }

                    public void onConsoleLine(int line, String text) {
                        console.add(line + ":" + text);
                    }
                });
        assertEquals(List.of("1:[   1.2] random kernel message", "4:some noise", "5:  more noise"), console);
    }

    @Test
    void nestingTwoSpaces() {
        KtapTree t = tree("KTAP version 1", "1..2",
                "  KTAP version 1", "  1..2", "  ok 1 a", "  not ok 2 b", "not ok 1 suite1",
                "  KTAP version 1", "  1..1", "    KTAP version 1", "    1..1", "    ok 1 deep", "  ok 1 case", "ok 2 suite2");
        assertEquals(3, t.counts().leaves());
        assertEquals(3, t.counts().depth());
        assertEquals(List.of("suite1"), leaf(t, "suite1/a").path());
        assertEquals(List.of("suite2", "case"), leaf(t, "suite2/case/deep").path());
        assertEquals(2, t.roots().size());
        assertFalse(t.roots().get(0).result().leaf());
        assertEquals(2, t.roots().get(0).children().size());
        assertTrue(t.parseErrors().isEmpty(), t.parseErrors().toString());
    }

    @Test
    void kunitFourSpacesWithSubtestHeader() {
        KtapTree t = tree("KTAP version 1", "1..1",
                "    KTAP version 1", "    # Subtest: example", "    # module: example", "    1..2",
                "    ok 1 example_simple_test", "    ok 2 example_skip_test # SKIP this test should be skipped",
                "    # example: pass:1 fail:0 skip:1 total:2",
                "ok 1 example");
        assertEquals(List.of("example"), leaf(t, "example/example_simple_test").path());
        assertEquals(Status.SKIP, leaf(t, "example/example_skip_test").status());
        assertTrue(t.parseErrors().isEmpty(), t.parseErrors().toString());
        TestResult parent = t.roots().get(0).result();
        assertTrue(parent.diagnostics().contains("example: pass:1 fail:0 skip:1 total:2"), parent.diagnostics().toString());
    }

    @Test
    void subtestHeaderNamesChildrenEarly() {
        List<TestResult> seen = new ArrayList<>();
        KtapParser.parse(new StringReader("KTAP version 1\n1..1\n    # Subtest: s\n    1..1\n    ok 1 a\n"),
                new KtapListener() {
                    public void onResult(TestResult r) {
                        seen.add(r);
                    }
                });
        // delivered although the parent's result line never came (truncated)
        assertEquals(List.of("s"), seen.get(0).path());
        assertEquals(Status.MISSING, seen.get(1).status());
        assertEquals("s", seen.get(1).name());
    }

    @Test
    void tap14SubtestHeaderAtParentLevel() {
        KtapTree t = tree("TAP version 14", "1..1", "# Subtest: child", "    1..2", "    ok 1 - a", "    ok 2 - b", "ok 1 - child");
        assertEquals(List.of("child"), leaf(t, "child/a").path());
        assertEquals(2, t.counts().leaves());
        assertTrue(t.parseErrors().isEmpty(), t.parseErrors().toString());
    }

    @Test
    void kselftestRunnerWrappedOutputBecomesNesting() {
        KtapTree t = tree(
                "TAP version 13",
                "1..3",
                "# timeout set to 120",
                "# selftests: kvm: guest_memfd_test",
                "# TAP version 13",
                "# 1..3",
                "# # Random seed: 0x6b8b4567",
                "# ok 1 mmap_supported",
                "# ok 2 fallocate # SKIP no hugepages",
                "# not ok 3 punch_hole",
                "# # Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0",
                "not ok 1 selftests: kvm: guest_memfd_test # exit=1",
                "# selftests: kvm: sev_migrate_tests",
                "# TAP version 13",
                "# 1..0 # SKIP SEV not available",
                "ok 2 selftests: kvm: sev_migrate_tests # SKIP",
                "# selftests: kvm: hangs",
                "# TAP version 13",
                "# 1..2",
                "# ok 1 first",
                "not ok 3 selftests: kvm: hangs # TIMEOUT 120 seconds");
        String bin = "selftests: kvm: guest_memfd_test";
        assertEquals(Status.PASS, leaf(t, bin + "/mmap_supported").status());
        assertEquals(List.of("Random seed: 0x6b8b4567"), leaf(t, bin + "/mmap_supported").diagnostics());
        assertEquals(Status.SKIP, leaf(t, bin + "/fallocate").status());
        assertEquals(Status.FAIL, leaf(t, bin + "/punch_hole").status());
        assertEquals(Status.SKIP, leaf(t, "selftests: kvm: sev_migrate_tests").status());
        assertTrue(leaf(t, "selftests: kvm: sev_migrate_tests").leaf());
        assertEquals(Status.PASS, leaf(t, "selftests: kvm: hangs/first").status());
        assertEquals(Status.MISSING, leaf(t, "selftests: kvm: hangs/<missing 2>").status(), "the timed-out binary's 2nd test");
        TestResult parent = t.roots().get(0).result();
        assertEquals(Status.FAIL, parent.status());
        assertFalse(parent.leaf());
        assertTrue(parent.diagnostics().contains("selftests: kvm: guest_memfd_test"));
        assertTrue(parent.diagnostics().contains("Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0"));
        assertEquals(new Counts(2, 1, 2, 0, 0, 0, 1, 6, 2), t.counts());
    }

    @Test
    void doublyWrappedKselftest() {
        KtapTree t = tree("TAP version 13", "1..1", "# TAP version 13", "# 1..1", "# # TAP version 13", "# # 1..1",
                "# # ok 1 inner", "# ok 1 middle", "ok 1 outer");
        assertEquals(List.of("outer", "middle"), leaf(t, "outer/middle/inner").path());
        assertEquals(3, t.counts().depth());
    }

    @Test
    void missingPlannedTests() {
        KtapTree t = tree("KTAP version 1", "1..4", "ok 1 a", "ok 2 b");
        assertEquals(2, t.counts().missing());
        assertEquals(4, t.counts().leaves());
        assertEquals(Status.MISSING, leaf(t, "<missing 3>").status());
        assertTrue(hasError(t, "2 results are missing"));
        assertFalse(t.ok());
    }

    @Test
    void skipAllPlan() {
        KtapTree t = tree("KTAP version 1", "1..0 # SKIP not supported on this CPU");
        assertEquals(0, t.counts().leaves());
        assertTrue(t.parseErrors().isEmpty());
        assertTrue(t.ok());
    }

    @Test
    void moreResultsThanPlanned() {
        KtapTree t = tree("KTAP version 1", "1..1", "ok 1 a", "ok 2 b");
        assertEquals(2, t.counts().leaves());
        assertTrue(hasError(t, "beyond the plan"));
    }

    @Test
    void missingPlanIsReported() {
        KtapTree t = tree("KTAP version 1", "ok 1 a", "ok 2 b");
        assertEquals(2, t.counts().pass());
        assertTrue(hasError(t, "no plan"));
    }

    @Test
    void trailingPlanAccepted() {
        KtapTree t = tree("TAP version 13", "ok 1 a", "ok 2 b", "1..2");
        assertTrue(t.parseErrors().isEmpty(), t.parseErrors().toString());
    }

    @Test
    void duplicatesAndOutOfOrderNumbers() {
        KtapTree t = tree("KTAP version 1", "1..3", "ok 1 a", "ok 1 a", "ok 3 c");
        assertTrue(hasError(t, "duplicate test number 1"));
        assertTrue(hasError(t, "duplicate test name 'a'"));
        assertTrue(hasError(t, "out of order"));
        assertEquals(4, t.counts().leaves(), "both duplicates kept, #2 missing");
        assertEquals(1, t.counts().missing());
    }

    @Test
    void malformedLinesReportedWithLineNumbers() {
        KtapTree t = tree("KTAP version 1", "1..x", "1..2", "ok 99999999999 huge", "ok 2 b");
        assertTrue(t.parseErrors().stream().anyMatch(e -> e.line() == 2 && e.message().contains("malformed plan")));
        assertTrue(t.parseErrors().stream().anyMatch(e -> e.line() == 4 && e.message().contains("too large")));
        assertEquals(2, t.counts().leaves());
    }

    @Test
    void secondPlanIgnored() {
        KtapTree t = tree("KTAP version 1", "1..1", "1..5", "ok 1 a");
        assertTrue(hasError(t, "second plan"));
        assertEquals(0, t.counts().missing());
    }

    @Test
    void truncatedInsideNestedBlock() {
        KtapTree t = tree("KTAP version 1", "1..2", "  KTAP version 1", "  1..3", "  ok 1 a", "  not ok 2 b");
        assertTrue(hasError(t, "truncated"));
        assertEquals(Status.MISSING, leaf(t, "<unnamed subtest at line 3>/<missing 3>").status());
        assertEquals(Status.MISSING, leaf(t, "<missing 2>").status());
        assertEquals(new Counts(1, 1, 0, 0, 0, 0, 2, 4, 2), t.counts());
    }

    @Test
    void truncatedMidLine() {
        KtapTree t = KtapParser.parseTree("KTAP version 1\n1..2\nok 1 a\nok 2 b # SK");
        assertEquals(2, t.counts().leaves());
        assertEquals(Status.PASS, leaf(t, "b").status());
    }

    @Test
    void orphanSubtestBlockWithoutParentLine() {
        KtapTree t = tree("KTAP version 1", "1..2", "  KTAP version 1", "  1..1", "  ok 1 a", "ok 2 b");
        // "ok 2 b" closes the nested block; it was meant for test 1 whose result line is missing -> but here the
        // result line present is the parent. Only a structural line that is not a result orphans the block:
        assertEquals(List.of("b"), leaf(t, "b/a").path());
        KtapTree o = tree("KTAP version 1", "1..2", "  KTAP version 1", "  1..1", "  ok 1 a", "1..2", "ok 2 b");
        assertTrue(hasError(o, "has no result line"));
        assertEquals(2, o.counts().leaves());
    }

    @Test
    void bailOut() {
        KtapTree t = tree("KTAP version 1", "1..3", "  KTAP version 1", "  1..2", "  ok 1 a", "Bail out! hypervisor gone",
                "ok 2 ignored-after-bail");
        assertEquals(List.of("hypervisor gone"), t.bailOuts());
        assertEquals(Status.MISSING, leaf(t, "<unnamed subtest at line 3>/<missing 2>").status());
        assertTrue(leaf(t, "<unnamed subtest at line 3>/<missing 2>").reason().contains("Bail out!"));
        // the bailed block was test 1 (its result line never came); tests 2 and 3 never ran; the nested 2nd too
        assertEquals(3, t.counts().missing(), t.leaves().toString());
        assertEquals(Status.MISSING, leaf(t, "<missing 3>").status());
        assertEquals(Status.PASS, leaf(t, "<unnamed subtest at line 3>/a").status());
    }

    @Test
    void inconsistentIndentation() {
        KtapTree t = tree("KTAP version 1", "1..1", "    KTAP version 1", "    1..2", "    ok 1 a", "  ok 2 b", "ok 1 s");
        assertTrue(hasError(t, "inconsistent indentation"));
        assertEquals(2, t.counts().leaves());
        assertEquals(List.of("s"), leaf(t, "s/b").path());
    }

    @Test
    void concatenatedDocuments() {
        KtapTree t = tree("KTAP version 1", "1..1", "ok 1 a", "KTAP version 1", "1..1", "ok 1 a");
        assertEquals(2, t.counts().pass());
        assertTrue(t.parseErrors().isEmpty(), t.parseErrors().toString());
    }

    @Test
    void crlfAndCrLineEndings() {
        KtapTree t = KtapParser.parseTree("KTAP version 1\r\n1..2\r\nok 1 a\rok 2 b\r\n");
        assertEquals(2, t.counts().pass());
        assertTrue(t.parseErrors().isEmpty(), t.parseErrors().toString());
    }

    @Test
    void hugeLineIsCut() {
        String big = "ok 1 " + "x".repeat(200_000);
        KtapTree t = KtapParser.parseTree("KTAP version 1\n1..1\n" + big + "\n");
        assertTrue(hasError(t, "line longer than"));
        assertEquals(1, t.counts().pass());
    }

    @Test
    void readErrorBecomesParseError() {
        Reader failing = new Reader() {
            boolean first = true;

            @Override
            public int read(char[] cbuf, int off, int len) throws IOException {
                if (first) {
                    first = false;
                    String s = "KTAP version 1\n1..2\nok 1 a\n";
                    s.getChars(0, s.length(), cbuf, off);
                    return s.length();
                }
                throw new IOException("disk gone");
            }

            @Override
            public void close() {
            }
        };
        KtapTree t = KtapParser.parseTree(failing);
        assertTrue(hasError(t, "disk gone"));
        assertEquals(1, t.counts().missing());
    }

    @Test
    void listenerExceptionsPropagate() {
        assertThrows(IllegalStateException.class, () -> KtapParser.parse(new StringReader("ok 1 a\n"), r -> {
            throw new IllegalStateException("listener bug");
        }));
    }

    @Test
    void pendingCapGivesProvisionalName() {
        StringBuilder sb = new StringBuilder("KTAP version 1\n1..1\n  KTAP version 1\n  1..50\n");
        for (int i = 1; i <= 50; i++) {
            sb.append("  ok ").append(i).append(" t").append(i).append('\n');
        }
        sb.append("ok 1 big\n");
        KtapTree.Builder b = new KtapTree.Builder();
        KtapParser.parse(new StringReader(sb.toString()), b, new KtapParser.Options(10, 65536, 1000, 64, 1000, 1000));
        KtapTree t = b.build();
        assertEquals(50, t.counts().leaves());
        assertTrue(hasError(t, "provisional name"));
        assertEquals(List.of("<subtest at line 3>"), leaf(t, "<subtest at line 3>/t1").path());
    }

    @Test
    void diagnosticsCapped() {
        StringBuilder sb = new StringBuilder("KTAP version 1\n1..1\n");
        for (int i = 0; i < 5000; i++) {
            sb.append("# d").append(i).append('\n');
        }
        sb.append("ok 1 a\n");
        TestResult r = KtapParser.parseTree(sb.toString()).leaves().get(0);
        assertEquals(1001, r.diagnostics().size());
        assertTrue(r.diagnostics().get(1000).contains("4000 more"));
    }

    @Test
    void streamingDeliversPostOrderWithPaths() {
        List<String> order = new ArrayList<>();
        KtapParser.parse(new StringReader(String.join("\n", "KTAP version 1", "1..1", "  KTAP version 1", "  1..1",
                "    KTAP version 1", "    1..1", "    ok 1 leaf", "  ok 1 mid", "ok 1 top")), r -> order.add(r.id()));
        assertEquals(List.of("top/mid/leaf", "top/mid", "top"), order);
    }

    @Test
    void deepNestingIsBounded() {
        StringBuilder sb = new StringBuilder("KTAP version 1\n1..1\n");
        for (int i = 1; i < 200; i++) {
            sb.append("  ".repeat(i)).append("KTAP version 1\n");
        }
        KtapTree t = KtapParser.parseTree(sb.toString());
        assertTrue(hasError(t, "nesting deeper than"));
    }
}
