package dev.kval.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.kernel.build.KernelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

class KernelBuilderTest {
    @Test
    void plansSourceBaseAndFragments(@TempDir Path tmp) throws Exception {
        Path frag = tmp.resolve("swprot.config");
        Files.writeString(frag, "CONFIG_KVM_SW_PROTECTED_VM=y\n");
        KernelBuilder.Plan p = KernelBuilder.plan("linux-source-7.3," + frag);
        assertEquals("linux-source-7.3", p.source());
        assertEquals("x86_64_defconfig", p.base());
        assertEquals(1, p.fragments().size());
        assertEquals("tinyconfig", KernelBuilder.plan("/src,tinyconfig").base());
        assertThrows(IOException.class, () -> KernelBuilder.plan("/src,no-such-fragment"));
        assertThrows(IllegalArgumentException.class, () -> KernelBuilder.plan(",x"));
    }

    /** A real (tiny) build from Debian's linux-source-7.3: minutes of CPU, so only with KVAL_SLOW_TESTS=1. */
    @Test
    @EnabledIfEnvironmentVariable(named = "KVAL_SLOW_TESTS", matches = "1")
    void buildsTinyconfigFromDebianSourceAndCachesIt() throws Exception {
        KernelResolver r = KernelResolver.defaults();
        KernelArtifact a = r.resolve("build:linux-source-7.3,tinyconfig");
        assertTrue(a.release().startsWith("7.3"), a.release());
        assertTrue(BzImage.release(a.kernel()).isPresent());
        assertTrue(a.configFile().isPresent());
        assertFalse(a.modulesDir().isPresent());
        KernelArtifact b = r.resolve("build:linux-source-7.3,tinyconfig");
        assertTrue(b.cacheHit());
        assertEquals(a.sha256(), b.sha256());
    }
}
