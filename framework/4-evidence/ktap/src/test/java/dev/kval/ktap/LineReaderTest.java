package dev.kval.ktap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The byte path (a {@link Latin1Reader}'s bytes read directly) gives the same lines, cuts and dropped counts as the
 * char path, on random input with every terminator, bytes over 0x7f, lines over the cap and lines that straddle the
 * 64 KiB buffer.
 */
class LineReaderTest {
    record Line(String text, long dropped) {
    }

    static List<Line> read(LineReader r) throws IOException {
        List<Line> out = new ArrayList<>();
        String l;
        while ((l = r.next()) != null) {
            out.add(new Line(l, r.dropped()));
        }
        return out;
    }

    @Test
    void bytePathEqualsCharPath() throws IOException {
        Random rnd = new Random(17);
        String[] ends = {"\n", "\r\n", "\r", "\n\n", "\r\r\n"};
        for (int round = 0; round < 40; round++) {
            byte[] b = new byte[rnd.nextInt(300_000)];
            int i = 0;
            while (i < b.length) {
                int len = rnd.nextInt(10) == 0 ? rnd.nextInt(100_000) : rnd.nextInt(120);
                for (int k = 0; k < len && i < b.length; k++) {
                    b[i++] = (byte) (rnd.nextInt(5) == 0 ? 0x80 + rnd.nextInt(128) : 'a' + rnd.nextInt(26));
                }
                for (byte e : ends[rnd.nextInt(ends.length)].getBytes(StandardCharsets.US_ASCII)) {
                    if (i < b.length) {
                        b[i++] = e;
                    }
                }
            }
            int max = 1 + rnd.nextInt(70_000);
            List<Line> chars = read(new LineReader(new StringReader(new String(b, StandardCharsets.ISO_8859_1)), max));
            List<Line> bytes = read(new LineReader(new Latin1Reader(new ByteArrayInputStream(b)), max));
            assertEquals(chars, bytes, "round " + round + " (max " + max + ")");
        }
    }
}
