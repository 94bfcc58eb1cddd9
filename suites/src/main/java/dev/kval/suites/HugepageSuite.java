package dev.kval.suites;

/** The agent's {@code hugepage} suite on every host of the run plan (see guest-memfd-spec.md for its assertion ids). */
public class HugepageSuite extends AgentSuite {
    @Override
    protected String suite() {
        return "hugepage";
    }
}
