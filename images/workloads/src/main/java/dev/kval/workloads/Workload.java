package dev.kval.workloads;

import java.util.Map;

/**
 * A stressor. Lifecycle: {@link #start} builds the pressure (returns once it is in effect, so "started" means the
 * suite beside it really runs under it), {@link #quiesce} stops adding to it but keeps what is held (the "after"
 * reading is taken then), {@link #release} frees everything. {@link #facts} reports what it did, measured.
 */
interface Workload {
    void start() throws Exception;

    void quiesce() throws Exception;

    void release() throws Exception;

    Map<String, Object> facts();

    /** CPU time of helper processes (the thp child JVM), added to this process's own. */
    default long childCpuNanos() {
        return 0;
    }
}
