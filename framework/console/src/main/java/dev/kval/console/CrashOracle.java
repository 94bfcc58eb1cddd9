package dev.kval.console;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
     * What precedes the message on a console line: an optional syslog "Mmm dd hh:mm:ss host kernel: " header, an
     * optional "&lt;N&gt;" level, an optional "[   12.345678]" timestamp and an optional "[  T123]"/"[  C1]" caller id.
     */
    private static final Pattern PREFIX = Pattern.compile(
            "^(?:[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\S+ kernel: )?(?:<\\d+>)?(?:\\[\\s*\\d+\\.\\d+\\])?"
                    + "(?:\\[\\s*[TC]\\d+\\])?");
    private static final Pattern RIP = Pattern.compile("^RIP: [0-9a-f]{4}:([A-Za-z_][A-Za-z0-9_.]*)\\+0x");
    private static final Pattern FRAME = Pattern.compile(
            "^\\s*(\\? )?(?:\\[<[0-9a-f]+>\\] )?(?:\\? )?([A-Za-z_][A-Za-z0-9_.]*)(?:\\+0x[0-9a-f]+/0x[0-9a-f]+| \\(\\S+:\\d+\\))");
    private static final Pattern FUNC_SUFFIX = Pattern.compile("(\\.(cold|isra|constprop|part|llvm|lto_priv)(\\.\\d+)?)+$");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z0-9]+)\\}");
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
                    + "|Preemption disabled|INFO: lockdep|Showing all locks|=+$|-+$|\\t|KASAN: |note: |Kernel tried|BUG: )");
    private static final int MAX_FRAMES = 48;
    private static final int MAX_GAP = 100;

    private final List<CrashRule> rules;
    private final List<Pattern> genericFrames;

    public CrashOracle(List<CrashRule> rules, List<Pattern> genericFrames) {
        this.rules = List.copyOf(rules);
        this.genericFrames = List.copyOf(genericFrames);
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

    /** Reads {@code in} to the end and scans it. */
    public List<Finding> scan(Reader in) throws IOException {
        Session s = session();
        BufferedReader r = in instanceof BufferedReader b ? b : new BufferedReader(in);
        String l;
        while ((l = r.readLine()) != null) {
            s.feed(l);
        }
        return s.finish();
    }

    public Session session() {
        return new Session();
    }

    /** The message part of a console line (timestamp and caller prefix removed). */
    public static String normalize(String line) {
        String l = line;
        int n = l.length();
        while (n > 0 && (l.charAt(n - 1) == '\r' || l.charAt(n - 1) == '\n')) {
            n--;
        }
        l = l.substring(0, n);
        Matcher m = PREFIX.matcher(l);
        if (m.lookingAt() && m.end() > 0) {
            int e = m.end();
            if (e < l.length() && l.charAt(e) == ' ') {
                e++;
            }
            return l.substring(e);
        }
        return l;
    }

    static String cleanFunc(String f) {
        return FUNC_SUFFIX.matcher(f).replaceFirst("");
    }

    boolean generic(String func) {
        for (Pattern p : genericFrames) {
            if (p.matcher(func).matches()) {
                return true;
            }
        }
        return false;
    }

    /** An open report. Keeps only what titles need: start groups, RIP, the first frames and named captures. */
    private final class Report {
        final CrashRule rule;
        final int firstLine;
        int lastLine;
        final String[] groups;
        final String key;
        String rip;
        final List<String> frames = new ArrayList<>();
        final Map<String, String> captured = new HashMap<>();
        boolean sawTrace;
        boolean benign;
        boolean ending; // end matched: only tail lines may follow
        int gap;

        Report(CrashRule rule, Matcher m, int line) {
            this.rule = rule;
            this.firstLine = line;
            this.lastLine = line;
            this.groups = new String[m.groupCount() + 1];
            for (int i = 0; i <= m.groupCount(); i++) {
                groups[i] = m.group(i);
            }
            this.key = rule.sameKeyGroup() > 0 ? m.group(rule.sameKeyGroup()) : null;
        }

        void body(String msg, int line, boolean relevant) {
            if (relevant) {
                lastLine = line;
                gap = 0;
            } else {
                gap++;
            }
            if (rule.benignIf() != null && rule.benignIf().matcher(msg).find()) {
                benign = true;
            }
            Matcher r = RIP.matcher(msg);
            if (rip == null && r.find()) {
                rip = cleanFunc(r.group(1));
            }
            if (msg.startsWith("Call Trace:")) {
                sawTrace = true;
            }
            if (frames.size() < MAX_FRAMES) {
                Matcher f = FRAME.matcher(msg);
                if (f.find() && f.group(1) == null) {
                    frames.add(cleanFunc(f.group(2)));
                }
            }
            for (Pattern p : rule.captures()) {
                Matcher c = p.matcher(msg);
                if (c.find()) {
                    for (String name : namedGroups(p)) {
                        captured.putIfAbsent(name, c.group(name));
                    }
                }
            }
        }

        Finding finding() {
            for (String template : rule.titles()) {
                String t = fill(template);
                if (t != null) {
                    return new Finding(rule.crashClass(), t, firstLine, lastLine);
                }
            }
            return new Finding(rule.crashClass(), rule.id(), firstLine, lastLine);
        }

        private String fill(String template) {
            Matcher m = PLACEHOLDER.matcher(template);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                String v = value(m.group(1));
                if (v == null || v.isBlank()) {
                    return null;
                }
                m.appendReplacement(sb, Matcher.quoteReplacement(v.trim()));
            }
            m.appendTail(sb);
            return sb.toString();
        }

        private String value(String name) {
            if (name.matches("\\d")) {
                int i = name.charAt(0) - '0';
                return i < groups.length ? groups[i] : null;
            }
            if (name.matches("f\\d")) {
                int i = name.charAt(1) - '0';
                return i < groups.length && groups[i] != null ? cleanFunc(groups[i]) : null;
            }
            if (name.equals("func")) {
                if (rip != null && !generic(rip)) {
                    return rip;
                }
                return firstNonGeneric();
            }
            if (name.equals("trace")) {
                return firstNonGeneric();
            }
            String c = captured.get(name);
            return c == null ? null : (name.equals("at") ? cleanFunc(c) : c);
        }

        private String firstNonGeneric() {
            for (String f : frames) {
                if (!generic(f)) {
                    return f;
                }
            }
            return null;
        }
    }

    private static final Map<Pattern, List<String>> NAMED = new java.util.concurrent.ConcurrentHashMap<>();

    private static List<String> namedGroups(Pattern p) {
        return NAMED.computeIfAbsent(p, k -> {
            List<String> names = new ArrayList<>();
            Matcher m = Pattern.compile("\\(\\?<([A-Za-z][A-Za-z0-9]*)>").matcher(k.pattern());
            while (m.find()) {
                names.add(m.group(1));
            }
            return names;
        });
    }

    /** Incremental scanning: feed lines as they arrive; findings so far are available at any time. */
    public final class Session {
        private final List<Finding> closed = new ArrayList<>();
        private Report open;
        private int lineNo;
        private boolean panicked;

        /** Feeds the next console line (with or without its terminator). */
        public void feed(String line) {
            lineNo++;
            String msg = normalize(line == null ? "" : line);
            if (open != null && open.ending) {
                if (open.rule.tail() != null && open.rule.tail().matcher(msg).find()) {
                    open.lastLine = lineNo;
                    return;
                }
                close();
            }
            if (open != null) {
                if (open.rule.absorb() != null && open.rule.absorb().matcher(msg).find()) {
                    open.body(msg, lineNo, true);
                    checkEnd(msg);
                    return;
                }
            }
            for (CrashRule r : rules) {
                if (r.weak() && open != null) {
                    continue;
                }
                Matcher m = r.start().matcher(msg);
                if (!m.find()) {
                    continue;
                }
                if (open != null && open.rule == r && open.key != null && r.sameKeyGroup() > 0
                        && open.key.equals(m.group(r.sameKeyGroup()))) {
                    open.body(msg, lineNo, true);
                    checkEnd(msg);
                    return;
                }
                close();
                open = new Report(r, m, lineNo);
                open.body(msg, lineNo, true);
                if (r.panics()) {
                    panicked = true;
                }
                if (r.end() != null && r.end().matcher(msg).find()) {
                    open.ending = true;
                }
                return;
            }
            if (open == null) {
                return;
            }
            boolean relevant = CONTINUATION.matcher(msg).find() || (open.rule.end() != null && open.rule.end().matcher(msg).find());
            open.body(msg, lineNo, relevant);
            if (relevant) {
                checkEnd(msg);
            } else if (open.gap >= MAX_GAP) {
                close();
            }
        }

        private void checkEnd(String msg) {
            Report o = open;
            if (o.rule.end() != null && o.rule.end().matcher(msg).find()) {
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
