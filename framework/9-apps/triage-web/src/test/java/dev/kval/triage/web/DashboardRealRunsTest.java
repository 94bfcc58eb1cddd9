package dev.kval.triage.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.store.RunImporter;
import dev.kval.triage.Classification;
import dev.kval.triage.FlakeSnapshot;
import dev.kval.triage.FlakeStatistics;
import dev.kval.triage.SeriesStats;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard on measured flakiness from repeated real runs: {@code kval run --host qemu --suite api --repeat 3} on
 * Debian 7.3.4 and 7.2.6 (the packaged CLI, real QEMU/TCG boots), imported with RunImporter, then the pages and
 * JSON checked against the statistics of the same rows, and the dashboard rendered in headless chromium (DOM rows
 * for both kernels, a non-blank screenshot with the matrix's pass colour). Nothing here is made up: whatever the
 * real rows say (stable, or a leaf that varied) is what must show. Cost: two api runs in parallel, ~1.5 min.
 */
@QuarkusTest
class DashboardRealRunsTest {
    static final Path REPO = Path.of(System.getProperty("kval.repo", "../../..")).toAbsolutePath().normalize();
    static final Path RUNS = Path.of("target", "real-runs").toAbsolutePath();
    static final List<String> KERNELS = List.of("debian:7.3.4", "debian:7.2.6");

    @Inject
    TriageStore store;

    @TestHTTPResource("/triage")
    URL dashboard;

    static boolean ran;

    @BeforeAll
    static void runRealKernels() throws Exception {
        Path jar = REPO.resolve("framework/9-apps/cli/target/quarkus-app/quarkus-run.jar");
        assertTrue(Files.exists(jar), "the packaged CLI " + jar + " (built before this module by the reactor)");
        dev.kval.kernel.KernelCache.deleteTree(RUNS);
        List<Process> ps = new ArrayList<>();
        for (String k : KERNELS) {
            Path out = RUNS.resolve(k.replace(':', '-'));
            Files.createDirectories(out);
            ps.add(new ProcessBuilder("java", "-jar", jar.toString(), "run", "--host", "qemu", "--kernel", k, "--suite", "api", "--repeat", "3",
                    "--out", out.toString()).redirectErrorStream(true).redirectOutput(out.resolveSibling(out.getFileName() + ".log").toFile()).start());
        }
        for (int i = 0; i < ps.size(); i++) {
            assertTrue(ps.get(i).waitFor(15, TimeUnit.MINUTES), "kval run " + KERNELS.get(i) + " did not finish in 15 min");
            int rc = ps.get(i).exitValue();
            assertTrue(rc == 0 || rc == 1, "kval run " + KERNELS.get(i) + " exit " + rc + " (2 = infrastructure); see " + RUNS);
        }
    }

    void importOnce() {
        if (!ran) {
            for (String k : KERNELS) {
                RunImporter.importRun(store.store(), RUNS.resolve(k.replace(':', '-')), "run");
            }
            ran = true;
        }
    }

    FlakeSnapshot realSnapshot() throws Exception {
        return FlakeStatistics.compute(store.store(), FlakeStatistics.Scope.ALL);
    }

    @Test
    void matrixAndRankingShowTheMeasuredRows() throws Exception {
        importOnce();
        FlakeSnapshot snap = realSnapshot();
        List<SeriesStats> api = snap.series().values().stream().filter(s -> "api".equals(s.suite())).toList();
        assertTrue(api.size() > 100, "api leaves x 2 kernels: " + api.size());
        assertTrue(api.stream().filter(s -> s.runs() > 0).allMatch(s -> s.runs() % 3 == 0), "--repeat 3: every counted series has 3k runs");
        JsonPath matrix = given().get("/api/triage/matrix").then().statusCode(200).extract().jsonPath();
        List<String> kernels = matrix.getList("rows.kernel");
        assertTrue(kernels.stream().anyMatch(k -> k.startsWith("7.2.6")) && kernels.stream().anyMatch(k -> k.startsWith("7.3.4")), kernels.toString());
        assertTrue(kernels.indexOf(kernels.stream().filter(k -> k.startsWith("7.2.6")).findFirst().get())
                < kernels.indexOf(kernels.stream().filter(k -> k.startsWith("7.3.4")).findFirst().get()), "version order: " + kernels);
        assertTrue(matrix.getList("suites").contains("api"));
        // the ranking is the statistics of the real rows, whatever they are (stable -> empty)
        long flakySeries = snap.series().values().stream().filter(s -> s.classification() == Classification.FLAKY).count();
        assertEquals(Math.min(200, flakySeries), given().get("/api/triage/flaky").then().statusCode(200).extract().jsonPath().getList("test").size());
        long stable = api.stream().filter(s -> s.classification() == Classification.STABLE_PASS).count();
        assertTrue(stable > 100, "the api suite on 7.3.4 and 7.2.6 is stable: " + stable + " stable-pass series");
        String html = given().get("/triage").then().statusCode(200).extract().asString();
        long stable734 = api.stream().filter(s -> s.classification() == Classification.STABLE_PASS
                && snap.kernel(s.key().kernelId()).release().startsWith("7.3.4")).count();
        assertTrue(html.contains(stable734 + " passing"), "the 7.3.4 api cell counts its " + stable734 + " stable-pass series");
    }

    @Test
    void drillDownShowsTheKtapAndAttachmentsOfARealResult() throws Exception {
        importOnce();
        long id;
        try (Connection c = dev.kval.store.StoreTestAccess.connection(store.store()); var st = c.createStatement();
                var rs = st.executeQuery("SELECT MIN(id) FROM result WHERE test_id = 'api.memslot.gmem_range_overlap_errno_by_version'")) {
            rs.next();
            id = rs.getLong(1);
        }
        assertTrue(id > 0, "the overlap leaf ran");
        given().get("/triage/result/" + id).then().statusCode(200).body(containsString("gmem_range_overlap_errno_by_version"))
                .body(containsString("ok ")).body(containsString("agent.ktap"));
        JsonPath r = given().get("/api/triage/result/" + id).then().statusCode(200).extract().jsonPath();
        List<String> names = r.getList("attachments.name");
        int ktap = names.indexOf(names.stream().filter(n -> n.contains("ktap")).findFirst().orElseThrow(() -> new AssertionError(names.toString())));
        given().get("/triage/result/" + id + "/attachment/" + ktap).then().statusCode(200).body(containsString("KTAP version 1"));
        given().get("/triage/result/" + id + "/attachment/999").then().statusCode(404);
        given().get("/triage/series?test=api.memslot.gmem_range_overlap_errno_by_version").then().statusCode(400);
    }

    @Test
    void dashboardRendersInHeadlessChromium() throws Exception {
        importOnce();
        Path profile = Files.createTempDirectory("kval-chromium");
        String dom = HeadlessChromium.dumpDom(dashboard.toString(), profile);
        assertTrue(dom.contains("id=\"matrix\""), "the matrix table is in the DOM");
        long rows = dom.lines().filter(l -> l.contains("class=\"matrix-row\"")).count();
        assertTrue(rows >= 2, "one matrix row per kernel, got " + rows);
        // the row's kernel label is the release, plus the config hash's start when the store knows it
        assertTrue(dom.contains("data-kernel=\"7.3.4+deb13-amd64") && dom.contains("data-kernel=\"7.2.6+deb13-amd64"), "rows for both kernels");
        Path png = Path.of("target", "triage-dashboard.png").toAbsolutePath();
        HeadlessChromium.screenshot(dashboard.toString(), profile, png, 1200, 800);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1200, img.getWidth());
        long nonWhite = 0;
        long passGreen = 0;
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                if (rgb != 0xffffff) {
                    nonWhite++;
                }
                if (rgb == 0xb6e3b6) {
                    passGreen++;
                }
            }
        }
        assertTrue(nonWhite > 2000, "the screenshot is not blank: " + nonWhite + " non-white sampled pixels");
        assertTrue(passGreen > 200, "the matrix's passing cells render in their colour: " + passGreen + " sampled pixels");
    }
}
