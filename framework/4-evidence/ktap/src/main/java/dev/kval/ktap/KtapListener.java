package dev.kval.ktap;

/**
 * Streaming callbacks. Results arrive in post-order (subtests before their parent, as KTAP prints them), each with its
 * full ancestor path. Nothing is retained by the parser once a result has been delivered.
 */
public interface KtapListener {
    void onResult(TestResult r);

    /** Something that looks like KTAP but is not well-formed, or a structural inconsistency (count mismatch...). */
    default void onParseError(int line, String message) {
    }

    /** A line that is not part of KTAP (kernel console noise, program output); KTAP allows them anywhere. */
    default void onConsoleLine(int line, String text) {
    }

    /** A "Bail out!" line; planned tests that had not reported are then delivered as MISSING. */
    default void onBailOut(int line, String reason) {
    }
}
