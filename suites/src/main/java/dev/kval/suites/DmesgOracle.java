package dev.kval.suites;

import dev.kval.ktap.TestResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a passed leaf against the kernel log: a leaf listed in {@code dmesg-oracles.tsv} passes only if the host's
 * dmesg shows what the kernel must have logged (e.g. memory_failure() naming the PFN the agent poisoned). Without a
 * dmesg (an unprivileged local run) there is nothing to check against and the leaf keeps the agent's verdict.
 */
final class DmesgOracle {
    private static final LeafRules RULES = LeafRules.load("dmesg-oracles.tsv");
    private static final Pattern PFN = Pattern.compile("pfn 0x([0-9a-f]+)");

    private DmesgOracle() {
    }

    /** Empty if the kernel log agrees (or there is no rule or no log); else why the leaf must fail. */
    static Optional<String> check(HostUnderTest host, TestResult leaf) {
        Optional<LeafRules.Row> rule = RULES.find(String.valueOf(host.kernelRelease()), leaf.name());
        if (rule.isEmpty() || host.dir() == null) {
            return Optional.empty();
        }
        Path dmesg = host.dir().resolve("dmesg.txt");
        if (!Files.isRegularFile(dmesg)) {
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
        try {
            String log = Files.readString(dmesg, StandardCharsets.UTF_8);
            if (expect.matcher(log).find()) {
                return Optional.empty();
            }
            return Optional.of(leaf.name() + " passed in the agent, but the kernel log of " + host.label() + " has no /" + expect
                    + "/ (" + dmesg + "): memory_failure() did not report handling pfn 0x" + pfn);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
