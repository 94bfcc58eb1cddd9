package dev.kval.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.host.bare.Inventory;
import dev.kval.host.bare.SshHostProvider;
import dev.kval.host.ssh.ClientKey;
import dev.kval.host.ssh.LocalSshd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ssh:<name> without a kernel (no bare metal here): inventory, pinned key, exec/upload against a real sshd. */
class SshHostProviderTest {
    @TempDir
    Path tmp;

    @Test
    void provisionsFromTheInventory() throws Exception {
        ClientKey key = ClientKey.loadOrCreate(tmp.resolve("k/id_ed25519"));
        try (LocalSshd sshd = new LocalSshd(tmp.resolve("sshd"), key).start()) {
            Path inv = tmp.resolve("inventory.json");
            Files.writeString(inv, "{\"hosts\": {\"box\": {\"address\": \"127.0.0.1\", \"port\": " + sshd.port() + ", \"user\": \""
                    + System.getProperty("user.name") + "\", \"key\": \"k/id_ed25519\", \"knownHosts\": \"" + sshd.knownHosts()
                    + "\", \"tags\": [\"test\"], \"powerCycle\": [\"true\"]}}}");
            Inventory.Entry e = Inventory.load(inv).get("box");
            assertEquals(List.of("test"), e.tags());
            try (Host h = new SshHostProvider(e, s -> { }).provision(null)) {
                assertEquals("ssh", h.kind());
                assertEquals(LocalHost.osRelease(), h.kernelRelease());
                assertEquals("x y\n", h.exec(List.of("echo", "x y"), Duration.ofSeconds(10)).stdout());
                assertTrue(h.info().get("procVersion").toString().startsWith("Linux version"));
            }
            assertThrows(IOException.class, () -> Inventory.load(inv).get("nope"));
        }
    }

    @Test
    void inventoryWithoutAPinnedHostKeyIsRejected() throws Exception {
        Path inv = tmp.resolve("bad.json");
        Files.writeString(inv, "{\"hosts\": {\"box\": {\"address\": \"10.0.0.1\"}}}");
        IOException e = assertThrows(IOException.class, () -> Inventory.load(inv));
        assertTrue(e.getMessage().contains("hostKey"), e.getMessage());
    }
}
