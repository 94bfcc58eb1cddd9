package dev.kval.suites;

/**
 * The agent's {@code race} suite: pairs and triples of concurrent operations on one guest_memfd range, each case in
 * its own boot ({@link RaceBoots}); a deadlock is the leaf {@code race.<case>.no_deadlock} failing with the stuck tasks'
 * stacks in its evidence.
 */
public class RaceSuite extends AgentSuite {
    @Override
    protected String suite() {
        return RaceBoots.SUITE;
    }
}
