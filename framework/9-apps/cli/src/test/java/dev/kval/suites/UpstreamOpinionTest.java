package dev.kval.suites;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.ktap.KtapParser;
import dev.kval.ktap.KtapTree;
import dev.kval.ktap.Status;
import dev.kval.ktap.TestResult;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The second opinion's comparison on real output: resources ktap/debian-6.18.15-kselftest-7.3.ktap (linux-source-7.3's
 * selftests on Debian 6.18.15 in QEMU, 2026-12-07: guest_memfd_test stops at guest_memfd_test.c:354) and
 * ktap/debian-6.18.15-api.ktap (the agent's api suite on the same boot). The agreeing case is the run as it was; the
 * other outcomes are produced by editing those real documents (flipping kval's leaves, moving upstream's failure).
 */
class UpstreamOpinionTest {
    @TempDir
    Path tmp;

    private static String res(String name) throws Exception {
        try (InputStream in = UpstreamOpinionTest.class.getResourceAsStream("/ktap/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private TestResult parity(String selftests, String agent) {
        KtapTree t = UpstreamOpinion.add(KtapParser.parseTree(selftests), KtapParser.parseTree(agent), tmp, s -> { });
        List<TestResult> p = t.leaves().stream().filter(l -> l.name().startsWith("kselftest.parity.")).toList();
        assertEquals(1, p.size(), "one failed upstream assertion, one parity leaf: " + p);
        return p.get(0);
    }

    @Test
    void upstreamsFailureAndKvalsAgreeOnDebian61815() throws Exception {
        TestResult p = parity(res("debian-6.18.15-kselftest-7.3.ktap"), res("debian-6.18.15-api.ktap"));
        assertEquals("kselftest.parity.guest_memfd_test_354", p.name());
        assertEquals(Status.PASS, p.status(), p.diagnostics().toString());
        assertTrue(p.diagnostics().get(0).startsWith("kval agrees"), p.diagnostics().toString());
        assertTrue(Files.readString(tmp.resolve("upstream-opinion.txt")).contains("api.gmem_t0_f0.binding_offset_int64max_einval: FAIL"));
    }

    @Test
    void kvalPassingWhereUpstreamFailsIsADisagreementNeverDropped() throws Exception {
        // negative control: the same run as if kval's mapped leaves had passed
        String agent = res("debian-6.18.15-api.ktap").replaceAll("not ok (\\d+) (api\\.gmem_t0_\\w+\\.binding_offset_int64max_einval)", "ok $1 $2");
        TestResult p = parity(res("debian-6.18.15-kselftest-7.3.ktap"), agent);
        assertEquals(Status.ERROR, p.status());
        assertTrue(p.reason().startsWith("disagreement: upstream fails at guest_memfd_test.c:354"), p.reason());
    }

    @Test
    void anIntentionalAbiDifferenceIsExplainedByTheExpectationsTable() throws Exception {
        // upstream 7.3 stopping at the EEXIST overlap assertion (as it does on a 6.18 kernel with SW_PROTECTED_VM);
        // kval's leaf passes there with the agent's expectations row (EINVAL before 7.2) printed
        String selftests = res("debian-6.18.15-kselftest-7.3.ktap")
                .replace("guest_memfd_test.c:354: r && errno == EINVAL", "set_memory_region_test.c:537: r == -1 && errno == EEXIST");
        TestResult p = parity(selftests, res("debian-6.18.15-api.ktap"));
        assertEquals("kselftest.parity.set_memory_region_test_537", p.name());
        assertEquals(Status.PASS, p.status(), p.diagnostics().toString());
        assertTrue(p.diagnostics().get(0).contains("expectation memslot.gmem_overlap_errno = 22"), p.diagnostics().toString());
    }

    @Test
    void kvalLeavesThatDidNotRunAreSaidSo() throws Exception {
        String agent = res("debian-6.18.15-api.ktap").replaceAll("(?m)^.*binding_offset_int64max_einval.*$\\n", "");
        TestResult p = parity(res("debian-6.18.15-kselftest-7.3.ktap"), agent);
        assertEquals(Status.SKIP, p.status());
    }

    @Test
    void kvalFailingWhereUpstreamPassedIsADisagreementToo() throws Exception {
        // the same 6.18.15 boot as if kval's zero-memslot leaf had failed: upstream's set_memory_region_test passed there
        String selftests = res("debian-6.18.15-kselftest-7.3.ktap");
        Files.writeString(tmp.resolve("kselftest.ktap"), selftests);
        String agent = res("debian-6.18.15-api.ktap").replace("    ok 1 api.memslot_zero.run_internal_error", "    not ok 1 api.memslot_zero.run_internal_error");
        KtapTree t = UpstreamOpinion.add(KtapParser.parseTree(selftests), KtapParser.parseTree(agent), tmp, s -> { });
        TestResult p = t.leaves().stream().filter(l -> l.name().equals("kselftest.parity.set_memory_region_test_340")).findFirst()
                .orElseThrow(() -> new AssertionError("no parity leaf for set_memory_region_test.c:340: " + t.leaves()));
        assertEquals(Status.ERROR, p.status());
        assertTrue(p.reason().startsWith("disagreement: upstream passes set_memory_region_test.c:340"), p.reason());
        // negative control: the run as it was has no such disagreement (kval's leaves mapped to passing programs pass)
        KtapTree asWas = UpstreamOpinion.add(KtapParser.parseTree(selftests), KtapParser.parseTree(res("debian-6.18.15-api.ktap")), tmp, s -> { });
        assertEquals(List.of("kselftest.parity.guest_memfd_test_354"),
                asWas.leaves().stream().map(TestResult::name).filter(n -> n.startsWith("kselftest.parity.")).toList());
        // another source's selftests have other line numbers: no reverse comparison
        Files.writeString(tmp.resolve("kselftest.ktap"), selftests.replace("version=7.3.4", "version=6.18.15"));
        KtapTree other = UpstreamOpinion.add(KtapParser.parseTree(selftests), KtapParser.parseTree(agent), tmp, s -> { });
        assertTrue(other.leaves().stream().noneMatch(l -> l.name().equals("kselftest.parity.set_memory_region_test_340")));
    }
}
