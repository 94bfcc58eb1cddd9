package dev.kval.kernel.debian;

import dev.kval.kernel.BzImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The chain of trust from Debian's archive key to a .deb, checked by kval itself (not only by apt, and again on every
 * cache hit): each {@code InRelease} of the private apt lists is verified with {@code gpgv} against
 * debian-archive-keyring, only the signed text is read, the {@code main/binary-amd64/Packages} index must have the
 * SHA256 that text names, and the .deb must have the SHA256 that index gives for its package and version. A file
 * that fails any step is refused and never kept in the cache ({@link #admit}).
 */
public final class SignedIndex {
    static final Path KEYRING = Path.of("/usr/share/keyrings/debian-archive-keyring.gpg");
    private static final String ENTRY = "main/binary-amd64/Packages";
    private final Path lists;
    private final Path keyring;
    /** Per Packages file (path + size + mtime): package=version -> sha256, once its chain verified. */
    private final Map<String, Map<String, String>> verified = new HashMap<>();

    public SignedIndex(Path lists) {
        this(lists, KEYRING);
    }

    SignedIndex(Path lists, Path keyring) {
        this.lists = lists;
        this.keyring = keyring;
    }

    /** The SHA256 the signed indexes give for pkg=version; empty when none lists it. Throws when an index is not genuine. */
    public synchronized Optional<String> sha256(String pkg, String version) throws IOException {
        List<Path> releases = new ArrayList<>();
        try (var s = Files.list(lists)) {
            s.filter(p -> p.getFileName().toString().endsWith("_InRelease")).sorted().forEach(releases::add);
        }
        if (releases.isEmpty()) {
            throw new IOException("no InRelease in " + lists + ": run the private apt update first (the index is what .debs are checked against)");
        }
        for (Path release : releases) {
            String prefix = release.getFileName().toString().replaceFirst("InRelease$", "");
            Path packages = packagesFile(prefix);
            if (packages == null) {
                continue;
            }
            String key = packages + "|" + Files.size(packages) + "|" + Files.getLastModifiedTime(packages).toMillis() + "|"
                    + Files.getLastModifiedTime(release).toMillis();
            Map<String, String> index = verified.get(key);
            if (index == null) {
                String signed = verifySignature(release);
                String expected = expectedSha(signed, release);
                index = new HashMap<>();
                String actual = readPackages(packages, index);
                if (!actual.equals(expected)) {
                    throw new IOException("the package index " + packages + " (sha256 " + actual + ") is not the one its signed " + release.getFileName()
                            + " names (" + expected + "): refusing it; delete " + lists + " to have apt fetch the indexes again");
                }
                verified.put(key, index);
            }
            String sha = index.get(pkg + "=" + version);
            if (sha != null) {
                return Optional.of(sha);
            }
        }
        return Optional.empty();
    }

    /** Throws unless {@code deb} is pkg=version exactly as the signed index lists it. */
    public void verify(Path deb, String pkg, String version) throws IOException {
        String expected = sha256(pkg, version).orElseThrow(() -> new IOException(pkg + "=" + version + " is listed in no signed index under "
                + lists + ": " + deb.getFileName() + " cannot be verified, so it is not used"));
        String actual = BzImage.sha256(deb);
        if (!actual.equals(expected)) {
            throw new IOException(deb + " is not " + pkg + "=" + version + " as Debian signed it: sha256 " + actual + ", the signed index says "
                    + expected + " (a tampered or corrupt download: it is not kept)");
        }
    }

    /** Verifies a fresh download and only then moves it to {@code dest}; a file that fails is deleted, never cached. */
    public Path admit(Path downloaded, Path dest, String pkg, String version) throws IOException {
        try {
            verify(downloaded, pkg, version);
        } catch (IOException e) {
            Files.deleteIfExists(downloaded);
            throw e;
        }
        Files.createDirectories(dest.getParent());
        Files.move(downloaded, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        // the hash Debian signed for it, for cache hits after the index has moved on past this version
        Files.writeString(sidecar(dest), BzImage.sha256(dest) + "\n");
        return dest;
    }

    private static Path sidecar(Path deb) {
        return deb.resolveSibling(deb.getFileName() + ".sha256");
    }

    /**
     * A cache hit: checked against the signed index when it still lists pkg=version, else against the SHA256 the
     * index gave when the file was admitted. Throws when neither matches (the caller deletes and fetches again).
     */
    public void verifyCached(Path deb, String pkg, String version) throws IOException {
        Optional<String> signed = sha256(pkg, version);
        if (signed.isEmpty() && Files.exists(sidecar(deb))) {
            signed = Optional.of(Files.readString(sidecar(deb)).strip());
        }
        String expected = signed.orElseThrow(() -> new IOException(deb + ": " + pkg + "=" + version + " is in no signed index and was"
                + " never admitted by one: not used"));
        String actual = BzImage.sha256(deb);
        if (!actual.equals(expected)) {
            throw new IOException(deb + " changed in the cache: sha256 " + actual + ", Debian signed " + expected + " (not used)");
        }
    }

    private Path packagesFile(String prefix) {
        for (String ext : List.of(".lz4", ".xz", ".gz", "")) {
            Path p = lists.resolve(prefix + "main_binary-amd64_Packages" + ext);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /** gpgv against Debian's archive keyring; returns only the text the signature covers. */
    private String verifySignature(Path release) throws IOException {
        Path dir = Files.createTempDirectory("kval-inrelease");
        Path out = dir.resolve("signed.txt"); // gpgv will not overwrite: a path that does not exist yet
        try {
            Process p = new ProcessBuilder("gpgv", "--keyring", keyring.toString(), "--output", out.toString(), release.toString())
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("the signature of " + release + " does not verify against " + keyring + " (gpgv: " + log.strip()
                        + "): refusing the index; delete " + lists + " to have apt fetch it again");
            }
            return Files.readString(out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted verifying " + release, e);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(dir);
        }
    }

    /** The SHA256 the signed Release text gives for the uncompressed main/binary-amd64/Packages. */
    private static String expectedSha(String signed, Path release) throws IOException {
        boolean inSha = false;
        for (String l : signed.split("\n")) {
            if (!l.startsWith(" ")) {
                inSha = l.startsWith("SHA256:");
                continue;
            }
            String[] f = l.strip().split("\\s+");
            if (inSha && f.length == 3 && f[2].equals(ENTRY)) {
                return f[0];
            }
        }
        throw new IOException("the signed " + release.getFileName() + " names no SHA256 for " + ENTRY);
    }

    /** Streams the (decompressed) Packages index into {@code index}; returns its sha256. */
    private static String readPackages(Path packages, Map<String, String> index) throws IOException {
        String name = packages.getFileName().toString();
        List<String> cmd = name.endsWith(".lz4") ? List.of("lz4cat", packages.toString()) : name.endsWith(".xz") ? List.of("xzcat", packages.toString())
                : name.endsWith(".gz") ? List.of("zcat", packages.toString()) : List.of("cat", packages.toString());
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new DigestInputStream(p.getInputStream(), md);
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
            String pkg = null, version = null, sha = null;
            for (String l = r.readLine();; l = r.readLine()) {
                if (l == null || l.isEmpty()) {
                    if (pkg != null && version != null && sha != null) {
                        index.put(pkg + "=" + version, sha);
                    }
                    pkg = version = sha = null;
                    if (l == null) {
                        break;
                    }
                } else if (l.startsWith("Package: ")) {
                    pkg = l.substring(9).strip();
                } else if (l.startsWith("Version: ")) {
                    version = l.substring(9).strip();
                } else if (l.startsWith("SHA256: ")) {
                    sha = l.substring(8).strip();
                }
            }
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(cmd + " failed reading the package index " + packages);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
