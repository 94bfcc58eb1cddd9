package dev.kval.suites;

/** The agent's {@code api} suite on every host of the run plan (see guest-memfd-spec.md for its assertion ids). */
public class ApiSuite extends AgentSuite {
    @Override
    protected String suite() {
        return "api";
    }
}
