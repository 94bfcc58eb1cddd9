package dev.kval.ktap;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;

/**
 * ISO-8859-1 decoding without a charset decoder: each byte is its char. Same text as an InputStreamReader with
 * ISO_8859_1, in a tight loop; lenient for console captures that are not valid UTF-8. A {@link LineReader} over one
 * reads the bytes directly.
 */
public final class Latin1Reader extends Reader {
    private final InputStream in;
    private byte[] buf;

    public Latin1Reader(InputStream in) {
        this.in = in;
    }

    /** The bytes behind the text (for {@link LineReader}'s byte path). */
    InputStream stream() {
        return in;
    }

    @Override
    public int read(char[] cbuf, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (buf == null) {
            buf = new byte[1 << 16];
        }
        int n = in.read(buf, 0, Math.min(len, buf.length));
        if (n <= 0) {
            return -1;
        }
        for (int i = 0; i < n; i++) {
            cbuf[off + i] = (char) (buf[i] & 0xff);
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
