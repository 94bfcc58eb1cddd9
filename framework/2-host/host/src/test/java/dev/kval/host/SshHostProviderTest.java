package dev.kval.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
                assertEquals(HostSpec.Kind.SSH, h.kind());
                assertEquals(LocalHost.osRelease(), h.kernelRelease());
                assertEquals("x y\n", h.exec(List.of("echo", "x y"), Duration.ofSeconds(10)).stdout());
                assertTrue(h.info().get("procVersion").toString().startsWith("Linux version"));
            }
            assertThrows(IOException.class, () -> Inventory.load(inv).get("nope"));
        }
    }

    /**
     * The predictable-/tmp attack: another local user creates kval's upload path first as a symbolic link to a file of
     * theirs choosing (the victim: here a file standing for /etc/shadow or root's authorized_keys). A control shows the
     * upload to such a path writes through the link; kval's work directory is a fresh mktemp -d (0700, not a link),
     * different per provisioning and removed on release, so the planted link is never touched. Then a file changed
     * between upload and use is refused by the sha256 check before it runs.
     */
    @Test
    void uploadsGoToAFreshPrivateDirectoryAndAreVerifiedBeforeUse() throws Exception {
        ClientKey key = ClientKey.loadOrCreate(tmp.resolve("k/id_ed25519"));
        Path victim = Files.writeString(tmp.resolve("victim"), "VICTIM\n");
        Path payload = Files.writeString(tmp.resolve("agent"), "#!/bin/sh\necho agent\n");
        String planted = "/tmp/kval-agent-" + ProcessHandle.current().pid();
        Files.deleteIfExists(Path.of(planted));
        Files.createSymbolicLink(Path.of(planted), victim);
        try (LocalSshd sshd = new LocalSshd(tmp.resolve("sshd"), key).start()) {
            Path inv = tmp.resolve("inventory.json");
            Files.writeString(inv, "{\"hosts\": {\"box\": {\"address\": \"127.0.0.1\", \"port\": " + sshd.port() + ", \"user\": \""
                    + System.getProperty("user.name") + "\", \"key\": \"k/id_ed25519\", \"knownHosts\": \"" + sshd.knownHosts() + "\"}}}");
            Inventory.Entry e = Inventory.load(inv).get("box");
            String first;
            try (Host h = new SshHostProvider(e, s -> { }).provision(null)) {
                // control: what a fixed path under /tmp allowed
                h.upload(payload, planted, 0755);
                assertEquals("#!/bin/sh\necho agent\n", Files.readString(victim), "control: the upload wrote through the planted link");
                Files.writeString(victim, "VICTIM\n");

                first = h.workDir();
                Path dir = Path.of(first);
                assertTrue(first.startsWith("/tmp/kval-work.") && !Files.isSymbolicLink(dir) && Files.isDirectory(dir), first);
                assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
                h.upload(payload, first + "/kval-agent", 0755);
                assertEquals("agent\n", h.exec(List.of(first + "/kval-agent"), Duration.ofSeconds(10)).stdout());
                assertEquals("VICTIM\n", Files.readString(victim), "the planted link was not followed");
                assertTrue(Files.isSymbolicLink(Path.of(planted)));

                // changed after upload: the check right before use refuses it
                String file = first + "/kval-agent";
                String check = dev.kval.host.bare.RemoteDir.verify(file, dev.kval.kernel.BzImage.sha256(payload));
                assertEquals(0, h.exec(List.of("sh", "-c", check + "echo used"), Duration.ofSeconds(10)).exit());
                Files.writeString(Path.of(file), "#!/bin/sh\necho swapped\n");
                HostFailure refused = org.junit.jupiter.api.Assertions.assertThrows(HostFailure.class,
                        () -> h.exec(List.of("sh", "-c", check + "echo used"), Duration.ofSeconds(10)));
                assertTrue(refused.getMessage().contains(file) && refused.getMessage().contains("sha256"), refused.getMessage());
                Files.delete(Path.of(file));
                Files.createSymbolicLink(Path.of(file), payload); // same content, but a link: refused too
                org.junit.jupiter.api.Assertions.assertThrows(HostFailure.class, () -> h.exec(List.of("sh", "-c", check + "echo used"),
                        Duration.ofSeconds(10)));

                // and every command that names an uploaded file runs behind that check: the swapped agent never runs
                Files.delete(Path.of(file));
                h.upload(payload, file, 0755);
                assertEquals("agent\n", h.exec(List.of(file), Duration.ofSeconds(10)).stdout());
                Files.writeString(Path.of(file), "#!/bin/sh\necho swapped; touch " + tmp.resolve("ran") + "\n");
                HostFailure f = org.junit.jupiter.api.Assertions.assertThrows(HostFailure.class, () -> h.exec(List.of(file, "--caps"), Duration.ofSeconds(10)));
                assertTrue(f.getMessage().contains(file) && f.getMessage().contains("not the file kval uploaded"), f.getMessage());
                assertFalse(Files.exists(tmp.resolve("ran")), "the swapped file ran");
            }
            assertFalse(Files.exists(Path.of(first)), "the work directory is removed on release");
            try (Host h = new SshHostProvider(e, s -> { }).provision(null)) {
                assertTrue(!h.workDir().equals(first), "a fresh directory per provisioning");
            }
        } finally {
            Files.deleteIfExists(Path.of(planted));
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
