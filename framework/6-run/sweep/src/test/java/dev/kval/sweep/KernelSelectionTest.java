package dev.kval.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.kernel.debian.DebianKernels.Candidate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Range expansion over a candidate list shaped like the real index (names and versions copied from it). */
class KernelSelectionTest {
    static final List<Candidate> CS = List.of(
            c("6.1.0-56", "6.1.158-1"),
            c("6.12.43+deb12", "6.12.43-1~deb12u1"),
            c("6.12.117+deb12", "6.12.117-1~deb12u1"),
            c("6.12.117+deb13", "6.12.117-1"),
            c("6.12", "6.12.118-1~deb12u1"),
            c("6.17.13+deb13", "6.17.13-1~bpo13+1"),
            c("6.18.5+deb13", "6.18.5-1~bpo13+1"),
            c("7.1.13+deb13", "7.1.13-1~bpo13+1"),
            c("7.2.6+deb13", "7.2.6-1~bpo13+1"),
            c("7.2.6+deb13", "7.2.6-2~bpo13+1"),
            c("7.3.4+deb13", "7.3.4-1~bpo13+1"));

    static Candidate c(String abi, String version) {
        return new Candidate(abi, version, abi.startsWith("7"), "linux-image-" + abi + "-amd64", "test");
    }

    static List<String> labels(String expr) {
        return KernelSelection.expand(KernelSelection.items(expr), CS).stream().map(SweepKernel::label).toList();
    }

    @Test
    void rangeIsInclusiveByVersionPrefixAndInVersionOrder() {
        assertEquals(List.of("6.12.43+deb12", "6.12.117+deb12", "6.12.117+deb13", "6.17.13+deb13", "6.18.5+deb13", "7.1.13+deb13",
                "7.2.6+deb13", "7.3.4+deb13"), labels("debian:6.12..debian:7.3.4"));
        assertEquals(List.of("6.17.13+deb13", "6.18.5+deb13"), labels("debian:6.17..6.18"));
        assertEquals(List.of("6.12.117+deb13"), labels("debian:6.12"), "the 6.12 meta package (no kernel) is never picked");
        assertEquals(List.of("7.2.6+deb13", "7.3.4+deb13"), labels("debian:7.2.."));
    }

    @Test
    void oneKernelPerReleaseWithItsNewestPackage() {
        List<SweepKernel> ks = KernelSelection.expand(KernelSelection.items("debian:7.2.6,debian:7.2..7.2"), CS);
        assertEquals(1, ks.size());
        assertEquals("7.2.6-2~bpo13+1", ks.get(0).packageVersion());
        assertEquals("debian:7.2.6+deb13", ks.get(0).spec());
    }

    @Test
    void listsAndAbiBoundsWork() {
        assertEquals(List.of("6.12.117+deb13", "7.1.13+deb13", "7.2.6+deb13"), labels("debian:7.2.6, debian:7.1.13,debian:6.12.117+deb13"));
        assertEquals(List.of("6.12.117+deb13", "6.17.13+deb13"), labels("debian:6.12.117+deb13..debian:6.17.13"));
    }

    @Test
    void emptyRangesAndBadItemsSayWhat() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> labels("debian:8.0..debian:8.9"));
        assertTrue(e.getMessage().contains("no Debian kernel in the range 'debian:8.0..debian:8.9'") && e.getMessage().contains("6.1.158 ... 7.3.4"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> labels("path:/x..path:/y"));
        assertThrows(IllegalArgumentException.class, () -> labels(" , "));
        assertThrows(IllegalArgumentException.class, () -> labels("debian:9.9.9"));
    }
}
