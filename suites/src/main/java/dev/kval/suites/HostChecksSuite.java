package dev.kval.suites;

import java.util.ArrayList;
import java.util.List;
import dev.kval.result.Verdict;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What no single leaf shows: the kernel's console had crash findings during the run (a WARNING or oops fails the
 * kernel whatever the leaves said, unless known-findings.tsv lists it for this kernel), the agent was stopped at the overall limit, or its KTAP bailed out. Emits a test
 * only for a host where something is wrong, so a clean run has exactly one result per KTAP leaf.
 */
@ExtendWith(KvalHosts.class)
public class HostChecksSuite {

    @TestFactory
    Stream<DynamicTest> hostChecks(RunSession session) {
        List<DynamicTest> out = new ArrayList<>();
        AllureRun allure = session.allure();
        for (HostUnderTest h : session.hosts()) {
            for (Verdict v : session.verdicts(h, "host")) {
                out.add(DynamicTest.dynamicTest(name(v, h), () -> {
                    allure.hostTest("host", h);
                    if (v.finding() != null) {
                        allure.label("known-finding", v.finding());
                    }
                    if (v.blame() != null) {
                    allure.label("blame", v.blame().name()); // the typed blame, for the exports (nothing parses the message)
                }
                Presenter.present(v);
                }));
            }
        }
        return out.stream();
    }

    /** The test's name: the store turns "console of &lt;host&gt;" back into the id host.console. */
    private static String name(Verdict v, HostUnderTest h) {
        return switch (v.leaf()) {
            case "host.console" -> "console of " + h.label();
            case "host.agent-run" -> "agent run on " + h.label();
            case "host.ktap" -> "KTAP of " + h.label();
            default -> v.leaf().substring("host.".length()) + " of " + h.label();
        };
    }
}
