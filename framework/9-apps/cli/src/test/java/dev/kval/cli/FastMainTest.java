package dev.kval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kval.ktap.KtapParser;
import dev.kval.ktap.KtapTree;
import dev.kval.ktap.ParseError;
import dev.kval.ktap.TestResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fast path (FastMain, no Quarkus) prints what the whole-tree implementation printed: `kval ktap` now streams each
 * top-level subtree as it completes, and must give the same text, JSON and exit status as printing the parsed tree.
 */
class FastMainTest {
    @TempDir
    Path tmp;

    static final String KTAP = """
            KTAP version 1
            1..3
                KTAP version 1
                # Subtest: suite_a
                1..2
                    KTAP version 1
                    # Subtest: case_1
                    1..3
                    ok 1 a1
                    not ok 2 a2 # expected 3, got 4
                    ok 3 a3 # SKIP no hugepages
                not ok 1 case_1
                ok 2 case_2
            not ok 1 suite_a
            [  12.3] some console noise
            ok 2 plain_leaf
                KTAP version 1
                # Subtest: suite_c
                1..3
                ok 1 c1
            ok 7 suite_c
            """;

    record Out(int exit, String stdout) {
    }

    static Out run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            return new Out(FastMain.run(args), buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
    }

    /** The output of the implementation before streaming: the whole tree, printed pre-order, then the summary. */
    static String treeReference(KtapTree tree) {
        StringBuilder b = new StringBuilder();
        for (KtapTree.Node n : tree.roots()) {
            print(b, n, 0);
        }
        b.append(tree.counts()).append('\n');
        for (ParseError e : tree.parseErrors()) {
            b.append("parse error: ").append(e).append('\n');
        }
        if (!tree.bailOuts().isEmpty()) {
            b.append("bail out: ").append(String.join("; ", tree.bailOuts())).append('\n');
        }
        return b.toString();
    }

    static void print(StringBuilder b, KtapTree.Node n, int depth) {
        TestResult r = n.result();
        b.append("  ".repeat(depth)).append(String.format("%-7s ", r.status())).append(r.name());
        if (!r.reason().isEmpty()) {
            b.append("  # ").append(r.reason());
        }
        b.append('\n');
        for (KtapTree.Node c : n.children()) {
            print(b, c, depth + 1);
        }
    }

    @Test
    void streamedTextEqualsTheWholeTreeAndExitSaysFailure() throws Exception {
        Path f = tmp.resolve("run.ktap");
        Files.writeString(f, KTAP);
        KtapTree tree = KtapParser.parseTree(KTAP);
        assertTrue(tree.parseErrors().size() > 0 && tree.counts().missing() > 0, "the sample has parse errors and missing tests");
        Out o = run("ktap", f.toString());
        assertEquals(treeReference(tree).replace("\n", System.lineSeparator()), o.stdout());
        assertEquals(1, o.exit());
    }

    @Test
    void jsonEqualsTheTreesCountsAndNotOkLeavesInEitherArgumentOrder() throws Exception {
        Path f = tmp.resolve("run.ktap");
        Files.writeString(f, KTAP);
        KtapTree tree = KtapParser.parseTree(KTAP);
        for (String[] args : new String[][] {{"ktap", "--json", f.toString()}, {"ktap", f.toString(), "--json"}}) {
            Out o = run(args);
            JsonNode j = new ObjectMapper().readTree(o.stdout());
            assertEquals(tree.counts().leaves(), j.path("leaves").asInt());
            assertEquals(tree.counts().fail(), j.path("fail").asInt());
            assertEquals(tree.counts().missing(), j.path("missing").asInt());
            assertEquals(tree.counts().skip(), j.path("skip").asInt());
            assertEquals(tree.parseErrors().size(), j.path("parseErrors").size());
            assertEquals(tree.leaves().stream().filter(r -> r.status().isBad()).count(), j.path("notOk").size());
            assertEquals(1, o.exit());
        }
        // names and reasons are kernel-controlled text: quotes, backslashes, tabs and control characters must come
        // back unchanged through a real JSON parser (the --json writer is hand-made, not Jackson)
        String nasty = "q\" b\\\\s t\tc\u0001 }";
        Path odd = tmp.resolve("odd.ktap");
        Files.writeString(odd, "KTAP version 1\n1..1\nnot ok 1 " + nasty.replace("#", "") + " # TIMEOUT " + nasty + "\n");
        JsonNode n = new ObjectMapper().readTree(run("ktap", "--json", odd.toString()).stdout()).path("notOk").get(0);
        assertEquals(KtapParser.parseTree(Files.readString(odd)).leaves().get(0).name(), n.path("id").asText());
        assertEquals(KtapParser.parseTree(Files.readString(odd)).leaves().get(0).reason(), n.path("reason").asText());
        assertEquals("TIMEOUT", n.path("status").asText());
        Path ok = tmp.resolve("ok.ktap");
        Files.writeString(ok, "KTAP version 1\n1..1\nok 1 fine\n");
        assertEquals(0, run("ktap", "--json", ok.toString()).exit());
    }

    @Test
    void unreadableInputAndHelpAndVersion() {
        assertEquals(2, run("ktap", tmp.resolve("missing.ktap").toString()).exit());
        Out help = run("ktap", "--help");
        assertEquals(0, help.exit());
        assertTrue(help.stdout().contains("Usage: kval ktap"), help.stdout());
        Out v = run("version");
        assertTrue(v.stdout().startsWith("kval "), v.stdout());
        assertEquals(2, run("console", tmp.resolve("missing.log").toString()).exit());
    }
}
