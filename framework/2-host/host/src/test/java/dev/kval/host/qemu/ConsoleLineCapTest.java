package dev.kval.host.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kval.console.CrashOracle;
import dev.kval.host.OracleConsoleWatch;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The serial console reader and the watch keep at most the oracle's line cap per line, and say what they dropped. */
class ConsoleLineCapTest {

    @Test
    void droppedBytesAreMarked() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("[    1.0] Kernel panic - not syncing: x\r".getBytes(StandardCharsets.UTF_8));
        assertEquals("[    1.0] Kernel panic - not syncing: x", SerialConsole.consoleLine(b, 0));
        assertTrue(SerialConsole.consoleLine(b, 123).endsWith(CrashOracle.CUT_MARKER + "123 bytes]"));
    }

    @Test
    void watchEvidenceIsCappedButTheCrashIsStillSeen() {
        OracleConsoleWatch w = OracleConsoleWatch.standard();
        w.feed("[    1.000000] Kernel panic - not syncing: " + "A".repeat(1 << 20));
        assertTrue(w.panicked());
        String ev = String.join("\n", w.evidence());
        assertTrue(ev.length() < 2 * CrashOracle.MAX_LINE, "evidence holds " + ev.length() + " characters");
        assertTrue(ev.contains(CrashOracle.CUT_MARKER.trim()), "the cut is visible in the evidence");
    }
}
