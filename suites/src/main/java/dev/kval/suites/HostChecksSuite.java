package dev.kval.suites;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What no single leaf shows: the kernel's console had crash findings during the run (a WARNING or oops fails the
 * kernel whatever the leaves said), the agent was stopped at the overall limit, or its KTAP bailed out. Emits a test
 * only for a host where something is wrong, so a clean run has exactly one result per KTAP leaf.
 */
@ExtendWith(KvalHosts.class)
public class HostChecksSuite {

    @TestFactory
    Stream<DynamicTest> hostChecks(RunSession session) {
        List<DynamicTest> out = new ArrayList<>();
        AllureRun allure = session.allure();
        for (HostUnderTest h : session.hosts()) {
            if (h.failed().isPresent()) {
                continue; // every suite already reports the failed host
            }
            List<String> findings = h.result().consoleFindings();
            if (!findings.isEmpty()) {
                out.add(DynamicTest.dynamicTest("console of " + h.label(), () -> {
                    allure.hostTest("host", h);
                    throw new AssertionError(Blame.KERNEL.message("the kernel's console on " + h.label() + " shows "
                            + findings.size() + " crash finding(s) during the run (see " + h.dir().resolve("console.log") + "):\n  "
                            + String.join("\n  ", findings)));
                }));
            }
            if (h.result().agentTimedOut()) {
                out.add(DynamicTest.dynamicTest("agent run on " + h.label(), () -> {
                    allure.hostTest("host", h);
                    throw new Verdict.BrokenTestException(Blame.INFRA.message("the agent on " + h.label() + " was stopped at the"
                            + " overall limit of " + session.plan().overall().toSeconds() + " s: the run is incomplete (raise"
                            + " --overall-timeout or narrow --suite/--case)"));
                }));
            }
            if (h.tree() != null && !h.tree().bailOuts().isEmpty()) {
                out.add(DynamicTest.dynamicTest("KTAP of " + h.label(), () -> {
                    allure.hostTest("host", h);
                    throw new Verdict.BrokenTestException(Blame.TEST.message("the agent bailed out on " + h.label() + ": "
                            + h.tree().bailOuts()));
                }));
            }
        }
        return out.stream();
    }
}
