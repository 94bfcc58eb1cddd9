package dev.kval.kselftest;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the selftest programs' runs into one KTAP v1 document, in the agent's layout (2 spaces per level, ids carried
 * in the descriptions): a top-level {@code kselftest} suite, one test {@code kselftest.<program>} per program, and
 * under it the program's own TAP results renamed {@code kselftest.<program>.<its name>}. Everything else a program
 * printed becomes {@code # } diagnostics in place, so an assertion failure's text is attached to the result it explains.
 *
 * <p>Verdicts follow the upstream kselftest runner (runner.sh): exit 0 ok, exit 4 (KSFT_SKIP) SKIP with the program's
 * own reason, any other exit not ok; plus TIMEOUT when kval killed it and ERROR when a signal did.
 */
public final class KtapAssembler {
    static final String SUITE = "kselftest";
    private static final Pattern RESULT = Pattern.compile("^(ok|not ok)(?:\\s+(\\d+))?\\s*(?:-\\s+)?([^#]*?)\\s*(#.*)?$");
    private static final Pattern VERSION = Pattern.compile("^(K?TAP version \\S+)\\s*$");
    private static final Pattern PLAN = Pattern.compile("^1\\.\\.\\d+(\\s*#.*)?$");
    private static final Pattern SKIP_LINE = Pattern.compile("^(?:1\\.\\.0|ok\\s+\\d+(?:\\s+[^#]*)?)\\s*#\\s*SKIP\\s*(?:-\\s*)?(.*)$",
            Pattern.CASE_INSENSITIVE);

    private KtapAssembler() {
    }

    /**
     * @param header diagnostics for the top of the document (host, kernel, source), one per line, without "# "
     * @param runs   the programs in the order they ran
     * @param planned how many programs were meant to run: the ones missing from runs become MISSING in the parse
     */
    public static String document(List<String> header, List<ProgramRun> runs, int planned) {
        StringBuilder sb = new StringBuilder("KTAP version 1\n");
        header.forEach(h -> sb.append("# ").append(h).append('\n'));
        sb.append("1..1\n");
        sb.append("  KTAP version 1\n");
        sb.append("  1..").append(planned).append('\n');
        int i = 0;
        boolean bad = false;
        int skipped = 0;
        for (ProgramRun r : runs) {
            Verdict v = program(sb, ++i, r);
            bad |= !v.ok;
            skipped += v.skip ? 1 : 0;
        }
        if (runs.size() < planned) {
            bad = true;
            sb.append("  # ").append(planned - runs.size()).append(" program(s) did not run (see the error above)\n");
        }
        if (bad) {
            sb.append("not ok 1 ").append(SUITE).append('\n');
        } else if (skipped == runs.size() && !runs.isEmpty()) {
            sb.append("ok 1 ").append(SUITE).append(" # SKIP all ").append(skipped).append(" programs skipped\n");
        } else {
            sb.append("ok 1 ").append(SUITE).append('\n');
        }
        return sb.toString();
    }

    private record Verdict(boolean ok, boolean skip) {
    }

    private static Verdict program(StringBuilder sb, int n, ProgramRun r) {
        String id = SUITE + "." + r.name();
        List<String> lines = r.output().lines().toList();
        boolean nested = lines.stream().anyMatch(l -> (l.startsWith("ok") || l.startsWith("not ok")) && RESULT.matcher(l).matches());
        if (r.exit() >= 0) { // -1: the status is unknown (host died), and so is the time
            sb.append("    # exit=").append(r.exit()).append('\n');
            sb.append("    # elapsed=").append(String.format(Locale.ROOT, "%.2fs", r.elapsed().toMillis() / 1000.0)).append('\n');
        }
        sb.append("    # sha256=").append(r.sha256()).append('\n');
        if (nested) {
            nestedBlock(sb, id, lines);
        } else {
            for (String l : lines) {
                diag(sb, "    ", l);
            }
        }
        if (r.error() != null) {
            sb.append("  not ok ").append(n).append(' ').append(id).append(" # ERROR ").append(oneLine(r.error())).append('\n');
            return new Verdict(false, false);
        }
        if (r.timedOut()) {
            sb.append("  not ok ").append(n).append(' ').append(id).append(" # TIMEOUT ").append(r.timeout().toSeconds()).append(" s\n");
            return new Verdict(false, false);
        }
        if (r.signal() != 0) {
            sb.append("  not ok ").append(n).append(' ').append(id).append(" # ERROR killed by signal ").append(r.signal()).append(" (")
                    .append(ProgramRun.signalName(r.signal())).append(")\n");
            return new Verdict(false, false);
        }
        if (r.exit() == ProgramRun.KSFT_SKIP) {
            sb.append("  ok ").append(n).append(' ').append(id).append(" # SKIP ").append(skipReason(lines)).append('\n');
            return new Verdict(true, true);
        }
        if (r.exit() == ProgramRun.KSFT_PASS) {
            sb.append("  ok ").append(n).append(' ').append(id).append('\n');
            return new Verdict(true, false);
        }
        // like runner.sh: "not ok N name # exit=rc"; the parser keeps "exit=rc" as the FAIL's reason
        sb.append("  not ok ").append(n).append(' ').append(id).append(" # exit=").append(r.exit()).append('\n');
        return new Verdict(false, false);
    }

    /** The program's own TAP one level down: results renamed under the program, all other lines as diagnostics. */
    private static void nestedBlock(StringBuilder sb, String id, List<String> lines) {
        String ind = "    ";
        sb.append(ind).append("KTAP version 1\n");
        boolean planned = false;
        int last = 0;
        for (String l : lines) {
            if (VERSION.matcher(l).matches()) {
                continue; // ours is already there; a second one would end the block
            }
            if (PLAN.matcher(l).matches() && !planned) {
                planned = true;
                sb.append(ind).append(l.strip()).append('\n');
                continue;
            }
            Matcher m = RESULT.matcher(l);
            if (!l.startsWith(" ") && m.matches()) {
                int num = m.group(2) != null ? Integer.parseInt(m.group(2)) : last + 1;
                last = num;
                String name = m.group(3).strip().replace('#', '_');
                if (name.isEmpty()) {
                    name = String.valueOf(num); // e.g. ksft_exit_skip after a plan prints "ok N # SKIP ..."
                }
                sb.append(ind).append(m.group(1)).append(' ').append(num).append(' ').append(id).append('.').append(name);
                if (m.group(4) != null) {
                    sb.append(' ').append(m.group(4));
                }
                sb.append('\n');
                continue;
            }
            diag(sb, ind, l);
        }
    }

    /**
     * A program line as a diagnostic. "#" lines stay as they are, except those that would open a block or name a subtest
     * ("# TAP version", "# Subtest:"), which like every other line get a "# " prefix that makes them plain text.
     */
    private static void diag(StringBuilder sb, String ind, String l) {
        String t = l.stripTrailing();
        if (VERSION.matcher(t).matches()) {
            return; // a version line without results carries nothing
        }
        boolean safeHash = t.startsWith("#") && !t.matches("#\\s*(K?TAP version|Subtest:).*");
        sb.append(ind).append(safeHash ? t : t.isEmpty() ? "#" : "# " + t).append('\n');
    }

    /** The program's own skip reason ("1..0 # SKIP - reason", "ok N # SKIP reason"), else its last line. */
    static String skipReason(List<String> lines) {
        String reason = null;
        for (String l : lines) {
            Matcher m = SKIP_LINE.matcher(l.strip());
            if (m.matches() && !m.group(1).isBlank()) {
                reason = m.group(1).strip();
            }
        }
        if (reason == null) {
            for (int i = lines.size() - 1; i >= 0 && reason == null; i--) {
                if (!lines.get(i).isBlank()) {
                    reason = lines.get(i).strip();
                }
            }
        }
        return reason == null ? "exit 4 (KSFT_SKIP) without a reason" : oneLine(reason);
    }

    private static String oneLine(String s) {
        String t = s.replace('\n', ' ').replace('\r', ' ').replace('#', '_').strip();
        return t.length() > 300 ? t.substring(0, 300) + "..." : t;
    }
}
