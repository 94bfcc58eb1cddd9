package dev.kval.result;

/**
 * Who a verdict that is not a pass is attributed to. The exit code follows from it ({@link Verdicts#outcome}):
 * KERNEL, TEST and KVAL_BUG -> 1, INFRA -> 2. KVAL_BUG is kval's own code failing while presenting a verdict (an
 * exception no judge made), TEST the agent or the tables (a case that errored, a stale known finding, a lost capability).
 */
public enum Blame {
    KERNEL, TEST, INFRA, KVAL_BUG
}
