package dev.kval.suites;

/** The agent's {@code conversions} suite on every host of the run plan (see guest-memfd-spec.md for its assertion ids). */
public class ConversionsSuite extends AgentSuite {
    @Override
    protected String suite() {
        return "conversions";
    }
}
