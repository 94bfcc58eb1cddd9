package dev.kval.host;

import java.io.IOException;
import java.io.OutputStream;

/** Writes to two streams. */
public final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    public Tee(OutputStream a, OutputStream b) {
        this.a = a;
        this.b = b;
    }

    @Override
    public void write(int x) throws IOException {
        a.write(x);
        b.write(x);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
        a.write(buf, off, len);
        b.write(buf, off, len);
    }

    @Override
    public void flush() throws IOException {
        a.flush();
        b.flush();
    }

    @Override
    public void close() throws IOException {
        try {
            a.close();
        } finally {
            b.close();
        }
    }
}
