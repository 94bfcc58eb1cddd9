package dev.kval.agent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One KTAP out of the boots a race run needed. A race case that leaves stuck tasks makes the agent stop: every later
 * case instance is a case-level {@code ok N race.x # SKIP not run in this boot...} line (the plan stays whole), and a
 * fresh boot runs them with {@code --start}. {@link #splice} puts that boot's case results in place of the
 * placeholders, instance by instance and case by case, keeping the first boot's numbers, so the sweep and bisection
 * read one KTAP per kernel as if one boot had run every case. A resumed case that is itself stuck leaves its
 * successors as placeholders again: the caller boots once more until {@link #placeholders} is empty or stops shrinking.
 */
public final class RaceResume {
    /** The reason the agent prints for a case instance it did not run because an earlier case left stuck tasks. */
    public static final String RESUMED = "not run in this boot";

    /** A suite-level (indent 2) case result line: status, number, case id, directive. */
    private static final Pattern CASE_LINE = Pattern.compile("^  (not ok|ok) (\\d+) (\\S+)(.*)$");
    private static final Pattern CASE_PLAN = Pattern.compile("^  1\\.\\.\\d+\\s*$");

    private RaceResume() {
    }

    /** The case ids of the placeholder lines, in order (a case repeated by --repeat appears once per instance). */
    public static List<String> placeholders(String ktap) {
        List<String> out = new ArrayList<>();
        for (String l : ktap.split("\n", -1)) {
            Matcher m = CASE_LINE.matcher(l);
            if (m.matches() && isPlaceholder(m)) {
                out.add(m.group(3));
            }
        }
        return out;
    }

    private static boolean isPlaceholder(Matcher m) {
        return m.group(1).equals("ok") && m.group(4).contains("# SKIP " + RESUMED);
    }

    /**
     * {@code first} with each placeholder replaced by the next unused block of the same case id from {@code next} (the
     * KTAP of a boot started at the first placeholder's case). A block is everything the agent printed for one case
     * instance: its nested leaves and comments and its case line, renumbered to the placeholder's number. Placeholders
     * {@code next} has no block for stay as they were; blocks of {@code next} no placeholder asks for (the rest of
     * a --repeat whose earlier instances ran in the first boot) are left out.
     *
     * @param diedIn the case id whose instance was running when the resumed boot's kernel died (its block is missing),
     *               or null; that placeholder becomes {@code not ok} with {@code why} as its comment, so a crash in a
     *               resumed case is a verdict, not a skip
     */
    public static String splice(String first, String next, String diedIn, String why) {
        Map<String, List<List<String>>> blocks = blocks(next);
        Map<String, Integer> used = new LinkedHashMap<>();
        boolean died = false;
        StringBuilder out = new StringBuilder();
        String[] lines = first.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            Matcher m = CASE_LINE.matcher(l);
            if (m.matches() && isPlaceholder(m)) {
                String id = m.group(3);
                List<List<String>> bs = blocks.getOrDefault(id, List.of());
                int u = used.getOrDefault(id, 0);
                if (u < bs.size()) {
                    used.put(id, u + 1);
                    List<String> b = bs.get(u);
                    for (int j = 0; j < b.size() - 1; j++) {
                        out.append(b.get(j)).append('\n');
                    }
                    Matcher c = CASE_LINE.matcher(b.get(b.size() - 1));
                    c.matches();
                    out.append("  ").append(c.group(1)).append(' ').append(m.group(2)).append(' ').append(id).append(c.group(4));
                } else if (!died && id.equals(diedIn)) {
                    died = true;
                    out.append("  # ").append(why == null ? "the kernel died during this case in a resumed boot" : why.replace('\n', ' ')).append('\n');
                    out.append("  not ok ").append(m.group(2)).append(' ').append(id);
                } else {
                    out.append(l);
                }
            } else {
                out.append(l);
            }
            if (i < lines.length - 1) {
                out.append('\n');
            }
        }
        return out.toString();
    }

    /** Whether ktap has a case line for caseId that is not a placeholder (the case ran and reported). */
    public static boolean hasResult(String ktap, String caseId) {
        for (String l : ktap.split("\n", -1)) {
            Matcher m = CASE_LINE.matcher(l);
            if (m.matches() && m.group(3).equals(caseId) && !isPlaceholder(m)) {
                return true;
            }
        }
        return false;
    }

    /** Each case id's blocks in a KTAP, in order: the lines after the previous case line (or the plan) through its own. */
    static Map<String, List<List<String>>> blocks(String ktap) {
        Map<String, List<List<String>>> out = new LinkedHashMap<>();
        List<String> cur = null;
        for (String l : ktap.split("\n", -1)) {
            if (CASE_PLAN.matcher(l).matches()) {
                cur = new ArrayList<>();
                continue;
            }
            if (cur == null) {
                continue;
            }
            cur.add(l);
            Matcher m = CASE_LINE.matcher(l);
            if (m.matches()) {
                out.computeIfAbsent(m.group(3), k -> new ArrayList<>()).add(cur);
                cur = new ArrayList<>();
            } else if (!l.startsWith("  ")) {
                cur = null; // the suite's own result line (or the end): what follows is not a case
            }
        }
        return out;
    }
}
