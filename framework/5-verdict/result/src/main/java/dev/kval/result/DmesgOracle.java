package dev.kval.result;

import dev.kval.ktap.TestResult;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a passed leaf against the kernel log: a leaf listed in {@code dmesg-oracles.tsv} passes only if the host's
 * dmesg shows what the kernel must have logged (e.g. memory_failure() naming the PFN the agent poisoned). Without a
 * dmesg (an unprivileged local run) there is nothing to check against and the leaf keeps the agent's verdict.
 */
final class DmesgOracle {
    private static final Pattern PFN = Pattern.compile("pfn 0x([0-9a-f]+)");
    private final LeafRules rules;

    DmesgOracle(LeafRules rules) {
        this.rules = rules;
    }

    /** Empty if the kernel log agrees (or there is no rule or no log); else why the leaf must fail. */
    Optional<String> check(String release, String hostLabel, String dmesg, TestResult leaf) {
        Optional<LeafRules.Row> rule = rules.find(String.valueOf(release), leaf.name());
        if (rule.isEmpty() || dmesg == null) {
            return Optional.empty();
        }
        String pfn = null;
        for (String d : leaf.diagnostics()) {
            Matcher m = PFN.matcher(d);
            if (m.find()) {
                pfn = m.group(1);
            }
        }
        if (pfn == null) {
            return Optional.of(leaf.name() + ": the agent printed no \"pfn 0x...\" before the leaf, so the kernel log cannot be checked");
        }
        Pattern expect = Pattern.compile(rule.get().text().replace("{pfn}", pfn));
        if (expect.matcher(dmesg).find()) {
            return Optional.empty();
        }
        return Optional.of(leaf.name() + " passed in the agent, but the kernel log of " + hostLabel + " has no /" + expect
                + "/ (dmesg.txt): memory_failure() did not report handling pfn 0x" + pfn);
    }
}
