package dev.kval.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cache hit must be the kernel the manifest (and so every result) names. Debian 7.3.4's real image, config and a
 * few of its modules are committed to a cache of the test's own; then the image is swapped for one of the same size
 * (by rename, and in place with its mtime set back), and a module is changed in place: each is detected on the next
 * lookup, set aside, and the lookup misses. An unchanged hit does not re-hash.
 */
class KernelCacheVerifyTest {
    static final String SPEC = "debian:7.3.4";

    @TempDir
    Path tmp;

    private KernelArtifact stage(KernelCache cache) throws Exception {
        KernelArtifact real = KernelResolver.defaults().resolve(SPEC);
        Path staged = cache.staging();
        Files.copy(real.kernel(), staged.resolve("vmlinuz"));
        Files.copy(real.configFile().orElseThrow(), staged.resolve("config"));
        Path mods = Files.createDirectories(staged.resolve("lib/modules/" + real.release() + "/kernel"));
        try (Stream<Path> s = Files.walk(real.modulesDir().orElseThrow())) {
            for (Path ko : s.filter(p -> p.toString().endsWith(".ko.xz") || p.toString().endsWith(".ko")).limit(3).toList()) {
                Files.copy(ko, mods.resolve(ko.getFileName()));
            }
        }
        return cache.commit(SPEC, real.release(), staged, Map.of());
    }

    private static void flipByteInPlace(Path f, long at) throws Exception {
        FileTime mtime = Files.getLastModifiedTime(f);
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.seek(at);
            int b = r.read();
            r.seek(at);
            r.write(b ^ 0x01);
        }
        Files.setLastModifiedTime(f, mtime); // the careful attacker: size and mtime as before
    }

    @Test
    void aSameSizeSwappedImageOrModuleIsDetectedOnTheNextHit() throws Exception {
        KernelCache cache = new KernelCache(tmp.resolve("kernels"));
        KernelArtifact a = stage(cache);
        assertTrue(cache.lookup(SPEC).isPresent());
        int before = ArtifactCheck.REHASHES.get();
        assertTrue(cache.lookup(SPEC).isPresent());
        assertEquals(before, ArtifactCheck.REHASHES.get(), "an unchanged hit re-hashes nothing");

        // 1. swapped by rename: another image of the same size (one byte differs)
        Path swap = tmp.resolve("swap");
        Files.copy(a.kernel(), swap);
        try (RandomAccessFile r = new RandomAccessFile(swap.toFile(), "rw")) {
            r.seek(4096);
            int b = r.read();
            r.seek(4096);
            r.write(b ^ 0x01);
        }
        Files.setLastModifiedTime(swap, Files.getLastModifiedTime(a.kernel()));
        Files.move(swap, a.kernel(), StandardCopyOption.REPLACE_EXISTING);
        assertEquals(Files.size(a.kernel()), Files.size(a.kernel()));
        assertFalse(cache.lookup(SPEC).isPresent(), "a swapped image of the same size was a cache hit");
        assertFalse(Files.exists(a.dir()), "the entry is set aside");

        // 2. written in place, size and mtime kept
        KernelArtifact b = stage(cache);
        flipByteInPlace(b.kernel(), 8192);
        assertFalse(cache.lookup(SPEC).isPresent(), "an image changed in place (mtime restored) was a cache hit");

        // 3. a module changed in place
        KernelArtifact c = stage(cache);
        assertTrue(cache.lookup(SPEC).isPresent());
        Path ko;
        try (Stream<Path> s = Files.walk(c.modulesDir().orElseThrow())) {
            ko = s.filter(Files::isRegularFile).filter(p -> p.toString().contains(".ko")).findFirst().orElseThrow();
        }
        flipByteInPlace(ko, Files.size(ko) / 2);
        assertFalse(cache.lookup(SPEC).isPresent(), "a changed module was a cache hit");
        List<Path> aside;
        try (Stream<Path> s = Files.list(tmp.resolve("kernels/corrupt"))) {
            aside = s.toList();
        }
        assertEquals(3, aside.size(), aside.toString());
    }
}
