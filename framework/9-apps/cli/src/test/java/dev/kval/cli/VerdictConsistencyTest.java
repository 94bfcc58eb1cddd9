package dev.kval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.host.qemu.QemuConfig;
import dev.kval.kernel.KernelResolver;
import dev.kval.ktap.KtapParser;
import dev.kval.ktap.KtapTree;
import dev.kval.reports.bisect.StepVerdicts;
import dev.kval.result.Judge;
import dev.kval.result.Verdict;
import dev.kval.result.Verdicts;
import dev.kval.sweep.KernelJudge;
import dev.kval.sweep.KernelRun;
import dev.kval.sweep.Sweep;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 18's "Done when": for one kernel, {@code kval run}, a one-kernel {@code kval sweep} and a bisection step give the
 * same verdict per leaf. Two real boots of Debian 7.3.4 in QEMU/TCG (the api suite's memslot and accounting cases:
 * an exact errno, measured kB, known-finding-free): one through RunEngine (JUnit, verdicts.json), one through Sweep
 * (kernels/&lt;release&gt;/verdicts.json). First the same evidence (the run's host directory) is judged through the sweep's
 * and the bisection's code paths and must give exactly the run's verdicts; then the sweep's own boot must agree with
 * the run leaf by leaf, and a bisection step (StepVerdicts over that sweep run) must describe each leaf as the run's
 * verdict does. Cost: 2 boots, about 2 minutes here.
 */
class VerdictConsistencyTest {
    static final Path DIR = Path.of("target", "test-runs", "consistency").toAbsolutePath();
    static final String CASES = "api.[ma][ec]*"; // fnmatch: api.memslot and api.accounting

    @Test
    void runSweepAndBisectStepJudgeOneKernelAlike() throws Exception {
        dev.kval.kernel.KernelCache.deleteTree(DIR);
        PrintStream err = new PrintStream(System.err, true);
        Path runOut = DIR.resolve("run");
        new RunEngine(err).run(new RunEngine.Request("qemu", "debian:7.3.4", List.of("api"), CASES, null, null, runOut,
                Duration.ofMinutes(10), null, null, null, false));
        List<Verdict> run = Verdicts.read(runOut);
        assertTrue(run.size() >= 5, "the run judged the selected leaves: " + run.size());
        Path hostDir = Files.list(runOut).filter(p -> Files.isRegularFile(p.resolve("agent.ktap"))).findFirst().orElseThrow();
        Map<String, String> runEssence = essence(run);

        // 1. the same evidence through the sweep's judge path: identical verdicts
        KtapTree tree = KtapParser.parseTree(new String(Files.readAllBytes(hostDir.resolve("agent.ktap")), StandardCharsets.UTF_8));
        Judge.Facts facts = KernelJudge.facts(run.get(0).host(), "qemu", run.get(0).kernel(), hostDir);
        Map<String, String> again = essence(Judge.standard().judge(facts, tree.leaves(), false, List.of(), 600));
        // the run moves crash-prone cases (own-boot.tsv) to a boot of their own: their leaves are not in agent.ktap
        assertEquals(common(runEssence, again), again, "kval run's verdicts.json against the sweep's judge on the same evidence");
        assertTrue(again.size() >= runEssence.size() - 5, "own-boot leaves are few: " + again.size() + " of " + runEssence.size());

        // 2. a real one-kernel sweep: its own boot, judged by KernelJudge, written to kernels/<release>/verdicts.json
        Sweep.Result sw = new Sweep(KernelResolver.defaults(), QemuConfig.auto(), err).run(new Sweep.Options("debian:7.3.4",
                List.of("api"), CASES, null, 1, DIR.resolve("sweep"), Duration.ofMinutes(10)));
        KernelRun k = sw.runs().get(0);
        assertEquals(KernelRun.Health.OK, k.health(), k::failure);
        List<Verdict> swept = Verdicts.read(k.dir());
        Map<String, String> sweptEssence = essence(swept);
        assertEquals(runEssence.keySet(), common(sweptEssence, runEssence).keySet(), "the sweep judged every leaf the run did");
        assertEquals(runEssence, common(sweptEssence, runEssence), "kval run against a one-kernel kval sweep of the same kernel");

        // 3. a bisection step over that run: one verdict string per leaf, the behaviour the run's verdict shows
        Map<String, String> runStep = new LinkedHashMap<>();
        Map<String, String> bisectStep = new LinkedHashMap<>();
        for (Verdict v : run) {
            if (v.ktapStatus() == null) {
                continue; // host checks are not leaves a bisection selects
            }
            StepVerdicts sv = new StepVerdicts(v.leaf());
            List<String> step = sv.verdicts(k, 1);
            assertFalse(step.isEmpty(), v.leaf());
            bisectStep.put(v.leaf(), step.get(0));
            runStep.put(v.leaf(), StepVerdicts.behaviour(v, false));
        }
        assertEquals(runStep, bisectStep, "kval run's verdicts against a bisection step's on the same kernel");
    }

    /** The entries of {@code m} whose leaf {@code keys} has too, in m's order. */
    static Map<String, String> common(Map<String, String> m, Map<String, String> keys) {
        Map<String, String> out = new LinkedHashMap<>(m);
        out.keySet().retainAll(keys.keySet());
        return out;
    }

    /** leaf -> what its verdict says (first repetition), without host names and times. */
    static Map<String, String> essence(List<Verdict> vs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Verdict v : vs) {
            if (v.attempt() == 1) {
                m.putIfAbsent(v.leaf(), v.essence());
            }
        }
        return m;
    }
}
