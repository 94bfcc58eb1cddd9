package dev.kval.suites;

/** The agent's {@code perf} suite on every host of the run plan (see guest-memfd-spec.md for its assertion ids). */
public class PerfSuite extends AgentSuite {
    @Override
    protected String suite() {
        return "perf";
    }
}
