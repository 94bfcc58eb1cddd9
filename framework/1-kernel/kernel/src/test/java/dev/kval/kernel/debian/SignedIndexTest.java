package dev.kval.kernel.debian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.kernel.BzImage;
import dev.kval.kernel.Proc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kval's own chain from Debian's archive key to a .deb, on the real signed indexes of the private apt lists and a
 * real package (linux-base of the 7.3.4 backport, 1 MB): the genuine file passes; a .deb with one byte changed, a
 * Packages index whose SHA256 line was rewritten to match a tampered .deb, and an InRelease edited to match that index
 * are each refused, and a refused download is not kept in the cache.
 */
class SignedIndexTest {
    static final String PKG = "linux-base-7.3.4+deb13-amd64", VERSION = "7.3.4-1~bpo13+1";
    static PrivateApt apt;
    static Path genuine;

    @TempDir
    Path tmp;

    @BeforeAll
    static void realIndexAndPackage() throws Exception {
        apt = PrivateApt.defaultInstance();
        apt.ensureUpdated(Duration.ofDays(7));
        genuine = apt.download(PKG, VERSION);
    }

    /** A copy of the lists to tamper with (the shared cache is never modified). */
    private Path copyLists() throws IOException {
        Path lists = Files.createDirectories(tmp.resolve("lists"));
        try (var s = Files.list(apt.root().resolve("lists"))) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                Files.copy(p, lists.resolve(p.getFileName()));
            }
        }
        return lists;
    }

    private static Path tampered(Path deb, Path dir) throws IOException {
        byte[] b = Files.readAllBytes(deb);
        b[b.length / 2] ^= 1;
        return Files.write(dir.resolve(deb.getFileName()), b);
    }

    /** The lists entry (InRelease file name) whose Packages index lists PKG=VERSION. */
    private static String suiteOf(Path lists, String sha) throws Exception {
        try (var s = Files.list(lists)) {
            for (Path p : s.filter(x -> x.getFileName().toString().endsWith("_Packages.lz4")).toList()) {
                if (Proc.check(List.of("sh", "-c", "lz4cat \"$1\" | grep -c \"^SHA256: $2\" || true", "sh", p.toString(), sha), null,
                        Duration.ofMinutes(1)).stdout().strip().matches("[1-9][0-9]*")) {
                    return p.getFileName().toString().replace("main_binary-amd64_Packages.lz4", "");
                }
            }
        }
        throw new AssertionError("no index lists " + sha);
    }

    @Test
    void theGenuinePackagePassesAndATamperedOneIsRefusedAndNotCached() throws Exception {
        SignedIndex index = new SignedIndex(copyLists());
        index.verify(genuine, PKG, VERSION);
        assertEquals(BzImage.sha256(genuine), index.sha256(PKG, VERSION).orElseThrow());

        Path bad = tampered(genuine, Files.createDirectories(tmp.resolve("dl")));
        IOException e = assertThrows(IOException.class, () -> index.verify(bad, PKG, VERSION));
        assertTrue(e.getMessage().contains("sha256") && e.getMessage().contains(PKG), e.getMessage());
        Path dest = tmp.resolve("cache/" + genuine.getFileName());
        assertThrows(IOException.class, () -> index.admit(bad, dest, PKG, VERSION));
        assertFalse(Files.exists(dest), "a refused download entered the cache");
        assertFalse(Files.exists(bad), "a refused download is deleted");
        // a version no signed index lists cannot be verified: refused as well
        Path other = Files.copy(genuine, tmp.resolve("other.deb"));
        assertThrows(IOException.class, () -> index.admit(other, tmp.resolve("cache/other.deb"), PKG, "0.0-kval"));
        assertFalse(Files.exists(tmp.resolve("cache/other.deb")));
    }

    @Test
    void aPackagesIndexOrInReleaseRewrittenForTheTamperedPackageIsRefused() throws Exception {
        Path lists = copyLists();
        String good = BzImage.sha256(genuine);
        Path bad = tampered(genuine, Files.createDirectories(tmp.resolve("dl")));
        String badSha = BzImage.sha256(bad);
        String prefix = suiteOf(lists, good);
        Path packages = lists.resolve(prefix + "main_binary-amd64_Packages.lz4");
        Path plain = tmp.resolve("Packages");
        Proc.check(List.of("sh", "-c", "lz4cat \"$1\" | sed \"s/^SHA256: $2/SHA256: $3/\" > \"$4\"", "sh", packages.toString(), good, badSha,
                plain.toString()), null, Duration.ofMinutes(1));
        Files.delete(packages);
        Proc.check(List.of("lz4", "-q", plain.toString(), packages.toString()), null, Duration.ofMinutes(1));
        IOException e = assertThrows(IOException.class, () -> new SignedIndex(lists).verify(bad, PKG, VERSION));
        assertTrue(e.getMessage().contains("is not the one its signed"), e.getMessage());

        // and an InRelease edited to name the rewritten index: its signature no longer verifies
        String newIndexSha = BzImage.sha256(plain);
        Path release = lists.resolve(prefix + "InRelease");
        String text = Files.readString(release);
        String line = text.lines().filter(l -> l.endsWith(" main/binary-amd64/Packages") && l.strip().split("\\s+")[0].length() == 64)
                .findFirst().orElseThrow();
        String[] f = line.strip().split("\\s+");
        Files.writeString(release, text.replace(line, " " + newIndexSha + " " + Files.size(plain) + " main/binary-amd64/Packages"));
        e = assertThrows(IOException.class, () -> new SignedIndex(lists).verify(bad, PKG, VERSION));
        assertTrue(e.getMessage().contains("signature") && e.getMessage().contains("gpgv"), e.getMessage());
        assertTrue(f.length == 3);
    }
}
