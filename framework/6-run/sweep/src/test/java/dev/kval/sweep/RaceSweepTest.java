package dev.kval.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.agent.RaceOptions;
import dev.kval.agent.RaceResume;
import dev.kval.host.qemu.QemuConfig;
import dev.kval.kernel.KernelResolver;
import dev.kval.ktap.KtapParser;
import dev.kval.ktap.Status;
import dev.kval.ktap.TestResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep of the race suite over two real Debian kernels (6.18.15 and 7.3.4, QEMU/TCG -smp 2), kept cheap: two cases
 * ({@code race.madv_p*}: madv_punch, the memory_failure vs PUNCH_HOLE deadlock both carry, then madv_prefault), 30
 * iterations, a fixed seed. madv_punch leaves unkillable tasks, so the agent stops and madv_prefault must run in a
 * fresh boot of the same kernel (attempt-1/boot-2) and its verdicts must land in the kernel's KTAP, not stay a SKIP.
 */
class RaceSweepTest {
    static final long SEED = 0x5eedL;

    @TempDir
    Path tmp;

    @Test
    void raceSweepResumesAfterTheDeadlockAndGetsEveryVerdict() throws Exception {
        QemuConfig cfg = QemuConfig.auto().withSmp(2).withAppend("sysctl.kernel.hung_task_timeout_secs=10 no_timer_check");
        Sweep.Result r = new Sweep(KernelResolver.defaults(), cfg, System.err).run(new Sweep.Options("debian:6.18.15,debian:7.3.4",
                List.of("race"), "race.madv_p*", null, 2, tmp, Duration.ofMinutes(8), new RaceOptions(30, SEED)));
        assertEquals(List.of("6.18.15+deb13", "7.3.4+deb13"), r.runs().stream().map(KernelRun::label).toList());
        for (KernelRun k : r.runs()) {
            assertEquals(KernelRun.Health.OK, k.health(), k.label() + ": " + k.failure());
            assertTrue(RaceResume.placeholders(k.ktap()).isEmpty(), k.label() + ": placeholders left: " + k.ktap());
            List<TestResult> leaves = KtapParser.parseTree(k.ktap()).leaves();
            TestResult dl = leaves.stream().filter(l -> l.name().equals("race.madv_punch.no_deadlock")).findFirst().orElseThrow();
            assertEquals(Status.FAIL, dl.status(), k.label() + ": " + dl);
            String diag = String.join("\n", dl.diagnostics());
            assertTrue(diag.contains("class=deadlock") && diag.contains("kvm_gmem_error_folio") && diag.contains("truncate_inode_pages_range"),
                    k.label() + ": the deadlock verdict carries both stacks: " + diag);
            assertTrue(k.ktap().contains("# seed=0x5eed iterations=30 "), k.label() + ": the seed and iterations reached the agent");
            // the case after the deadlock ran in the fresh boot: real verdicts, the deadlock's tasks did not hold it
            for (String leaf : List.of("no_deadlock", "ops_ran", "invariants", "accounting")) {
                TestResult l = leaves.stream().filter(x -> x.name().equals("race.madv_prefault." + leaf)).findFirst()
                        .orElseThrow(() -> new AssertionError(k.label() + ": race.madv_prefault." + leaf + " missing: " + k.ktap()));
                assertEquals(Status.PASS, l.status(), k.label() + ": " + l);
            }
            Path a = k.attempts().get(k.attempts().size() - 1).dir();
            assertTrue(Files.readString(a.resolve("boot-2/console.log")).contains("KVAL-READY"), "the fresh boot's console");
            assertFalse(RaceResume.placeholders(Files.readString(a.resolve("agent.boot-1.ktap"))).isEmpty(), "boot 1's raw KTAP is kept");
            assertTrue(k.findings().stream().anyMatch(f -> f.toLowerCase().contains("hung")), k.label() + ": the hung-task report: " + k.findings());
        }
        BehaviourMap.Row row = r.map().row("race.madv_punch.no_deadlock");
        assertEquals(List.of("FAIL", "FAIL"), row.cells().stream().map(BehaviourMap.Cell::verdict).toList());
    }
}
