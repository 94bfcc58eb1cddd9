package dev.kval.ktap;

/** Counts of LEAF tests by status; depth is the deepest leaf's nesting depth (1 = top level, 0 = no tests). */
public record Counts(int pass, int fail, int skip, int xfail, int timeout, int error, int missing, int leaves,
                     int depth) {

    public static final Counts EMPTY = new Counts(0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** True if no leaf failed, timed out, errored or went missing. */
    public boolean ok() {
        return fail == 0 && timeout == 0 && error == 0 && missing == 0;
    }

    public Counts plus(TestResult r) {
        if (!r.leaf()) {
            return this;
        }
        Status s = r.status();
        return new Counts(pass + (s == Status.PASS ? 1 : 0), fail + (s == Status.FAIL ? 1 : 0),
                skip + (s == Status.SKIP ? 1 : 0), xfail + (s == Status.XFAIL ? 1 : 0),
                timeout + (s == Status.TIMEOUT ? 1 : 0), error + (s == Status.ERROR ? 1 : 0),
                missing + (s == Status.MISSING ? 1 : 0), leaves + 1, Math.max(depth, r.depth()));
    }

    @Override
    public String toString() {
        return "pass=" + pass + " fail=" + fail + " skip=" + skip + " xfail=" + xfail + " timeout=" + timeout
                + " error=" + error + " missing=" + missing + " leaves=" + leaves + " depth=" + depth;
    }
}
