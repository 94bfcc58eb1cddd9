package dev.kval.controller;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.store.Runs;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The controller's defaults, attacked through its own API: reached from another address of this machine (it
 * listens on 127.0.0.1 only), read without a token (results, metrics, the dashboard), asked for an unbounded page
 * ({@code limit=0}), flooded with log streams, and asked to build {@code /etc} and a link to it. Its own profile:
 * reads need the token here (the other API tests run with public reads), two log streams at most.
 */
@QuarkusTest
@TestProfile(ControllerSecurityTest.Locked.class)
class ControllerSecurityTest {
    static final String TOKEN = "Bearer test-token";
    static final Path ROOT = Path.of("target", "sec-build-root").toAbsolutePath();

    public static class Locked implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kval.controller.public-reads", "false", "kval.controller.max-log-streams", "2",
                    "kval.controller.build-roots", ROOT.toString());
        }
    }

    @Inject
    Services services;

    @Test
    void listensOnLoopbackOnly() throws Exception {
        List<InetAddress> others = new ArrayList<>();
        for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (n.isUp() && !n.isLoopback()) {
                n.inetAddresses().filter(a -> a instanceof Inet4Address).forEach(others::add);
            }
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), RestAssured.port), 2000);
        }
        assertTrue(!others.isEmpty(), "this machine has a non-loopback address to try");
        for (InetAddress a : others) {
            assertThrows(java.io.IOException.class, () -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(a, RestAssured.port), 2000);
                }
            }, "the controller answered on " + a.getHostAddress() + ":" + RestAssured.port);
        }
        assertEquals("127.0.0.1", org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("quarkus.http.host", String.class),
                "the default bind address (all profiles)");
    }

    @Test
    void readsNeedTheTokenOrTheLoginCookie() {
        given().get("/api/runs").then().statusCode(401).body("error", containsString("Authorization: Bearer"));
        given().get("/api/results").then().statusCode(401);
        given().get("/q/metrics").then().statusCode(401);
        given().get("/q/openapi").then().statusCode(401);
        given().accept("text/html").get("/triage").then().statusCode(401).body(containsString("/login"));
        given().header("Authorization", "Bearer wrong").get("/api/runs").then().statusCode(401);
        given().header("Authorization", TOKEN).get("/api/runs").then().statusCode(200);
        given().header("Authorization", TOKEN).get("/q/metrics").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200);

        given().contentType(ContentType.URLENC).formParam("token", "wrong").redirects().follow(false).post("/login").then().statusCode(401);
        var login = given().contentType(ContentType.URLENC).formParam("token", "test-token").redirects().follow(false).post("/login")
                .then().statusCode(303).extract();
        String setCookie = login.header("Set-Cookie");
        assertTrue(setCookie.contains("HttpOnly") && setCookie.toLowerCase().contains("samesite=strict"), setCookie);
        String cookie = login.cookie(ReadAccess.COOKIE);
        given().cookie(ReadAccess.COOKIE, cookie).get("/triage").then().statusCode(200);
        // the cookie lets a browser read; it never authorizes a change (no CSRF through it)
        given().cookie(ReadAccess.COOKIE, cookie).contentType(ContentType.JSON).body("{\"test\":\"api.*\",\"budget\":0.2,\"reason\":\"x\"}")
                .post("/api/quarantine").then().statusCode(401);
    }

    @Test
    void limitZeroIsNotUnlimited() {
        given().header("Authorization", TOKEN).get("/api/results?limit=0").then().statusCode(400).body("field", equalTo("limit"));
        given().header("Authorization", TOKEN).get("/api/results?limit=10001").then().statusCode(400).body("field", equalTo("limit"));
        given().header("Authorization", TOKEN).get("/api/results?limit=10000").then().statusCode(200);
        long run = new Runs(services.store()).create("run", "{}", null);
        given().header("Authorization", TOKEN).get("/api/runs/" + run + "/results?limit=0").then().statusCode(400).body("field", equalTo("limit"));
    }

    @Test
    void logStreamsComeFromABoundedPool() throws Exception {
        long run = new Runs(services.store()).create("run", "{}", null); // QUEUED, never ends while the test holds it
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + "/api/runs/" + run + "/log"))
                .header("Authorization", TOKEN).header("Accept", "text/event-stream").build();
        List<CompletableFuture<HttpResponse<java.io.InputStream>>> open = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                CompletableFuture<HttpResponse<java.io.InputStream>> f = http.sendAsync(req, HttpResponse.BodyHandlers.ofInputStream());
                open.add(f);
                assertEquals(200, f.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode());
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (LogTail.open() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            HttpResponse<String> third = http.send(req, HttpResponse.BodyHandlers.ofString());
            assertEquals(503, third.statusCode(), third.body());
            assertTrue(third.body().contains("kval.controller.max-log-streams"), third.body());
        } finally {
            for (var f : open) {
                f.get().body().close();
            }
            new Runs(services.store()).setState(run, "CANCELLED", null, "test over");
        }
    }

    @Test
    void buildPathsOutsideTheConfiguredRootsAre400NamingTheRule() throws Exception {
        Files.createDirectories(ROOT.resolve("linux"));
        Path link = ROOT.resolve("etc-link");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, Path.of("/etc"));
        for (String spec : List.of("build:/etc", "build:" + link, "build:" + ROOT + "/../../..", "build:relative/tree")) {
            given().header("Authorization", TOKEN).contentType(ContentType.JSON)
                    .body("{\"hosts\":[\"qemu\"],\"kernels\":[\"" + spec + "\"],\"suites\":[\"api\"]}").post("/api/runs")
                    .then().statusCode(400).body("field", equalTo("kernels")).body("error", containsString("kval.controller.build-roots"));
        }
        BuildRoots.check(List.of("build:" + ROOT.resolve("linux") + ",qemu-kvm-host", "build:linux-source-7.3,allnoconfig", "debian:7.3.4"));
    }
}
