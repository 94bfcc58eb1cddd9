package dev.kval.suites;

import dev.kval.ktap.TestResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A suite of the agent as JUnit tests: for every host of the run plan, one dynamic test per verdict the judge made on
 * this suite (one per KTAP leaf the agent printed, named by the leaf's stable id). Subclasses only name the suite.
 */
@ExtendWith(KvalHosts.class)
public abstract class AgentSuite {

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
            perHost.add(DynamicContainer.dynamicContainer(h.label(), forHost(h, session)));
        }
        return perHost.stream();
    }

    /** The judge's verdicts on this suite for one host, each presented as one dynamic test. */
    private Stream<DynamicNode> forHost(HostUnderTest h, RunSession session) {
        AllureRun allure = session.allure();
        List<dev.kval.result.Verdict> verdicts = session.verdicts(h, suite());
        Map<String, TestResult> leaves = new java.util.HashMap<>();
        Map<String, Integer> seen = new java.util.HashMap<>();
        for (TestResult l : h.leaves(suite())) {
            leaves.putIfAbsent(l.name() + "#" + seen.merge(l.name(), 1, Integer::sum), l);
        }
        List<DynamicNode> tests = new ArrayList<>();
        String previousCase = null;
        for (dev.kval.result.Verdict v : verdicts) {
            TestResult leaf = leaves.get(v.leaf() + "#" + v.attempt());
            if (leaf == null) { // a host-level verdict of this suite: the host failed, or the agent printed nothing for it
                tests.add(DynamicTest.dynamicTest(suite() + " on " + h.label(), () -> {
                    allure.hostTest(suite(), h);
                    if (v.blame() != null) {
                    allure.label("blame", v.blame().name()); // the typed blame, for the exports (nothing parses the message)
                }
                Presenter.present(v);
                }));
                continue;
            }
            String caseId = caseOf(leaf);
            boolean first = !caseId.equals(previousCase);
            previousCase = caseId;
            tests.add(DynamicTest.dynamicTest(leaf.name(), () -> {
                allure.leaf(suite(), h, leaf, first);
                allure.label("ktapStatus", leaf.status().name());
                if (v.finding() != null) {
                    allure.label("known-finding", v.finding());
                }
                if (leaf.status() == dev.kval.ktap.Status.XFAIL) {
                    allure.label("xfail", leaf.reason());
                }
                if (v.blame() != null) {
                    allure.label("blame", v.blame().name()); // the typed blame, for the exports (nothing parses the message)
                }
                Presenter.present(v);
            }));
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
