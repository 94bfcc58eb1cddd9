package dev.kval.host.ssh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/** The host key(s) a server must present. Built from a known_hosts file or an OpenSSH public key line; never "any". */
public final class HostKeyPin {
    private final List<PublicKey> keys;
    private final List<PublicKey> revoked;
    private final String source;

    private HostKeyPin(List<PublicKey> keys, String source) {
        this(keys, List.of(), source);
    }

    private HostKeyPin(List<PublicKey> keys, List<PublicKey> revoked, String source) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no pinned host key from " + source);
        }
        this.keys = List.copyOf(keys);
        this.revoked = List.copyOf(revoked);
        this.source = source;
    }

    /** From one OpenSSH public key line ("ssh-ed25519 AAAA... comment"). */
    public static HostKeyPin ofPublicKeyLine(String line, String source) throws IOException {
        return new HostKeyPin(List.of(parse(line.strip())), source);
    }

    public static HostKeyPin of(PublicKey key, String source) {
        return new HostKeyPin(List.of(key), source);
    }

    /**
     * Keys for host (or [host]:port when port != 22) from an OpenSSH known_hosts file, hashed entries included.
     * {@code @revoked} lines are enforced as OpenSSH does: a revoked key is never accepted, even where another line
     * pins it (their host patterns may be {@code *}). {@code @cert-authority} lines are not supported as pins.
     */
    public static HostKeyPin fromKnownHosts(Path file, String host, int port) throws IOException {
        String name = port == 22 ? host : "[" + host + "]:" + port;
        List<PublicKey> keys = new ArrayList<>();
        List<PublicKey> revoked = new ArrayList<>();
        for (String raw : Files.readAllLines(file)) {
            String l = raw.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            boolean isRevoked = l.startsWith("@revoked ");
            if (isRevoked) {
                l = l.substring("@revoked ".length()).strip();
            } else if (l.startsWith("@")) { // @cert-authority: not supported as pins
                continue;
            }
            int sp = l.indexOf(' ');
            if (sp < 0) {
                continue;
            }
            String hosts = l.substring(0, sp);
            if (matchesHost(hosts, name) || (isRevoked && hosts.equals("*"))) {
                (isRevoked ? revoked : keys).add(parse(l.substring(sp + 1).strip()));
            }
        }
        keys.removeIf(k -> revoked.stream().anyMatch(r -> KeyUtils.compareKeys(r, k)));
        if (keys.isEmpty()) {
            throw new IOException("no host key for " + name + " in " + file + (revoked.isEmpty() ? "" : " that is not @revoked"));
        }
        return new HostKeyPin(keys, revoked, file.toString());
    }

    /** Whether a known_hosts {@code @revoked} line names this key. */
    public boolean isRevoked(PublicKey presented) {
        return revoked.stream().anyMatch(r -> KeyUtils.compareKeys(r, presented));
    }

    static boolean matchesHost(String patterns, String name) {
        for (String p : patterns.split(",")) {
            if (p.startsWith("|1|")) {
                String[] f = p.split("\\|");
                if (f.length == 4) {
                    try {
                        Mac mac = Mac.getInstance("HmacSHA1");
                        mac.init(new SecretKeySpec(Base64.getDecoder().decode(f[2]), "HmacSHA1"));
                        byte[] h = mac.doFinal(name.getBytes(StandardCharsets.UTF_8));
                        if (Base64.getEncoder().encodeToString(h).equals(f[3])) {
                            return true;
                        }
                    } catch (GeneralSecurityException | IllegalArgumentException e) {
                        // not a usable hashed entry
                    }
                }
            } else if (p.equals(name)) {
                return true;
            }
        }
        return false;
    }

    static PublicKey parse(String line) throws IOException {
        try {
            AuthorizedKeyEntry e = AuthorizedKeyEntry.parseAuthorizedKeyEntry(line);
            if (e == null) {
                throw new IOException("not a public key: " + line);
            }
            return e.resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("bad public key '" + line + "': " + e.getMessage(), e);
        }
    }

    public boolean matches(PublicKey presented) {
        return !isRevoked(presented) && keys.stream().anyMatch(k -> KeyUtils.compareKeys(k, presented));
    }

    /** SHA256 fingerprints of the pinned keys. */
    public String fingerprints() {
        return String.join(" or ", keys.stream().map(HostKeyPin::fingerprint).toList());
    }

    public static String fingerprint(PublicKey k) {
        return KeyUtils.getKeyType(k) + " " + KeyUtils.getFingerPrint(k);
    }

    public String source() {
        return source;
    }
}
