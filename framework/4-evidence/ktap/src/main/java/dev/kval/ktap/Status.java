package dev.kval.ktap;

/** Outcome of one KTAP test. {@link #MISSING} is synthesized by the parser for planned tests that never reported. */
public enum Status {
    PASS, FAIL, SKIP, XFAIL, TIMEOUT, ERROR, MISSING;

    /** True for outcomes that make a run bad: FAIL, TIMEOUT, ERROR and MISSING. */
    public boolean isBad() {
        return this == FAIL || this == TIMEOUT || this == ERROR || this == MISSING;
    }
}
