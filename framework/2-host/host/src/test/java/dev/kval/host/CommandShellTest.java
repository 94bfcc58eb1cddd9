package dev.kval.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.host.ssh.ClientKey;
import dev.kval.host.ssh.LocalSshd;
import dev.kval.host.ssh.RemoteCommand;
import dev.kval.host.ssh.SshConnection;
import dev.kval.host.ssh.SshTarget;
import dev.kval.host.ssh.SshTransport;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The framing of commands over one host's long-lived shell (SshConnection's CommandShell), against a real OpenSSH sshd on
 * 127.0.0.1: output byte for byte, exit statuses, stderr, commands that die, the shell dying, and the output cap.
 */
class CommandShellTest {
    static final Duration T = Duration.ofSeconds(20);
    @TempDir
    static Path tmp;
    static LocalSshd sshd;
    static SshTransport transport;
    static SshConnection conn;

    @BeforeAll
    static void start() throws Exception {
        ClientKey key = ClientKey.loadOrCreate(tmp.resolve("client/id_ed25519"));
        sshd = new LocalSshd(tmp.resolve("sshd"), key).start();
        transport = new SshTransport(Duration.ofSeconds(2));
        conn = transport.connection(new SshTarget("shell-test", "127.0.0.1", sshd.port(), System.getProperty("user.name"), key,
                sshd.pin()));
    }

    @AfterAll
    static void stop() {
        conn.close();
        transport.close();
        sshd.close();
    }

    @AfterEach
    void clearCap() {
        System.clearProperty(SshConnection.MAX_OUTPUT_PROPERTY);
    }

    /**
     * The pid of the parent of the command's parent (the per-command subshell): the shell every command goes through.
     * On a channel of its own the command's grandparent would be sshd, which this refuses.
     */
    static String grandparent() throws Exception {
        String[] r = conn.exec(List.of("sh", "-c", "gp=$(cut -d' ' -f4 /proc/$PPID/stat); echo $gp; cat /proc/$gp/comm"), T)
                .stdout().strip().split("\n");
        assertTrue(r.length == 2 && !r[1].contains("sshd"), "the command must run under kval's shell, not sshd: " + String.join(" ", r));
        return r[0];
    }

    @Test
    void commandsShareOneShellAndDoNotChangeIt() throws Exception {
        String first = grandparent();
        assertEquals(first, grandparent(), "a second command must run under the same long-lived shell");
        assertEquals(0, conn.exec(List.of("cd", "/"), T).exit());
        assertEquals(0, conn.exec(List.of("export", "KVAL_LEAK=1"), T).exit());
        assertNotEquals("/", conn.exec(List.of("pwd"), T).stdout().strip(), "cd in one command must not move the next");
        assertEquals("", conn.exec(List.of("sh", "-c", "echo -n \"$KVAL_LEAK\""), T).stdout());
        assertEquals(3, conn.exec(List.of("sh", "-c", "exit 3"), T).exit());
        assertEquals(first, grandparent(), "exit in a command must not end the shell");
    }

    @Test
    void binaryOutputArrivesByteForByteEvenWithFakeMarkers() throws Exception {
        byte[] data = new byte[3 * 1024 * 1024 + 5];
        new Random(7).nextBytes(data);
        // newlines, "kval-" nonces and status-like lines where a sloppy framer would cut
        byte[] fake = "\nkval-0123456789abcdef0123456789abcdef 0\n\nkval-".getBytes(StandardCharsets.US_ASCII);
        for (int at = 1000; at + fake.length < data.length; at += 65_521) {
            System.arraycopy(fake, 0, data, at, fake.length);
        }
        data[data.length - 1] = '\n';
        Path f = tmp.resolve("blob.bin");
        Files.write(f, data);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ExecResult r = conn.exec(List.of("cat", f.toString()), T, got, null);
        assertEquals(0, r.exit());
        assertArrayEquals(data, got.toByteArray());
        // output without a trailing newline, and an empty one
        assertEquals("no newline", conn.exec(List.of("printf", "%s", "no newline"), T).stdout());
        assertEquals("\n\n", conn.exec(List.of("printf", "\\n\\n"), T).stdout());
        assertEquals("", conn.exec(List.of("true"), T).stdout());
    }

