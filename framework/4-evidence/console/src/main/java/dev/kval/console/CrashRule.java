package dev.kval.console;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One row of the crash-pattern table. Rules are data: {@link CrashPatterns#STANDARD} lists them, each built with
 * {@link #rule(String)} and named setters so a row reads as "what opens it, what it is called, where it ends, which
 * kernel line justifies it".
 *
 * <p>Every regex runs on a line whose prefix (timestamp, caller id, log level, syslog header) was removed and whose
 * trailing whitespace was trimmed, so no pattern needs a {@code \s*$} tail; patterns must stay linear in the line length
 * (possessive quantifiers, no nested unbounded groups), which CrashOracleLinearTimeTest checks.
 *
 * @param id           short unique name
 * @param crashClass   finding class, one of {@link CrashOracle#CLASSES}
 * @param start        regex (matched at the start of the message, leading blanks ignored) that opens a report
 * @param titles       title templates, the first whose placeholders can all be filled wins. Placeholders:
 *                     {1}..{9} start-regex groups; {f1}..{f9} the same with compiler suffixes (.isra.0, .cold)
 *                     removed; {func} = RIP/IP/pc function unless generic, else the first non-generic call-trace
 *                     frame; {trace} = first non-generic call-trace frame; {name} = a named group of a body capture
 * @param weak         if true, the rule only opens a report when none is open (e.g. a bare "Oops:" line)
 * @param end          regex of the report's last line (inclusive), or null
 * @param endAtTaskEnd close after the first "&lt;/TASK&gt;" that follows a call trace
 * @param tail         after {@code end} matched, following lines matching this still belong to the report
 * @param absorb       while this report is open, lines matching this are part of it even if another rule would
 *                     start a report on them (e.g. list corruption then "kernel BUG at lib/list_debug.c", or the
 *                     "Kernel panic - not syncing: Fatal machine check" that ends a machine-check report)
 * @param sameKeyGroup if &gt; 0: a new start line of this same rule with the same value of this group continues the
 *                     open report instead of opening a new one (hwpoison lines of one pfn)
 * @param captures     body regexes with named groups used by the title ("{access}", "{at}", ...); first match wins
 * @param benignIf     if any line of the report matches, it is not a crash (e.g. injected hwpoison "Recovered")
 * @param panics       true if this report means the kernel is dead
 * @param source       the kernel code that prints the start line (file and function in linux-source-7.3, and the
 *                     older form when the text changed), which is what justifies the row
 */
public record CrashRule(String id, String crashClass, Pattern start, List<String> titles, boolean weak, Pattern end,
                        boolean endAtTaskEnd, Pattern tail, Pattern absorb, int sameKeyGroup, List<Pattern> captures,
                        Pattern benignIf, boolean panics, String source) {

    public CrashRule {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(crashClass, "class of rule " + id);
        Objects.requireNonNull(start, "start of rule " + id);
        if (titles == null || titles.isEmpty()) {
            throw new IllegalArgumentException("rule " + id + " has no title template");
        }
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("rule " + id + " does not cite the kernel code that prints its line");
        }
        titles = List.copyOf(titles);
        captures = List.copyOf(captures);
    }

    /** Starts a row; finish it with {@link Builder#build()}. */
    public static Builder rule(String id) {
        return new Builder(id);
    }

    /** Named-field builder for one row. */
    public static final class Builder {
        private final String id;
        private String crashClass;
        private Pattern start;
        private final List<String> titles = new ArrayList<>();
        private boolean weak;
        private Pattern end;
        private boolean endAtTaskEnd;
        private Pattern tail;
        private Pattern absorb;
        private int sameKeyGroup;
        private final List<Pattern> captures = new ArrayList<>();
        private Pattern benignIf;
        private boolean panics;
        private String source;

        private Builder(String id) {
            this.id = id;
        }

        public Builder cls(String c) {
            this.crashClass = c;
            return this;
        }

        public Builder start(String regex) {
            this.start = Pattern.compile(regex);
            return this;
        }

        public Builder title(String... templates) {
            titles.addAll(List.of(templates));
            return this;
        }

        public Builder weak() {
            this.weak = true;
            return this;
        }

        public Builder end(String regex) {
            this.end = Pattern.compile(regex);
            return this;
        }

        public Builder endAtTaskEnd() {
            this.endAtTaskEnd = true;
            return this;
        }

        public Builder tail(String regex) {
            this.tail = Pattern.compile(regex);
            return this;
        }

        public Builder absorb(String regex) {
            this.absorb = Pattern.compile(regex);
            return this;
        }

        public Builder sameKey(int group) {
            this.sameKeyGroup = group;
            return this;
        }

        public Builder capture(String... regexes) {
            for (String r : regexes) {
                captures.add(Pattern.compile(r));
            }
            return this;
        }

        public Builder benignIf(String regex) {
            this.benignIf = Pattern.compile(regex);
            return this;
        }

        public Builder panics() {
            this.panics = true;
            return this;
        }

        public Builder source(String printkSite) {
            this.source = printkSite;
            return this;
        }

        public CrashRule build() {
            return new CrashRule(id, crashClass, start, titles, weak, end, endAtTaskEnd, tail, absorb, sameKeyGroup,
                    captures, benignIf, panics, source);
        }
    }
}
