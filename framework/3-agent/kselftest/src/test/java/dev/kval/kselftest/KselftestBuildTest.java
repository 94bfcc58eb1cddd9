package dev.kval.kselftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.kernel.BzImage;
import dev.kval.kernel.Proc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real builds from Debian's linux-source-7.3 (cold: a few minutes, then cached under $KVAL_CACHE/kselftest). */
class KselftestBuildTest {
    @TempDir
    Path tmp;

    @Test
    void buildsStaticBinariesOnceThenHitsTheCache() throws Exception {
        KselftestBuild build = KselftestBuild.defaults(System.err::println);
        long t0 = System.nanoTime();
        SelftestBinaries a = build.build("linux-source-7.3", Kselftests.GUEST_MEMFD_TESTS);
        long first = (System.nanoTime() - t0) / 1_000_000;
        Path kvmDir = a.tree().resolve("tools/testing/selftests/kvm");
        FileTime before = Files.getLastModifiedTime(kvmDir);
        t0 = System.nanoTime();
        SelftestBinaries b = build.build("linux-source-7.3", Kselftests.GUEST_MEMFD_TESTS);
        long second = (System.nanoTime() - t0) / 1_000_000;
        System.err.println("kselftest build: first call " + first + " ms (cache hit: " + a.cacheHit() + "), second " + second + " ms");
        assertTrue(b.cacheHit(), "the second build of the same source and tests must come from the cache");
        assertTrue(second < 20_000, "a cache hit took " + second + " ms");
        assertEquals(a.key(), b.key());
        assertEquals(before, Files.getLastModifiedTime(kvmDir), "the source tree must not be written to");
        assertEquals(List.of("guest_memfd_test", "set_memory_region_test", "pre_fault_memory_test", "private_mem_conversions_test",
                "private_mem_kvm_exits_test"), b.binaries().stream().map(SelftestBinaries.Binary::name).toList());
        for (SelftestBinaries.Binary x : b.binaries()) {
            assertEquals(BzImage.sha256(x.path()), x.sha256(), x.test());
            assertTrue(KselftestBuild.interpreter(x.path()).isEmpty(), x.test() + " must be static (no ELF interpreter)");
            assertTrue(Files.size(x.path()) > 100_000, x.test() + " is implausibly small");
        }
        assertTrue(Files.isRegularFile(b.dir().resolve("manifest.json")));
        assertTrue(Files.readString(b.dir().resolve("build.log")).contains("-static"), "the build log must show the static link");
        // a different test list is a different artifact (and the key covers it)
        assertFalse(dev.kval.kernel.ContentKey.of(List.of("a", "b")).equals(dev.kval.kernel.ContentKey.of(List.of("a,b"))));
    }

    @Test
    void aDynamicExecutableIsRecognised() throws Exception {
        assertTrue(KselftestBuild.interpreter(Path.of("/bin/sh").toRealPath()).orElse("").contains("ld-linux"),
                "/bin/sh is dynamically linked on Debian");
    }

    @Test
    void anUnknownTestNamesTheMissingSource() throws Exception {
        IOException e = assertThrows(IOException.class,
                () -> KselftestBuild.defaults(s -> { }).build("linux-source-7.3", List.of("no_such_selftest")));
        assertTrue(e.getMessage().contains("tools/testing/selftests/kvm/no_such_selftest.c"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KselftestBuild.defaults(s -> { }).build("linux-source-7.3", List.of("../x")));
    }

    /** The failure report on real gcc output: which test, the compiler's error line, where the whole log is. */
    @Test
    void aCompileFailureSaysWhichTestAndShowsTheCompilerLines() throws Exception {
        Path src = tmp.resolve("broken_test.c");
        Files.writeString(src, "int main(void) { return undeclared_thing; }\n");
        Path log = tmp.resolve("build.log");
        Proc.Result r = Proc.run(List.of("gcc", "-c", src.toString(), "-o", tmp.resolve("x.o").toString()), tmp, Duration.ofSeconds(60));
        Files.writeString(log, "gcc -c broken_test.c\n" + r.stderr() + r.stdout()
                + "make: *** [Makefile.kvm:310: /out/x86/broken_test.o] Error 1\n");
        KselftestBuildException e = KselftestBuild.failure(List.of("x86/broken_test"), 2, log);
        assertEquals(List.of("x86/broken_test"), e.failedTests());
        assertTrue(e.getMessage().contains("for x86/broken_test"), e.getMessage());
        assertTrue(e.getMessage().contains("broken_test.c:1:") && e.getMessage().contains("undeclared_thing"), e.getMessage());
        assertTrue(e.getMessage().contains(log.toString()), e.getMessage());
    }
}
