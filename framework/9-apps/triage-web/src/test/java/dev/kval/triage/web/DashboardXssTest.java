package dev.kval.triage.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stored-XSS attack on the dashboard, performed in headless chromium: a flaky series whose test name (KTAP text,
 * chosen by the kernel under test) carries JavaScript that the old {@code onclick="quarantine('{f.test}', ...)"} ran
 * (the browser decodes {@code &#39;} in the attribute before the handler runs). Its row and its quarantine button are
 * clicked; the payload must not run, the click must still reach the handler with the name as text. Then attachments:
 * a symbolic link out of the run directory is refused, served files carry {@code nosniff} and a sandboxing CSP.
 */
@QuarkusTest
@TestProfile(DashboardXssTest.OwnStore.class)
class DashboardXssTest {
    /** Marks the body when it runs: the attack's proof. Both a handler-breakout and an HTML tag. */
    static final String PAYLOAD = "api.xss',(document.body.dataset.pwned='1'),'<img src=x onerror=\"document.body.dataset.pwned=2\">";
    static final Path RUN_DIR = Path.of("target", "xss-run").toAbsolutePath();

    public static class OwnStore implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kval.db.url", "jdbc:h2:mem:xss-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "kval.db.user", "sa");
        }
    }

    @Inject
    TriageStore store;

    @TestHTTPResource("/triage")
    URL dashboard;

    static long attachmentResult;

    @BeforeEach
    void seed() throws Exception {
        if (attachmentResult != 0) {
            return;
        }
        dev.kval.kernel.KernelCache.deleteTree(RUN_DIR);
        Files.createDirectories(RUN_DIR.resolve("evidence"));
        Files.writeString(RUN_DIR.resolve("agent.ktap"), "KTAP version 1\n1..1\nok 1 xss\n");
        Path secret = Files.writeString(RUN_DIR.resolveSibling("xss-secret.txt"), "HOST-SECRET-KEY\n");
        Files.createSymbolicLink(RUN_DIR.resolve("evidence/console.log"), secret);
        Files.createSymbolicLink(RUN_DIR.resolve("outside"), RUN_DIR.getParent());
        try (Connection c = dev.kval.store.StoreTestAccess.connection(store.store())) {
            // a git: kernel's commit subject is text from a repository: one more place for the payload
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO kernel(spec, source, release, sha256, config_hash, git_commit, git_subject)"
                    + " VALUES ('path:/xss', 'path', '9.9.9-xss', 'ab', '', ?, ?)")) {
                ps.setString(1, "c".repeat(40));
                ps.setString(2, PAYLOAD);
                ps.executeUpdate();
            }
            c.createStatement().execute("INSERT INTO host(name, provider, host_class) VALUES ('qemu', 'qemu', 'qemu-tcg')");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO run(uuid, kind, state, request, out_dir, created_at) VALUES (?, 'run', 'DONE', '{}', ?, ?)")) {
                ps.setString(1, UUID.randomUUID().toString());
                ps.setString(2, RUN_DIR.toString());
                ps.setTimestamp(3, Timestamp.from(Instant.now()));
                ps.executeUpdate();
            }
            String atts = "[{\"name\":\"console\",\"path\":\"evidence/console.log\"},{\"name\":\"ktap\",\"path\":\"agent.ktap\"},"
                    + "{\"name\":\"dir link\",\"path\":\"outside/xss-secret.txt\"},{\"name\":\"dotdot\",\"path\":\"../xss-secret.txt\"}]";
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO result(run_id, kernel_id, host_id, suite, test_id, status, attribution, message,"
                    + " attachments, started_at) SELECT MIN(run.id), MIN(kernel.id), MIN(host.id), 'api', ?, ?, ?, 'xss', ?, ? FROM run, kernel, host",
                    java.sql.Statement.RETURN_GENERATED_KEYS)) {
                for (int i = 0; i < 6; i++) { // alternating: a flaky series, ranked on the dashboard with a quarantine button
                    ps.setString(1, PAYLOAD);
                    ps.setString(2, i % 2 == 0 ? "PASS" : "FAIL");
                    ps.setString(3, i % 2 == 0 ? null : "KERNEL");
                    ps.setString(4, atts);
                    ps.setTimestamp(5, Timestamp.from(Instant.now().minusSeconds(600 - i)));
                    ps.executeUpdate();
                    try (var keys = ps.getGeneratedKeys()) {
                        keys.next();
                        attachmentResult = keys.getLong(1);
                    }
                }
            }
            // rows written by hand, not by RunImporter: bring the per-series rollup the statistics read up to date
            dev.kval.store.SeriesRollup.rebuild(c);
        }
    }

    @Test
    void aTestNameCarryingScriptRunsNothingWhenItsRowAndButtonAreClicked() throws Exception {
        var res = given().get("/triage").then().statusCode(200).header("X-Content-Type-Options", "nosniff").extract();
        String scriptSrc = java.util.Arrays.stream(res.header("Content-Security-Policy").split(";")).map(String::strip)
                .filter(d -> d.startsWith("script-src")).findFirst().orElse("(none)");
        assertEquals("script-src 'self'", scriptSrc, "the page's CSP allows this server's script files only");
        String page = res.asString();
        assertTrue(page.contains("<button"), "the payload's series is ranked flaky with a quarantine button");

        Path profile = Files.createTempDirectory("kval-chromium-xss");
        try (ChromiumDevTools chrome = ChromiumDevTools.start(profile)) {
            chrome.navigate(dashboard.toString());
            assertEquals("1", chrome.eval("String(document.querySelectorAll('#flaky tbody button').length)"));
            chrome.eval("(() => { const t = document.getElementById('token'); t.value = 'typed-secret-token';"
                    + " t.dispatchEvent(new Event('change')); return 1; })()");
            chrome.eval("(() => { document.querySelectorAll('tr.flaky-row, tr.matrix-row, tr.flaky-row td').forEach(e => e.click());"
                    + " document.querySelectorAll('#flaky tbody button').forEach(b => b.click()); return 1; })()");
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (chrome.dialogs.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertNull(chrome.eval("document.body.dataset.pwned ?? null"), "the test name's script ran");
            assertEquals(1, chrome.dialogs.size(), "the button's click reached the handler (its prompt): " + chrome.dialogs);
            assertEquals("Failure-rate budget for " + PAYLOAD + " (0..1)", chrome.dialogs.get(0), "the name arrived as text, whole");
            assertNull(chrome.eval("localStorage.getItem('kval-token')"), "the API token went to localStorage");
            assertEquals("0", chrome.eval("String([...document.querySelectorAll('*')].filter(e => [...e.attributes]"
                    + ".some(a => a.name.startsWith('on'))).length)"), "no element has an inline event handler");
            assertEquals("0", chrome.eval("String(document.querySelectorAll('script:not([src])').length)"), "no inline script element");

            // the CSP itself: an inline handler that did get into the DOM (an escaping mistake) is not run
            chrome.eval("(() => { const d = document.createElement('div'); d.id = 'inj';"
                    + " d.setAttribute('onclick', \"document.body.dataset.pwned='3'\"); document.body.appendChild(d); d.click(); return 1; })()");
            assertNull(chrome.eval("document.body.dataset.pwned ?? null"), "the CSP let an inline handler run");
        }
    }

    /** A git: kernel's commit shows on the result page; its subject (repository text) arrives escaped. */
    @Test
    void theKernelsCommitIsShownAndItsSubjectEscaped() {
        given().get("/api/triage/result/" + attachmentResult).then().statusCode(200)
                .body("kernel", equalTo("path:/xss (9.9.9-xss) at cccccccccccc \"" + PAYLOAD + "\""));
        String page = given().get("/triage/result/" + attachmentResult).then().statusCode(200).extract().asString();
        assertTrue(page.contains("at cccccccccccc"), "the commit is on the page");
        assertFalse(page.contains("<img src=x"), "the subject's markup went out raw");
    }

    @Test
    void attachmentsAreRealPathsInsideTheRunAndNeverSniffed() {
        String base = "/triage/result/" + attachmentResult + "/attachment/";
        given().get(base + "0").then().statusCode(404).body(not(containsString("HOST-SECRET-KEY")))
                .body(containsString("symbolic link"));
        given().get(base + "2").then().statusCode(404).body(not(containsString("HOST-SECRET-KEY")));
        given().get(base + "3").then().statusCode(404);
        given().get(base + "1").then().statusCode(200).body(equalTo("KTAP version 1\n1..1\nok 1 xss\n"))
                .header("X-Content-Type-Options", "nosniff").header("Content-Security-Policy", containsString("sandbox"));
        given().get("/api/triage/result/" + attachmentResult).then().statusCode(200).body("attachments.present", equalTo(
                java.util.List.of(false, true, false, false)));
    }
}
