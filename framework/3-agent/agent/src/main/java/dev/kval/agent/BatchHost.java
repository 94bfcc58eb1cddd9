package dev.kval.agent;

import dev.kval.host.HostFailure;
import dev.kval.kernel.KernelArtifact;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A host class kval does not drive command by command (a LAVA device type): one job boots the kernel, runs the agent
 * and hands back what it printed. The caller turns the outcome into verdicts exactly as for a host it drove itself.
 */
public interface BatchHost {
    /**
     * @param kernel  the kernel to boot (resolved by the caller)
     * @param options the agent's suites and limits
     * @param append  extra kernel command line (null: none)
     * @param dir     the target's output directory (console.log and the provider's own records go there)
     * @return the agent's caps report and run; a job that did not get that far raises a {@link HostFailure} attributed
     *         to the kernel (the console shows a crash) or to the infrastructure
     */
    Collected run(KernelArtifact kernel, AgentOptions options, String append, Path dir, Consumer<String> say) throws IOException;

    /**
     * What one batch job brought back.
     *
     * @param kernelRelease uname -r inside the job
     * @param caps          the agent's {@code --caps --json} report
     * @param run           the agent's KTAP run
     * @param consoleLog    the job's console, for the crash oracle
     * @param dmesg         the kernel log after the run (null when the job could not read it)
     * @param info          facts for summary.json (job id, device, times)
     */
    record Collected(String kernelRelease, String caps, AgentRun run, Path consoleLog, String dmesg, Map<String, Object> info) {
    }
}
