package dev.kval.ktap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property-based tests with a seeded generator (jqwik-style, without the dependency): random KTAP trees with directives,
 * diagnostics, nesting (2/4 spaces, "# Subtest:" headers), kselftest "# " wrapping and console noise are rendered,
 * parsed back and compared; then a bounded fuzz run over mutated documents.
 */
class KtapPropertyTest {

    static final long SEED = 0x6b7661L;

    /** Model node. status/reason apply to leaves and parents alike. */
    record Node(String name, Status status, String reason, List<String> diags, List<Node> children, int dropTail) {
    }

    record Expected(String id, Status status, String reason, List<String> diags) {
    }

    static final String[] WORDS = {"mmap", "punch", "fallocate", "hugepages", "EINVAL", "observed=EINVAL", "perf.gup_ns=1234",
            "api.C16", "unaligned_0_1", "sev", "no", "cap"};

    static String words(Random r, int max) {
        int n = r.nextInt(max + 1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(WORDS[r.nextInt(WORDS.length)]);
        }
        return sb.toString();
    }

    static Node gen(Random r, int depth, int maxDepth, int index) {
        String name = "t" + index + "_" + WORDS[r.nextInt(WORDS.length)].replace('=', '_').replace('.', '_');
        List<Node> kids = new ArrayList<>();
        if (depth < maxDepth && r.nextInt(3) > 0) {
            int n = 1 + r.nextInt(5);
            for (int i = 1; i <= n; i++) {
                kids.add(gen(r, depth + 1, maxDepth, i));
            }
        }
        Status[] choices = {Status.PASS, Status.PASS, Status.PASS, Status.FAIL, Status.SKIP, Status.XFAIL, Status.TIMEOUT,
                Status.ERROR};
        Status s = choices[r.nextInt(choices.length)];
        String reason = s == Status.PASS || s == Status.FAIL ? "" : words(r, 3);
        List<String> diags = new ArrayList<>();
        int nd = r.nextInt(4) == 0 ? 1 + r.nextInt(3) : 0;
        for (int i = 0; i < nd; i++) {
            diags.add(r.nextBoolean() ? "observed=E" + WORDS[r.nextInt(WORDS.length)].toUpperCase() : "perf.x" + i + "_ns=" + r.nextInt(99999));
        }
        int drop = !kids.isEmpty() && r.nextInt(8) == 0 ? 1 + r.nextInt(kids.size()) : 0;
        return new Node(name, s, reason, diags, kids, drop);
    }

    static String resultLine(Node n, int number) {
        String head = switch (n.status()) {
            case PASS, SKIP -> "ok ";
            default -> "not ok ";
        };
        String dir = switch (n.status()) {
            case SKIP -> " # SKIP";
            case XFAIL -> " # XFAIL";
            case TIMEOUT -> " # TIMEOUT";
            case ERROR -> " # ERROR";
            default -> "";
        };
        if (!dir.isEmpty() && !n.reason().isEmpty()) {
            dir += " " + n.reason();
        }
        return head + number + " " + n.name() + dir;
    }

    /** Renders a block of siblings. prefix = indentation of this level; indent = per-level indentation. */
    static void render(List<String> out, List<Node> nodes, int dropTail, String prefix, String indent, boolean headers,
                       String version, Random r, String subtestName) {
        out.add(prefix + version);
        if (headers && subtestName != null) {
            out.add(prefix + "# Subtest: " + subtestName);
        }
        out.add(prefix + "1.." + nodes.size());
        int keep = nodes.size() - dropTail;
        for (int i = 0; i < keep; i++) {
            Node n = nodes.get(i);
            if (r.nextInt(10) == 0) {
                out.add("[   12.345678] random: noise line " + r.nextInt(1000));
            }
            for (String d : n.diags()) {
                out.add(prefix + "# " + d);
            }
            if (!n.children().isEmpty()) {
                render(out, n.children(), n.dropTail(), prefix + indent, indent, headers, version, r, n.name());
            }
            out.add(prefix + resultLine(n, i + 1));
        }
    }

