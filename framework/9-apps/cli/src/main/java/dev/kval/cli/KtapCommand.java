package dev.kval.cli;

import dev.kval.ktap.Counts;
import dev.kval.ktap.KtapListener;
import dev.kval.ktap.KtapParser;
import dev.kval.ktap.KtapTree;
import dev.kval.ktap.ParseError;
import dev.kval.ktap.TestResult;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "ktap", mixinStandardHelpOptions = true,
        description = {"Parses KTAP (v1, TAP 13/14, kselftest runner output with '# '-wrapped nested KTAP) and prints"
                + " the test tree and leaf counts.",
                "Exit status: 0 no fail/timeout/error/missing leaf, 1 otherwise, 2 unreadable input."})
public class KtapCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE|-", description = "KTAP file, or - for standard input")
    String file;

    @Option(names = "--json", description = "Print one JSON object: pass, fail, skip, xfail, timeout, error, missing,"
            + " leaves, depth, results, parseErrors[].")
    boolean json;

    /** Not-ok leaves listed in --json at most; the rest are counted (the counts stay exact). */
    static final int MAX_NOT_OK = 10_000;

    @Override
    public Integer call() {
        // Streaming: the parser's results are printed (text) or summarised (--json) as they arrive, so memory stays
        // bounded by one top-level test's subtree, not by the input (a 1M-line file must not need a whole tree).
        PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false, StandardCharsets.UTF_8);
        Summary summary = new Summary(json ? null : out);
        try (Reader in = open(file)) {
            KtapParser.parse(in, summary);
        } catch (IOException e) {
            System.err.println("kval ktap: cannot read " + ("-".equals(file) ? "standard input" : file) + ": "
                    + e.getMessage());
            return 2;
        }
        summary.finish();
        if (json) {
            out.println(toJson(summary));
        } else {
            out.println(summary.counts());
            for (ParseError e : summary.parseErrors()) {
                out.println("parse error: " + e);
            }
            if (!summary.bailOuts().isEmpty()) {
                out.println("bail out: " + String.join("; ", summary.bailOuts()));
            }
        }
        out.flush();
        return summary.counts().ok() ? 0 : 1;
    }

    /**
     * The listener behind both outputs: counts, parse errors, bail-outs and the not-ok leaves; with a printer, each
     * top-level test's subtree is printed (pre-order) as soon as its result line arrives and then dropped
     * ({@link KtapTree.Builder#streaming}: the same adoption as the whole-tree builder).
     */
    static final class Summary implements KtapListener {
        private final KtapTree.Builder tree;
        final List<TestResult> notOk = new ArrayList<>();
        int notOkOmitted;

        Summary(PrintStream printer) {
            this.tree = KtapTree.Builder.streaming(printer == null ? null : n -> print(printer, n, 0));
        }

        @Override
        public void onResult(TestResult r) {
            tree.onResult(r);
            if (r.leaf() && r.status().isBad()) {
                if (notOk.size() < MAX_NOT_OK) {
                    notOk.add(r);
                } else {
                    notOkOmitted++;
                }
            }
        }

        @Override
        public void onParseError(int line, String message) {
            tree.onParseError(line, message);
        }

        @Override
        public void onBailOut(int line, String reason) {
            tree.onBailOut(line, reason);
        }

        void finish() {
            tree.finish();
        }

        Counts counts() {
            return tree.counts();
        }

        List<ParseError> parseErrors() {
            return tree.parseErrors();
        }

        List<String> bailOuts() {
            return tree.bailOuts();
        }
    }

    static Reader open(String file) throws IOException {
        if ("-".equals(file)) {
            return new InputStreamReader(System.in, StandardCharsets.UTF_8);
        }
        Path p = Path.of(file);
        if (!Files.exists(p)) {
            throw new IOException("no such file");
        }
        if (!Files.isReadable(p)) {
            throw new IOException("permission denied");
        }
        if (Files.isDirectory(p)) {
            throw new IOException("is a directory");
        }
        // Lenient decoding: console captures are not always valid UTF-8.
        return new dev.kval.ktap.Latin1Reader(Files.newInputStream(p));
    }

    private static void print(PrintStream out, KtapTree.Node n, int depth) {
        TestResult r = n.result();
        StringBuilder sb = new StringBuilder();
        String st = r.status().toString();
        sb.append("  ".repeat(depth)).append(st).append(" ".repeat(Math.max(1, 8 - st.length()))).append(r.name());
        if (!r.reason().isEmpty()) {
            sb.append("  # ").append(r.reason());
        }
        out.println(sb);
        for (KtapTree.Node c : n.children()) {
            print(out, c, depth + 1);
        }
    }

    /**
     * The --json object, written by hand: Jackson's ObjectMapper costs more CPU to start (about 0.1 s of class loading
     * and initialisation, measured with the AppCDS archive) than parsing 100k lines, and this is a flat object.
     */
    static String toJson(Summary s) {
        Counts c = s.counts();
        StringBuilder o = new StringBuilder(256);
        o.append("{\"pass\":").append(c.pass()).append(",\"fail\":").append(c.fail()).append(",\"skip\":").append(c.skip())
                .append(",\"xfail\":").append(c.xfail()).append(",\"timeout\":").append(c.timeout()).append(",\"error\":")
                .append(c.error()).append(",\"missing\":").append(c.missing()).append(",\"leaves\":").append(c.leaves())
                .append(",\"depth\":").append(c.depth()).append(",\"ok\":").append(c.ok()).append(",\"parseErrors\":[");
        String sep = "";
        for (ParseError e : s.parseErrors()) {
            o.append(sep).append("{\"line\":").append(e.line()).append(",\"message\":");
            string(o, e.message()).append('}');
            sep = ",";
        }
        o.append("],\"notOk\":[");
        sep = "";
        for (TestResult r : s.notOk) {
            o.append(sep).append("{\"id\":");
            string(o, r.id()).append(",\"status\":");
            string(o, r.status().name()).append(",\"reason\":");
            string(o, r.reason()).append(",\"line\":").append(r.line()).append('}');
            sep = ",";
        }
        o.append(']');
        if (s.notOkOmitted > 0) {
            o.append(",\"notOkOmitted\":").append(s.notOkOmitted);
        }
        return o.append('}').toString();
    }

    /** A JSON string (RFC 8259: quote, backslash and control characters escaped). */
    static StringBuilder string(StringBuilder o, String v) {
        o.append('"');
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            switch (ch) {
                case '"' -> o.append("\\\"");
                case '\\' -> o.append("\\\\");
                case '\n' -> o.append("\\n");
                case '\r' -> o.append("\\r");
                case '\t' -> o.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        o.append(String.format("\\u%04x", (int) ch));
                    } else {
                        o.append(ch);
                    }
                }
            }
        }
        return o.append('"');
    }
}
