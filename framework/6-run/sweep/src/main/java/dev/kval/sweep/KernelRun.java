package dev.kval.sweep;

import java.nio.file.Path;
import java.util.List;

/**
 * What a sweep got from one kernel: its identity, every attempt (boot failures are retried once), the raw KTAP of
 * the attempt that ran the agent, and the crash oracle's findings on that attempt's console.
 *
 * @param ktap     the agent's KTAP of the last attempt that got to run it (partial if the kernel died), or null
 * @param findings crash oracle findings on the console of that attempt ("class: title (console.log lines a-b)")
 */
public record KernelRun(SweepKernel kernel, String release, String sha256, boolean cacheHit, Health health,
        List<Attempt> attempts, Path dir, String ktap, List<String> findings, long wallMs) {

    /** OK: the agent ran to the end. CRASHED: the kernel died during the run (partial KTAP). BROKEN: never ran. */
    public enum Health {
        OK, CRASHED, BROKEN
    }

    /**
     * One boot of the kernel.
     *
     * @param stage       how far it got: resolve, boot, deploy, run, done
     * @param attribution KERNEL or INFRASTRUCTURE for a failed attempt (HostFailure's attribution), null if it worked
     * @param dir         the attempt's directory (console.log, qemu.cmdline, caps.json, agent.ktap)
     */
    public record Attempt(int n, String stage, boolean ok, String attribution, String message, List<String> evidence, Path dir,
            long bootMs, long runMs) {
        public Attempt {
            evidence = evidence == null ? List.of() : List.copyOf(evidence);
        }
    }

    public KernelRun {
        attempts = List.copyOf(attempts);
        findings = findings == null ? List.of() : List.copyOf(findings);
    }

    /** The last failed attempt's attribution (the one that decided BROKEN or CRASHED), or null. */
    public String attribution() {
        for (int i = attempts.size() - 1; i >= 0; i--) {
            if (!attempts.get(i).ok()) {
                return attempts.get(i).attribution();
            }
        }
        return null;
    }

    /** The last failed attempt's message, or null. */
    public String failure() {
        for (int i = attempts.size() - 1; i >= 0; i--) {
            if (!attempts.get(i).ok()) {
                return attempts.get(i).stage() + ": " + attempts.get(i).message();
            }
        }
        return null;
    }

    public String label() {
        return kernel.label();
    }
}
