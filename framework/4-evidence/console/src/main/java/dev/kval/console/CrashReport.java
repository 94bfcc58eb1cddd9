package dev.kval.console;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One report the {@link CrashOracle} is receiving: keeps only what its titles need (the start line's groups, the
 * faulting function, the first call-trace frames and the rule's named captures) and fills the rule's title templates
 * from them.
 */
final class CrashReport {
    /** Faulting function: x86 "RIP: 0010:f+0x.." (old: "RIP: 0010:[<a>]  [<a>] f+0x.."), "IP: f+0x..", arm64 "pc : f+0x..". */
    private static final Pattern RIP = Pattern.compile("^(?:RIP: [0-9a-f]{4}:(?:\\[<[0-9a-f]++>\\]\\s++\\[<[0-9a-f]++>\\] )?"
            + "|IP: (?:\\[<[0-9a-f]++>\\] )?|pc : |PC is at )([A-Za-z_][A-Za-z0-9_.]*+)(?:\\+0x| \\()");
    /** A call-trace frame; groups 1 and 2 are the "? " of an unreliable frame (before or after an old "[<addr>]"). */
    private static final Pattern FRAME = Pattern.compile("^\\s*+(\\? )?(?:\\[<[0-9a-f]++>\\]\\s++)?(\\? )?"
            + "([A-Za-z_][A-Za-z0-9_.]*+)(?:\\+0x[0-9a-f]++/0x[0-9a-f]++| \\([^\\s:()]++:\\d)");
    private static final Pattern FUNC_SUFFIX = Pattern.compile("(?:\\.(?:cold|isra|constprop|part|llvm|lto_priv)(?:\\.\\d++)?)++$");
    private static final int MAX_FRAMES = 48;
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z0-9]+)\\}");

    private final List<Pattern> genericFrames;
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

    CrashReport(CrashRule rule, Matcher m, int line, List<Pattern> genericFrames) {
        this.genericFrames = genericFrames;
        this.rule = rule;
        this.firstLine = line;
        this.lastLine = line;
        this.groups = new String[m.groupCount() + 1];
        for (int i = 0; i <= m.groupCount(); i++) {
            groups[i] = m.group(i);
        }
        this.key = rule.sameKeyGroup() > 0 ? m.group(rule.sameKeyGroup()) : null;
    }

    /** @param msg the message with its leading blanks, {@code s} without them */
    void body(String msg, String s, int line, boolean relevant) {
        if (relevant) {
            lastLine = line;
            gap = 0;
        } else {
            gap++;
        }
        if (rule.benignIf() != null && rule.benignIf().matcher(s).find()) {
            benign = true;
        }
        if (rip == null) {
            Matcher r = RIP.matcher(s);
            if (r.lookingAt()) {
                rip = cleanFunc(r.group(1));
            }
        }
        if (s.startsWith("Call Trace:") || s.startsWith("Call trace:")) {
            sawTrace = true;
        }
        if (frames.size() < MAX_FRAMES) {
            Matcher f = FRAME.matcher(msg);
            if (f.lookingAt() && f.group(1) == null && f.group(2) == null) {
                frames.add(cleanFunc(f.group(3)));
            }
        }
        for (Pattern p : rule.captures()) {
            Matcher c = p.matcher(s);
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
            String t = firstNonGeneric();
            // A fault inside a generic helper (memset, a lock) with no better frame is still named by the helper.
            return t != null ? t : rip;
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
}
