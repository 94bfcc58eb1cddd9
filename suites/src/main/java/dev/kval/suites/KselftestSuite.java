package dev.kval.suites;

/** The kernel's own guest_memfd selftests (tools/testing/selftests/kvm), one test per program or TAP subtest. */
public class KselftestSuite extends AgentSuite {
    @Override
    protected String suite() {
        return KselftestStage.SUITE;
    }
}
