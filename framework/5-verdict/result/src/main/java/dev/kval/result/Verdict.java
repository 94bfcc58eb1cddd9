package dev.kval.result;

import java.util.List;

/**
 * The judge's verdict on one leaf (or one host-level check such as {@code host.console}) of one attempt on one host.
 * Everything users see derives from it: verdicts.json, summary.json's counts, the exit code, the JUnit/Allure tests,
 * the store import.
 *
 * @param leaf       the KTAP leaf id, or {@code host.<check>} / {@code <suite>.host} for host-level verdicts
 * @param suite      the agent suite the leaf belongs to ("host" for host checks)
 * @param ktapStatus what the agent said (PASS, FAIL, SKIP, XFAIL, TIMEOUT, ERROR, MISSING), or null for host checks
 * @param outcome    the verdict: PASS, FAIL, SKIP or BROKEN (could not evaluate: timeout, error, missing, infrastructure)
 * @param observed   the leaf's typed {@code # observed=} value, or null
 * @param blame      who a FAIL or BROKEN is attributed to; null for PASS and SKIP
 * @param reason     why (the failure message, the SKIP reason, the XFAIL reason); "" for a plain pass
 * @param finding    the known-findings.tsv row this verdict was judged against, or null
 * @param evidence   where to look
 * @param kernel     the kernel release the verdict is about
 * @param host       the host's label (name (class))
 * @param hostClass  qemu, local, ssh, lava
 * @param attempt    1 for the first run of the leaf; a repeat's or re-run's number above
 * @param start      when the leaf started, epoch ms (0 if unknown)
 * @param stop       when the leaf ended, epoch ms (0 if unknown)
 */
public record Verdict(String leaf, String suite, String ktapStatus, Outcome outcome, Observed observed, Blame blame, String reason,
        String finding, List<EvidenceRef> evidence, String kernel, String host, String hostClass, int attempt, long start, long stop) {

    /** The JUnit/Allure-facing outcome of a verdict. */
    public enum Outcome {
        PASS, FAIL, SKIP, BROKEN
    }

    public Verdict {
        evidence = evidence == null ? List.of() : List.copyOf(evidence);
        reason = reason == null ? "" : reason;
    }

    /** Whether the verdict counts against the run: FAIL or BROKEN. */
    public boolean bad() {
        return outcome == Outcome.FAIL || outcome == Outcome.BROKEN;
    }

    /**
     * What the verdict says, without where and when: leaf, KTAP status, outcome, blame, the exact observed value and
     * the known finding. Two judgements of the same evidence must agree on this (the consistency test compares it).
     */
    public String essence() {
        return leaf + " " + ktapStatus + " -> " + outcome + (blame == null ? "" : " [" + blame + "]")
                + (observed == null || observed.measured() ? "" : " observed=" + observed.text())
                + (finding == null ? "" : " (known finding)");
    }
}
