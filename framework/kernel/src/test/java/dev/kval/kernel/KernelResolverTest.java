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

    @Test
    void indexGapModulesComeFromThePoolVerified() throws Exception {
        KernelArtifact a = KernelResolver.defaults().resolve("debian:7.0.13");
        assertEquals("7.0.13+deb13-amd64", a.release());
        assertTrue(a.packages().values().stream().anyMatch(v -> v.contains("pool")), a.packages().toString());
        assertTrue(Files.readString(a.modulesDir().orElseThrow().resolve("modules.dep")).contains("kvm-amd.ko"));
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
