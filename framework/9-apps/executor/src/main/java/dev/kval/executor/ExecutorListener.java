package dev.kval.executor;

import java.util.Map;

/** What the executor reports as it goes (the controller turns it into Prometheus metrics). Every method may be a no-op. */
public interface ExecutorListener {
    ExecutorListener NONE = new ExecutorListener() {
    };

    /** A run entered a state: RUNNING, DONE, FAILED, CANCELLED, INTERRUPTED. */
    default void runState(long runId, String state) {
    }

    /** A cell's verdicts were stored: counts by status (PASS FAIL SKIP ...). */
    default void results(long runId, String cell, Map<String, Long> byStatus) {
    }

    /** A host came up: its boot (provision) time as measured by the child run. */
    default void boot(String hostClass, long millis) {
    }
}
