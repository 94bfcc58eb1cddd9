package dev.kval.run;

import dev.kval.host.Attribution;
import java.time.Duration;

/**
 * One stage of putting a kernel on a host and running the agent there: a named object with its own time limit and
 * failure class. The failure class is who a failure of the stage is blamed on when the failure itself does not say
 * (a {@link dev.kval.host.HostFailure} carries its own attribution: a boot that panics is the kernel's); a stage that
 * outlives its limit fails with its class. {@code retryable}: whether trying the same kernel again can help (a kernel
 * spec that does not resolve will not resolve on a second try; a TCG boot that timed out may boot).
 *
 * @param name         resolve, provision, deploy, run or collect (also the stage name in summary.json and run_step)
 * @param timeout      the stage's wall-clock limit; the limits inside (boot timeouts, SSH) are shorter
 * @param failureClass who an overrun of the limit is blamed on
 */
public record Stage(String name, Duration timeout, Attribution failureClass, boolean retryable) {
    /** The kernel spec to an artifact (download, build or cache hit): a build can take long, a bad spec fails at once. */
    public static final Stage RESOLVE = new Stage("resolve", Duration.ofHours(3), Attribution.INFRASTRUCTURE, false);
    /** The host up with the kernel (QEMU boot, SSH host kexec/reboot, local probe); boot timeouts inside are shorter. */
    public static final Stage PROVISION = new Stage("provision", Duration.ofMinutes(15), Attribution.INFRASTRUCTURE, true);
    /** The agent uploaded and its capability report read. */
    public static final Stage DEPLOY = new Stage("deploy", Duration.ofMinutes(5), Attribution.INFRASTRUCTURE, true);
    /** Collecting the kernel log and the console after the run; the verdicts do not wait on a host that died after. */
    public static final Stage COLLECT = new Stage("collect", Duration.ofMinutes(2), Attribution.INFRASTRUCTURE, false);

    /**
     * The agent's run: limited by the agent's own overall limit plus a margin. A run that outlives that is a guest that
     * stopped answering while the agent ran, so it is the kernel's (the agent stops itself at its limit).
     */
    public static Stage run(Duration agentOverall) {
        return new Stage("run", agentOverall.plus(Duration.ofMinutes(5)), Attribution.KERNEL, true);
    }
}
