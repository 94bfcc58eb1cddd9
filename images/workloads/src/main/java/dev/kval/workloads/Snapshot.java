package dev.kval.workloads;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One reading of the kernel's memory state: free blocks per order per zone (/proc/buddyinfo), selected /proc/vmstat
 * counters and /proc/meminfo fields. Read from a root given as a parameter so tests can point it at captured files.
 */
public record Snapshot(long nanos, Map<String, long[]> buddy, Map<String, Long> vmstat, Map<String, Long> meminfoKb) {
    /** Order of a 2 MiB block with 4 KiB pages: what a THP or a 2M guest_memfd folio needs. */
    public static final int ORDER_2M = 9;
    /** The vmstat counters reported (those absent on a kernel are simply missing from the report). */
    public static final List<String> VMSTAT = List.of("thp_fault_alloc", "thp_fault_fallback", "thp_collapse_alloc",
            "thp_collapse_alloc_failed", "thp_split_page", "compact_stall", "compact_success", "compact_fail",
            "compact_migrate_scanned", "compact_free_scanned", "compact_daemon_wake", "pgfault", "pgfree", "pgsteal_kswapd",
            "pgsteal_direct", "allocstall_normal", "allocstall_movable", "kswapd_low_wmark_hit_quickly");
    public static final List<String> MEMINFO = List.of("MemFree", "MemAvailable", "AnonHugePages", "ShmemHugePages", "Shmem");

    public static Snapshot read(Path proc) throws IOException {
        return new Snapshot(System.nanoTime(), buddy(Files.readAllLines(proc.resolve("buddyinfo"))),
                keyed(Files.readAllLines(proc.resolve("vmstat")), VMSTAT), keyed(Files.readAllLines(proc.resolve("meminfo")), MEMINFO));
    }

    /** "Node 0, zone   Normal  1 2 3 ..." -> "node0.Normal" -> counts by order. */
    static Map<String, long[]> buddy(List<String> lines) {
        Map<String, long[]> m = new LinkedHashMap<>();
        for (String l : lines) {
            String[] t = l.trim().split("[,\\s]+");
            if (t.length < 5 || !t[0].equals("Node") || !t[2].equals("zone")) {
                continue;
            }
            long[] c = new long[t.length - 4];
            for (int i = 0; i < c.length; i++) {
                c[i] = Long.parseLong(t[4 + i]);
            }
            m.put("node" + t[1] + "." + t[3], c);
        }
        return m;
    }

    /** "name value" (vmstat) or "Name:   value kB" (meminfo), keeping only the wanted keys, in their order. */
    static Map<String, Long> keyed(List<String> lines, List<String> wanted) {
        Map<String, Long> all = new LinkedHashMap<>();
        for (String l : lines) {
            String[] t = l.trim().split("[:\\s]+");
            if (t.length >= 2) {
                try {
                    all.put(t[0], Long.parseLong(t[1]));
                } catch (NumberFormatException ignored) {
                    // not a counter line
                }
            }
        }
        Map<String, Long> m = new LinkedHashMap<>();
        for (String w : wanted) {
            if (all.containsKey(w)) {
                m.put(w, all.get(w));
            }
        }
        return m;
    }

    /**
     * Free memory in blocks of order 9 and above, counted in 2 MiB units (an order-10 block counts 2): how many 2M
     * folios the zone could hand out without compaction.
     */
    public static long free2m(long[] counts) {
        long n = 0;
        for (int o = ORDER_2M; o < counts.length; o++) {
            n += counts[o] << (o - ORDER_2M);
        }
        return n;
    }

    /** Per zone plus "total". */
    public Map<String, Long> free2m() {
        Map<String, Long> m = new LinkedHashMap<>();
        long total = 0;
        for (var e : buddy.entrySet()) {
            long f = free2m(e.getValue());
            m.put(e.getKey(), f);
            total += f;
        }
        m.put("total", total);
        return m;
    }
}
