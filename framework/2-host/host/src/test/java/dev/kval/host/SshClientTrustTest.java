package dev.kval.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.host.bare.Inventory;
import dev.kval.host.bare.SshHostProvider;
import dev.kval.host.ssh.ClientKey;
import dev.kval.host.ssh.HostKeyMismatchException;
import dev.kval.host.ssh.LocalSshd;
import dev.kval.host.ssh.SshTransport;
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

    @Test
    void theClientOffersNoPersonalKeysAndReadsNoSshConfig() throws Exception {
        var client = SshTransport.shared().client();
        assertTrue(client.getKeyIdentityProvider().loadKeys(null).iterator().hasNext() == false,
                "the client would offer keys of its own (~/.ssh/id_*)");
        assertNull(client.getHostConfigEntryResolver().resolveEffectiveHost("lab-box", 22, null, "root", null, null),
                "the client resolves hosts through ~/.ssh/config");
    }
}
