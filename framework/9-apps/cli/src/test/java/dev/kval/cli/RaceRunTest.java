package dev.kval.cli;

import dev.kval.engine.RunEngine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kval.agent.RaceOptions;
import dev.kval.ktap.KtapParser;
import dev.kval.ktap.KtapTree;
import dev.kval.ktap.Status;
import dev.kval.ktap.TestResult;
import dev.kval.result.RunSummary;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The race suite's proof, two boots of Debian 7.3.4 (QEMU TCG, -smp 2): memory_failure() on a guest_memfd folio
 * (folio locked, then the mapping's invalidate lock) racing PUNCH_HOLE (invalidate lock, then each folio locked)
 * deadlocks there, and the suite must say so with both stuck tasks' stacks; the controls (each side of the race alone,
 * one boot for both) must pass on the same kernel, so the verdict comes from the race and not from either side.
 * Measured: the deadlock case hit on 5 of 5 boots (on the first or second poison), about 40 s per boot here.
 */
class RaceRunTest {
    static RunSummary run(String casePattern, Integer iterations, Path out) throws Exception {
        dev.kval.kernel.KernelCache.deleteTree(out);
        return new RunEngine(new PrintStream(System.err, true)).run(new RunEngine.Request("qemu", "debian:7.3.4", List.of("race"),
                casePattern, null, null, out, Duration.ofMinutes(5), null, null, null, false, new RaceOptions(iterations, 0x5eedL)));
    }

    static KtapTree ktap(Path dir) throws Exception {
        return KtapParser.parseTree(new StringReader(Files.readString(dir.resolve("agent.ktap"))));
    }

    static TestResult leaf(KtapTree t, String name) {
        return t.leaves().stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no leaf " + name + " in " + t.leaves().stream().map(TestResult::name).toList()));
    }

    @Test
    void seedsParseAsTheKtapPrintsThem() {
        assertEquals(new RaceOptions(50, 0x95d64a5341L), RunCommand.raceOptions(50, "0x95d64a5341"));
        assertEquals(new RaceOptions(null, 12L), RunCommand.raceOptions(null, "12"));
        assertEquals(List.of("--iterations", "7", "--seed", "0x5eed"), new RaceOptions(7, 0x5eedL).args());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> RunCommand.raceOptions(null, "0xzz"));
        assertTrue(e.getMessage().contains("--seed '0xzz'"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new RaceOptions(0, null));
    }

    @Test
    void memoryFailureVersusPunchHoleIsADeadlockWithBothStacks() throws Exception {
        Path out = Path.of("target", "test-runs", "race-madv-punch").toAbsolutePath();
        RunSummary s = run("race.madv_punch", null, out);
        assertEquals(1, s.exitCode(), "a deadlock is the kernel's failure");
        Path dir = out.resolve("qemu-race"); // one boot: the agent stops after a case that leaves stuck tasks
        KtapTree t = ktap(dir);
        TestResult nd = leaf(t, "race.madv_punch.no_deadlock");
        assertEquals(Status.FAIL, nd.status());
        String ev = String.join("\n", nd.diagnostics());
        assertTrue(ev.contains("seed=0x5eed iterations=200"), "the seed and iterations are in the KTAP:\n" + ev);
        assertTrue(ev.contains("class=deadlock tasks_in_D=2 tasks_running=0"), ev);
        // the poisoner: madvise > memory_failure > truncate_error_folio > kvm_gmem_error_folio (waits for the invalidate lock)
        assertTrue(ev.matches("(?s).*role=madv_hwpoison state=D.*stack \\d+: \\[<0>\\] kvm_gmem_error_folio.*memory_failure.*"), ev);
        // the puncher: fallocate > kvm_gmem_fallocate > truncate_inode_pages_range > folio_wait_bit_common (waits for the folio)
        assertTrue(ev.matches("(?s).*role=punch_hole state=D.*folio_wait_bit_common.*truncate_inode_pages_range.*kvm_gmem_fallocate.*"), ev);
        for (String rest : List.of("ops_ran", "invariants", "accounting")) {
            assertEquals(Status.ERROR, leaf(t, "race.madv_punch." + rest).status(), rest + " is not evaluated after a deadlock");
        }
        // the kernel agrees: its hung-task detector (hung_task_timeout_secs=10 on the race boots' command line) named the task
        assertTrue(Files.readString(dir.resolve("console.log")).contains("blocked for more than 10 seconds"));
        JsonNode h = RunSummary.read(out.resolve("summary.json")).path("hosts").get(0);
        assertTrue(h.path("consoleFindings").toString().contains("hung-task"), h.path("consoleFindings").toString());
    }

    @Test
    void eachSideAlonePassesInOneBoot() throws Exception {
        Path out = Path.of("target", "test-runs", "race-controls").toAbsolutePath();
        RunSummary s = run("race.ctl_*", 100, out);
        KtapTree t = ktap(out.resolve("qemu-race"));
        for (String c : List.of("ctl_madv", "ctl_punch")) { // the poisoner with a host writer; the puncher with a host writer
            for (String l : List.of("no_deadlock", "ops_ran", "invariants", "accounting")) {
                TestResult r = leaf(t, "race." + c + "." + l);
                assertEquals(Status.PASS, r.status(), c + "." + l + ":\n" + String.join("\n", r.diagnostics()));
            }
        }
        assertEquals(0, s.exitCode(), "console findings on 7.3.4's poisoning are known findings (known-findings.tsv)");
        assertEquals(1, RunSummary.read(out.resolve("summary.json")).path("hosts").size(), "no stuck case: one boot");
        String ktap = Files.readString(out.resolve("qemu-race").resolve("agent.ktap"));
        assertTrue(ktap.matches("(?s).*invariant: ([1-9]|1[0-6]) poisoned page\\(s\\) still exit with EHWPOISON.*"), ktap);
    }
}
