package dev.kval.host.ssh;

import dev.kval.kernel.KvalPaths;
import dev.kval.kernel.Proc;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.util.security.SecurityUtils;

/** kval's own SSH client key (ed25519, OpenSSH format) kept under {@code $KVAL_STATE/ssh/}. */
public final class ClientKey {
    private final Path privateKey;
    private final KeyPair keyPair;
    private final String publicLine;

    private ClientKey(Path privateKey, KeyPair keyPair, String publicLine) {
        this.privateKey = privateKey;
        this.keyPair = keyPair;
        this.publicLine = publicLine;
    }

    public static ClientKey defaultKey() throws IOException {
        return loadOrCreate(KvalPaths.state().resolve("ssh/id_ed25519"));
    }

    /** Loads the key, generating it with ssh-keygen first if it does not exist. */
    public static synchronized ClientKey loadOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            Files.createDirectories(file.getParent());
            Files.setPosixFilePermissions(file.getParent(), PosixFilePermissions.fromString("rwx------"));
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp" + ProcessHandle.current().pid());
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(Path.of(tmp + ".pub"));
            Proc.check(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "kval", "-f", tmp.toString()), null,
                    Duration.ofSeconds(30));
            Files.move(Path.of(tmp + ".pub"), Path.of(file + ".pub"));
            Files.move(tmp, file);
        }
        try (InputStream in = Files.newInputStream(file)) {
            Iterable<KeyPair> kps = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(file.toString()), in, null);
            KeyPair kp = kps.iterator().next();
            return new ClientKey(file, kp, Files.readString(Path.of(file + ".pub")).strip());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load client key " + file + ": " + e.getMessage(), e);
        }
    }

    public Path privateKeyFile() {
        return privateKey;
    }

    public KeyPair keyPair() {
        return keyPair;
    }

    /** The public key as an authorized_keys line. */
    public String publicKeyLine() {
        return publicLine;
    }
}
