package dev.kval.console;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Classifies kernel console / dmesg text into crash {@link Finding}s using a table of {@link CrashRule}s. Works on a
 * whole log ({@link #scan}) or incrementally ({@link #session()}), e.g. on a host's serial console as it arrives.
 */
public final class CrashOracle {

    public static final List<String> CLASSES = List.of("kasan", "ubsan", "warning", "oops", "bug", "panic", "lockdep",
            "hung-task", "rcu-stall", "soft-lockup", "hard-lockup", "hwpoison", "bad-page");

    /**
     * What precedes the message on a console line: an optional syslog "Mmm dd hh:mm:ss host kernel: " or RFC 3339
     * "2026-12-07T18:51:35.123456+00:00 host kernel: " header, an optional "kern  :err   : " (dmesg -x) facility, an
     * optional "&lt;N&gt;" level, an optional "[   12.345678]" timestamp and an optional "[  T123]"/"[  C1]" caller id.
     */
    private static final Pattern PREFIX = Pattern.compile(
            "^(?:[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\S++ kernel: "
                    + "|\\d{4}-\\d\\d-\\d\\d[T ]\\d\\d:\\d\\d:\\d\\d(?:[.,]\\d++)?(?:Z|[+-]\\d\\d:?\\d\\d)? \\S++ kernel: )?"
                    + "(?:[a-z]++\\s*+:[a-z]++\\s*+: )?(?:<\\d++>)?(?:\\[\\s*+\\d++\\.\\d++\\])?(?:\\[\\s*+[TC]\\d++\\])?");
    /**
     * A printk timestamp after other text on the same line: a shell prompt or another program's partial line was
     * printed just before the kernel's line ("syzkaller login: [   30.02][ T81] usb 1-1: ..."). Only looked for in the
     * first {@link #PARTIAL_LINE_SCAN} characters.
     */
    private static final Pattern TIMESTAMP_INSIDE = Pattern.compile("\\[\\s*+\\d++\\.\\d{6}\\](?:\\[\\s*+[TC]\\d++\\])?");
    private static final int PARTIAL_LINE_SCAN = 1024;
    /** Console lines longer than this are cut (with {@link #CUT_MARKER}) before any pattern sees them. */
    public static final int MAX_LINE = 16 * 1024;
    /** Appended to a cut line, followed by the number of characters dropped. */
    public static final String CUT_MARKER = " [kval: line cut, characters dropped: ";
    /** Lines that belong to a report even when they carry no frame: they extend its last line. */
    private static final Pattern CONTINUATION = Pattern.compile(
            "^(\\s|CPU: |Hardware name:|RIP:|Code:|RSP:|RAX:|RBX:|RCX:|RDX:|RSI:|RDI:|RBP:|R\\d+:|FS:|GS:|CS:|CR\\d:|DR\\d:"
                    + "|PKRU:|Call Trace:|Modules linked in:|Tainted:|task:|Workqueue:|\"echo 0|</?(TASK|IRQ|NMI|SOFTIRQ)>"
                    + "|irq event stamp|hardirqs |softirqs |Allocated by|Freed by|Last potentially|The buggy address|Memory state"
                    + "|page:|flags:|raw:|head:|page dumped|page_owner|Read of size|Write of size|index -?\\d|shift exponent"
                    + "|signed integer|load of value|#PF:|PGD |Oops:|invalid opcode|other info|Possible unsafe|Chain exists"
                    + "|the existing dependency|but task is|which lock already|is trying to acquire|stack backtrace|\\*\\*\\*"
                    + "|-> #|\\.\\.\\.|[0-9a-f]{16}:|Memory failure|MCE:|Injecting memory failure|Kernel Offset|---\\[|Sending NMI"
                    + "|NMI backtrace|rcu:|\\(detected by|\\d+ locks? held by|no locks held|#\\d+: |in_atomic\\(\\)|preempt_count"
                    + "|Preemption disabled|INFO: lockdep|Showing all locks|=+$|-+$|\\t|KASAN: |note: |Kernel tried|BUG: "
                    + "|\\{\\d+\\}\\[Hardware Error\\]|\\[Hardware Error\\]|mce: |pc : |lr : |sp : |x\\d+ *: |pstate: |Call trace:"
                    + "|Internal error|Mem abort info|Data abort info|ESR = |EC = |Stack:|Uninit was|Bytes \\d|Memory access)");
    private static final int MAX_GAP = 100;

    private final List<CrashRule> rules;
    private final List<Pattern> genericFrames;
    private final int maxLine;

    public CrashOracle(List<CrashRule> rules, List<Pattern> genericFrames) {
        this(rules, genericFrames, MAX_LINE);
    }

    /**
     * @param maxLine console lines longer than this are cut before matching (bounds time and memory per line); the
     *                linear-time test raises it to show the patterns themselves are linear
     */
    public CrashOracle(List<CrashRule> rules, List<Pattern> genericFrames, int maxLine) {
        if (maxLine < 256) {
            throw new IllegalArgumentException("maxLine " + maxLine + " is too small to hold a kernel report line");
        }
        this.rules = List.copyOf(rules);
        this.genericFrames = List.copyOf(genericFrames);
        this.maxLine = maxLine;
    }

    /** The built-in table ({@link CrashPatterns#STANDARD}). */
    public static CrashOracle standard() {
        return new CrashOracle(CrashPatterns.STANDARD, CrashPatterns.GENERIC_FRAMES);
    }

    public List<CrashRule> rules() {
        return rules;
    }

    /** All findings in {@code lines} (line numbers are 1-based indexes into the list). */
    public List<Finding> scan(List<String> lines) {
        Session s = session();
        for (String l : lines) {
            s.feed(l);
        }
        return s.finish();
    }

    /**
     * Reads {@code in} to the end and scans it. Memory stays bounded whatever the input: a line is never held beyond
     * {@code maxLine} characters (the rest is counted and dropped).
     */
    public List<Finding> scan(Reader in) throws IOException {
        Session s = session();
        dev.kval.ktap.LineReader r = new dev.kval.ktap.LineReader(in, maxLine);
        String l;
        while ((l = r.next()) != null) {
            s.feed(r.dropped() > 0 ? l + CUT_MARKER + r.dropped() + "]" : l);
        }
        return s.finish();
    }

    /** The first (primary) finding, as syzkaller reports it: later findings are secondary (often consequences). */
    public static Optional<Finding> firstSplat(List<Finding> findings) {
        return findings.isEmpty() ? Optional.empty() : Optional.of(findings.get(0));
    }

    public Session session() {
        return new Session();
    }

    /**
     * The message part of a console line: line terminator and trailing blanks removed, then the prefix (syslog or
     * RFC 3339 header, dmesg -x facility, level, timestamp, caller id) and one following space. If the line does not
     * start with a timestamp but carries one soon after other text (a shell's partial line printed just before the
     * kernel's), everything up to and including that timestamp is dropped. Leading blanks of the message are kept:
     * they tell a call-trace frame from a headline.
     */
    public static String normalize(String line) {
        int n = line.length();
        while (n > 0 && Character.isWhitespace(line.charAt(n - 1))) {
            n--;
        }
        String l = n == line.length() ? line : line.substring(0, n);
        Matcher m = PREFIX.matcher(l);
        int e = m.lookingAt() ? m.end() : 0;
        if (e == 0 || l.charAt(e - 1) != ']') {
            Matcher t = TIMESTAMP_INSIDE.matcher(l);
            t.region(e, Math.min(l.length(), e + PARTIAL_LINE_SCAN));
            if (t.find()) {
                e = t.end();
            }
        }
        if (e == 0) {
            return l;
        }
        if (e < l.length() && l.charAt(e) == ' ') {
            e++;
        }
        return l.substring(e);
    }

    private static String stripLeading(String s) {
        int i = 0;
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return i == 0 ? s : s.substring(i);
    }

    /** Incremental scanning: feed lines as they arrive; findings so far are available at any time. */
    public final class Session {
        private final List<Finding> closed = new ArrayList<>();
        private CrashReport open;
        private int lineNo;
        private int cutLines;
        private boolean panicked;

        /** Feeds the next console line (with or without its terminator); lines over the limit are cut first. */
        public void feed(String line) {
            lineNo++;
            String raw = line == null ? "" : line;
            if (raw.length() > maxLine) {
                raw = raw.substring(0, maxLine) + CUT_MARKER + (raw.length() - maxLine) + "]";
                cutLines++;
            }
            String msg = normalize(raw);
            String s = stripLeading(msg);
            if (s.startsWith("Kernel panic - not syncing")) {
                panicked = true;
            }
            if (open != null && open.ending) {
                if (open.rule.tail() != null && open.rule.tail().matcher(s).lookingAt()) {
                    open.lastLine = lineNo;
                    return;
                }
                close();
            }
            if (open != null) {
                if (open.rule.absorb() != null && open.rule.absorb().matcher(s).lookingAt()) {
                    open.body(msg, s, lineNo, true);
                    checkEnd(s);
                    return;
                }
            }
            for (CrashRule r : rules) {
                if (r.weak() && open != null) {
                    continue;
                }
                Matcher m = r.start().matcher(s);
                if (!m.lookingAt()) {
                    continue;
                }
                if (open != null && open.rule == r && open.key != null && r.sameKeyGroup() > 0
                        && open.key.equals(m.group(r.sameKeyGroup()))) {
                    open.body(msg, s, lineNo, true);
                    checkEnd(s);
                    return;
                }
                close();
                open = new CrashReport(r, m, lineNo, genericFrames);
                open.body(msg, s, lineNo, true);
                if (r.end() != null && r.end().matcher(s).lookingAt()) {
                    open.ending = true;
                }
                return;
            }
            if (open == null) {
                return;
            }
            boolean relevant = CONTINUATION.matcher(msg).lookingAt()
                    || (open.rule.end() != null && open.rule.end().matcher(s).lookingAt());
            open.body(msg, s, lineNo, relevant);
            if (relevant) {
                checkEnd(s);
            } else if (open.gap >= MAX_GAP) {
                close();
            }
        }

        private void checkEnd(String msg) {
            CrashReport o = open;
            if (o.rule.end() != null && o.rule.end().matcher(msg).lookingAt()) {
                o.ending = true;
                if (o.rule.tail() == null) {
                    close();
                }
                return;
            }
            if (o.rule.endAtTaskEnd() && o.sawTrace && msg.startsWith("</TASK>")) {
                close();
            }
        }

        private void close() {
            if (open != null) {
                if (!open.benign) {
                    closed.add(open.finding());
                }
                open = null;
            }
        }

        /** Findings so far, including a report still being received (as seen up to now). */
        public List<Finding> findings() {
            List<Finding> all = new ArrayList<>(closed);
            if (open != null && !open.benign) {
                all.add(open.finding());
            }
            return all;
        }

        /** True once a "Kernel panic - not syncing" line was seen: the kernel is dead. */
        public boolean panicked() {
            return panicked;
        }

        /** Lines that were longer than the limit and were cut (marked with {@link #CUT_MARKER}). */
        public int cutLines() {
            return cutLines;
        }

        /** Lines fed so far. */
        public int lines() {
            return lineNo;
        }

        /** Ends the input: closes any open report and returns all findings. */
        public List<Finding> finish() {
            close();
            return List.copyOf(closed);
        }
    }
}
