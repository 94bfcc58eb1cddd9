package dev.kval.ktap;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
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
 * see {@link #WRAP_MIN}); a run cut short (a panic, a timeout) leaves its planned but unreported tests as MISSING.
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

    private static final String PLACEHOLDER = new String("\u0000pending");
    private static final int MAX_NUMBER = 10_000_000;

    private final KtapListener listener;
    private final Options options;
    private Frame root;
    private Frame innermost;
    private int lineNo;

    private KtapParser(KtapListener listener, Options options) {
        this.listener = listener;
        this.options = options;
        this.root = new Frame(null, "", false, 1);
        this.innermost = root;
    }

    /** Parses everything from {@code in}, delivering results to {@code listener}. Does not close {@code in}. */
    public static void parse(Reader in, KtapListener listener) {
        parse(in, listener, Options.DEFAULT);
    }

    public static void parse(Reader in, KtapListener listener, Options options) {
        KtapParser p = new KtapParser(new Guard(listener), options);
        LineReader lines = new LineReader(in, options.maxLineLength());
        PrefixStripper prefix = new PrefixStripper();
        try {
            try {
                String line;
                String held = null; // a long result line, kept one line in case a mailer wrapped it
                int heldNo = 0;
                while ((line = lines.next()) != null) {
                    p.lineNo++;
                    if (lines.lastWasCut()) {
                        p.listener.onParseError(p.lineNo, "line longer than " + options.maxLineLength()
                                + " characters; the rest was dropped");
                    }
                    String text = prefix.strip(line);
                    if (held != null) {
                        // In a prefixed stream (dmesg), a wrapped tail is the line that lost the prefix; a prefixed
                        // line is the kernel's own next message and is never glued to a result.
                        boolean tail = !prefix.prefixed() || prefix.lastLackedPrefix();
                        if (tail && wrapContinuation(held, text) && held.length() + 1 + text.length() <= options.maxLineLength()) {
                            held = held + " " + text;
                            p.listener.onParseError(p.lineNo, "line joined to the result line " + heldNo
                                    + " it continues (wrapped output)");
                            continue;
                        }
                        p.lineAt(heldNo, held);
                        held = null;
                    }
                    if (mayBeWrapped(text)) {
                        held = text;
                        heldNo = p.lineNo;
                        continue;
                    }
                    p.line(text);
                }
                if (held != null) {
                    p.lineAt(heldNo, held);
                }
            } catch (IOException e) {
                p.listener.onParseError(p.lineNo + 1, "read error after line " + p.lineNo + ": " + e);
            } catch (ListenerFailure e) {
                throw e;
            } catch (RuntimeException e) {
                // A parser bug must not lose the rest of the results: report it and close what is open.
                p.listener.onParseError(p.lineNo, "internal parser error (please report): " + e);
            }
            p.finish();
        } catch (ListenerFailure e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw (Error) c;
        }
    }

    /** Marks exceptions thrown by the caller's listener, which propagate unchanged. */
    private static final class ListenerFailure extends RuntimeException {
        ListenerFailure(Throwable cause) {
            super(cause);
        }
    }

    private record Guard(KtapListener d) implements KtapListener {
        @Override
        public void onResult(TestResult r) {
            try {
                d.onResult(r);
            } catch (RuntimeException | Error e) {
                throw new ListenerFailure(e);
            }
        }

        @Override
        public void onParseError(int line, String message) {
            try {
                d.onParseError(line, message);
            } catch (RuntimeException | Error e) {
                throw new ListenerFailure(e);
            }
        }

        @Override
        public void onConsoleLine(int line, String text) {
            try {
                d.onConsoleLine(line, text);
            } catch (RuntimeException | Error e) {
                throw new ListenerFailure(e);
            }
        }

        @Override
        public void onBailOut(int line, String reason) {
            try {
                d.onBailOut(line, reason);
            } catch (RuntimeException | Error e) {
                throw new ListenerFailure(e);
            }
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

    /** One open KTAP document (the top level, or the subtests of a test whose result line has not come yet). */
    private static final class Frame {
        final Frame parent;
        final String prefix;
        final boolean hashWrapped;
        final int level;
        final int startLine;
        String name;            // known early from a "# Subtest:" header, or at the parent's result line
        boolean provisional;
        boolean sawVersion;
        int plan = -1;
        String planSkip;
        int lastNumber;
        int results;
        final BitSet seen = new BitSet();
        Set<String> names = new HashSet<>();
        boolean namesCapped;
        List<String> diags = new ArrayList<>();
        int droppedDiags;
        Frame child;
        String pendingSubtestName;
        List<TestResult> buffer;
        List<String> path;      // the ancestors' names, once all are known

        Frame(Frame parent, String prefix, boolean hashWrapped, int startLine) {
            this.parent = parent;
            this.prefix = prefix;
            this.hashWrapped = hashWrapped;
            this.level = parent == null ? 0 : parent.level + 1;
            this.startLine = startLine;
        }

        boolean empty() {
            return plan < 0 && results == 0 && child == null;
        }
    }

    /** What a closed subtest block leaves for its parent result. */
    private record Closed(boolean hadResults, List<String> trailing, String headerName) {
    }

    private enum Kind { VERSION, PLAN, RESULT, BAIL, SUBTEST, HASH_VERSION, DIAG, OTHER }

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

    /**
     * Mail clients and terminals wrap long lines (at about 72-80 columns), which splits a result line so that its
     * tail (the end of the description, or a "# SKIP"/"# TIMEOUT" directive) lands on a line of its own. A result line
     * of at least {@link #WRAP_MIN} characters is held for one line; the next line is taken as its continuation only
     * when that is unambiguous: it is short, starts with a word (no indentation, no "#", no "[" of a timestamp, no
     * "&lt;" of a level) and is not itself a KTAP line.
     */
    static final int WRAP_MIN = 50;

    private static boolean mayBeWrapped(String text) {
        if (text.length() < WRAP_MIN) {
            return false;
        }
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == ' ' || c == '\t') {
                i++;
            } else if (c == '#' && i + 1 < text.length() && text.charAt(i + 1) == ' ') {
                i += 2; // kselftest "# " nesting
            } else {
                break;
            }
        }
        return text.startsWith("ok ", i) || text.startsWith("not ok ", i);
    }

    private static boolean wrapContinuation(String held, String next) {
        if (next.isEmpty() || next.length() > 60) {
            return false;
        }
        char c = next.charAt(0);
        if (!Character.isLetterOrDigit(c) || c == '1' && next.startsWith("1..")) {
            return false;
        }
        return classify(next) == Kind.OTHER && !next.startsWith("KTAP") && !next.startsWith("TAP ");
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
        Kind kind = classify(rest);
        if (s == 0) {
            structural(f, kind, rest, raw);
            return;
        }
        boolean opensBlock = kind == Kind.VERSION || kind == Kind.PLAN || kind == Kind.RESULT || kind == Kind.SUBTEST
                || kind == Kind.HASH_VERSION;
        if (!opensBlock) {
            if (kind == Kind.DIAG) {
                diag(f, rest);
            } else if (kind == Kind.BAIL) {
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

    private static Kind classify(String r) {
        if (r.isEmpty()) {
            return Kind.OTHER;
        }
        char c = r.charAt(0);
        switch (c) {
            case 'o':
                return r.startsWith("ok") && (r.length() == 2 || r.charAt(2) == ' ') ? Kind.RESULT : Kind.OTHER;
            case 'n':
                return r.startsWith("not ok") && (r.length() == 6 || r.charAt(6) == ' ') ? Kind.RESULT : Kind.OTHER;
            case '1':
                return r.startsWith("1..") ? Kind.PLAN : Kind.OTHER;
            case 'K':
                return r.startsWith("KTAP version") ? Kind.VERSION : Kind.OTHER;
            case 'T':
                return r.startsWith("TAP version") ? Kind.VERSION : Kind.OTHER;
            case 'B':
                return r.startsWith("Bail out!") ? Kind.BAIL : Kind.OTHER;
            case '#': {
                int i = 1;
                while (i < r.length() && r.charAt(i) == ' ') {
                    i++;
                }
                if (r.startsWith("Subtest:", i)) {
                    return Kind.SUBTEST;
                }
                if (i == 2 && (r.startsWith("TAP version", 2) || r.startsWith("KTAP version", 2))) {
                    return Kind.HASH_VERSION;
                }
                return Kind.DIAG;
            }
            default:
                return Kind.OTHER;
        }
    }

    private void structural(Frame f, Kind kind, String rest, String raw) {
        switch (kind) {
            case RESULT -> result(f, rest);
            case DIAG -> diag(f, rest);
            case OTHER -> listener.onConsoleLine(lineNo, raw);
            case SUBTEST -> subtest(f, rest.substring(rest.indexOf(':') + 1).trim());
            case HASH_VERSION -> {
                closeOrphan(f);
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
            case BAIL -> bail(rest.substring("Bail out!".length()).trim());
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
        closeOrphan(f);
        if (!f.sawVersion && f.plan < 0 && f.results == 0) {
            f.sawVersion = true;
            return;
        }
        if (f.parent == null) {
            // A second document at the top level (e.g. several logs concatenated): finish the first.
            List<String> trailing = finishFrame(f, "document ended by a new version line");
            console(trailing);
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
        closeOrphan(f);
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
        boolean ok = r.startsWith("ok");
        int i = ok ? 2 : 6;
        int len = r.length();
        while (i < len && r.charAt(i) == ' ') {
            i++;
        }
        long number = -1;
        int ds = i;
        while (i < len && Character.isDigit(r.charAt(i)) && i - ds < 10) {
            number = (number < 0 ? 0 : number * 10) + (r.charAt(i) - '0');
            i++;
        }
        if (i < len && Character.isDigit(r.charAt(i))) {
            while (i < len && Character.isDigit(r.charAt(i))) {
                i++;
            }
            listener.onParseError(lineNo, "test number too large in '" + r + "'");
            number = -2;
        } else if (number >= 0 && i < len && r.charAt(i) != ' ' && r.charAt(i) != '#') {
            // "ok 1abc": not a number after all, it is the description
            i = ds;
            number = -1;
        }
        int hash = indexOfUnescapedHash(r, i);
        String desc = (hash < 0 ? r.substring(i) : r.substring(i, hash)).trim();
        if (desc.startsWith("- ")) {
            desc = desc.substring(2).trim();
        } else if (desc.equals("-")) {
            desc = "";
        }
        if (desc.indexOf('\\') >= 0) {
            desc = desc.replace("\\#", "#").replace("\\\\", "\\");
        }
        String directive = hash < 0 ? "" : r.substring(hash + 1).trim();
        Status status = ok ? Status.PASS : Status.FAIL;
        String reason = directive;
        if (!directive.isEmpty()) {
            int sp = 0;
            while (sp < directive.length() && Character.isLetter(directive.charAt(sp))) {
                sp++;
            }
            String word = directive.substring(0, sp).toUpperCase(Locale.ROOT);
            String after = directive.substring(sp).trim();
            switch (word) {
                case "SKIP" -> { status = Status.SKIP; reason = after; }
                case "XFAIL" -> { status = Status.XFAIL; reason = after; }
                case "TIMEOUT" -> { status = Status.TIMEOUT; reason = after; }
                case "ERROR" -> { status = Status.ERROR; reason = after; }
                case "TODO" -> { status = ok ? Status.PASS : Status.XFAIL; reason = after; }
                default -> { }
            }
        }

        Closed closed = closeChild(f, desc);
        int expected = f.lastNumber + 1;
        int num;
        if (number == -1 || number == -2) {
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
        List<String> diags = takeDiags(f);
        if (closed != null && !closed.trailing().isEmpty()) {
            List<String> merged = new ArrayList<>(closed.trailing().size() + diags.size());
            merged.addAll(diags);
            merged.addAll(closed.trailing());
            diags = merged;
        }
        f.pendingSubtestName = null;
        boolean leaf = closed == null || !closed.hadResults();
        deliver(new TestResult(pathOf(f), desc, num, status, reason, diags, leaf, lineNo), f);
    }

    private static int indexOfUnescapedHash(String r, int from) {
        for (int i = from; i < r.length(); i++) {
            char c = r.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '#') {
                return i;
            }
        }
        return -1;
    }

    private List<String> takeDiags(Frame f) {
        if (f.diags.isEmpty() && f.droppedDiags == 0) {
            return List.of();
        }
        List<String> d = f.diags;
        if (f.droppedDiags > 0) {
            d.add("... " + f.droppedDiags + " more diagnostic lines dropped");
            f.droppedDiags = 0;
        }
        f.diags = new ArrayList<>();
        return d;
    }

    private List<String> pathOf(Frame f) {
        if (f.level == 0) {
            return List.of();
        }
        if (f.path != null) {
            return f.path;
        }
        String[] p = new String[f.level];
        boolean named = true;
        for (Frame x = f; x.parent != null; x = x.parent) {
            named &= x.name != null;
            p[x.level - 1] = x.name != null ? x.name : PLACEHOLDER;
        }
        List<String> path = List.of(p);
        if (named) {
            f.path = path; // names never change once set: every result of the block shares one immutable path
        }
        return path;
    }

    /** Closes f's open subtest block because f's own result line arrived; its name is that result's description. */
    private Closed closeChild(Frame f, String resultName) {
        Frame c = f.child;
        if (c == null) {
            return null;
        }
        String header = c.name;
        List<String> trailing = finishFrame(c, null);
        boolean hadResults = c.results > 0;
        if (header != null && !header.equals(resultName)) {
            if (c.provisional) {
                listener.onParseError(lineNo, "the subtests of '" + resultName + "' were delivered under the provisional"
                        + " name '" + header + "' (more than " + options.maxPendingResults() + " before its result line)");
            } else if (!c.hashWrapped) {
                listener.onParseError(lineNo, "subtest header names '" + header + "' but its result line names '"
                        + resultName + "'");
            }
        }
        if (c.name == null) {
            c.name = resultName;
            flush(c);
        }
        f.child = null;
        innermost = f;
        return new Closed(hadResults, trailing, header);
    }

    /**
     * Ends a block: closes its own open subtests as orphans, synthesizes MISSING results for planned tests that never
     * reported, and returns its trailing diagnostics.
     */
    private List<String> finishFrame(Frame c, String why) {
        closeOrphan(c);
        if (c.plan >= 0) {
            int absent = 0;
            for (int n = c.seen.nextClearBit(1); n <= c.plan; n = c.seen.nextClearBit(n + 1)) {
                absent++;
                if (absent > options.maxMissing()) {
                    continue;
                }
                c.results++;
                deliver(new TestResult(pathOf(c), "<missing " + n + ">", n, Status.MISSING,
                        why != null ? why : "planned (1.." + c.plan + ") but no result line", List.of(), true, lineNo),
                        c);
            }
            if (absent > 0) {
                listener.onParseError(lineNo, "block at line " + c.startLine + " planned 1.." + c.plan + " but "
                        + absent + " results are missing" + (absent > options.maxMissing()
                        ? " (only the first " + options.maxMissing() + " delivered as MISSING)" : ""));
            }
        } else if (c.results > 0) {
            listener.onParseError(c.startLine, "test block at line " + c.startLine + " has no plan line");
        }
        return takeDiags(c);
    }

    /** f's open subtest block ended without a result line for its parent: synthesize one (MISSING). */
    private void closeOrphan(Frame f) {
        Frame c = f.child;
        if (c == null) {
            return;
        }
        String why = "subtest block at line " + c.startLine + " has no result line";
        List<String> trailing = finishFrame(c, null);
        f.child = null;
        innermost = f;
        if (c.results == 0) {
            if (c.plan != 0) {
                listener.onParseError(lineNo, "empty subtest block at line " + c.startLine + " without a result line");
            }
            console(trailing);
            return;
        }
        listener.onParseError(lineNo, why);
        String name = c.name != null ? c.name : "<unnamed subtest at line " + c.startLine + ">";
        if (c.name == null) {
            c.name = name;
            flush(c);
        }
        int num = f.lastNumber + 1;
        f.seen.set(num);
        f.lastNumber = num;
        f.results++;
        List<String> diags = new ArrayList<>(trailing);
        diags.addAll(takeDiags(f));
        deliver(new TestResult(pathOf(f), name, num, Status.MISSING, why, diags, false, lineNo), f);
    }

    private void bail(String reason) {
        listener.onBailOut(lineNo, reason);
        String why = "Bail out!" + (reason.isEmpty() ? "" : " " + reason);
        // Close innermost to outermost; planned-but-absent tests become MISSING with the bail-out reason.
        List<Frame> chain = new ArrayList<>();
        for (Frame x = innermost; x != null; x = x.parent) {
            chain.add(x);
        }
        for (Frame x : chain) {
            if (x.parent == null) {
                console(finishFrame(x, why));
            } else {
                finishBailed(x, why);
            }
        }
        root = new Frame(null, "", false, lineNo + 1);
        innermost = root;
    }

    private void finishBailed(Frame c, String why) {
        List<String> trailing = finishFrame(c, why);
        Frame f = c.parent;
        f.child = null;
        if (c.results == 0) {
            console(trailing);
            return;
        }
        String name = c.name != null ? c.name : "<unnamed subtest at line " + c.startLine + ">";
        if (c.name == null) {
            c.name = name;
            flush(c);
        }
        int num = f.lastNumber + 1;
        f.seen.set(num);
        f.lastNumber = num;
        f.results++;
        deliver(new TestResult(pathOf(f), name, num, Status.MISSING, why, trailing, false, lineNo), f);
    }

    private void finish() {
        lineNo++;
        List<Frame> chain = new ArrayList<>();
        for (Frame x = innermost; x.parent != null; x = x.parent) {
            chain.add(x);
        }
        if (!chain.isEmpty()) {
            listener.onParseError(lineNo, "input ended inside " + chain.size() + " open subtest block(s) (truncated?)");
        }
        for (Frame x : chain) {
            finishBailed(x, "input ended before this test's result line (truncated?)");
        }
        innermost = root;
        console(finishFrame(root, "input ended before this planned test reported (truncated?)"));
    }

    private void console(List<String> diags) {
        for (String d : diags) {
            listener.onConsoleLine(lineNo, "# " + d);
        }
    }

    // ---- delivery: hold results until every ancestor's name is known ------------------------------------------

    private void deliver(TestResult r, Frame at) {
        Frame g = at;
        while (g != null && g.parent != null && g.name != null) {
            g = g.parent;
        }
        if (g == null || g.parent == null) {
            listener.onResult(r);
            return;
        }
        if (g.buffer == null) {
            g.buffer = new ArrayList<>();
        }
        g.buffer.add(r);
        if (g.buffer.size() > options.maxPendingResults()) {
            g.name = "<subtest at line " + g.startLine + ">";
            g.provisional = true;
            listener.onParseError(lineNo, "more than " + options.maxPendingResults() + " results inside the unnamed"
                    + " subtest block at line " + g.startLine + "; delivering them under the provisional name '"
                    + g.name + "'");
            flush(g);
        }
    }

    private void flush(Frame g) {
        List<TestResult> b = g.buffer;
        g.buffer = null;
        if (b == null) {
            return;
        }
        int idx = g.level - 1;
        for (TestResult r : b) {
            deliver(r.withPathElement(idx, g.name), g.parent);
        }
    }
}
