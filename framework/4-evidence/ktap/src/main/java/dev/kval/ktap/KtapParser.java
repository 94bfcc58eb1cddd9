package dev.kval.ktap;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Streaming parser for KTAP version 1 (Documentation/dev-tools/ktap.rst), also accepting KTAP version 2 (attributes)
 * and "TAP version 13/14".
 *
 * <p>Handles nesting by indentation (any indentation of at least two spaces per level; 2 and 4 are common), TAP14 and
 * KUnit "# Subtest: name" headers, and kselftest runner output in which a binary's own KTAP is wrapped in "# "
 * prefixes (recovered as real nesting under the runner's result line for that binary).
 *
 * <p>Memory is constant in the input size: results are delivered as soon as their ancestors' names are known. A
 * subtest's name is only known at its result line (after its children) unless a "# Subtest:" header named it early, so
 * the results of an unnamed open subtest are held until then, at most {@link Options#maxPendingResults()} of them;
 * beyond that the subtest gets a provisional name and a parse error says so. Lines are cut at
 * {@link Options#maxLineLength()}, diagnostics per result at {@link Options#maxDiagnostics()}, nesting at
 * {@link Options#maxDepth()}.
 *
 * <p>Real captures: a prefix that dmesg or a console put before every line (printk timestamp, caller id, level,
 * syslog header) is removed the way kunit_parser.py does ({@link PrefixStripper}); tab-indented KUnit suites nest like
 * space-indented ones; a result line a mailer wrapped is joined with its tail when that is unambiguous (held one line,
 * see {@link WrapJoiner}); a run cut short (a panic, a timeout) leaves its planned but unreported tests as MISSING.
 *
 * <p>Never throws on bad input (I/O errors included): problems become parse errors with a line number, and planned tests
 * that never reported become {@link Status#MISSING} results.
 */
public final class KtapParser {

    /** Limits that keep memory bounded whatever the input. */
    public record Options(int maxPendingResults, int maxLineLength, int maxDiagnostics, int maxDepth, int maxMissing,
                          int maxTrackedNames) {
        public static final Options DEFAULT = new Options(100_000, 65_536, 1_000, 64, 100_000, 65_536);
    }

    private static final int MAX_NUMBER = 10_000_000;

    private final KtapListener listener;
    private final Options options;
    private final Delivery delivery;
    private final BlockEnds ends;
    // the open-block state, shared with BlockEnds
    Frame root;
    Frame innermost;
    int lineNo;

    private KtapParser(KtapListener listener, Options options) {
        this.listener = listener;
        this.options = options;
        this.delivery = new Delivery(listener, options.maxPendingResults());
        this.ends = new BlockEnds(this, listener, options, delivery);
        this.root = new Frame(null, "", false, 1);
        this.innermost = root;
    }

    /** Parses everything from {@code in}, delivering results to {@code listener}. Does not close {@code in}. */
    public static void parse(Reader in, KtapListener listener) {
        parse(in, listener, Options.DEFAULT);
    }

    public static void parse(Reader in, KtapListener listener, Options options) {
        KtapParser p = new KtapParser(new GuardedListener(listener), options);
        try {
            try {
                p.read(new LineReader(in, options.maxLineLength()));
            } catch (IOException e) {
                p.listener.onParseError(p.lineNo + 1, "read error after line " + p.lineNo + ": " + e);
            } catch (GuardedListener.Failure e) {
                throw e;
            } catch (RuntimeException e) {
                // A parser bug must not lose the rest of the results: report it and close what is open.
                p.listener.onParseError(p.lineNo, "internal parser error (please report): " + e);
            }
            p.ends.finish();
        } catch (GuardedListener.Failure e) {
            throw e.rethrow();
        }
    }

    /** The line loop: prefix removal (dmesg), wrapped-line joining, then each line to its block. */
    private void read(LineReader lines) throws IOException {
        PrefixStripper prefix = new PrefixStripper();
        WrapJoiner wrap = new WrapJoiner(options.maxLineLength());
        String line;
        while ((line = lines.next()) != null) {
            lineNo++;
            if (lines.lastWasCut()) {
                listener.onParseError(lineNo, "line longer than " + options.maxLineLength() + " characters; the rest was dropped");
            }
            String text = prefix.strip(line);
            // In a prefixed stream (dmesg), a wrapped tail is the line that lost the prefix; a prefixed line is the
            // kernel's own next message and is never glued to a result.
            if (wrap.joins(text, !prefix.prefixed() || prefix.lastLackedPrefix())) {
                listener.onParseError(lineNo, "line joined to the result line " + wrap.heldLine() + " it continues (wrapped output)");
                continue;
            }
            if (wrap.holding()) {
                lineAt(wrap.heldLine(), wrap.release());
            }
            if (!wrap.hold(text, lineNo)) {
                line(text);
            }
        }
        if (wrap.holding()) {
            lineAt(wrap.heldLine(), wrap.release());
        }
    }

    /** Parses everything into a tree (retains all results; use {@link #parse} for constant memory). */
    public static KtapTree parseTree(Reader in) {
        KtapTree.Builder b = new KtapTree.Builder();
        parse(in, b);
        return b.build();
    }

    public static KtapTree parseTree(String text) {
        return parseTree(new java.io.StringReader(text));
    }

    // ------------------------------------------------------------------------------------------------------------

    // ------------------------------------------------------------------------------------------------------------

    /** Feeds a line that was held back (wrapped-line check) under its own line number. */
    private void lineAt(int number, String raw) {
        int now = lineNo;
        lineNo = number;
        try {
            line(raw);
        } finally {
            lineNo = now;
        }
    }

    private void line(String raw) {
        Frame f = innermost;
        while (f.parent != null && !matches(raw, f.prefix)) {
            f = f.parent;
        }
        handle(f, raw, Math.min(raw.length(), f.prefix.length()));
    }

    private static boolean matches(String raw, String prefix) {
        if (raw.startsWith(prefix)) {
            return true;
        }
        // "#" alone is an empty line inside a "# "-wrapped document
        return prefix.endsWith("# ") && raw.length() == prefix.length() - 1 && prefix.startsWith(raw);
    }

    /** raw from offset {@code at} is the line's content inside f's block (one substring per line, not two). */
    private void handle(Frame f, String raw, int at) {
        int e = at;
        while (e < raw.length() && (raw.charAt(e) == ' ' || raw.charAt(e) == '\t')) {
            e++; // KUnit before 5.x indented subtests with a tab, later with spaces
        }
        int s = e - at;
        String rest = e == 0 ? raw : raw.substring(e);
        LineKind kind = LineKind.of(rest);
        if (s == 0) {
            structural(f, kind, rest, raw);
            return;
        }
        if (!kind.opensBlock()) {
            if (kind == LineKind.DIAG) {
                diag(f, rest);
            } else if (kind == LineKind.BAIL) {
                structural(f, kind, rest, raw);
            } else {
                listener.onConsoleLine(lineNo, raw);
            }
            return;
        }
        if (f.child != null) {
            // Indented KTAP that does not match the open subtest's indentation.
            Frame deepest = f.child;
            while (deepest.child != null) {
                deepest = deepest.child;
            }
            listener.onParseError(lineNo, "inconsistent indentation (" + s + " spaces where the open subtest block"
                    + " at line " + f.child.startLine + " uses " + (f.child.prefix.length() - f.prefix.length()) + ")");
            structural(deepest, kind, rest, raw);
            return;
        }
        if (s == 1 && raw.charAt(at) == ' ') {
            listener.onParseError(lineNo, "inconsistent indentation (1 space)");
            structural(f, kind, rest, raw);
            return;
        }
        if (f.level >= options.maxDepth()) {
            listener.onParseError(lineNo, "nesting deeper than " + options.maxDepth() + " levels; line ignored");
            listener.onConsoleLine(lineNo, raw);
            return;
        }
        Frame c = openChild(f, f.prefix + raw.substring(at, e), false);
        structural(c, kind, rest, raw);
    }

    private Frame openChild(Frame f, String prefix, boolean hash) {
        Frame c = new Frame(f, prefix, hash, lineNo);
        if (f.pendingSubtestName != null) {
            c.name = f.pendingSubtestName;
            f.pendingSubtestName = null;
        }
        f.child = c;
        innermost = c;
        return c;
    }

    private void structural(Frame f, LineKind kind, String rest, String raw) {
        switch (kind) {
            case RESULT -> result(f, rest);
            case DIAG -> diag(f, rest);
            case OTHER -> listener.onConsoleLine(lineNo, raw);
            case SUBTEST -> subtest(f, rest.substring(rest.indexOf(':') + 1).trim());
            case HASH_VERSION -> {
                ends.closeOrphan(f);
                if (f.level >= options.maxDepth()) {
                    listener.onParseError(lineNo, "nesting deeper than " + options.maxDepth() + " levels; line ignored");
                    listener.onConsoleLine(lineNo, raw);
                    return;
                }
                Frame c = openChild(f, f.prefix + "# ", true);
                version(c, rest.substring(2));
            }
            case VERSION -> version(f, rest);
            case PLAN -> plan(f, rest, raw);
            case BAIL -> ends.bail(rest.substring("Bail out!".length()).trim());
        }
    }

    private void version(Frame f, String text) {
        String v = text.startsWith("KTAP") ? text.substring(12).trim() : text.substring(11).trim();
        // KTAP 2 (the draft that adds test attributes, Documentation/dev-tools/kunit/running_tips.rst) reads as 1.
        boolean ok = text.startsWith("KTAP") ? v.equals("1") || v.equals("2")
                : v.equals("13") || v.equals("14");
        if (!ok) {
            boolean numeric = !v.isEmpty() && v.chars().allMatch(Character::isDigit);
            listener.onParseError(lineNo, (numeric ? "unsupported version '" : "malformed version line '") + text
                    + "'; parsing as KTAP version 1");
        }
        ends.closeOrphan(f);
        if (!f.sawVersion && f.plan < 0 && f.results == 0) {
            f.sawVersion = true;
            return;
        }
        if (f.parent == null) {
            // A second document at the top level (e.g. several logs concatenated): finish the first.
            List<String> trailing = ends.finishFrame(f, "document ended by a new version line");
            ends.console(trailing);
            root = new Frame(null, "", false, lineNo);
            root.sawVersion = true;
            innermost = root;
        } else {
            listener.onParseError(lineNo, "unexpected version line inside a test block that already has a plan or"
                    + " results; ignored");
        }
    }

    private void plan(Frame f, String rest, String raw) {
        int i = 3;
        long n = 0;
        int digitsStart = i;
        while (i < rest.length() && Character.isDigit(rest.charAt(i)) && n <= Integer.MAX_VALUE) {
            n = n * 10 + (rest.charAt(i) - '0');
            i++;
        }
        String tail = rest.substring(i).trim();
        if (i == digitsStart || !(tail.isEmpty() || tail.startsWith("#")) || n > MAX_NUMBER) {
            listener.onParseError(lineNo, n > MAX_NUMBER ? "implausible plan '" + rest + "'; ignored"
                    : "malformed plan line '" + rest + "'");
            listener.onConsoleLine(lineNo, raw);
            return;
        }
        ends.closeOrphan(f);
        if (f.plan >= 0) {
            listener.onParseError(lineNo, "second plan line '" + rest + "' in the same block (first: 1.." + f.plan
                    + "); ignored");
            return;
        }
        f.plan = (int) n;
        if (tail.startsWith("#")) {
            String d = tail.substring(1).trim();
            if (d.regionMatches(true, 0, "SKIP", 0, 4)) {
                f.planSkip = d.substring(4).trim();
            }
        }
        if (f.results > f.plan) {
            listener.onParseError(lineNo, "plan 1.." + f.plan + " but " + f.results + " results came before it");
        }
    }

    private void diag(Frame f, String rest) {
        String text = rest.length() > 1 && rest.charAt(1) == ' ' ? rest.substring(2) : rest.substring(1);
        if (f.diags.size() < options.maxDiagnostics()) {
            f.diags.add(text);
        } else {
            f.droppedDiags++;
        }
    }

    private void subtest(Frame f, String name) {
        if (f.parent != null && f.name == null && f.empty()) {
            f.name = name; // KUnit style: header inside the subtest block, after its version line
        } else {
            f.pendingSubtestName = name; // TAP14 style: header before the indented block
        }
    }

    private void result(Frame f, String r) {
        ResultLine rl = ResultLine.parse(r, listener, lineNo);
        String desc = rl.desc();
        long number = rl.number();
        BlockEnds.Closed closed = ends.closeChild(f, desc);
        int expected = f.lastNumber + 1;
        int num;
        if (number == ResultLine.NONE || number == ResultLine.TOO_LARGE) {
            num = expected;
        } else if (number == 0 || number > MAX_NUMBER) {
            listener.onParseError(lineNo, "implausible test number " + number + " for '" + desc + "'");
            num = expected;
        } else {
            num = (int) number;
            if (num != expected) {
                listener.onParseError(lineNo, "test number " + num + " out of order (expected " + expected + ")");
            }
        }
        if (f.seen.get(num)) {
            listener.onParseError(lineNo, "duplicate test number " + num + " ('" + desc + "')");
        }
        f.seen.set(num);
        f.lastNumber = Math.max(num, f.lastNumber);
        f.results++;
        if (f.plan >= 0 && num > f.plan) {
            listener.onParseError(lineNo, "test " + num + " ('" + desc + "') beyond the plan 1.." + f.plan);
        }
        if (!f.namesCapped && !desc.isEmpty()) {
            if (!f.names.add(desc)) {
                listener.onParseError(lineNo, "duplicate test name '" + desc + "'");
            } else if (f.names.size() >= options.maxTrackedNames()) {
                f.namesCapped = true;
                f.names = Set.of();
            }
        }
        List<String> diags = f.takeDiags();
        if (closed != null && !closed.trailing().isEmpty()) {
            List<String> merged = new ArrayList<>(closed.trailing().size() + diags.size());
            merged.addAll(diags);
            merged.addAll(closed.trailing());
            diags = merged;
        }
        f.pendingSubtestName = null;
        boolean leaf = closed == null || !closed.hadResults();
        deliver(new TestResult(pathOf(f), desc, num, rl.status(), rl.reason(), diags, leaf, lineNo), f);
    }

    private List<String> pathOf(Frame f) {
        return delivery.pathOf(f);
    }

    private void deliver(TestResult r, Frame at) {
        delivery.deliver(r, at, lineNo);
    }

}
