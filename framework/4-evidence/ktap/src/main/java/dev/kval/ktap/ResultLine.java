package dev.kval.ktap;

import java.util.Locale;

/**
 * The fields of one "ok N - desc # DIRECTIVE reason" / "not ok ..." line, before the block it belongs to checks the
 * number and the name.
 *
 * @param number the test number; {@link #NONE} when the line has none, {@link #TOO_LARGE} when it had too many digits
 */
record ResultLine(long number, String desc, Status status, String reason) {
    static final long NONE = -1;
    static final long TOO_LARGE = -2;

    /** Parses r (starting with "ok" or "not ok"); a number with too many digits is also reported to errors. */
    static ResultLine parse(String r, KtapListener errors, int lineNo) {
        boolean ok = r.startsWith("ok");
        int i = ok ? 2 : 6;
        int len = r.length();
        while (i < len && r.charAt(i) == ' ') {
            i++;
        }
        long number = NONE;
        int ds = i;
        while (i < len && Character.isDigit(r.charAt(i)) && i - ds < 10) {
            number = (number < 0 ? 0 : number * 10) + (r.charAt(i) - '0');
            i++;
        }
        if (i < len && Character.isDigit(r.charAt(i))) {
            while (i < len && Character.isDigit(r.charAt(i))) {
                i++;
            }
            errors.onParseError(lineNo, "test number too large in '" + r + "'");
            number = TOO_LARGE;
        } else if (number >= 0 && i < len && r.charAt(i) != ' ' && r.charAt(i) != '#') {
            // "ok 1abc": not a number after all, it is the description
            i = ds;
            number = NONE;
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
        return new ResultLine(number, desc, status, reason);
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
}