    @Test
    void largeTextOutput() throws Exception {
        ExecResult r = conn.exec(List.of("sh", "-c", "seq 1 500000"), T);
        assertEquals(0, r.exit());
        String[] lines = r.stdout().split("\n");
        assertEquals(500_000, lines.length);
        assertEquals("500000", lines[lines.length - 1]);
    }

    @Test
    void exitStatusStderrAndACommandThatDies() throws Exception {
        ExecResult r = conn.exec(List.of("sh", "-c", "echo out; echo err >&2; printf 'no nl' >&2; exit 42"), T);
        assertEquals(42, r.exit());
        assertEquals("out\n", r.stdout());
        assertEquals("err\nno nl", r.stderr());
        assertEquals(127, conn.exec(List.of("/no/such/program"), T).exit());
        ExecResult killed = conn.exec(List.of("sh", "-c", "echo before; kill -KILL $$"), T);
        assertEquals(128 + 9, killed.exit(), "a command killed by SIGKILL exits 137 as with a channel of its own");
        assertEquals("before\n", killed.stdout());
        assertEquals(0, conn.exec(List.of("true"), T).exit());
    }

    @Test
    void theShellDyingFailsTheCommandClearlyAndTheNextOneGetsANewShell() throws Exception {
        String before = grandparent();
        HostFailure e = assertThrows(HostFailure.class, () -> conn.exec(List.of("kill", "-KILL", before), T));
        assertEquals(Attribution.INFRASTRUCTURE, e.attribution());
        assertTrue(e.getMessage().contains("command shell") && e.getMessage().contains("died while `kill -KILL " + before + "` ran"),
                e.getMessage());
        assertTrue(e.getMessage().contains("next command opens a new shell"), e.getMessage());
        assertEquals("back\n", conn.exec(List.of("echo", "back"), T).stdout());
        String after = grandparent();
        assertNotEquals(before, after);
        // killed between commands (from outside): the next command does not notice
        new ProcessBuilder("kill", "-KILL", after).start().waitFor();
        Thread.sleep(200);
        assertEquals("again\n", conn.exec(List.of("echo", "again"), T).stdout());
    }

