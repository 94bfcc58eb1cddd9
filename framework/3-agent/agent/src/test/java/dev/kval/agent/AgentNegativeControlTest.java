package dev.kval.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The real agent on this machine's /dev/kvm: KVAL_EXPECT_FLIP turns the kernel's expected answer into a FAIL (the
 * negative control that shows a leaf is wired to the kernel's answer, issue 16), and the expectations table carries
 * provenance for every row. Runs only KVM-only cases (memslot flags, KVM_RUN without memslots), a few seconds.
 */
class AgentNegativeControlTest {
    private static final Pattern RESULT = Pattern.compile("^\\s*(not ok|ok) \\d+ (\\S+)(.*)$");

    private static Map<String, String> run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(AgentBinary.locate().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "agent did not finish");
        Map<String, String> leaves = new LinkedHashMap<>();
        for (String l : out.split("\n")) {
            Matcher m = RESULT.matcher(l);
            if (m.matches() && m.group(2).split("\\.").length >= 3) {
                leaves.put(m.group(2), m.group(1) + m.group(3));
            }
        }
        return leaves;
    }

    @Test
    void flippedExpectationFailsALeafTheKernelPasses() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/dev/kvm")) && Files.isWritable(Path.of("/dev/kvm")), "needs /dev/kvm");
        String glob = "api.memslot_*";
        Map<String, String> plain = run(Map.of(), "--case", glob);
        String v2 = "api.memslot_flags.v2_bit_7", zero = "api.memslot_zero.run_internal_error";
        assumeTrue(plain.getOrDefault(v2, "").equals("ok"), "the kernel must pass " + v2 + " first: " + plain.get(v2));
        assertEquals("ok", plain.get(zero), "KVM_RUN without memslots: " + plain.get(zero));
        Map<String, String> flipped = run(Map.of("KVAL_EXPECT_FLIP", v2 + "," + zero), "--case", glob);
        assertEquals("not ok", flipped.get(v2), "the flipped errno expectation must FAIL");
        assertEquals("not ok", flipped.get(zero), "the flipped exit-reason expectation must FAIL");
        long others = flipped.entrySet().stream().filter(e -> !e.getKey().equals(v2) && !e.getKey().equals(zero))
                .filter(e -> !e.getValue().equals(plain.get(e.getKey()))).count();
        assertEquals(0, others, "KVAL_EXPECT_FLIP must touch only the leaves it names");
    }

    @Test
    void everyExpectationRowHasProvenance() throws Exception {
        Process p = new ProcessBuilder(AgentBinary.locate().toString(), "--expectations").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        List<String> rows = out.lines().filter(l -> !l.isBlank()).toList();
        assertFalse(rows.isEmpty(), "the expectations table is empty");
        for (String r : rows) {
            String[] f = r.split("\t");
            assertEquals(5, f.length, "key, from, to, value, provenance: " + r);
            assertTrue(f[4].length() > 20, "a row without provenance: " + r);
        }
    }
}
