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
        assertEquals("admin", c.whoami());
        // the one-machine lab's token is its admin's: detected (kval warns on every LAVA run with such a token)
        assertTrue(c.tokenIsSuperuser(), "the admin's token is not recognised as a superuser's");
        assertTrue(c.usableDevices("qemu").contains("qemu-01"));
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
