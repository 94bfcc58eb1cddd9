package dev.kval.ktap;

import java.io.IOException;
import java.io.Reader;

/** Reads lines ("\n", "\r\n" or "\r") with a cap on line length, so a huge line cannot exhaust memory. */
final class LineReader {
    private final Reader in;
    private final int max;
    private final char[] buf = new char[1 << 16];
    private int pos, end;
    private boolean eof, cut, skipLf;
    private final StringBuilder sb = new StringBuilder(256);

    LineReader(Reader in, int max) {
        this.in = in;
        this.max = max;
    }

    boolean lastWasCut() {
        return cut;
    }

    /** The next line without its terminator, or null at end of input. */
    String next() throws IOException {
        cut = false;
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
            cut = true;
            n = Math.max(room, 0);
        }
        sb.append(buf, from, n);
    }
}
