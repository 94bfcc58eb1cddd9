package dev.kval.suites;

import dev.kval.agent.AgentDeployer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The race suite's per-case boots. A race case that finds a deadlock leaves tasks in D state that nothing can kill
 * (they hold the guest_memfd's invalidate lock and a folio lock for the life of the kernel), so every case gets a
 * fresh kernel: each is its own host run ({@code <host>-race.<case>} directory: agent.ktap, console.log, dmesg.txt)
 * and a stuck case costs its own boot, never the verdicts of the cases after it. QEMU boots add
 * {@value #HUNG_TASK_APPEND} so the hung-task detector reports a stuck task on the console within seconds.
 */
final class RaceBoots {
    static final String SUITE = "race";
    static final String HUNG_TASK_APPEND = "sysctl.kernel.hung_task_timeout_secs=10";

    private RaceBoots() {
    }

    /** Runs every selected race case of the plan on target t, one boot each; one host result per boot. */
    static List<HostUnderTest> run(RunPlan plan, AgentDeployer agent, RunPlan.Target t, Consumer<String> say) {
        List<String> cases = cases(agent.binary(), plan.casePattern());
        List<HostUnderTest> out = new ArrayList<>();
        if (cases.isEmpty()) {
            say.accept(t.label() + ": no race case matches --case " + plan.casePattern());
            return out;
        }
        String append = plan.append() == null || plan.append().isBlank() ? HUNG_TASK_APPEND : plan.append() + " " + HUNG_TASK_APPEND;
        RunPlan base = new RunPlan(plan.targets(), List.of(SUITE), null, plan.repeat(), plan.timeout(), plan.overall(), plan.out(),
                plan.inventory(), append, plan.kvalVersion(), plan.stress(), false, plan.race());
        int k = 0;
        for (String c : cases) {
            k++;
            say.accept(t.label() + ": race case " + k + "/" + cases.size() + " " + c + " in its own boot");
            HostRun runner = new HostRun(base.narrowed(List.of(SUITE), c), agent, say);
            out.add(RunSession.runWithInfraRetries(() -> runner.run(t, List.of(SUITE), "-" + c), t, say));
        }
        return out;
    }

    /** The race case ids (race.&lt;name&gt;) the agent lists, those matching glob (a case id or any of its leaf ids) only. */
    static List<String> cases(Path binary, String glob) {
        List<String> leaves;
        try {
            Process p = new ProcessBuilder(binary.toString(), "--list", "--suite", SUITE).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("[infra] " + binary + " --list --suite race failed (exit " + p.exitValue() + "): " + text.strip());
            }
            leaves = text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        } catch (IOException e) {
            throw new IllegalStateException("[infra] could not list the race cases with " + binary + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("[infra] interrupted while listing the race cases", e);
        }
        Pattern g = glob == null || glob.isBlank() ? null : globRegex(glob);
        Set<String> out = new LinkedHashSet<>();
        for (String leaf : leaves) {
            String[] parts = leaf.split("\\.");
            if (parts.length < 3) {
                continue;
            }
            String caseId = parts[0] + "." + parts[1];
            if (g == null || g.matcher(caseId).matches() || g.matcher(leaf).matches()) {
                out.add(caseId);
            }
        }
        return List.copyOf(out);
    }

    /** fnmatch(3) without flags, as the agent's --case uses it: * and ? match any character, [..] a class. */
    static Pattern globRegex(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char ch = glob.charAt(i);
            switch (ch) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                case '[' -> {
                    int end = glob.indexOf(']', i + 1);
                    if (end < 0) {
                        re.append("\\[");
                    } else {
                        String cls = glob.substring(i + 1, end);
                        re.append('[').append(cls.startsWith("!") ? "^" + cls.substring(1) : cls).append(']');
                        i = end;
                    }
                }
                default -> re.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
