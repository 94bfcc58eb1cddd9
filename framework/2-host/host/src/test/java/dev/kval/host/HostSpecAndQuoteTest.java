package dev.kval.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kval.kernel.Proc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostSpecAndQuoteTest {
    @Test
    void parsesHostSpecs() {
        assertEquals(HostSpec.Kind.LOCAL, HostSpec.parse("local").kind());
        assertEquals(HostSpec.Kind.QEMU, HostSpec.parse("qemu").kind());
        assertEquals(new HostSpec(HostSpec.Kind.SSH, "rack1-epyc"), HostSpec.parse("ssh:rack1-epyc"));
        assertThrows(IllegalArgumentException.class, () -> HostSpec.parse("ssh:"));
        assertThrows(IllegalArgumentException.class, () -> HostSpec.parse("ssh:a b"));
        assertEquals(new HostSpec(HostSpec.Kind.LAVA, "qemu"), HostSpec.parse("lava:qemu"));
        assertEquals("lava:x86-epyc", HostSpec.parse("lava:x86-epyc").toString());
        assertThrows(IllegalArgumentException.class, () -> HostSpec.parse("lava:"));
        assertThrows(IllegalArgumentException.class, () -> HostSpec.parse("docker"));
    }

    @Test
    void qemuUsesSingleThreadedTcgWithSeveralVcpus() {
        assertEquals("tcg", dev.kval.host.qemu.QemuConfig.defaults().accelArg());
        assertEquals("tcg,thread=single", dev.kval.host.qemu.QemuConfig.defaults().withSmp(2).accelArg());
    }

    @Test
    void quotesForPosixShells() throws Exception {
        assertEquals("abc", ShellQuote.quote("abc"));
        assertEquals("''", ShellQuote.quote(""));
        assertEquals("'a b'", ShellQuote.quote("a b"));
        assertEquals("'it'\\''s'", ShellQuote.quote("it's"));
        assertThrows(IllegalArgumentException.class, () -> ShellQuote.quote("a\0b"));
        List<String> nasty = List.of("", "'", "\"", "$(id)", "`id`", "\\", "\n", "*", ";", "a'b'c", "-n", "é");
        for (String sh : List.of("/bin/sh", "/bin/bash", "/bin/busybox")) {
            List<String> argv = new ArrayList<>(sh.endsWith("busybox") ? List.of(sh, "sh", "-c") : List.of(sh, "-c"));
            List<String> cmd = new ArrayList<>(List.of("printf", "%s\\0"));
            cmd.addAll(nasty);
            argv.add(ShellQuote.join(cmd));
            String out = Proc.check(argv, null, Duration.ofSeconds(10)).stdout();
            assertEquals(nasty, List.of(out.split("\0", -1)).subList(0, nasty.size()), sh);
        }
    }

    @Test
    void localHostRunsProcessesAndTimesOut() throws Exception {
        try (Host h = new LocalHost.Provider(java.nio.file.Files.createTempDirectory("kval-local")).provision(null)) {
            ExecResult r = h.exec(List.of("sh", "-c", "echo hi; echo err >&2; exit 3"), Duration.ofSeconds(5));
            assertEquals(3, r.exit());
            assertEquals("hi\n", r.stdout());
            assertEquals("err\n", r.stderr());
            ExecResult t = h.exec(List.of("sleep", "30"), Duration.ofMillis(300));
            assertEquals(true, t.timedOut());
            assertEquals(127, h.exec(List.of("/no/such/binary"), Duration.ofSeconds(5)).exit());
            assertEquals(LocalHost.osRelease(), h.kernelRelease());
        }
    }
}
