package dev.kval.suites;

/** The agent's {@code migration} suite on every host of the run plan (see guest-memfd-spec.md for its assertion ids). */
public class MigrationSuite extends AgentSuite {
    @Override
    protected String suite() {
        return "migration";
    }
}
