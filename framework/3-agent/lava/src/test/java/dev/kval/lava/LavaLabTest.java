package dev.kval.lava;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.agent.AgentOptions;
import dev.kval.host.ssh.LocalSshd;
import dev.kval.host.qemu.Initramfs;
import dev.kval.kernel.KernelArtifact;
import dev.kval.kernel.KernelResolver;
import dev.kval.kernel.KvalPaths;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST client against this machine's real LAVA lab (infra/lava/up): bad input gives errors that say what to fix and
 * never show the token, and a job is followed and cancelled by id from a fresh client, as a restarted controller would.
 */
class LavaLabTest {
    @TempDir
    Path tmp;

    static LavaConfig cfg;

    @BeforeAll
    static void lab() throws Exception {
        String why = LocalLab.unavailableReason();
        Assumptions.assumeTrue(why == null, why);
        LocalLab.ensureUp();
        cfg = LavaConfig.load();
    }

    @Test
    void theLabAnswersWithTheConfiguredToken() throws Exception {
        LavaClient c = new LavaClient(cfg);
        assertTrue(c.version().startsWith("20"), c.version());
        assertTrue(c.usableDevices("qemu").contains("qemu-01"));
    }

    /**
     * The token infra/lava/up hands kval is a plain user's: it cannot change the lab (the attack: register a worker with
     * it, which a superuser's token may), is not taken for a superuser's, and still submits and cancels a job. Negative
     * control: a superuser's token, made for this test, is recognised (kval warns on every run with one) and may read
     * what only superusers may; so both checks can fail.
     */
    @Test
    void theTokenKvalGetsIsNotASuperusersAndStillSubmits() throws Exception {
        LavaClient c = new LavaClient(cfg);
        assertEquals("kval", c.whoami(), "infra/lava/up gives kval its own user");
        assertFalse(c.tokenIsSuperuser(), "kval's token is a superuser's");
        assertEquals(403, call(cfg.token().secret(), "POST", "/api/v0.2/workers/", "{\"hostname\": \"kval-attack\"}"),
                "kval's token could register a worker");
        assertEquals(403, call(cfg.token().secret(), "GET", "/api/v0.2/permissions/devicetypes/", null),
                "kval's token reads the lab's permission table");

        String su = manage("from django.contrib.auth.models import User\n"
                + "from linaro_django_xmlrpc.models import AuthToken\n"
                + "u, _ = User.objects.get_or_create(username='kval-test-su', defaults={'is_superuser': True, 'is_staff': True})\n"
                + "print('TOKEN=' + AuthToken.objects.create(user=u, description='LavaLabTest').secret)\n");
        try {
            LavaClient root = new LavaClient(cfg.withToken(new LavaConfig.Token(su, "LavaLabTest's superuser")));
            assertTrue(root.tokenIsSuperuser(), "control: a superuser's token is not recognised as one");
            assertEquals(200, call(su, "GET", "/api/v0.2/permissions/devicetypes/", null), "control: a superuser reads the permission table");
        } finally {
            manage("from django.contrib.auth.models import User\nUser.objects.filter(username='kval-test-su').delete()\nprint('TOKEN=-')\n");
        }

        // what kval needs still works with the limited token: submit, read, cancel its own job
        KernelArtifact k = KernelResolver.defaults().resolve("debian:7.3.4");
        ArtifactServer server = ArtifactServer.shared(cfg.artifactHost());
        String yaml = JobDefinition.yaml("kval limited-token check", "qemu", server.publish(k.kernel(), "vmlinuz", null),
                server.publish(Initramfs.bare(KvalPaths.cache().resolve("initramfs")), "bare.cpio", null), null,
                new AgentOptions(List.of("api"), null, null, null, Duration.ofMinutes(10)), new LavaConfig.Timeouts(3, 3, 10, 20, 10), Map.of());
        long id = c.submit(yaml);
        assertTrue(id > 0);
        assertEquals("kval", JSON.readTree(body(cfg.token().secret(), "/api/v0.2/jobs/" + id + "/")).path("submitter").asText());
        c.cancel(id);
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!c.job(id).finished() && System.nanoTime() < deadline) {
            Thread.sleep(1000);
        }
        assertTrue(List.of("Canceled", "Incomplete").contains(c.job(id).health()), "kval's own job was cancelled: " + c.job(id));
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private static int call(String token, String method, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(cfg.url().resolve(path)).header("Authorization", "Token " + token);
        b = json == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String body(String token, String path) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(cfg.url().resolve(path)).header("Authorization", "Token " + token).build();
        return HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Runs python in LAVA's Django shell (as infra/lava/up does); returns what it printed after TOKEN=. */
    private static String manage(String python) throws Exception {
        Process p = new ProcessBuilder("lava-server", "manage", "shell", "-c", python).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, java.util.concurrent.TimeUnit.MINUTES) && p.exitValue() == 0, "lava-server manage shell: " + out);
        int i = out.lastIndexOf("TOKEN=");
        assertTrue(i >= 0, out);
        return out.substring(i + 6).strip();
    }

    @Test
    void aWrongTokenNamesWhereItCameFromButNotItself() {
        String bogus = "kvalwrongtoken".repeat(4);
        LavaClient c = new LavaClient(cfg.withToken(new LavaConfig.Token(bogus, "the test's made-up token")));
        LavaException e = assertThrows(LavaException.class, c::whoami);
        assertEquals(LavaException.Kind.AUTH, e.kind());
        assertTrue(e.getMessage().contains("refused the API token") && e.getMessage().contains("the test's made-up token"), e.getMessage());
        assertTrue(e.getMessage().contains("tokens add"), "says how to get one: " + e.getMessage());
        assertFalse(e.getMessage().contains(bogus), "the token itself is never in a message");
        assertFalse(cfg.toString().contains(cfg.token().secret()), "nor in the configuration's toString");
    }

    @Test
    void aServerThatIsDownIsNamedWithItsUrl() throws Exception {
        URI down = URI.create("http://127.0.0.1:" + LocalSshd.freePort());
        LavaException e = assertThrows(LavaException.class, () -> new LavaClient(cfg.withUrl(down)).version());
        assertEquals(LavaException.Kind.UNREACHABLE, e.kind());
        assertTrue(e.getMessage().contains(down.toString()) && e.getMessage().contains("infra/lava/up"), e.getMessage());
    }

    @Test
    void anUnknownDeviceTypeListsTheKnownOnes() {
        LavaException e = assertThrows(LavaException.class, () -> new LavaClient(cfg).usableDevices("no-such-board"));
        assertEquals(LavaException.Kind.DEVICE_TYPE, e.kind());
        assertTrue(e.getMessage().contains("'no-such-board'") && e.getMessage().contains("qemu"), e.getMessage());
    }

    @Test
    void aJobLavaRejectsCarriesLavasReason() {
        String noTimeouts = "device_type: qemu\njob_name: kval rejected\nvisibility: public\nactions:\n- boot: {method: qemu, media: tmpfs}\n";
        LavaException e = assertThrows(LavaException.class, () -> new LavaClient(cfg).submit(noTimeouts));
        assertEquals(LavaException.Kind.REJECTED, e.kind());
        assertTrue(e.getMessage().contains("rejected the job definition") && e.getMessage().contains("timeouts"), e.getMessage());
    }

    /** Submit through one client, then re-attach and cancel through a fresh client and a fresh LavaJobs read from the run directory. */
    @Test
    void aFreshClientReattachesToARunningJobByIdAndCancelsIt() throws Exception {
        KernelArtifact k = KernelResolver.defaults().resolve("debian:7.3.4");
        ArtifactServer server = ArtifactServer.shared(cfg.artifactHost());
        ArtifactServer.Artifact kernel = server.publish(k.kernel(), "vmlinuz", null);
        ArtifactServer.Artifact initrd = server.publish(Initramfs.bare(KvalPaths.cache().resolve("initramfs")), "bare.cpio", null);
        // a job that runs for minutes (the agent is not in the bare image: the test step waits on it) - it is cancelled long before
        String yaml = JobDefinition.yaml("kval reattach test", "qemu", kernel, initrd, null,
                new AgentOptions(List.of("api"), null, null, null, Duration.ofMinutes(10)), new LavaConfig.Timeouts(3, 3, 10, 20, 10), Map.of());
        long id = new LavaJobs(new LavaClient(cfg), tmp).submit("reattach", "qemu", yaml).id();

        LavaJobs fresh = new LavaJobs(new LavaClient(LavaConfig.load()), tmp);
        assertEquals(id, fresh.entries().get(0).jobId(), "the id was persisted in " + fresh.file());
        LavaJob job = fresh.reattach(id);
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!job.status().state().equals("Running") && System.nanoTime() < deadline) {
            Thread.sleep(1000);
        }
        assertEquals("Running", job.status().state(), "the re-attached handle follows the job into Running");
        assertEquals(List.of(id), fresh.cancelAll());
        LavaClient.JobStatus s = job.await(Duration.ofMinutes(2), Duration.ofMinutes(3), m -> { });
        assertEquals("Canceled", s.health());
        LavaJobs.Entry recorded = new LavaJobs(new LavaClient(cfg), tmp).entries().get(0);
        assertNotNull(recorded.jobUrl());
        assertTrue(List.of("Canceling", "Finished").contains(recorded.state()), recorded.toString());
        assertThrows(LavaException.class, () -> fresh.reattach(99_999_999L), "an unknown job id is an error at once");
    }
}