    @Test
    void aCommandArrivingWhileTheShellIsBusyGetsItsOwnChannel() throws Exception {
        // the first command holds the shell until the file exists, and the test creates it only after the second
        // command has answered: the second cannot have waited for the shell
        Path gate = tmp.resolve("gate-" + System.nanoTime());
        CompletableFuture<ExecResult> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return conn.exec(List.of("sh", "-c", "while [ ! -e \"$1\" ]; do sleep 0.05; done; echo slow", "sh", gate.toString()),
                        Duration.ofSeconds(60));
            } catch (HostFailure e) {
                throw new RuntimeException(e);
            }
        });
        while (!slow.isDone() && !busy()) {
            Thread.sleep(20);
        }
        assertEquals("fast\n", conn.exec(List.of("echo", "fast"), T).stdout());
        assertTrue(!slow.isDone(), "the first command is still holding the shell");
        Files.createFile(gate);
        ExecResult r = slow.get();
        assertEquals("slow\n", r.stdout());
        assertTrue(!r.timedOut());
    }

    /** Whether the gate loop is running on the host (this machine). */
    static boolean busy() throws Exception {
        return new ProcessBuilder("pgrep", "-f", "while \\[ ! -e").start().waitFor() == 0;
    }

    @Test
    void outputOverTheCapIsAClearError() throws Exception {
        System.setProperty(SshConnection.MAX_OUTPUT_PROPERTY, String.valueOf(1 << 20));
        HostFailure e = assertThrows(HostFailure.class, () -> conn.exec(List.of("head", "-c", "3000000", "/dev/zero"), T));
        assertTrue(e.getMessage().contains("stdout of `head -c 3000000 /dev/zero`") && e.getMessage().contains("exceeded kval's 1 MiB cap")
                && e.getMessage().contains("3000000 bytes") && e.getMessage().contains(SshConnection.MAX_OUTPUT_PROPERTY), e.getMessage());
        // the same cap on a command with a channel of its own
        RemoteCommand c = conn.start(List.of("head", "-c", "3000000", "/dev/zero"), null, null);
        HostFailure e2 = assertThrows(HostFailure.class, () -> c.await(T));
        assertTrue(e2.getMessage().contains("exceeded kval's 1 MiB cap"), e2.getMessage());
        // the same cap on this machine's host
        try (LocalHost local = new LocalHost(tmp.resolve("local"))) {
            HostFailure e3 = assertThrows(HostFailure.class, () -> local.exec(List.of("head", "-c", "3000000", "/dev/zero"), T));
            assertTrue(e3.getMessage().contains("on local exceeded kval's 1 MiB cap"), e3.getMessage());
        }
        // under the cap: fine, and the shell is still usable
        assertEquals(1000, conn.exec(List.of("head", "-c", "1000", "/dev/zero"), T).stdout().length());
    }

    /**
     * A command that prints ~21 MB: past the first MiB its output goes to a 0600 temporary file as it arrives, the heap
     * grows by far less than the output, the bytes read back are the command's, and the file goes when the result does.
     * In-test control: with the in-memory limit raised over the output, the same heap measurement sees it (so the bound
     * is the spill's doing, not a measurement that cannot see 21 MB).
     */
    @Test
    void largeOutputIsOnDiskAndTheHeapStaysBounded() throws Exception {
        List<String> seq = List.of("seq", "1", "3000000");
        java.security.MessageDigest want = java.security.MessageDigest.getInstance("SHA-256");
        long wantBytes = 0;
        for (int i = 1; i <= 3_000_000; i++) {
            byte[] line = (i + "\n").getBytes(StandardCharsets.US_ASCII);
            want.update(line);
            wantBytes += line.length;
        }
        byte[] wantHash = want.digest();

        long before = heapAfterGc();
        ExecResult r = conn.exec(seq, T);
        long grown = heapAfterGc() - before;
        assertEquals(0, r.exit());
        assertEquals(wantBytes, r.stdoutSize());
        OutputCap cap = r.stdoutCapture();
        assertTrue(cap.inMemory() <= OutputCap.memoryLimit(), "held in memory: " + cap.inMemory());
        Path spill = cap.spillFile();
        assertTrue(spill != null && Files.size(spill) == wantBytes - cap.inMemory(), "spilled to " + spill);
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(spill)));
        assertTrue(grown < (8L << 20), "the heap grew by " + grown + " bytes for " + wantBytes + " bytes of output");
        java.security.MessageDigest got = java.security.MessageDigest.getInstance("SHA-256");
        try (java.io.InputStream in = r.openStdout()) {
            in.transferTo(new java.security.DigestOutputStream(java.io.OutputStream.nullOutputStream(), got));
        }
        assertArrayEquals(wantHash, got.digest(), "the output read back from memory and disk is the command's");
        r = null;
        cap = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (Files.exists(spill) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(100);
        }
        assertTrue(!Files.exists(spill), "the spill file outlived its result: " + spill);

        // control: all in memory, the same measurement sees the output
        System.setProperty(OutputCap.MEMORY_PROPERTY, String.valueOf(64 << 20));
        try {
            before = heapAfterGc();
            ExecResult inMemory = conn.exec(seq, T);
            grown = heapAfterGc() - before;
            assertTrue(inMemory.stdoutCapture().spillFile() == null);
            assertTrue(grown > (16L << 20), "control: the heap measurement did not see " + wantBytes + " bytes held in memory (" + grown + ")");
            assertEquals(wantBytes, inMemory.stdoutSize());
        } finally {
            System.clearProperty(OutputCap.MEMORY_PROPERTY);
        }

        // over the cap with a spill: the clear error, and the shell still works
        System.setProperty(SshConnection.MAX_OUTPUT_PROPERTY, String.valueOf(8 << 20));
        HostFailure e = assertThrows(HostFailure.class, () -> conn.exec(seq, T));
        assertTrue(e.getMessage().contains("stdout of `seq 1 3000000`") && e.getMessage().contains("exceeded kval's 8 MiB cap")
                && e.getMessage().contains(wantBytes + " bytes"), e.getMessage());
        assertEquals("ok\n", conn.exec(List.of("echo", "ok"), T).stdout());
    }

    private static long heapAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
