package dev.kval.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.kernel.debian.DebVersion;
import dev.kval.kernel.debian.DebianKernels;
import dev.kval.kernel.debian.DebianKernels.Candidate;
import java.util.List;
import org.junit.jupiter.api.Test;

class DebVersionTest {
    @Test
    void ordersLikeDpkg() {
        assertTrue(DebVersion.compare("6.12.117-1", "6.12.117-1~deb12u1") > 0);
        assertTrue(DebVersion.compare("7.3.4-1~bpo13+1", "7.2.9-1~bpo13+1") > 0);
        assertTrue(DebVersion.compare("6.1.158-1", "6.1.99-1") > 0);
        assertTrue(DebVersion.compare("1:1.0", "2.0") > 0);
        assertEquals(0, DebVersion.compare("1.0-1", "1.0-1"));
        assertTrue(DebVersion.compare("1.0~rc1", "1.0") < 0);
    }

    @Test
    void selectsByAbiUpstreamAndPackageVersion() {
        List<Candidate> cs = List.of(
                new Candidate("7.3.4+deb13", "7.3.4-1~bpo13+1", true, "linux-binary-7.3.4+deb13-amd64", "tb"),
                new Candidate("6.12.117+deb12", "6.12.117-1~deb12u1", false, "linux-image-6.12.117+deb12-amd64-unsigned", "bs"),
                new Candidate("6.12.117+deb13", "6.12.117-1", false, "linux-image-6.12.117+deb13-amd64-unsigned", "t"),
                new Candidate("6.1.0-56", "6.1.158-1", false, "linux-image-6.1.0-56-amd64-unsigned", "b"));
        assertEquals("7.3.4+deb13", DebianKernels.select(cs, "7.3.4").orElseThrow().abi());
        assertEquals("7.3.4+deb13", DebianKernels.select(cs, "newest").orElseThrow().abi());
        assertEquals("6.12.117+deb12", DebianKernels.select(cs, "6.12.117+deb12").orElseThrow().abi());
        assertEquals("6.1.0-56", DebianKernels.select(cs, "6.1.158").orElseThrow().abi());
        assertEquals("6.1.0-56", DebianKernels.select(cs, "6.1.0-56").orElseThrow().abi());
        assertEquals("6.12.117+deb12", DebianKernels.select(cs, "6.12.117+deb12").orElseThrow().abi());
        assertEquals("7.3.4+deb13", DebianKernels.select(cs, "7.3").orElseThrow().abi());
        assertEquals("6.1.0-56", DebianKernels.select(cs, "6.1").orElseThrow().abi());
        assertTrue(DebianKernels.select(cs, "5.10").isEmpty());
    }

    @Test
    void parsesSpecs() {
        assertEquals(new KernelSpec.Debian("7.3.4"), KernelSpec.parse("debian:7.3.4"));
        assertTrue(KernelSpec.parse("path:/tmp/x") instanceof KernelSpec.Local);
        assertTrue(KernelSpec.parse("build:/src") instanceof KernelSpec.Build);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> KernelSpec.parse("debian:a b"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> KernelSpec.parse("nope:1"));
    }
}
