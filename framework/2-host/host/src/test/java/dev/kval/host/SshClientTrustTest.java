package dev.kval.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.host.bare.Inventory;
import dev.kval.host.bare.SshHostProvider;
import dev.kval.host.ssh.ClientKey;
import dev.kval.host.ssh.HostKeyMismatchException;
import dev.kval.host.ssh.LocalSshd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What kval's SSH client trusts, against a real sshd: a host key that known_hosts marks {@code @revoked} is refused
 * even where another line pins it (OpenSSH's rule; kval used to skip those lines), and the client offers only the key
 * the target names, reading neither ~/.ssh/id_* nor ~/.ssh/config.
 */
class SshClientTrustTest {
    @TempDir
    Path tmp;

    private Path inventory(LocalSshd sshd, Path knownHosts) throws IOException {
        Path inv = tmp.resolve("inventory-" + knownHosts.getFileName() + ".json");
        Files.writeString(inv, "{\"hosts\": {\"box\": {\"address\": \"127.0.0.1\", \"port\": " + sshd.port() + ", \"user\": \""
                + System.getProperty("user.name") + "\", \"key\": \"k/id_ed25519\", \"knownHosts\": \"" + knownHosts + "\"}}}");
        return inv;
    }

    @Test
    void aRevokedHostKeyIsRefusedEvenWhenPinned() throws Exception {
        ClientKey key = ClientKey.loadOrCreate(tmp.resolve("k/id_ed25519"));
        ClientKey other = ClientKey.loadOrCreate(tmp.resolve("other/id_ed25519")); // stands for the host's new key
        try (LocalSshd sshd = new LocalSshd(tmp.resolve("sshd"), key).start()) {
            Path pinned = sshd.knownHosts();
            String serverKey = Files.readString(pinned).strip().split(" ", 2)[1];
            try (Host h = new SshHostProvider(Inventory.load(inventory(sshd, pinned)).get("box"), s -> { }).provision(null)) {
                assertEquals("ok\n", h.exec(List.of("echo", "ok"), Duration.ofSeconds(10)).stdout(), "control: the pinned key connects");
            }

            // the only pinned key is revoked: no pin at all
            Path onlyRevoked = Files.writeString(tmp.resolve("known_hosts.revoked"), Files.readString(pinned) + "@revoked * " + serverKey + "\n");
            Exception e = assertThrows(Exception.class, () -> new SshHostProvider(Inventory.load(inventory(sshd, onlyRevoked)).get("box"), s -> { })
                    .provision(null).close());
            assertTrue(e.getMessage().contains("@revoked"), e.getMessage());

            // another key is pinned beside it: the server still presents the revoked one, which is refused
            Path both = Files.writeString(tmp.resolve("known_hosts.both"), Files.readString(pinned) + "[127.0.0.1]:" + sshd.port() + " "
                    + other.publicKeyLine() + "\n" + "@revoked [127.0.0.1]:" + sshd.port() + " " + serverKey + "\n");
            Inventory.Entry entry = Inventory.load(inventory(sshd, both)).get("box");
            assertThrows(HostKeyMismatchException.class, () -> new SshHostProvider(entry, s -> { }).provision(null).close());
        }
    }

    /**
     * Behavioural: a HOME whose ~/.ssh/id_ed25519 is the only key this sshd accepts, and whose ~/.ssh/config sends the
     * name "kval-lab" (and every host) there with that key. MINA's stock client in that HOME gets in (the control: the
     * attack works on a client that reads them); kval's transport offers only its own key and is refused, with no key
     * fails without offering any, and does not follow the config's redirect. Which keys were offered is read from the
     * sshd's own log (DEBUG1 logs each public key a client offers).
     */
    @Test
    void theClientOffersNoPersonalKeysAndReadsNoSshConfig() throws Exception {
        Path home = tmp.resolve("home");
        ClientKey personal = ClientKey.loadOrCreate(home.resolve(".ssh/id_ed25519"));
        ClientKey kval = ClientKey.loadOrCreate(tmp.resolve("kval/id_ed25519"));
        String fpPersonal = fingerprint(home.resolve(".ssh/id_ed25519.pub"));
        String fpKval = fingerprint(tmp.resolve("kval/id_ed25519.pub"));
        String user = System.getProperty("user.name");
        try (LocalSshd sshd = new LocalSshd(tmp.resolve("sshd"), personal)) {
            Path conf = sshd.dir().resolve("sshd_config");
            Files.writeString(conf, Files.readString(conf).replace("LogLevel ERROR", "LogLevel DEBUG1"));
            sshd.start();
            Files.writeString(home.resolve(".ssh/config"), "Host kval-lab\n  HostName 127.0.0.1\n  Port " + sshd.port()
                    + "\n  User " + user + "\n\nHost *\n  IdentityFile ~/.ssh/id_ed25519\n");
            Path log = sshd.dir().resolve("sshd.log");
            String hostPub = sshd.hostPublicKey().toString();
            String port = String.valueOf(sshd.port());

            // control: a client that reads HOME offers the personal key and is let in, also through the config's name
            assertEquals("CONNECTED", probe(home, "stock", "127.0.0.1", port, user), "control: MINA's stock client with the personal key");
            assertTrue(Files.readString(log).contains(fpPersonal), "the sshd log names offered keys: " + Files.readString(log));
            long mark = Files.size(log);
            assertEquals("CONNECTED", probe(home, "stock", "kval-lab", "0", user), "control: the config redirects kval-lab to this sshd");
            assertTrue(Files.size(log) > mark, "control: the redirected connection reached this sshd");

            // kval with its own key: offers that key, never the personal one, and is refused (it is not authorized)
            mark = Files.size(log);
            String r = probe(home, "kval", "127.0.0.1", port, user, kval.privateKeyFile().toString(), hostPub);
            String offered = tail(log, mark);
            assertTrue(r.startsWith("FAILED"), "kval got in with a key of HOME's: " + r);
            assertTrue(offered.contains(fpKval), "kval's key was offered: " + offered);
            assertFalse(offered.contains(fpPersonal), "kval offered ~/.ssh/id_ed25519: " + offered);

            // kval with no key of its own: fails, naming the missing key, and offers nothing
            mark = Files.size(log);
            r = probe(home, "kval", "127.0.0.1", port, user, "-", hostPub);
            assertTrue(r.startsWith("FAILED") && r.contains("no client key"), r);
            assertFalse(tail(log, mark).contains(fpPersonal), "kval fell back to ~/.ssh/id_ed25519: " + tail(log, mark));

            // kval to the name the config redirects, port 0 = "the config's": not redirected (the name resolves nowhere), the sshd never hears of it
            mark = Files.size(log);
            r = probe(home, "kval", "kval-lab", "0", user, kval.privateKeyFile().toString(), hostPub);
            assertTrue(r.startsWith("FAILED"), "kval followed ~/.ssh/config to the sshd: " + r);
            assertEquals("", tail(log, mark), "kval's connection to kval-lab reached the sshd");
        }
    }

    private static String fingerprint(Path pub) throws Exception {
        Process p = new ProcessBuilder("ssh-keygen", "-lf", pub.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertEquals(0, p.waitFor(), out);
        return out.split(" ")[1]; // "256 SHA256:... comment (ED25519)"
    }

    private static String tail(Path log, long from) throws IOException {
        String all = Files.readString(log);
        return all.substring((int) Math.min(from, all.length()));
    }

    /** {@link dev.kval.host.ssh.SshIdentityProbe} in a JVM whose HOME is home; returns its one line of result. */
    private static String probe(Path home, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + home, "-cp", System.getProperty("java.class.path"), "dev.kval.host.ssh.SshIdentityProbe"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("HOME", home.toString());
        pb.environment().remove("SSH_AUTH_SOCK"); // an agent would be a third way to offer keys; kval's transport has none
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the probe hung: " + out);
        return out.lines().filter(l -> l.startsWith("CONNECTED") || l.startsWith("FAILED")).reduce((a, b) -> b).orElse("no result: " + out);
    }
}
