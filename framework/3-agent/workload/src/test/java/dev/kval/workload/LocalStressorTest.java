package dev.kval.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.host.Host;
import dev.kval.host.LocalHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real jar deployed to this machine (local host) and measuring this machine's real /proc. */
class LocalStressorTest {
    @TempDir
    static Path tmp;
    static Host local;

    @BeforeAll
    static void host() throws Exception {
        local = new LocalHost.Provider(tmp).provision(null);
    }

    @AfterAll
    static void release() {
        local.release();
    }

    /** The zones /proc/buddyinfo lists right now, as the workload names them. */
    static Set<String> zones() throws Exception {
        Set<String> z = new TreeSet<>();
        for (String l : Files.readAllLines(Path.of("/proc/buddyinfo"))) {
            String[] t = l.trim().split("[,\\s]+");
            z.add("node" + t[1] + "." + t[3]);
        }
        z.add("total");
        return z;
    }

    @Test
    void fragmentHoldsEveryOtherPageAndFree2mBlocksDrop() throws Exception {
        // break 256 MiB of free 2M blocks (128 blocks), however much it takes to write through the smaller free blocks first
        // (at most 1 GiB of writes: this machine is shared)
        Stressor s = Stressor.start(local, "fragment", Duration.ofSeconds(2), List.of("--mb", "256", "--max-mb", "1024"));
        Effect e = s.await();
        System.err.println("local " + e.summary() + "; started in " + s.startup().toMillis() + " ms");
        assertNull(e.error(), e.json());
        assertEquals(zones(), new TreeSet<>(e.free2mBefore().keySet()), "the report's zones are this machine's: " + e.json());
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip(), e.kernel());
        assertEquals("duration", e.stoppedBy());
        long held = ((Number) e.work().get("mbHeld")).longValue();
        // it stops as soon as 128 blocks are broken, which on a busy machine may take less than half of 256 MiB
        assertTrue(held > 0, "held " + held + " MiB: " + e.work());
        // tmpfs really stored it: Shmem rose by at least what is held
        long shmemRise = e.meminfoKbMax().get("Shmem") - e.meminfoKbBefore().get("Shmem");
        assertTrue(shmemRise >= held * 1024 * 9 / 10, "Shmem rose " + shmemRise + " kB for " + held + " MiB held: " + e.json());
        assertTrue(e.free2mMinTotal() <= e.free2mBeforeTotal() && e.free2mMinTotal() <= e.free2mAfterTotal(), e.json());
        // the point of it: fewer free 2M blocks while it held its pages
        assertTrue(e.diagnostics().contains("free2m.before.total=" + e.free2mBeforeTotal()), String.join("\n", e.diagnostics()));
        String stop = String.valueOf(e.work().get("stopReason"));
        Assumptions.assumeTrue(stop.startsWith("target reached"), "this machine's free blocks below 2M absorbed 1 GiB of page"
                + " allocations before 128 2M blocks broke (stop: " + stop + ", free 2M blocks " + e.free2mBeforeTotal() + " -> min "
                + e.free2mMinTotal() + "); the drop is asserted in the QEMU guest");
        // measured by the stressor's own sampler too: allow for other processes freeing memory meanwhile
        assertTrue(e.free2mMinTotal() <= e.free2mBeforeTotal() - 64, "free 2M blocks did not drop: " + e.json());
    }

    @Test
    void thpHeapIsBackedByHugePages() throws Exception {
        String enabled = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled")).strip();
        Assumptions.assumeFalse(enabled.contains("[never]"), "THP is disabled on this machine (transparent_hugepage/enabled: "
                + enabled + "): a THP heap cannot get huge pages");
        Stressor s = Stressor.start(local, "thp", Duration.ofSeconds(1), List.of("--mb", "256"));
        Effect e = s.await();
        System.err.println("local " + e.summary());
        assertNull(e.error(), e.json());
        long holderThp = ((Number) e.work().get("holderAnonHugePagesKb")).longValue();
        // -XX:+UseTransparentHugePages madvises the heap, so enabled=madvise is enough; most of 256 MiB in 2M pages
        assertTrue(holderThp >= 128 * 1024, "the holder JVM's heap has " + holderThp + " kB in huge pages: " + e.json());
        assertTrue(e.vmstatDelta("thp_fault_alloc") >= 64, "thp_fault_alloc rose by " + e.vmstatDelta("thp_fault_alloc") + ": " + e.json());
        assertTrue(e.anonHugeKbMax() >= e.anonHugeKbBefore() && e.anonHugeKbAfter() > 0, e.json());
    }

    @Test
    void churnAndCpuMeasureWhatTheyDid() throws Exception {
        Effect churn = Stressor.start(local, "churn", Duration.ofSeconds(1), List.of("--mb", "64")).await();
        System.err.println("local " + churn.summary());
        assertNull(churn.error(), churn.json());
        long chunks = ((Number) churn.work().get("chunksAllocated")).longValue();
        // how many chunks fit in 1 s depends on the machine's load; that it allocated and freed at all does not
        assertTrue(chunks >= 1, "churn allocated no chunk for its 64 MiB ring: " + churn.json());
        if (!churn.thpEnabled().equals("always")) {
            // every chunk is a fresh mapping: (nearly) every page touched is a page fault, not a reused arena
            long touched = ((Number) churn.work().get("mbTouched")).longValue();
            long faults = ((Number) churn.work().get("minorFaults")).longValue();
            assertTrue(faults >= touched * 256 * 8 / 10, faults + " faults for " + touched + " MiB touched: " + churn.json());
        }
        assertEquals("Unsafe.invokeCleaner", churn.work().get("freedBy"));

        Effect cpu = Stressor.start(local, "cpu", Duration.ofSeconds(1), List.of("--threads", "1")).await();
        System.err.println("local " + cpu.summary());
        // how much CPU a spinner gets depends on the machine's load (CI shares 2 cores): measured, bounded, not timed
        assertTrue(cpu.cpuMs() > 0 && cpu.cpuMs() <= cpu.wallMs() + 200,
                "one spinning thread for " + cpu.wallMs() + " ms wall used " + cpu.cpuMs() + " ms CPU: " + cpu.json());
        assertTrue(((Number) cpu.work().get("blocks")).longValue() > 0, cpu.json());
    }

    @Test
    void aroundRunsTheWorkUnderTheStressorAndStopsIt() throws Exception {
        Stressors.Stressed<Integer> o = Stressors.around(local, "cpu", List.of("--threads", "1"), () -> {
            Thread.sleep(1500);
            return 42;
        });
        assertEquals(42, o.value());
        assertEquals("signal", o.effect().stoppedBy(), o.effect().json());
        assertTrue(o.effect().wallMs() >= 1000, o.effect().json());
        assertTrue(o.effect().cpuMs() > 0, o.effect().json()); // how much depends on the machine's load
        // the stop really ended it: no workload process of ours is left
        ProcessHandle.current().descendants().forEach(p -> assertTrue(!p.info().commandLine().orElse("").contains("kval-workloads.jar")
                || !p.isAlive(), "left running: " + p.info().commandLine().orElse("")));
    }

    @Test
    void anUnknownStressorIsRefusedWithTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Stressor.start(local, "memhog", Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("churn") && e.getMessage().contains("memhog"), e.getMessage());
    }
}
