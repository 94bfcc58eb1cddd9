package dev.kval.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kval.ktap.Counts;
import dev.kval.ktap.KtapParser;
import dev.kval.ktap.KtapTree;
import dev.kval.ktap.ParseError;
import dev.kval.ktap.TestResult;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    @Override
    public Integer call() {
        KtapTree tree;
        try (Reader in = open(file)) {
            tree = KtapParser.parseTree(in);
        } catch (IOException e) {
            System.err.println("kval ktap: cannot read " + ("-".equals(file) ? "standard input" : file) + ": "
                    + e.getMessage());
            return 2;
        }
        PrintStream out = System.out;
        if (json) {
            out.println(toJson(tree));
        } else {
            for (KtapTree.Node n : tree.roots()) {
                print(out, n, 0);
            }
            out.println(tree.counts());
            for (ParseError e : tree.parseErrors()) {
                out.println("parse error: " + e);
            }
            if (!tree.bailOuts().isEmpty()) {
                out.println("bail out: " + String.join("; ", tree.bailOuts()));
            }
        }
        return tree.ok() ? 0 : 1;
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
        return new InputStreamReader(Files.newInputStream(p), StandardCharsets.ISO_8859_1);
    }

    private static void print(PrintStream out, KtapTree.Node n, int depth) {
        TestResult r = n.result();
        StringBuilder sb = new StringBuilder();
        sb.append("  ".repeat(depth)).append(String.format("%-7s ", r.status())).append(r.name());
        if (!r.reason().isEmpty()) {
            sb.append("  # ").append(r.reason());
        }
        out.println(sb);
        for (KtapTree.Node c : n.children()) {
            print(out, c, depth + 1);
        }
    }

    static String toJson(KtapTree tree) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode o = m.createObjectNode();
        Counts c = tree.counts();
        o.put("pass", c.pass());
        o.put("fail", c.fail());
        o.put("skip", c.skip());
        o.put("xfail", c.xfail());
        o.put("timeout", c.timeout());
        o.put("error", c.error());
        o.put("missing", c.missing());
        o.put("leaves", c.leaves());
        o.put("depth", c.depth());
        o.put("ok", c.ok());
        ArrayNode errs = o.putArray("parseErrors");
        for (ParseError e : tree.parseErrors()) {
            errs.addObject().put("line", e.line()).put("message", e.message());
        }
        ArrayNode bad = o.putArray("notOk");
        for (TestResult r : tree.leaves()) {
            if (r.status().isBad()) {
                bad.addObject().put("id", r.id()).put("status", r.status().name()).put("reason", r.reason())
                        .put("line", r.line());
            }
        }
        return o.toString();
    }
}
