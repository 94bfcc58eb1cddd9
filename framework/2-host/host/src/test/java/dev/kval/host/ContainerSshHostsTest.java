package dev.kval.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.host.bare.Inventory;
import dev.kval.host.bare.SshHostProvider;
import dev.kval.host.ssh.ClientKey;
import dev.kval.host.ssh.HostKeyMismatchException;
import dev.kval.host.ssh.HostKeyPin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The inventory and SSH transport paths against real dropbear servers in containers (Testcontainers, image built
 * locally): two inventory hosts with pinned keys, provision(null), argument lists that a shell would mangle, SFTP,
 * and a container killed mid-command. Skipped, with the reason, only when no Docker engine answers.
 */
class ContainerSshHostsTest {
    @TempDir
    static Path tmp;
    static ClientKey key;
    static ImageFromDockerfile image;
    static final List<GenericContainer<?>> started = new ArrayList<>();
    static SshContainers.HostKey keyA;
    static SshContainers.HostKey keyB;
    static Path inventory;

    static String noDocker;

    @BeforeAll
    static void start() throws Exception {
        // checked here, skipped per test (an assumption failing in @BeforeAll is reported by surefire as 0 tests,
        // without the reason)
        noDocker = SshContainers.dockerUnavailable();
        if (noDocker != null) {
            return;
        }
        key = ClientKey.loadOrCreate(tmp.resolve("client/id_ed25519"));
        image = SshContainers.image(tmp);
        keyA = SshContainers.HostKey.generate(tmp, "a");
        keyB = SshContainers.HostKey.generate(tmp, "b");
        long t0 = System.nanoTime();
        GenericContainer<?> a = start(SshContainers.host(image, "box-a", keyA, key.publicKeyLine()));
        GenericContainer<?> b = start(SshContainers.host(image, "box-b", keyB, key.publicKeyLine()));
        System.err.println("containers: image built and two dropbear hosts up in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        inventory = tmp.resolve("inventory.json");
        Files.writeString(inventory, "{\"hosts\": {"
                + host("box-a", a, keyA.publicLine()) + ", " + host("box-b", b, keyB.publicLine())
                // box-b's address with box-a's key: must be refused
                + ", " + host("box-b-wrong-pin", b, keyA.publicLine()) + "}}");
    }

    @BeforeEach
    void needsDocker() {
        Assumptions.assumeTrue(noDocker == null, noDocker);
    }

    static GenericContainer<?> start(GenericContainer<?> c) {
        started.add(c);
        c.start();
        return c;
    }

    static String host(String name, GenericContainer<?> c, String hostKey) {
        return "\"" + name + "\": {\"address\": \"" + c.getHost() + "\", \"port\": " + c.getMappedPort(22) + ", \"user\": \"root\","
                + " \"key\": \"client/id_ed25519\", \"hostKey\": \"" + hostKey + "\", \"tags\": [\"container\"]}";
    }

    @AfterAll
    static void stop() {
        started.forEach(GenericContainer::stop);
    }

    static Host provision(String name) throws Exception {
        return new SshHostProvider(Inventory.load(inventory).get(name), System.err::println).provision(null);
    }

    @Test
    void twoInventoryHostsRunAwkwardArgumentsVerbatimAndMoveFiles() throws Exception {
        List<String> awkward = new ArrayList<>(List.of("", " ", "two words", "it's", "\"dq\"", "$HOME", "${PATH}", "$(id)", "`id`",
                "a;b", "; echo pwned > /tmp/pwned", "&& false", "| cat", "\\", "*", "~", "line1\nline2", "tab\there", "-n", "é日本"));
        Random rnd = new Random(7);
        for (int i = 0; i < 10; i++) {
            StringBuilder b = new StringBuilder();
            for (int j = 0; j < 16; j++) {
                b.append((char) (1 + rnd.nextInt(126)));
            }
            awkward.add(b.toString());
        }
        List<String> argv = new ArrayList<>(List.of("printf", "%s\\0"));
        argv.addAll(awkward);
        List<String> hostnames = new ArrayList<>();
        for (String name : List.of("box-a", "box-b")) {
            try (Host h = provision(name)) {
                assertEquals(HostSpec.Kind.SSH, h.kind());
                assertEquals(LocalHost.osRelease(), h.kernelRelease(), "a container runs this machine's kernel");
                SshContainers.HostKey k = name.equals("box-a") ? keyA : keyB;
                assertEquals(HostKeyPin.ofPublicKeyLine(k.publicLine(), name).fingerprints(), h.info().get("hostKeyPinned"));
                ExecResult r = h.exec(argv, Duration.ofSeconds(20));
                assertEquals(0, r.exit(), r.stderr());
                assertEquals(awkward, List.of(r.stdout().split("\0", -1)).subList(0, awkward.size()), name);
                assertEquals(1, h.exec(List.of("test", "-e", "/tmp/pwned"), Duration.ofSeconds(10)).exit(), "no argument ran as a command");
                hostnames.add(h.exec(List.of("hostname"), Duration.ofSeconds(10)).stdout().strip());

                byte[] data = new byte[1024 * 1024 + 3];
                new Random(name.hashCode()).nextBytes(data);
                Path up = tmp.resolve(name + "-up.bin");
                Files.write(up, data);
                String remote = "/tmp/dir with space/$x;'q'.bin";
                assertEquals(0, h.exec(List.of("mkdir", "-p", "/tmp/dir with space"), Duration.ofSeconds(10)).exit());
                h.upload(up, remote, 0640);
                assertEquals("640 " + data.length, h.exec(List.of("stat", "-c", "%a %s", remote), Duration.ofSeconds(10)).stdout().strip());
                Path down = tmp.resolve(name + "-down.bin");
                h.download(remote, down);
                assertTrue(java.util.Arrays.equals(data, Files.readAllBytes(down)), name + ": SFTP round trip changed the bytes");
            }
        }
        assertNotEquals(hostnames.get(0), hostnames.get(1), "two inventory entries must reach two machines");
    }

    @Test
    void anotherHostsKeyIsRefused() throws Exception {
        HostKeyMismatchException e = assertThrows(HostKeyMismatchException.class, () -> provision("box-b-wrong-pin"));
        assertTrue(e.getMessage().contains("box-b-wrong-pin"), e.getMessage());
        assertTrue(e.getMessage().contains(HostKeyPin.ofPublicKeyLine(keyA.publicLine(), "a").fingerprints()), e.getMessage());
        assertTrue(e.getMessage().contains(HostKeyPin.ofPublicKeyLine(keyB.publicLine(), "b").fingerprints()), e.getMessage());
    }

    @Test
    void containerKilledMidCommandIsAnInfrastructureFailure() throws Exception {
        SshContainers.HostKey k = SshContainers.HostKey.generate(tmp, "victim");
        GenericContainer<?> c = start(SshContainers.host(image, "victim", k, key.publicKeyLine()));
        Path inv = tmp.resolve("victim.json");
        Files.writeString(inv, "{\"hosts\": {" + host("victim", c, k.publicLine()) + "}}");
        try (Host h = new SshHostProvider(Inventory.load(inv).get("victim"), System.err::println).provision(null)) {
            CompletableFuture<ExecResult> running = CompletableFuture.supplyAsync(() -> {
                try {
                    return h.exec(List.of("sh", "-c", "echo started; sleep 60; echo finished"), Duration.ofSeconds(90));
                } catch (HostFailure e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            Thread.sleep(1500);
            assertFalse(running.isDone(), "the command must still be running when the container is killed");
            long t0 = System.nanoTime();
            DockerClientFactory.instance().client().killContainerCmd(c.getContainerId()).exec();
            Throwable t = assertThrows(java.util.concurrent.ExecutionException.class, () -> running.get(90, TimeUnit.SECONDS)).getCause();
            System.err.println("victim: kill noticed after " + (System.nanoTime() - t0) / 1_000_000 + " ms: " + t);
            assertTrue(t instanceof HostFailure, "a killed host must be a HostFailure, never a result: " + t);
            assertEquals(Attribution.INFRASTRUCTURE, ((HostFailure) t).attribution(), t.getMessage());
            assertTrue(t.getMessage().contains("victim"), t.getMessage());
        }
    }
}
