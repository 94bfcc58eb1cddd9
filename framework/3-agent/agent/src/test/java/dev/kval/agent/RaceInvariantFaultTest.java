package dev.kval.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.host.ExecResult;
import dev.kval.host.qemu.QemuConfig;
import dev.kval.host.qemu.QemuHost;
import dev.kval.host.qemu.QemuProvider;
import dev.kval.kernel.KernelArtifact;
import dev.kval.kernel.KernelResolver;
import dev.kval.ktap.KtapParser;
import dev.kval.ktap.Status;
import dev.kval.ktap.TestResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The race suite's post-race invariants and accounting can FAIL: on a real kernel (CI's own build, 7.3.4 with
 * KVM_SW_PROTECTED_VM, so the private/shared check runs too; booted in QEMU/TCG -smp 2), the control cases pass, and
 * with the agent's {@code --race-inject} breaking each check's own side, the leaf that checks it fails with its own
 * reason: a page nobody poisoned in the EHWPOISON check (poison_lost), a range written and never punched
 * (skip_punch), a range left shared before the zero check (shared_view), a guest_memfd kept open with the range
 * allocated after everything closed (leak_fd). One boot, four agent runs, 20 iterations each, fixed seed (~170 s
 * under a load of 18 on 2 cores, boot 50 s of it).
 */
class RaceInvariantFaultTest {
    static final String KERNEL = "build:linux-source-7.3,allnoconfig,qemu-kvm-host,sw-protected-vm";

    @TempDir
    Path work;

    static Map<String, TestResult> run(QemuHost h, String remote, String glob, String inject) throws Exception {
        List<String> argv = new ArrayList<>(List.of(remote, "--suite", "race", "--case", glob, "--iterations", "20", "--seed", "0x5eed"));
        if (inject != null) {
            argv.addAll(List.of("--race-inject", inject));
        }
        ExecResult r = h.exec(argv, Duration.ofMinutes(4));
        System.err.println(r.stdout());
        assertTrue(!r.timedOut(), "agent " + argv + " timed out");
        Map<String, TestResult> out = new LinkedHashMap<>();
        for (TestResult l : KtapParser.parseTree(r.stdout()).leaves()) {
            out.put(l.name(), l);
        }
        assertTrue(!out.isEmpty(), "no leaves from " + argv + ": " + r.stdout() + r.stderr());
        if (inject != null) {
            for (String f : inject.split(",")) {
                assertTrue(r.stdout().contains("# injected fault " + f), "the KTAP must say fault " + f + " was injected");
            }
        }
        return out;
    }

    static void assertLeaf(Map<String, TestResult> m, String leaf, Status want, String reasonPart) {
        TestResult l = m.get(leaf);
        assertTrue(l != null, leaf + " missing from " + m.keySet());
        assertEquals(want, l.status(), leaf + ": " + l);
        if (reasonPart != null) {
            String text = l.reason() + " " + String.join(" ", l.diagnostics());
            assertTrue(text.contains(reasonPart), leaf + " must say '" + reasonPart + "': " + text);
        }
    }

    @Test
    void eachInvariantAndTheAccountingFailWhenTheirSideIsBroken() throws Exception {
        KernelArtifact k = KernelResolver.defaults().resolve(KERNEL);
        QemuConfig cfg = QemuConfig.auto().withSmp(2).withAppend("sysctl.kernel.hung_task_timeout_secs=10 no_timer_check");
        try (QemuHost h = new QemuProvider(cfg, work, null, System.err::println).boot(k, "race-faults")) {
            String remote = AgentDeployer.locate().deploy(h);

            // controls: ctl_madv (poisoner + host writer), ctl_punch (puncher + host writer), attr_punch (SW_PROTECTED)
            Map<String, TestResult> ctl = run(h, remote, "race.[ac]t*_[pm][ua]*", null);
            for (String c : List.of("ctl_madv", "ctl_punch", "attr_punch")) {
                for (String leaf : List.of("no_deadlock", "ops_ran", "invariants", "accounting")) {
                    assertLeaf(ctl, "race." + c + "." + leaf, Status.PASS, null);
                }
            }
            Map<String, TestResult> lost = run(h, remote, "race.ctl_madv", "poison_lost");
            assertLeaf(lost, "race.ctl_madv.no_deadlock", Status.PASS, null);
            assertLeaf(lost, "race.ctl_madv.invariants", Status.FAIL, "no longer reports EHWPOISON");
            assertLeaf(lost, "race.ctl_madv.accounting", Status.PASS, null);

            Map<String, TestResult> leak = run(h, remote, "race.ctl_punch", "skip_punch,leak_fd");
            assertLeaf(leak, "race.ctl_punch.invariants", Status.FAIL, "does not read zero");
            assertLeaf(leak, "race.ctl_punch.accounting", Status.FAIL, "stayed after every fd was closed");

            Map<String, TestResult> shared = run(h, remote, "race.attr_punch", "shared_view");
            assertLeaf(shared, "race.attr_punch.invariants", Status.FAIL, "does not read zero");
        }
    }
}
