package dev.kval.console;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One row of the crash-pattern table. Rules are data: {@link CrashPatterns#STANDARD} lists them.
 *
 * @param start        regex on a normalized line (timestamp/caller prefix removed) that opens a report
 * @param crashClass   finding class
 * @param titles       title templates, the first whose placeholders can all be filled wins. Placeholders:
 *                     {1}..{9} start-regex groups; {func} = RIP function, else first non-generic call-trace frame;
 *                     {trace} = first non-generic call-trace frame; {name} = a named group of a body capture
 * @param weak         if true, the rule only opens a report when none is open (e.g. a bare "Oops:" line)
 * @param end          regex of the report's last line (inclusive), or null
 * @param endAtTaskEnd close after the first "&lt;/TASK&gt;" that follows a call trace
 * @param tail         after {@code end} matched, following lines matching this still belong to the report
 * @param absorb       while this report is open, lines matching this are part of it even if another rule would
 *                     start a report on them (e.g. list corruption then "kernel BUG at lib/list_debug.c")
 * @param sameKeyGroup if &gt; 0: a new start line of this same rule with the same value of this group continues the
 *                     open report instead of opening a new one (hwpoison lines of one pfn)
 * @param captures     body regexes with named groups used by the title ("{access}", "{at}", ...); first match wins
 * @param benignIf     if any line of the report matches, it is not a crash (e.g. hwpoison "Recovered"); or null
 * @param panics       true if this report means the kernel is dead
 */
public record CrashRule(String id, Pattern start, String crashClass, List<String> titles, boolean weak, Pattern end,
                        boolean endAtTaskEnd, Pattern tail, Pattern absorb, int sameKeyGroup, List<Pattern> captures,
                        Pattern benignIf, boolean panics) {
}
