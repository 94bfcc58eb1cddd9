package dev.kval.suites;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
    private static final LeafRules KNOWN = LeafRules.knownFindings();

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
                out.add(DynamicTest.dynamicTest("console of " + h.label(), () -> console(h, findings, allure)));
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

    /**
     * Fails with the findings that are not known for this kernel. known-findings.tsv names console findings as
     * {@code console.<crash class>} (e.g. console.hwpoison for the MF_DELAYED "recovery action ... Failed" of 7.3.4).
     */
    private static void console(HostUnderTest h, List<String> findings, AllureRun allure) {
        allure.hostTest("host", h);
        List<String> unknown = new ArrayList<>();
        for (String f : findings) {
            String crashClass = f.substring(0, Math.max(0, f.indexOf(':')));
            Optional<LeafRules.Row> known = KNOWN.find(h.kernelRelease(), "console." + crashClass);
            if (known.isPresent()) {
                allure.label("known-finding", f + " -> " + known.get().text());
            } else {
                unknown.add(f);
            }
        }
        if (!unknown.isEmpty()) {
            throw new AssertionError(Blame.KERNEL.message("the kernel's console on " + h.label() + " shows " + unknown.size()
                    + " crash finding(s) during the run (see " + h.dir().resolve("console.log") + "):\n  " + String.join("\n  ", unknown)));
        }
    }
}
