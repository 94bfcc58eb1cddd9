package dev.kval.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.host.ssh.ClientKey;
import dev.kval.host.ssh.HostKeyMismatchException;
import dev.kval.host.ssh.HostKeyPin;
import dev.kval.host.ssh.LocalSshd;
import dev.kval.host.ssh.RemoteCommand;
import dev.kval.host.ssh.SshConnection;
import dev.kval.host.ssh.SshDroppedException;
import dev.kval.host.ssh.SshTarget;
import dev.kval.host.ssh.SshTransport;
import dev.kval.kernel.Proc;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real OpenSSH sshd on 127.0.0.1 started by the test. */
class SshTransportTest {
    @TempDir
    static Path tmp;
    static LocalSshd sshd;
    static ClientKey key;
    static SshTransport transport;
    static SshConnection conn;

    @BeforeAll
    static void start() throws Exception {
        key = ClientKey.loadOrCreate(tmp.resolve("client/id_ed25519"));
        sshd = new LocalSshd(tmp.resolve("sshd"), key).start();
        transport = new SshTransport(Duration.ofSeconds(2));
        conn = transport.connection(target(sshd.pin()));
    }

    static SshTarget target(HostKeyPin pin) {
        return new SshTarget("test-sshd", "127.0.0.1", sshd.port(), System.getProperty("user.name"), key, pin);
    }

    @AfterAll
    static void stop() {
        if (conn != null) {
            conn.close();
        }
        if (transport != null) {
            transport.close();
        }
        if (sshd != null) {
            sshd.close();
        }
    }

    @Test
    void execExitCodesAndOutput() throws Exception {
        assertEquals(0, conn.exec(List.of("true"), Duration.ofSeconds(10)).exit());
        ExecResult r = conn.exec(List.of("sh", "-c", "echo out; echo err >&2; exit 7"), Duration.ofSeconds(10));
        assertEquals(7, r.exit());
        assertEquals("out\n", r.stdout());
        assertEquals("err\n", r.stderr());
        assertFalse(r.timedOut());
        assertEquals(127, conn.exec(List.of("/no/such/program"), Duration.ofSeconds(10)).exit());
    }

    @Test
    void quotingSurvivesNastyArguments() throws Exception {
        List<String> nasty = new ArrayList<>(List.of("", " ", "a b", "'", "''", "\"", "$HOME", "`id`", "$(id)", "\\", "\\'", "\n",
                "line1\nline2", "*", "?", "[a]", ";rm -rf /nonexistent", "&& false", "| cat", "> /tmp/kval-pwned", "--", "-n", "-e",
                "tab\there", "unicode é 日本", "a'b\"c$d`e\\f", "!", "#comment", "~", "~root", "{a,b}", "%s", "=", "\r"));
        Random rnd = new Random(42);
        for (int i = 0; i < 20; i++) {
            StringBuilder b = new StringBuilder();
            for (int j = 0; j < 12; j++) {
                b.append((char) (1 + rnd.nextInt(126)));
            }
            nasty.add(b.toString());
        }
        List<String> argv = new ArrayList<>(List.of("printf", "%s\\0"));
        argv.addAll(nasty);
        ExecResult r = conn.exec(argv, Duration.ofSeconds(10));
        assertEquals(0, r.exit(), r.stderr());
        List<String> got = List.of(r.stdout().split("\0", -1)).subList(0, nasty.size());
        assertEquals(nasty, got);
        assertFalse(Files.exists(Path.of("/tmp/kval-pwned")));
    }

    @Test
    void streamsOutputWhileRunning() throws Exception {
        AtomicLong firstByte = new AtomicLong();
        long t0 = System.nanoTime();
        OutputStream watcher = new OutputStream() {
            @Override
            public void write(int b) {
                firstByte.compareAndSet(0, System.nanoTime());
            }

            @Override
            public void write(byte[] b, int off, int len) {
                firstByte.compareAndSet(0, System.nanoTime());
            }
        };
        ExecResult r = conn.exec(List.of("sh", "-c", "echo one; sleep 1.5; echo two"), Duration.ofSeconds(10), watcher, null);
        long end = System.nanoTime();
        assertEquals("one\ntwo\n", r.stdout());
        assertTrue(firstByte.get() - t0 < (end - t0) - 1_000_000_000L, "first output must arrive before the command ends");
    }

