package dev.kval.ktap;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes the prefix that dmesg or a serial console put before every line of a KTAP stream, the way the kernel's
 * tools/testing/kunit/kunit_parser.py (extract_tap_lines) does: the first line that ends in "KTAP version N" or
 * "TAP version N" fixes the prefix (whatever precedes the version text), and that prefix is removed from the lines
 * that follow. A printk prefix ("[   12.345678] ", "[   12.3][  T123] ", "&lt;6&gt;[ 1.2] ", a syslog or RFC 3339 header)
 * changes its digits from line to line, so when the fixed prefix is one of those, each later line loses its own
 * printk prefix instead of the same characters; any other prefix is removed where a line starts with it. Lines
 * without the prefix (another program's output, a wrapped tail) pass unchanged.
 */
final class PrefixStripper {
    private static final Pattern VERSION = Pattern.compile("K?TAP version \\d++\\s*+$");
    private static final Pattern PRINTK = Pattern.compile(
            "^(?:[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\S++ kernel: "
                    + "|\\d{4}-\\d\\d-\\d\\d[T ]\\d\\d:\\d\\d:\\d\\d(?:[.,]\\d++)?(?:Z|[+-]\\d\\d:?\\d\\d)? \\S++ kernel: )?"
                    + "(?:<\\d++>)?(?:\\[\\s*+\\d++\\.\\d++\\])?(?:\\[\\s*+[TC]\\d++\\])?");

    private boolean started;
    private String prefix = "";
    private boolean printk;
    private int separator; // spaces between the printk prefix and the text
    private boolean lastHadPrefix;

    /**
     * True if the stream carries a prefix and the last line passed to {@link #strip} did not have it: in a dmesg
     * capture, such a line is not the kernel's (a mailer's wrapped tail, another program's output).
     */
    boolean lastLackedPrefix() {
        return started && !prefix.isEmpty() && !lastHadPrefix;
    }

    /** True if the stream's lines carry a prefix (dmesg, a serial console). */
    boolean prefixed() {
        return started && !prefix.isEmpty();
    }

    /** The line with the stream's prefix removed. */
    String strip(String line) {
        lastHadPrefix = false;
        if (!started) {
            Matcher v = VERSION.matcher(line);
            // Only the end of the line can hold the version text; look at most at the last 40 characters.
            v.region(Math.max(0, line.length() - 40), line.length());
            if (!v.find()) {
                return line;
            }
            String p = line.substring(0, v.start());
            if (p.indexOf('#') >= 0) {
                return line; // "# TAP version 13": kselftest nesting, not a prefix
            }
            started = true;
            Matcher m = PRINTK.matcher(p);
            if (m.lookingAt() && m.end() > 0 && p.substring(m.end()).isBlank()) {
                printk = true;
                separator = p.length() - m.end();
            }
            prefix = p;
            lastHadPrefix = true;
            return line.substring(p.length());
        }
        if (prefix.isEmpty()) {
            return line;
        }
        if (printk) {
            Matcher m = PRINTK.matcher(line);
            if (m.lookingAt() && m.end() > 0) {
                int e = m.end();
                for (int i = 0; i < separator && e < line.length() && line.charAt(e) == ' '; i++) {
                    e++;
                }
                lastHadPrefix = true;
                return line.substring(e);
            }
            return line;
        }
        if (line.startsWith(prefix)) {
            lastHadPrefix = true;
            return line.substring(prefix.length());
        }
        return line;
    }
}
