package dev.kval.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real downloads from the Debian archive through the private apt configuration (shared KVAL_CACHE). */
class KernelResolverTest {

    @Test
    void debian734IsSplitLayoutAndSecondResolveHitsCache() throws Exception {
        KernelResolver r = KernelResolver.defaults();
        KernelArtifact a = r.resolve("debian:7.3.4");
        assertEquals("7.3.4+deb13-amd64", a.release());
        assertTrue(Files.size(a.kernel()) > 1_000_000);
        assertTrue(a.configFile().isPresent(), "config from linux-base");
        Path dep = a.modulesDir().orElseThrow().resolve("modules.dep");
        assertTrue(Files.readString(dep).contains("kvm-amd.ko"));
        assertEquals(BzImage.sha256(a.kernel()), a.sha256());
        assertTrue(Files.exists(a.dir().resolve("manifest.json")));
        long t0 = System.nanoTime();
        KernelArtifact b = r.resolve("debian:7.3.4");
        assertTrue(b.cacheHit());
        assertEquals(a.sha256(), b.sha256());
        assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "cache hit must not download");
    }

    /**
     * 7.0.13's modules package is in the archive's pool but in no index kval can verify (no signed Packages lists it):
     * it is refused rather than trusted on its control fields, and nothing of it is kept (issue 20, item 8). A kernel
     * cache of the test's own, so that an artifact another run cached before this rule cannot answer instead.
     */
    @Test
    void indexGapModulesFromThePoolAreRefusedAndNotCached(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        dev.kval.kernel.debian.PrivateApt apt = dev.kval.kernel.debian.PrivateApt.defaultInstance();
        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> new KernelResolver(new KernelCache(tmp.resolve("kernels")), apt).resolve("debian:7.0.13"));
        assertTrue(e.getMessage().contains("linux-modules-7.0.13") && e.getMessage().contains("no signed index"), e.getMessage());
        Path pool = apt.root().resolve("debs/pool");
        try (var s = Files.exists(pool) ? Files.list(pool) : java.util.stream.Stream.<Path>empty()) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith("linux-modules-7.0.13")), "the unverified .deb was kept");
        }
    }

    @Test
    void newestResolves() throws Exception {
        KernelArtifact a = KernelResolver.defaults().resolve("debian:newest");
        assertTrue(a.release().matches("\\d+\\.\\d+.*-amd64"), a.release());
    }

    @Test
    void seriesPrefixResolvesToARealKernelNotTheMetaPackage() throws Exception {
        // linux-image-6.12-amd64 is a meta package (ABI "6.12", no kernel in it); debian:6.12 means the newest 6.12.x
        KernelArtifact a = KernelResolver.defaults().resolve("debian:6.12");
        assertTrue(a.release().matches("6\\.12\\.\\d+.*-amd64"), a.release());
    }

    @Test
    void pathSpecFromDirectory(@TempDir Path tmp) throws Exception {
        KernelArtifact deb = KernelResolver.defaults().resolve("debian:7.3.4");
        Files.copy(deb.kernel(), tmp.resolve("bzImage"));
        Files.copy(deb.config(), tmp.resolve("config"));
        KernelResolver r = new KernelResolver(new KernelCache(tmp.resolve("cache")), null);
        KernelArtifact a = r.resolve("path:" + tmp);
        assertEquals("7.3.4+deb13-amd64", a.release());
        assertEquals(deb.sha256(), a.sha256());
        assertFalse(a.modulesDir().isPresent());
        assertTrue(a.configFile().isPresent());
    }
}
