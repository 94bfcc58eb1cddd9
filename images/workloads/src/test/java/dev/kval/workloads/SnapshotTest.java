package dev.kval.workloads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing of the /proc files the workloads measure, on captured text and on this machine's real /proc. */
class SnapshotTest {
    // captured from Debian 7.3.4 in QEMU (2 GiB, two NUMA nodes) while the fragment stressor held its pages
    static final List<String> GUEST_BUDDYINFO = List.of(
            "Node 0, zone      DMA      0      0      0      0      0      0      1      1      0      1      3 ",
            "Node 0, zone    DMA32  39757    100      7      3      1      2      2      3      3      1     77 ",
            "Node 1, zone    DMA32      1      2      3      1      1      1      0      0      1      0    246 ");

    @Test
    void free2mCountsOrderNineAndAboveIn2mUnits() {
        Map<String, long[]> b = Snapshot.buddy(GUEST_BUDDYINFO);
        assertEquals(List.of("node0.DMA", "node0.DMA32", "node1.DMA32"), List.copyOf(b.keySet()));
        assertEquals(39757, b.get("node0.DMA32")[0]);
        Snapshot s = new Snapshot(0, b, Map.of(), Map.of());
        // order 9 counts 1, order 10 counts 2
        assertEquals(Map.of("node0.DMA", 1L + 6, "node0.DMA32", 1L + 154, "node1.DMA32", 0L + 492, "total", 7L + 155 + 492), s.free2m());
    }

    @Test
    void vmstatAndMeminfoKeepOnlyTheWantedCountersInOrder() {
        Map<String, Long> v = Snapshot.keyed(List.of("nr_free_pages 5", "thp_fault_alloc 12", "compact_stall 3"), Snapshot.VMSTAT);
        assertEquals(List.of("thp_fault_alloc", "compact_stall"), List.copyOf(v.keySet()));
        Map<String, Long> m = Snapshot.keyed(List.of("MemTotal:  2000 kB", "AnonHugePages:    4096 kB", "HugePages_Total:  0"),
                Snapshot.MEMINFO);
        assertEquals(Map.of("AnonHugePages", 4096L), m);
    }

    @Test
    void thisMachinesProcParses() throws Exception {
        Snapshot s = Snapshot.read(Path.of("/proc"));
        int zones = (int) Files.readAllLines(Path.of("/proc/buddyinfo")).stream().filter(l -> l.startsWith("Node")).count();
        assertEquals(zones, s.buddy().size());
        assertTrue(s.meminfoKb().get("MemFree") > 0);
        assertTrue(s.vmstat().containsKey("pgfault"), s.vmstat().toString());
        assertEquals(zones + 1, s.free2m().size());
    }

    @Test
    void optionsAndDurations() {
        assertEquals(Duration.ofMillis(1500), Main.Options.duration("1500ms"));
        assertEquals(Duration.ofMinutes(2), Main.Options.duration("2m"));
        assertEquals(Duration.ZERO, Main.Options.duration("0"));
        assertEquals("madvise", Main.selected("always [madvise] never"));
        Main.Options o = Main.Options.parse(new String[] {"fragment", "--mb", "64", "--duration", "3s"});
        assertEquals(64, o.mbOr(1));
        assertThrows(IllegalArgumentException.class, () -> Main.Options.parse(new String[] {"memhog"}));
        assertThrows(IllegalArgumentException.class, () -> Main.Options.parse(new String[] {"cpu", "--threads"}));
    }

    @Test
    void diagnosticsFlattenTheReport() {
        List<String> d = Json.flatten("", Map.of("free2m", Map.of("before", Map.of("total", 3L))));
        assertEquals(List.of("free2m.before.total=3"), d);
        String j = Json.write(Map.of("s", "a\"b\n"));
        assertEquals("{\"s\":\"a\\\"b\\n\"}", j);
        assertFalse(j.contains("\n"));
    }
}
