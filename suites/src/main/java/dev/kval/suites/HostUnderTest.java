package dev.kval.suites;

import dev.kval.host.HostFailure;
import dev.kval.ktap.KtapTree;
import dev.kval.ktap.TestResult;
import dev.kval.result.HostResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One target of the run plan after the agent ran there (the host is already released): the KTAP tree, or the
 * attributed failure that prevented it (boot panic, SSH dead, ...), plus what the reports attach.
 *
 * @param dir          the host's output directory (agent.ktap, console.log, caps.json, dmesg.txt)
 * @param hostClass    local, qemu or ssh
 * @param result       the host's part of summary.json
 * @param caseConsole  per case id, the console lines printed while that case ran (QEMU hosts; empty elsewhere)
 * @param kernelConfig the kernel's config when kval resolved the kernel and it ships one
 * @param kselftest    the kselftest suite's KTAP (kselftest.ktap) when that suite was planned, else null
 */
public record HostUnderTest(RunPlan.Target target, Path dir, String hostClass, String kernelRelease, KtapTree tree,
        HostFailure failure, HostResult result, Map<String, String> caseConsole, Path kernelConfig, KtapTree kselftest) {

    public String label() {
        return target.label() + (kernelRelease == null ? "" : " [" + kernelRelease + "]");
    }

    /** Whether this target ran the suite: always, unless placement sent the suite elsewhere. */
    public boolean ran(String suite) {
        Object placed = result.info().get(RunSession.PLACED_SUITES);
        return !(placed instanceof List<?> l) || l.contains(suite);
    }

    public Optional<HostFailure> failed() {
        return Optional.ofNullable(failure);
    }

    /** The agent's leaves for one suite (for kselftest: the selftests' document), in output order. */
    public List<TestResult> leaves(String suite) {
        KtapTree source = suite.equals(KselftestStage.SUITE) ? kselftest : tree;
        if (source == null) {
            return List.of();
        }
        return source.leaves().stream()
                .filter(r -> (!r.path().isEmpty() && r.path().get(0).equals(suite)) || r.name().startsWith(suite + "."))
                .toList();
    }
}
