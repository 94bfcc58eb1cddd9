package dev.kval.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The run API takes every host kind (lava: labs too) and git: kernels; shell metacharacters stay out. */
class RunRequestHostsTest {
    static RunRequest req(List<String> kernels, List<String> hosts) {
        return new RunRequest(kernels, hosts, List.of("api"), null, null, null, null);
    }

    @Test
    void lavaHostsAndGitKernelsAreAccepted() {
        String git = "git:/srv/linux.git@kvm-next,allnoconfig,qemu-kvm-host";
        RunRequest r = req(List.of(git, "debian:7.3.4"), List.of("qemu", "lava:qemu")).validate();
        assertEquals(4, r.cells().size());
        List<String> args = r.runArgs(r.cells().get(2), Path.of("/tmp/x"));
        assertEquals(List.of("--host", "lava:qemu", "--kernel", git), args.subList(0, 4));
    }

    @Test
    void unknownHostKindsAndShellInKernelsAreRefused() {
        assertThrows(BadRequestException.class, () -> req(List.of("debian:7.3.4"), List.of("lab:qemu")).validate());
        assertThrows(BadRequestException.class, () -> req(List.of("debian:7.3.4"), List.of("lava:q;rm")).validate());
        BadRequestException e = assertThrows(BadRequestException.class, () -> req(List.of("git:/r@x;reboot"), List.of("qemu")).validate());
        assertTrue(e.getMessage().contains("git:<repo>@<ref>"), e.getMessage());
    }
}
