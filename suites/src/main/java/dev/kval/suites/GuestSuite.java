package dev.kval.suites;

/** The agent's {@code guest} suite on every host of the run plan (see guest-memfd-spec.md for its assertion ids). */
public class GuestSuite extends AgentSuite {
    @Override
    protected String suite() {
        return "guest";
    }
}
