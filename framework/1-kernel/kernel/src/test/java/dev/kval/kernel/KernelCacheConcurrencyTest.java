package dev.kval.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.kernel.debian.PrivateApt;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cold-cache race of a fresh machine: kernels resolved at once against an <em>empty</em> cache (apt indexes and
 * kernels both empty), by two threads of one JVM and by two processes. Before CacheLock the threads' second
 * FileChannel.lock() threw OverlappingFileLockException ("kernel on qemu=debian:6.1.0 failed"). Real downloads from
 * Debian's archive; series prefixes, not exact versions, because the archive does not stand still.
 */
class KernelCacheConcurrencyTest {

    private static KernelResolver coldResolver(Path cache) {
        return new KernelResolver(new KernelCache(cache.resolve("kernels")), new PrivateApt(cache.resolve("apt")));
    }

    @Test
    void twoUncachedKernelsResolvedConcurrentlyInOneJvm(@TempDir Path cache) throws Exception {
        CompletableFuture<KernelArtifact> a = CompletableFuture.supplyAsync(() -> resolve(coldResolver(cache), "debian:6.12"));
        CompletableFuture<KernelArtifact> b = CompletableFuture.supplyAsync(() -> resolve(coldResolver(cache), "debian:6.1"));
        KernelArtifact ka = a.get(15, TimeUnit.MINUTES);
        KernelArtifact kb = b.get(15, TimeUnit.MINUTES);
        assertTrue(ka.release().startsWith("6.12."), ka.release());
        assertTrue(kb.release().startsWith("6.1."), kb.release());
        assertNotEquals(ka.sha256(), kb.sha256());
        assertEquals(BzImage.sha256(ka.kernel()), ka.sha256());
        assertEquals(BzImage.sha256(kb.kernel()), kb.sha256());
    }

    @Test
    void twoProcessesResolveTheSameUncachedKernelIntoOneCache(@TempDir Path cache) throws Exception {
        Process p1 = CacheLockTest.javaMainCaptured(ResolveMain.class, cache.resolve("p1.out"), cache.toString(), "debian:6.12");
        Process p2 = CacheLockTest.javaMainCaptured(ResolveMain.class, cache.resolve("p2.out"), cache.toString(), "debian:6.12");
        assertTrue(p1.waitFor(15, TimeUnit.MINUTES) && p2.waitFor(15, TimeUnit.MINUTES), "a resolving process hung");
        String o1 = Files.readString(cache.resolve("p1.out"), StandardCharsets.UTF_8);
        String o2 = Files.readString(cache.resolve("p2.out"), StandardCharsets.UTF_8);
        assertEquals(0, p1.exitValue(), o1);
        assertEquals(0, p2.exitValue(), o2);
        String sha1 = lastLine(o1);
        String sha2 = lastLine(o2);
        assertTrue(sha1.matches("sha256=[0-9a-f]{64}"), o1);
        assertEquals(sha1, sha2, "the two processes got different artifacts for one spec");
        try (var s = Files.list(cache.resolve("kernels"))) {
            long artifacts = s.filter(d -> d.getFileName().toString().matches("[0-9a-f]{64}")).count();
            assertEquals(1, artifacts, "one spec, one artifact in the shared cache");
        }
    }

    private static String lastLine(String s) {
        List<String> l = s.strip().lines().toList();
        return l.isEmpty() ? "" : l.get(l.size() - 1).strip();
    }

    private static KernelArtifact resolve(KernelResolver r, String spec) {
        try {
            return r.resolve(spec);
        } catch (Exception e) {
            throw new IllegalStateException(spec + ": " + e, e);
        }
    }

    /** Child process: resolves a spec into the cache directory given, prints sha256=... last. */
    public static final class ResolveMain {
        public static void main(String[] a) throws Exception {
            KernelArtifact k = coldResolver(Path.of(a[0])).log(System.out::println).resolve(a[1]);
            System.out.println("sha256=" + k.sha256());
        }
    }
}
