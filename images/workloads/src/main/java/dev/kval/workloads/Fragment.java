package dev.kval.workloads;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Physical fragmentation, for compaction and reclaim pressure. Two tmpfs files grow a page at a time, alternately, so
 * consecutive page allocations (physically adjacent pages, from the per-CPU lists split off one buddy block) land
 * in alternating files; deleting one file then frees every other page, and no freed page can merge back into a 2M
 * block while its neighbour is held. The kept pages are movable, so only compaction (kcompactd, or direct compaction
 * at a THP fault) can recover 2M blocks: exactly the pressure a huge-page suite should run under.
 * <p>
 * {@code --mb N} is the target: break N MiB of free 2M blocks (default: half of those free at the start). Order-0
 * allocations first use up the free blocks below order 9 (on a busy machine, gigabytes), so the writer measures as
 * it goes and writes until free 2M blocks dropped by N/2, {@code --max-mb} were written (default 4096: seen on a
 * busy 24 GiB machine, 15 GB of writes were absorbed by small free blocks before 128 2M blocks broke), or
 * MemAvailable reached 15% of MemTotal (the host must stay usable); how much it wrote is part of the report.
 */
final class Fragment implements Workload {
    private static final int STEP_PAGES = 4096; // 16 MiB per file pair between readings
    private final Main.Options o;
    private Path dir;
    private Path kept;
    private Path dropped;
    private long pagesWritten;
    private long free2mStart;
    private long target;
    private long free2mLowest = Long.MAX_VALUE;
    private String stopReason = "not started";
    private long buildMs;

    Fragment(Main.Options o) {
        this.o = o;
    }

    @Override
    public void start() throws IOException {
        dir = o.dir() != null ? o.dir() : defaultDir(o.proc());
        Snapshot s0 = Snapshot.read(o.proc());
        free2mStart = s0.free2m().get("total");
        long avail = s0.meminfoKb().getOrDefault("MemAvailable", s0.meminfoKb().getOrDefault("MemFree", 0L));
        long total = memTotalKb();
        long floorKb = total * 15 / 100;
        long capPages = Math.min(Math.max(0, avail - floorKb) / 4, o.maxMb() * 256);
        target = o.mb() > 0 ? o.mb() / 2 : free2mStart / 2;
        String tag = "kval-fragment-" + ProcessHandle.current().pid();
        kept = dir.resolve(tag + ".kept");
        dropped = dir.resolve(tag + ".dropped");
        ByteBuffer page = ByteBuffer.allocateDirect(Churn.PAGE);
        while (page.hasRemaining()) {
            page.put((byte) 0x5a); // non-zero: tmpfs must really store it
        }
        long t0 = System.nanoTime();
        try (FileChannel a = FileChannel.open(kept, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                FileChannel b = FileChannel.open(dropped, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            stopReason = capPages == o.maxMb() * 256 ? "--max-mb " + o.maxMb() + " written" : "MemAvailable down to 15% of MemTotal";
            while (pagesWritten < capPages) {
                for (int i = 0; i < STEP_PAGES && pagesWritten < capPages; i += 2, pagesWritten += 2) {
                    long pos = (pagesWritten / 2) * Churn.PAGE;
                    a.write(page.clear(), pos);
                    b.write(page.clear(), pos);
                }
                Snapshot s = Snapshot.read(o.proc());
                long f = s.free2m().get("total");
                free2mLowest = Math.min(free2mLowest, f);
                if (Main.stopping()) {
                    stopReason = "stopped while building";
                    break;
                }
                if (free2mStart - f >= target) {
                    stopReason = "target reached: " + target + " free 2M blocks broken";
                    break;
                }
                if (s.meminfoKb().getOrDefault("MemAvailable", Long.MAX_VALUE) < floorKb) {
                    stopReason = "MemAvailable under 15% of MemTotal";
                    break;
                }
            }
        }
        // every other page goes back to the allocator, each one pinned apart from its neighbours
        Files.delete(dropped);
        buildMs = (System.nanoTime() - t0) / 1_000_000;
    }

    /** /dev/shm when it is a tmpfs (it is RAM, and never written back), else the JVM's temp directory. */
    static Path defaultDir(Path proc) {
        for (String l : Main.readOr(proc.resolve("mounts"), "").split("\n")) {
            String[] t = l.split(" ");
            if (t.length > 2 && t[1].equals("/dev/shm") && t[2].equals("tmpfs")) {
                return Path.of("/dev/shm");
            }
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    private long memTotalKb() throws IOException {
        for (String l : Files.readAllLines(o.proc().resolve("meminfo"))) {
            if (l.startsWith("MemTotal:")) {
                return Long.parseLong(l.replaceAll("\\D+", ""));
            }
        }
        return 0;
    }

    @Override
    public void quiesce() {
    }

    @Override
    public void release() throws IOException {
        if (kept != null) {
            Files.deleteIfExists(kept);
        }
        if (dropped != null) {
            Files.deleteIfExists(dropped);
        }
    }

    @Override
    public Map<String, Object> facts() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dir", String.valueOf(dir));
        m.put("mbWritten", pagesWritten / 256);
        m.put("mbHeld", pagesWritten / 2 / 256);
        m.put("stopReason", stopReason);
        m.put("buildMs", buildMs);
        m.put("free2mAtStart", free2mStart);
        m.put("targetBlocks", target);
        m.put("free2mLowestWhileWriting", free2mLowest == Long.MAX_VALUE ? -1 : free2mLowest);
        return m;
    }
}
