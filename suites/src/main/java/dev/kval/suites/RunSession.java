package dev.kval.suites;

import dev.kval.agent.AgentDeployer;
import dev.kval.host.Attribution;
import dev.kval.kernel.BzImage;
import dev.kval.result.RunSummary;
import io.qameta.allure.AllureLifecycle;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One run of the suites: the plan, its hosts (provisioned, run and released on first use, then shared by every suite
 * class), the summary and the Allure results. The CLI opens a session and hands its id to the JUnit run as the
 * configuration parameter {@value #CONFIG_KEY}; a plain JUnit run (surefire, IDE) gets a session from system
 * properties. Sessions are objects, not system properties, so several runs can share a JVM (the CLI's tests do).
 */
public final class RunSession {
    public static final String CONFIG_KEY = "kval.session";
    /** Host info keys of a placed run: the suites a target ran, and why they were placed there. */
    static final String PLACED_SUITES = "placedSuites";
    static final String PLACEMENT = "placement";
    private static final Map<String, RunSession> OPEN = new ConcurrentHashMap<>();
    private final String id = UUID.randomUUID().toString();
    private final RunPlan plan;
    private final RunSummary summary;
    private final AllureRun allure;
    private final Consumer<String> say;
    private List<HostUnderTest> hosts;
    private String agentSha256 = "unknown";
    private boolean finished;
    /** host -> suite ("host" for the host checks) -> the judge's verdicts; made once, right after the hosts ran. */
    private final Map<HostUnderTest, Map<String, List<dev.kval.result.Verdict>>> judged = new java.util.LinkedHashMap<>();
    /** Verdicts no judge made: kval's own code failed while presenting (recorded by the CLI's tally). */
    private final List<dev.kval.result.Verdict> kvalBugs = new ArrayList<>();

    private RunSession(RunPlan plan, RunSummary summary, AllureRun allure, Consumer<String> say) {
        this.plan = plan;
        this.summary = summary;
        this.allure = allure;
        this.say = say;
    }

    /**
     * @param allure        the lifecycle allure-jupiter's listener writes this run's results with (the same instance)
     * @param allureResults that lifecycle's results directory (the session adds containers, environment, categories)
     */
    public static RunSession open(RunPlan plan, RunSummary summary, AllureLifecycle allure, Path allureResults, Consumer<String> say) {
        RunSession s = new RunSession(plan, summary, new AllureRun(allure, allureResults), say);
        OPEN.put(s.id, s);
        return s;
    }

    static Optional<RunSession> lookup(String id) {
        return Optional.ofNullable(OPEN.get(id));
    }

    public String id() {
        return id;
    }

    public RunPlan plan() {
        return plan;
    }

    public RunSummary summary() {
        return summary;
    }

    public Path allureResults() {
        return allure.results();
    }

    AllureRun allure() {
        return allure;
    }

    /** The plan's hosts after the agent ran on each; the first call does the work, one target after another. */
    public synchronized List<HostUnderTest> hosts() {
        if (hosts == null) {
            List<HostUnderTest> out = new ArrayList<>();
            try {
                AgentDeployer agent = AgentDeployer.locate();
                agentSha256 = BzImage.sha256(agent.binary());
                HostRun runner = new HostRun(plan, agent, say);
                if (plan.place() && plan.targets().size() > 1) {
                    out.addAll(new PlacedRun(plan, runner, Placement.standard(), say).run(summary));
                } else {
                    List<String> plain = plan.suites().stream().filter(s -> !s.equals(RaceBoots.SUITE)).toList();
                    for (RunPlan.Target t : plan.targets()) {
                        if (!plain.isEmpty()) {
                            HostUnderTest h = runWithInfraRetries(() -> runner.run(t, plain, ""), t, say);
                            summary.add(h.result());
                            out.add(h);
                        }
                        if (plain.size() < plan.suites().size()) { // race: one boot per case
                            for (HostUnderTest h : RaceBoots.run(plan, agent, t, say)) {
                                summary.add(h.result());
                                out.add(h);
                            }
                        }
                    }
                }
            } catch (IOException e) {
                String why = "the agent binary could not be located (build images/agent: ./mvnw -pl images/agent package): " + e.getMessage();
                throw new dev.kval.result.InfraException(why, e);
            }
            hosts = List.copyOf(out);
            List<String> suites = new ArrayList<>(plan.suites());
            for (HostUnderTest h : hosts) {
                judged.put(h, Judging.judge(h, suites, plan.overall() == null ? 0 : plan.overall().toSeconds()));
            }
        }
        return hosts;
    }

    /** The judge's verdicts on one host for one suite ("host": the host checks); empty if it did not run there. */
    public synchronized List<dev.kval.result.Verdict> verdicts(HostUnderTest h, String suite) {
        hosts();
        return judged.getOrDefault(h, Map.of()).getOrDefault(suite, List.of());
    }

    /** Every verdict of the run so far, host by host, suite by suite, then kval's own failures. */
    public synchronized List<dev.kval.result.Verdict> verdicts() {
        List<dev.kval.result.Verdict> all = new ArrayList<>();
        judged.values().forEach(m -> m.values().forEach(all::addAll));
        all.addAll(kvalBugs);
        return all;
    }

    /** Records a failure of kval's own code (an exception no judge made) as a KVAL_BUG verdict. */
    public synchronized void kvalBug(String test, String message) {
        kvalBugs.add(new dev.kval.result.Verdict(test, "kval", null, dev.kval.result.Verdict.Outcome.BROKEN, null,
                dev.kval.result.Blame.KVAL_BUG, message, null, List.of(), null, "kval", "kval", 1, 0, 0));
    }

    /** Records a failure of the infrastructure outside any host (no agent binary, no session) as an INFRA verdict. */
    public synchronized void infra(String test, String message) {
        kvalBugs.add(new dev.kval.result.Verdict(test, "kval", null, dev.kval.result.Verdict.Outcome.BROKEN, null,
                dev.kval.result.Blame.INFRA, message, null, List.of(), null, "kval", "kval", 1, 0, 0));
    }

    /**
     * Writes verdicts.json (once), summary.json derived from it (counts, outcome) and the Allure extras (the leaves' real
     * start and stop times among them); idempotent (JUnit's end of run and the CLI both call it; the first writes).
     */
    public synchronized void finish() throws IOException {
        if (finished) {
            return;
        }
        finished = true;
        OPEN.remove(id);
        List<dev.kval.result.Verdict> all = verdicts();
        dev.kval.result.Verdicts.write(plan.out(), all);
        if (hosts != null) {
            allure.finish(hosts, plan.kvalVersion(), agentSha256, all);
        }
        summary.verdicts(dev.kval.result.Verdicts.counts(all), dev.kval.result.Verdicts.outcome(all));
        summary.finish();
        summary.write(plan.out());
    }

    /** A host whose failure is the infrastructure's (boot timeout, SSH, QEMU) is tried again this many times. */
    static final int INFRA_RETRIES = 2;
    /** Stages where a retry can help; a kernel spec that does not resolve or a bad plan fails at once. */
    static final Set<String> RETRIED_STAGES = Set.of("provision", "deploy", "run", "kselftest");

    /**
     * Runs one target; an infrastructure failure (never a kernel one: a panic is the verdict) is retried up to
     * {@link #INFRA_RETRIES} times, and the attempts that failed are recorded in the host's result as retries.
     */
    static HostUnderTest runWithInfraRetries(HostRun runner, RunPlan.Target t, Consumer<String> say) {
        return runWithInfraRetries(() -> runner.run(t), t, say);
    }

    static HostUnderTest runWithInfraRetries(java.util.function.Supplier<HostUnderTest> attempt, RunPlan.Target t, Consumer<String> say) {
        List<String> failed = new ArrayList<>();
        HostUnderTest h = attempt.get();
        while (h.failed().isPresent() && h.failed().get().attribution() == Attribution.INFRASTRUCTURE
                && RETRIED_STAGES.contains(h.result().failure().stage()) && failed.size() < INFRA_RETRIES) {
            failed.add(h.result().failure().stage() + ": " + h.failed().get().getMessage());
            say.accept(t.label() + ": infrastructure failure, retry " + failed.size() + "/" + INFRA_RETRIES + ": "
                    + h.failed().get().getMessage());
            h = attempt.get();
        }
        if (!failed.isEmpty()) {
            h.result().info().put("infraRetries", failed.size());
            h.result().info().put("infraRetryReasons", failed);
        }
        return h;
    }
}
