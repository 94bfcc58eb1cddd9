package dev.kval.console;

import java.io.IOException;
import java.io.Reader;

/**
 * Reads lines ("\n", "\r\n" or "\r") keeping at most {@code max} characters of each: a console that never prints a
 * newline (a stuck serial port, binary garbage) must not make the oracle hold megabytes. The rest of a long line is
 * counted in {@link #dropped()} and discarded.
 */
final class CappedLineReader {
    private final Reader in;
    private final int max;
    private final char[] buf = new char[1 << 14];
    private int pos;
    private int end;
    private boolean eof;
    private boolean skipLf;
    private long dropped;
    private final StringBuilder sb = new StringBuilder(256);

    CappedLineReader(Reader in, int max) {
        this.in = in;
        this.max = max;
    }

    /** Characters of the last returned line that were dropped (0 if it was not cut). */
    long dropped() {
        return dropped;
    }

    /** The next line without its terminator, or null at end of input. */
    String next() throws IOException {
        sb.setLength(0);
        dropped = 0;
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
                    append(start, pos);
                    pos++;
                    skipLf = c == '\r';
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
}
