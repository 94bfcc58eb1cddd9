package dev.kval.ktap;

/** What a KTAP line is, once its block's prefix and indentation are removed (decided by its first characters only). */
enum LineKind {
    VERSION, PLAN, RESULT, BAIL, SUBTEST, HASH_VERSION, DIAG, OTHER;

    static LineKind of(String r) {
        if (r.isEmpty()) {
            return OTHER;
        }
        char c = r.charAt(0);
        switch (c) {
            case 'o':
                return r.startsWith("ok") && (r.length() == 2 || r.charAt(2) == ' ') ? RESULT : OTHER;
            case 'n':
                return r.startsWith("not ok") && (r.length() == 6 || r.charAt(6) == ' ') ? RESULT : OTHER;
            case '1':
                return r.startsWith("1..") ? PLAN : OTHER;
            case 'K':
                return r.startsWith("KTAP version") ? VERSION : OTHER;
            case 'T':
                return r.startsWith("TAP version") ? VERSION : OTHER;
            case 'B':
                return r.startsWith("Bail out!") ? BAIL : OTHER;
            case '#': {
                int i = 1;
                while (i < r.length() && r.charAt(i) == ' ') {
                    i++;
                }
                if (r.startsWith("Subtest:", i)) {
                    return SUBTEST;
                }
                if (i == 2 && (r.startsWith("TAP version", 2) || r.startsWith("KTAP version", 2))) {
                    return HASH_VERSION;
                }
                return DIAG;
            }
            default:
                return OTHER;
        }
    }

    /** Whether a line of this kind, indented deeper than its block, opens a subtest block. */
    boolean opensBlock() {
        return this == VERSION || this == PLAN || this == RESULT || this == SUBTEST || this == HASH_VERSION;
    }
}
