package dev.kval.suites;

import dev.kval.agent.AgentDeployer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The race suite's boots. A race case that finds a deadlock leaves tasks in D state that nothing can kill: they hold
 * the guest_memfd's invalidate lock, a folio lock and memory_failure()'s global mf_mutex for the life of the kernel,
 * so any case after it in the same boot would hang on them instead of on its own race. The agent marks such a boot
 * and stops before its next case; this then boots the kernel again and resumes at that case ({@code --start}), until
 * every selected case has run. A kernel without such a bug runs the whole suite in one boot; each stuck case costs
 * one more. Boot k's outputs are in {@code <host>-race[-k]} (agent.ktap, console.log, dmesg.txt). QEMU boots get
 * -smp 2 (threads pinned to different vCPUs) and {@value #HUNG_TASK_APPEND}, so the hung-task detector reports a
 * stuck task on the console within seconds.
 */
final class RaceBoots {
    static final String SUITE = "race";
    /* no_timer_check: under TCG on a loaded host the -smp 2 guest's IO-APIC timer check sees too few ticks and panics
     * ("IO-APIC + timer doesn't work!"; half the race boots under a load of 20 on 2 cores): the check is skipped */
    static final String HUNG_TASK_APPEND = "sysctl.kernel.hung_task_timeout_secs=10 no_timer_check";
    /** The limit of one race case's agent run (its per-case timeout is 90 s), times the cases of a boot. */
    static final Duration CASE_OVERALL = Duration.ofMinutes(3);

    private RaceBoots() {
    }

    /** Runs every selected race case of the plan on target t; one host result per boot. */
    static List<HostUnderTest> run(RunPlan plan, AgentDeployer agent, RunPlan.Target t, Consumer<String> say) {
        List<String> remaining = cases(agent.binary(), plan.casePattern());
        List<HostUnderTest> out = new ArrayList<>();
        if (remaining.isEmpty()) {
            say.accept(t.label() + ": no race case matches --case " + plan.casePattern());
            return out;
        }
        String append = plan.append() == null || plan.append().isBlank() ? HUNG_TASK_APPEND : plan.append() + " " + HUNG_TASK_APPEND;
        int total = remaining.size();
        for (int boot = 1; !remaining.isEmpty(); boot++) {
            String first = remaining.get(0);
            Duration perBoot = CASE_OVERALL.multipliedBy((long) remaining.size() * (plan.repeat() == null ? 1 : Math.max(1, plan.repeat())));
            Duration overall = plan.overall().compareTo(perBoot) < 0 ? plan.overall() : perBoot;
            RunPlan p = new RunPlan(plan.targets(), List.of(SUITE), plan.casePattern(), plan.repeat(), plan.timeout(), overall, plan.out(),
                    plan.inventory(), append, plan.kvalVersion(), plan.stress(), false, plan.race().startingAt(first));
            say.accept(t.label() + ": race boot " + boot + ": " + remaining.size() + " of " + total + " case(s) from " + first);
            HostRun runner = new HostRun(p, agent, say);
            String suffix = "-race" + (boot == 1 ? "" : "-" + boot);
            HostUnderTest h = RunSession.runWithInfraRetries(() -> runner.run(t, List.of(SUITE), suffix), t, say);
            out.add(h);
            int last = -1;
            for (var leaf : h.leaves(SUITE)) {
                if (!resumedElsewhere(leaf)) {
                    last = Math.max(last, remaining.indexOf(AgentSuite.caseOf(leaf)));
                }
            }
            if (last < 0 && h.leaves(SUITE).stream().anyMatch(RaceBoots::resumedElsewhere)) {
                // the "fresh" boot still has the stuck tasks: a local host is not rebooted by kval
                say.accept(t.label() + ": " + t.host() + " kept the stuck tasks of an earlier race case (kval does not reboot it): "
                        + remaining.size() + " race case(s) from " + first + " were not run; reboot the machine and run them with --case");
                break;
            }
            if (last < 0) {
                // nothing reported (the host failed, or the case took the kernel down before its first leaf): that
                // boot's verdict is the host's; go on after its first case so one bad case cannot loop
                say.accept(t.label() + ": race boot " + boot + " reported no case; " + first + " is judged by that boot's host checks");
                last = 0;
            }
            remaining = remaining.subList(last + 1, remaining.size());
            if (!remaining.isEmpty()) {
                say.accept(t.label() + ": race boot " + boot + " stopped after " + h.leaves(SUITE).stream().filter(l -> !resumedElsewhere(l))
                        .map(AgentSuite::caseOf).reduce((a, b) -> b).orElse(first) + " (stuck tasks or no report): fresh boot for the other "
                        + remaining.size());
            }
        }
        return out;
    }

    /** The agent's placeholder for a case it did not run because an earlier case left stuck tasks: a later boot runs it. */
    static final String RESUMED = "not run in this boot";

    static boolean resumedElsewhere(dev.kval.ktap.TestResult leaf) {
        return leaf.status() == dev.kval.ktap.Status.SKIP && leaf.reason().startsWith(RESUMED);
    }

    /** The race case ids (race.&lt;name&gt;) the agent lists, those matching glob (a case id or any of its leaf ids) only. */
    static List<String> cases(Path binary, String glob) {
        List<String> leaves;
        try {
            Process p = new ProcessBuilder(binary.toString(), "--list", "--suite", SUITE).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new dev.kval.result.InfraException(binary + " --list --suite race failed (exit " + p.exitValue() + "): " + text.strip());
            }
            leaves = text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        } catch (IOException e) {
            throw new dev.kval.result.InfraException("could not list the race cases with " + binary + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.kval.result.InfraException("interrupted while listing the race cases", e);
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
