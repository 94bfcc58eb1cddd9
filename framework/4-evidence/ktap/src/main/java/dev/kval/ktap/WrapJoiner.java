package dev.kval.ktap;

/**
 * Mail clients and terminals wrap long lines (at about 72-80 columns), which splits a result line so that its tail (the
 * end of the description, or a "# SKIP"/"# TIMEOUT" directive) lands on a line of its own. Two states: PASSING (nothing
 * held) and HOLDING (a result line of at least {@link #WRAP_MIN} characters, kept for one line). The next line is taken
 * as its continuation only when that is unambiguous: it is short, starts with a word (no indentation, no "#", no "[" of
 * a timestamp, no "&lt;" of a level) and is not itself a KTAP line.
 */
final class WrapJoiner {
    static final int WRAP_MIN = 50;

    private final int maxLineLength;
    private String held;      // null: PASSING
    private int heldLine;

    WrapJoiner(int maxLineLength) {
        this.maxLineLength = maxLineLength;
    }

    boolean holding() {
        return held != null;
    }

    int heldLine() {
        return heldLine;
    }

    /** HOLDING: joins next to the held line if it continues it (tailAllowed: the stream allows a tail here). */
    boolean joins(String next, boolean tailAllowed) {
        if (held == null || !tailAllowed || !continuation(next) || held.length() + 1 + next.length() > maxLineLength) {
            return false;
        }
        held = held + " " + next;
        return true;
    }

    /** HOLDING -> PASSING: the held line, to be parsed now under {@link #heldLine()}. */
    String release() {
        String h = held;
        held = null;
        return h;
    }

    /** PASSING: holds text if it is a result line long enough to have been wrapped (-> HOLDING). */
    boolean hold(String text, int lineNo) {
        if (!mayBeWrapped(text)) {
            return false;
        }
        held = text;
        heldLine = lineNo;
        return true;
    }

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

    private static boolean continuation(String next) {
        if (next.isEmpty() || next.length() > 60) {
            return false;
        }
        char c = next.charAt(0);
        if (!Character.isLetterOrDigit(c) || c == '1' && next.startsWith("1..")) {
            return false;
        }
        return LineKind.of(next) == LineKind.OTHER && !next.startsWith("KTAP") && !next.startsWith("TAP ");
    }
}
