package dev.kval.suites;

import dev.kval.host.HostFailure;
import dev.kval.ktap.TestResult;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A suite of the agent as JUnit tests: for every host of the run plan, one dynamic test per KTAP leaf the agent
 * printed for this suite, named by the leaf's stable id. Subclasses only name the suite.
 */
@ExtendWith(KvalHosts.class)
public abstract class AgentSuite {
    private static final LeafRules KNOWN = LeafRules.knownFindings();
    private static final LeafRules MUST_RUN = LeafRules.mustRun();

    /** The agent's suite name (api, guest, hugepage, poison, conversions, migration, perf). */
    protected abstract String suite();

    @TestFactory
    Stream<DynamicNode> verdicts(RunSession session) {
        if (!session.plan().suites().contains(suite())) {
            return Stream.empty(); // not planned (kval.suites): the agent was not asked, so there is nothing to judge
        }
        List<DynamicNode> perHost = new ArrayList<>();
        for (HostUnderTest h : session.hosts()) {
            if (!h.ran(suite())) {
                continue; // placed on another host class (summary.json "placement" says where and why)
            }
            perHost.add(DynamicContainer.dynamicContainer(h.label(), forHost(h, session.allure())));
        }
        return perHost.stream();
    }

    private Stream<DynamicNode> forHost(HostUnderTest h, AllureRun allure) {
        if (h.failed().isPresent()) {
            HostFailure f = h.failed().get();
            return Stream.of(DynamicTest.dynamicTest(suite() + " on " + h.label(), () -> {
                allure.hostTest(suite(), h);
                throw new Verdict.BrokenTestException(Blame.of(f.attribution()).message("host " + h.label() + " failed at "
                        + h.result().failure().stage() + " (" + f.attribution() + "): " + f.getMessage()
                        + (f.evidence().isEmpty() ? "" : "\n  " + String.join("\n  ", f.evidence()))));
            }));
        }
        List<TestResult> leaves = h.leaves(suite());
        if (leaves.isEmpty()) {
            return Stream.of(DynamicTest.dynamicTest(suite() + " on " + h.label(), () -> {
                allure.hostTest(suite(), h);
                throw new Verdict.BrokenTestException(Blame.TEST.message("the agent printed no result for suite " + suite()
                        + " on " + h.label() + " (parse errors: " + h.tree().parseErrors() + "; see " + h.dir().resolve("agent.ktap") + ")"));
            }));
        }
        List<DynamicNode> tests = new ArrayList<>();
        String previousCase = null;
        for (TestResult leaf : leaves) {
            if (RaceBoots.resumedElsewhere(leaf)) {
                continue; // a race case the agent left for a fresh boot: its verdicts come from that boot
            }
            String caseId = caseOf(leaf);
            boolean first = !caseId.equals(previousCase);
            previousCase = caseId;
            tests.add(DynamicTest.dynamicTest(leaf.name(), () -> Verdict.apply(suite(), h, leaf, KNOWN, MUST_RUN, allure, first)));
        }
        return tests.stream();
    }

    /**
     * The KTAP case a leaf ran in (its parent: {@code poison.madv} holds B1..B6 leaves), or, for a leaf printed
     * without a case, the leaf id's first two parts.
     */
    static String caseOf(TestResult leaf) {
        if (leaf.path().size() >= 2) {
            return leaf.path().get(1);
        }
        String[] parts = leaf.name().split("\\.");
        return parts.length >= 2 ? parts[0] + "." + parts[1] : leaf.name();
    }
}
