package dev.kval.suites;

/** The agent's {@code poison} suite on every host of the run plan (see guest-memfd-spec.md for its assertion ids). */
public class PoisonSuite extends AgentSuite {
    @Override
    protected String suite() {
        return "poison";
    }
}
