package dev.kval.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kval.host.qemu.QemuConfig;
import dev.kval.kernel.KernelArtifact;
import dev.kval.kernel.KernelResolver;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reduced sweep on real Debian kernels booted under TCG: the api suite, twice per kernel, on 6.18.15, 7.2.6 and
 * 7.3.4, across the change the spec dates to 7.2 ("KVM: guest_memfd: Return -EEXIST for overlapping bindings": a
 * guest_memfd range bound by two memslots gave EINVAL up to 7.1, EEXIST from 7.2). Verified by hand on the raw KTAP
 * before writing the assertions on 7.1.13 (now unverifiable: its modules are only in the archive's pool), which
 * 6.18.15 replaces: 6.18.15 must print observed=EINVAL, 7.2.6 and 7.3.4 observed=EEXIST, all PASS (the agent
 * expects the errno by version).
 */
class KernelSweepTest {
    static final String KERNELS = "debian:6.18.15,debian:7.2.6,debian:7.3.4";
    static final String OVERLAP = "api.memslot.gmem_range_overlap_errno_by_version";
    static final String INODES = "api.C13.distinct_inodes";

    @TempDir
    Path tmp;

    @Test
    void apiSweepPutsTheOverlapErrnoChangeBetween61815And726() throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(new Tee(System.err, progress), true, StandardCharsets.UTF_8);
        KernelResolver resolver = KernelResolver.defaults();
        Sweep sweep = new Sweep(resolver, QemuConfig.auto(), err);
        Sweep.Result r = sweep.run(new Sweep.Options(KERNELS, List.of("api"), null, 2, 2, tmp, Duration.ofMinutes(10)));

        List<String> labels = r.runs().stream().map(KernelRun::label).toList();
        assertEquals(List.of("6.18.15+deb13", "7.2.6+deb13", "7.3.4+deb13"), labels);
        for (KernelRun k : r.runs()) {
            assertEquals(KernelRun.Health.OK, k.health(), k.label() + ": " + k.failure() + " (see " + k.dir() + ")");
            Path a = k.attempts().get(k.attempts().size() - 1).dir();
            for (String f : List.of("agent.ktap", "console.log", "caps.json", "qemu.cmdline")) {
                assertTrue(Files.size(a.resolve(f)) > 0, "missing or empty " + a.resolve(f));
            }
            assertTrue(Files.readString(a.resolve("console.log")).contains("KVAL-READY"), "console of " + k.label());
        }

        BehaviourMap.Row overlap = r.map().row(OVERLAP);
        assertEquals(List.of("EINVAL", "EEXIST", "EEXIST"), overlap.cells().stream().map(BehaviourMap.Cell::observed).toList());
        for (BehaviourMap.Cell c : overlap.cells()) {
            assertEquals(List.of("PASS", "PASS"), c.verdicts(), "both repetitions ran and passed");
        }
        assertEquals(1, overlap.changes().size(), overlap.changes().toString());
        BehaviourMap.Change c = overlap.changes().get(0);
        assertEquals("6.18.15+deb13", labels.get(c.lastOld()));
        assertEquals("7.2.6+deb13", labels.get(c.firstNew()));
        assertEquals("PASS observed=EINVAL", c.from());
        assertEquals("PASS observed=EEXIST", c.to());
        assertTrue(c.between().isEmpty());

        // Inode numbers move between the two repetitions: a measurement, never a change point.
        BehaviourMap.Row inodes = r.map().row(INODES);
        assertTrue(inodes.measurement(), "observed inode numbers are a measurement: " + inodes.cells());
        assertTrue(inodes.changes().isEmpty(), inodes.changes().toString());

        JsonNode json = MapFiles.JSON.readTree(tmp.resolve(MapFiles.JSON_FILE).toFile());
        assertTrue(json.path("changePoints").findValuesAsText("assertion").contains(OVERLAP));
        List<String> tsv = Files.readAllLines(tmp.resolve(MapFiles.TSV_FILE));
        assertTrue(tsv.stream().anyMatch(l -> l.startsWith(OVERLAP + "\t1\t7.2.6+deb13\t") && l.contains("\tEEXIST\t") && l.contains("\tnew\t")),
                "TSV marks 7.2.6 as the first kernel with EEXIST");
        assertTrue(Files.readString(tmp.resolve(MapFiles.HTML_FILE)).contains("6.18.15+deb13 -&gt; 7.2.6+deb13"));
        renderedInABrowser(tmp.resolve(MapFiles.HTML_FILE));

        String log = progress.toString(StandardCharsets.UTF_8);
        for (String l : labels) {
            assertTrue(log.contains(l + ": booting") && log.contains("] " + l + ": OK"), "progress for " + l + " on stderr:\n" + log);
        }
        assertTrue(log.contains("[3/3]"));

        // A second sweep of these kernels needs no download: each resolves from the cache to the same content hash.
        for (KernelRun k : r.runs()) {
            KernelArtifact again = resolver.resolve(k.kernel().spec());
            assertTrue(again.cacheHit(), k.label() + " not served from the cache");
            assertEquals(k.sha256(), again.sha256());
        }
        assertFalse(r.map().changes().isEmpty());
    }

    /**
     * The map page in a real browser (headless chromium): the parsed DOM has the overlap row with its change point
     * marked on 7.2.6 (the third column: assertion, 6.18.15, 7.2.6), and the screenshot of the matrix is not blank.
     */
    private void renderedInABrowser(Path html) throws Exception {
        Path profile = Files.createDirectories(tmp.resolve("chromium-profile"));
        String dom = HeadlessChromium.dumpDom(html, profile);
        int row = dom.indexOf("<td class=\"l\">" + OVERLAP);
        assertTrue(row > 0, "the browser's DOM has no row for " + OVERLAP);
        String tr = dom.substring(row, dom.indexOf("</tr>", row));
        String[] cells = tr.split("<td ");
        assertTrue(cells.length >= 5 && cells[2].startsWith("class=\"v-PASS old") && cells[3].startsWith("class=\"v-PASS new"),
                "6.18.15 marked old and 7.2.6 marked new in the rendered row: " + tr);
        Path png = tmp.resolve("behaviour-map.png");
        HeadlessChromium.screenshot(html, profile, png, 1400, 900);
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
        assertEquals(1400, img.getWidth());
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 7) {
            for (int x = 0; x < img.getWidth(); x += 7) {
                colours.add(img.getRGB(x, y));
            }
        }
        assertTrue(colours.size() >= 4, "the screenshot of the map is (nearly) blank: " + colours.size() + " colours");
    }

    /**
     * A kernel that cannot boot is retried once, then called BROKEN with the blame on the kernel, and still gets its
     * column: a real 7.3.4 told to run an init that does not exist panics ("No working init found") on every boot.
     */
    @Test
    void kernelThatPanicsAtBootIsRetriedOnceThenBrokenAndBlamedOnTheKernel() throws Exception {
        QemuConfig cfg = QemuConfig.auto().withAppend("rdinit=/kval-no-such-init init=/kval-no-such-init");
        Sweep.Result r = new Sweep(KernelResolver.defaults(), cfg, System.err)
                .run(new Sweep.Options("debian:7.3.4", List.of("api"), null, null, 1, tmp, Duration.ofMinutes(5)));
        assertEquals(1, r.runs().size());
        KernelRun k = r.runs().get(0);
        assertEquals(KernelRun.Health.BROKEN, k.health());
        assertEquals("KERNEL", k.attribution(), k.failure());
        assertEquals(2, k.attempts().size(), "one retry");
        for (KernelRun.Attempt a : k.attempts()) {
            assertEquals("boot", a.stage());
            assertTrue(a.message().contains("panic"), a.message());
            assertTrue(Files.readString(a.dir().resolve("console.log")).contains("Kernel panic"), "console of " + a.dir());
        }
        assertTrue(r.map().rows().isEmpty(), "no leaves without a run");
        JsonNode json = MapFiles.JSON.readTree(tmp.resolve(MapFiles.JSON_FILE).toFile());
        JsonNode kj = json.path("kernels").get(0);
        assertEquals("BROKEN", kj.path("health").asText());
        assertEquals("KERNEL", kj.path("attribution").asText());
        assertEquals(2, kj.path("attempts").size());
        assertTrue(Files.readString(tmp.resolve(MapFiles.HTML_FILE)).contains("7.3.4+deb13 [BROKEN KERNEL]"));
    }

    /** QEMU itself refusing to start is the infrastructure's fault, never the kernel's. */
    @Test
    void qemuThatCannotStartIsBlamedOnTheInfrastructure() throws Exception {
        QemuConfig d = QemuConfig.auto();
        QemuConfig cfg = new QemuConfig(d.accel(), "kval-no-such-cpu", d.memoryMb(), d.smp(), d.bootTimeout(), d.extraAppend(), d.deadSilence(),
                d.numaNodes());
        Sweep.Result r = new Sweep(KernelResolver.defaults(), cfg, System.err)
                .run(new Sweep.Options("debian:7.3.4", List.of("api"), null, null, 1, tmp, Duration.ofMinutes(5)));
        KernelRun k = r.runs().get(0);
        assertEquals(KernelRun.Health.BROKEN, k.health());
        assertEquals("INFRASTRUCTURE", k.attribution(), k.failure());
        assertEquals(2, k.attempts().size());
        assertTrue(String.join("\n", k.attempts().get(1).evidence()).contains("kval-no-such-cpu"), k.attempts().get(1).evidence().toString());
    }

    /** Progress goes to the build log and into a buffer the test reads. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws java.io.IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}