    /** kselftest runner style: top level plain, each binary's output wrapped in "# ". */
    static void renderKselftest(List<String> out, List<Node> binaries, int dropTail, Random r) {
        out.add("TAP version 13");
        out.add("1.." + binaries.size());
        int keep = binaries.size() - dropTail;
        for (int i = 0; i < keep; i++) {
            Node b = binaries.get(i);
            out.add("# timeout set to 45");
            for (String d : b.diags()) {
                out.add("# " + d);
            }
            if (!b.children().isEmpty()) {
                List<String> inner = new ArrayList<>();
                render(inner, b.children(), b.dropTail(), "", "  ", false, "TAP version 13", r, null);
                for (String l : inner) {
                    out.add(l.startsWith("[") ? l : "# " + l);
                }
            }
            out.add(resultLine(b, i + 1));
        }
    }

    static void expect(List<Expected> out, List<Node> nodes, int dropTail, List<String> path) {
        int keep = nodes.size() - dropTail;
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            String id = path.isEmpty() ? "" : String.join("/", path) + "/";
            if (i >= keep) {
                out.add(new Expected(id + "<missing " + (i + 1) + ">", Status.MISSING, null, List.of()));
                continue;
            }
            if (n.children().isEmpty()) {
                out.add(new Expected(id + n.name(), n.status(), n.reason(), n.diags()));
            } else {
                List<String> p = new ArrayList<>(path);
                p.add(n.name());
                expect(out, n.children(), n.dropTail(), p);
            }
        }
    }

    static List<String> document(Random r, List<Node> roots, int mode) {
        List<String> lines = new ArrayList<>();
        switch (mode) {
            case 0 -> render(lines, roots, 0, "", "  ", false, "KTAP version 1", r, null);
            case 1 -> render(lines, roots, 0, "", "    ", true, "KTAP version 1", r, null);
            case 2 -> render(lines, roots, 0, "", "  ", r.nextBoolean(), "TAP version 13", r, null);
            default -> renderKselftest(lines, roots, 0, r);
        }
        return lines;
    }

    static List<Node> roots(Random r) {
        int n = 1 + r.nextInt(6);
        List<Node> roots = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            roots.add(gen(r, 1, 1 + r.nextInt(4), i));
        }
        return roots;
    }

    @Test
    void renderParseRoundTrip() {
        Random r = new Random(SEED);
        for (int iter = 0; iter < 2000; iter++) {
            List<Node> roots = roots(r);
            int mode = iter % 4;
            List<String> lines = document(r, roots, mode);
            String text = String.join("\n", lines) + "\n";
            List<Expected> expected = new ArrayList<>();
            expect(expected, roots, 0, List.of());

            KtapTree t = KtapParser.parseTree(text);
            List<TestResult> leaves = t.leaves();
            String ctx = "iteration " + iter + " mode " + mode + "\n" + text;
            assertEquals(expected.size(), leaves.size(), ctx);
            for (int i = 0; i < expected.size(); i++) {
                Expected e = expected.get(i);
                TestResult a = leaves.get(i);
                assertEquals(e.id(), a.id(), ctx);
                assertEquals(e.status(), a.status(), ctx);
                if (e.reason() != null) {
                    assertEquals(e.reason(), a.reason(), ctx);
                    if (mode != 3 || a.depth() > 1) {
                        assertEquals(e.diags(), a.diagnostics(), ctx);
                    } else {
                        assertTrue(a.diagnostics().containsAll(e.diags()), ctx);
                    }
                }
            }
            boolean dropped = expected.stream().anyMatch(e -> e.status() == Status.MISSING);
            if (!dropped) {
                assertTrue(t.parseErrors().isEmpty(), ctx + t.parseErrors());
            } else {
                assertTrue(t.parseErrors().stream().allMatch(e -> e.message().contains("missing")), ctx + t.parseErrors());
            }
            // streaming counts equal tree counts
            CountingListener c = new CountingListener();
            KtapParser.parse(new StringReader(text), c);
            assertEquals(t.counts(), c.counts(), ctx);
            long bad = expected.stream().filter(e -> e.status().isBad()).count();
            Counts k = t.counts();
            assertEquals(bad, k.fail() + k.timeout() + k.error() + k.missing(), ctx);
        }
    }

    @Test
    void fuzzMutatedDocumentsNeverThrowAndCountsStaySane() {
        Random r = new Random(SEED ^ 0xf022L);
        int inputs = 20_000;
        for (int iter = 0; iter < inputs; iter++) {
            List<String> lines = new ArrayList<>(document(r, roots(r), r.nextInt(4)));
            int mutations = 1 + r.nextInt(6);
            for (int m = 0; m < mutations && !lines.isEmpty(); m++) {
                mutate(r, lines);
            }
            String text = String.join(r.nextBoolean() ? "\n" : "\r\n", lines);
            if (r.nextInt(3) == 0 && !text.isEmpty()) {
                text = text.substring(0, r.nextInt(text.length())); // truncation, possibly mid-line
            }
            String ctx = "fuzz input " + iter + ":\n" + text;
            KtapTree t;
            try {
                t = KtapParser.parseTree(text);
            } catch (RuntimeException e) {
                throw new AssertionError(ctx, e);
            }
            Counts c = t.counts();
            int sum = c.pass() + c.fail() + c.skip() + c.xfail() + c.timeout() + c.error() + c.missing();
            assertEquals(c.leaves(), sum, ctx);
            assertEquals(c.leaves(), t.leaves().size(), ctx);
            assertTrue(c.depth() >= 0 && c.depth() <= KtapParser.Options.DEFAULT.maxDepth() + 1, ctx);
            long resultLines = text.lines().filter(l -> l.matches("^[#\\s]*(not )?ok\\b.*")).count();
            long planned = text.lines().filter(l -> l.matches("^[#\\s]*1\\.\\.\\d+.*")).mapToLong(l -> {
                String d = l.replaceAll("^[#\\s]*1\\.\\.(\\d+).*", "$1");
                return d.length() > 8 ? 100_000 : Math.min(100_000, Long.parseLong(d));
            }).sum();
            assertTrue(c.leaves() <= resultLines + planned + text.lines().count(), ctx);
            assertTrue(t.parseErrors().stream().allMatch(e -> e.line() >= 1), ctx);
            for (TestResult leaf : t.leaves()) {
                assertTrue(leaf.path().stream().noneMatch(p -> p.contains("\u0000")), ctx);
            }
        }
    }

    static void mutate(Random r, List<String> lines) {
        int i = r.nextInt(lines.size());
        String l = lines.get(i);
        switch (r.nextInt(12)) {
            case 0 -> lines.remove(i);
            case 1 -> lines.add(i, l);
            case 2 -> {
                int j = r.nextInt(lines.size());
                lines.set(i, lines.get(j));
                lines.set(j, l);
            }
            case 3 -> lines.set(i, l.replace("not ok", "ok"));
            case 4 -> lines.set(i, "  " + l);
            case 5 -> lines.set(i, l.length() > 2 ? l.substring(2) : "");
            case 6 -> lines.add(i, "Bail out! fuzz");
            case 7 -> lines.set(i, l.replaceAll("\\d+", r.nextBoolean() ? "99999999999" : "0"));
            case 8 -> lines.add(i, r.nextBoolean() ? "# TAP version 13" : "  KTAP version 1");
            case 9 -> {
                StringBuilder sb = new StringBuilder(l);
                int n = 1 + r.nextInt(5);
                for (int k = 0; k < n; k++) {
                    String alphabet = "#\\ \t1.okx";
                    sb.insert(r.nextInt(sb.length() + 1), alphabet.charAt(r.nextInt(alphabet.length())));
                }
                lines.set(i, sb.toString());
            }
            case 10 -> lines.add(i, r.nextBoolean() ? "1..0 # SKIP fuzz" : "# Subtest: fuzz");
            default -> lines.set(i, l.length() > 0 ? l.substring(0, r.nextInt(l.length())) : l);
        }
    }
}
