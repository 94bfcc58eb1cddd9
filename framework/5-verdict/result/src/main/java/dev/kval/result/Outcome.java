package dev.kval.result;

/** A host's or a run's outcome; the CLI exit code is its ordinal (0 pass, 1 fail, 2 incomplete). */
public enum Outcome {
    PASS, FAIL, INCOMPLETE;

    public int exitCode() {
        return ordinal();
    }

    public static Outcome worst(Outcome a, Outcome b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }
}
