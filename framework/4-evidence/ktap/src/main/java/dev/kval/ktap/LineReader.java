package dev.kval.ktap;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;

/**
 * Reads lines ("\n", "\r\n" or "\r") keeping at most {@code max} characters of each, so a huge line (a console that
 * never prints a newline, binary garbage) cannot exhaust memory: the rest of a long line is counted in
 * {@link #dropped()} and discarded. Shared by the KTAP parser and the console crash oracle.
 *
 * <p>From a {@link Latin1Reader} it reads the bytes themselves: a line is then one copy of bytes into a Latin-1 String,
 * instead of bytes to chars, chars to a String and the String's compaction back to bytes (a third of `kval ktap`'s
 * parse time on a 1M-line file).
 */
public final class LineReader {
    private final Reader in;
    private final int max;
    private final char[] buf = new char[1 << 16];
    private int pos, end;
    private boolean eof, skipLf;
    private long dropped;
    private final StringBuilder sb = new StringBuilder(256);

    private final InputStream bytes;
    private final byte[] bbuf;

    public LineReader(Reader in, int max) {
        this.in = in;
        this.max = max;
        this.bytes = in instanceof Latin1Reader l ? l.stream() : null;
        this.bbuf = bytes != null ? new byte[1 << 16] : null;
    }

    /** Whether the last returned line was cut at the cap. */
    public boolean lastWasCut() {
        return dropped > 0;
    }

    /** Characters of the last returned line that were dropped (0 if it was not cut). */
    public long dropped() {
        return dropped;
    }

    /** The next line without its terminator, or null at end of input. */
    public String next() throws IOException {
        if (bytes != null) {
            return nextLatin1();
        }
        dropped = 0;
        sb.setLength(0);
        boolean any = false;
        while (true) {
            if (pos >= end) {
                if (eof) {
                    return any ? sb.toString() : null;
                }
                end = in.read(buf, 0, buf.length);
                pos = 0;
                if (end <= 0) {
                    end = 0;
                    eof = true;
                    continue;
                }
            }
            if (skipLf) {
                skipLf = false;
                if (buf[pos] == '\n') {
                    pos++;
                    continue;
                }
            }
            any = true;
            int start = pos;
            while (pos < end) {
                char c = buf[pos];
                if (c == '\n' || c == '\r') {
                    if (sb.length() == 0 && pos - start <= max) {
                        // the whole line is in the buffer (the common case): one copy, not two
                        String line = new String(buf, start, pos - start);
                        pos++;
                        skipLf = c == '\r';
                        return line;
                    }
                    append(start, pos);
                    pos++;
                    if (c == '\r') {
                        skipLf = true;
                    }
                    return sb.toString();
                }
                pos++;
            }
            append(start, pos);
        }
    }

    private void append(int from, int to) {
        int room = max - sb.length();
        int n = to - from;
        if (n > room) {
            dropped += n - Math.max(room, 0);
            n = Math.max(room, 0);
        }
        sb.append(buf, from, n);
    }

    /** {@link #next} over Latin-1 bytes (each byte one char). */
    private String nextLatin1() throws IOException {
        dropped = 0;
        sb.setLength(0);
        boolean any = false;
        while (true) {
            if (pos >= end) {
                if (eof) {
                    return any ? sb.toString() : null;
                }
                end = bytes.read(bbuf, 0, bbuf.length);
                pos = 0;
                if (end <= 0) {
                    end = 0;
                    eof = true;
                    continue;
                }
            }
            if (skipLf) {
                skipLf = false;
                if (bbuf[pos] == '\n') {
                    pos++;
                    continue;
                }
            }
            any = true;
            int start = pos;
            while (pos < end) {
                byte c = bbuf[pos];
                if (c == '\n' || c == '\r') {
                    String line;
                    if (sb.length() == 0 && pos - start <= max) {
                        line = new String(bbuf, start, pos - start, StandardCharsets.ISO_8859_1);
                    } else {
                        appendLatin1(start, pos);
                        line = sb.toString();
                    }
                    pos++;
                    skipLf = c == '\r';
                    return line;
                }
                pos++;
            }
            appendLatin1(start, pos);
        }
    }

    private void appendLatin1(int from, int to) {
        int room = max - sb.length();
        int n = to - from;
        if (n > room) {
            dropped += n - Math.max(room, 0);
            n = Math.max(room, 0);
        }
        for (int i = from; i < from + n; i++) {
            sb.append((char) (bbuf[i] & 0xff));
        }
    }
}