    @Test
    void timeoutCancelsTheRemoteProcess() throws Exception {
        String marker = "31415" + System.nanoTime() % 1000;
        ExecResult r = conn.exec(List.of("sh", "-c", "sleep " + marker + "; echo never"), Duration.ofSeconds(1));
        assertTrue(r.timedOut());
        assertEquals(-1, r.exit());
        Thread.sleep(1500);
        assertEquals(1, Proc.run(List.of("pgrep", "-f", "sleep " + marker), null, Duration.ofSeconds(5)).exit(),
                "the remote sleep must be killed");
        // explicit cancel
        RemoteCommand c = conn.start(List.of("sleep", marker), null, null);
        Thread.sleep(300);
        c.cancel();
        ExecResult r2 = c.await(Duration.ofSeconds(5));
        assertFalse(r2.ok());
        Thread.sleep(1500);
        assertEquals(1, Proc.run(List.of("pgrep", "-f", "sleep " + marker), null, Duration.ofSeconds(5)).exit());
    }

    @Test
    void sftpBothWays() throws Exception {
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(1).nextBytes(data);
        Path src = tmp.resolve("up.bin");
        Files.write(src, data);
        String remote = tmp.resolve("remote.bin").toString();
        conn.upload(src, remote, 0750);
        assertEquals("750", conn.exec(List.of("stat", "-c", "%a", remote), Duration.ofSeconds(5)).stdout().strip());
        Path back = tmp.resolve("down.bin");
        conn.download(remote, back);
        assertTrue(java.util.Arrays.equals(data, Files.readAllBytes(back)));
    }

    @Test
    void hostKeyMismatchIsRefusedNamingBothFingerprints() throws Exception {
        Path other = tmp.resolve("other_key");
        Proc.check(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other.toString()), null, Duration.ofSeconds(10));
        HostKeyPin wrong = HostKeyPin.ofPublicKeyLine(Files.readString(Path.of(other + ".pub")), "test");
        try (SshConnection bad = transport.connection(target(wrong))) {
            HostKeyMismatchException e = assertThrows(HostKeyMismatchException.class, () -> bad.exec(List.of("true"), Duration.ofSeconds(5)));
            String presented = HostKeyPin.fingerprint(sshd.pin().getClass() == null ? null : pinKey());
            assertTrue(e.getMessage().contains(wrong.fingerprints()), e.getMessage());
            assertTrue(e.getMessage().contains(presented), e.getMessage());
            assertTrue(e.getMessage().contains("update the pin in test"), "says what to do and where the pin is: " + e.getMessage());
            assertEquals(Attribution.INFRASTRUCTURE, e.attribution());
        }
    }

    @Test
    void knownHostsPinWorks() throws Exception {
        HostKeyPin pin = HostKeyPin.fromKnownHosts(sshd.knownHosts(), "127.0.0.1", sshd.port());
        try (SshConnection c = transport.connection(target(pin))) {
            assertEquals(0, c.exec(List.of("true"), Duration.ofSeconds(5)).exit());
        }
    }

    static java.security.PublicKey pinKey() throws Exception {
        return org.apache.sshd.common.config.keys.AuthorizedKeyEntry.parseAuthorizedKeyEntry(Files.readString(sshd.hostPublicKey()).strip())
                .resolvePublicKey(null, org.apache.sshd.common.config.keys.PublicKeyEntryResolver.FAILING);
    }

    @Test
    void dropCutsCommandAsInfraErrorThenReconnects() throws Exception {
        try (SshConnection c = transport.connection(target(sshd.pin()))) {
            assertEquals(0, c.exec(List.of("true"), Duration.ofSeconds(5)).exit());
            RemoteCommand running = c.start(List.of("sleep", "30"), null, null);
            Thread.sleep(500);
            sshd.kill();
            SshDroppedException e = assertThrows(SshDroppedException.class, () -> running.await(Duration.ofSeconds(20)));
            assertEquals(Attribution.INFRASTRUCTURE, e.attribution());
            sshd.start();
            ExecResult r = c.exec(List.of("echo", "back"), Duration.ofSeconds(10));
            assertEquals("back\n", r.stdout());
            // restart while idle: the next command reconnects transparently
            sshd.restart();
            assertEquals(0, c.exec(List.of("true"), Duration.ofSeconds(10)).exit());
        }
    }

    static String utf8(ByteArrayOutputStream b) {
        return b.toString(StandardCharsets.UTF_8);
    }
}
