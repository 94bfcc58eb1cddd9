package dev.kval.suites;

import dev.kval.host.Host;
import dev.kval.host.HostFailure;
import dev.kval.ktap.KtapTree;
import dev.kval.ktap.TestResult;
import java.util.List;
import java.util.Optional;

/**
 * One provisioned target of the run plan and what the agent reported on it: either a KTAP tree (the run happened) or
 * the attributed failure that prevented it (boot panic, SSH dead, ...).
 */
public record HostUnderTest(RunPlan.Target target, Host host, String kernelRelease, String ktap, KtapTree tree,
                            String capabilities, HostFailure failure) {

    public String label() {
        return target.label() + (kernelRelease == null ? "" : " [" + kernelRelease + "]");
    }

    public Optional<HostFailure> failed() {
        return Optional.ofNullable(failure);
    }

    /** The agent's leaves for one suite, in output order. */
    public List<TestResult> leaves(String suite) {
        if (tree == null) {
            return List.of();
        }
        return tree.leaves().stream()
                .filter(r -> (!r.path().isEmpty() && r.path().get(0).equals(suite)) || r.name().startsWith(suite + "."))
                .toList();
    }
}
