package dev.kval.host;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The copy of a command's stdout or stderr that its {@link ExecResult} holds: the first {@link #memoryLimit()} bytes in
 * memory, the rest spilled to a temporary file (mode 0600, deleted when the result is no longer referenced) as it
 * arrives, so a command that prints megabytes costs disk, not heap. Past the cap the bytes are only counted, and
 * {@link #check} turns that into an error that says what to do. Callers that need more stream the output (exec with
 * out/err) to a file of their own as it arrives.
 */
public final class OutputCap extends OutputStream {
    /** Bytes of a command's stdout (and, apart, stderr) kept per command, memory and spill file together; default 64 MiB. */
    public static final String PROPERTY = "kval.exec.max-output";
    /** Bytes of a command's stdout (and, apart, stderr) held in memory before the rest goes to a file; default 1 MiB. */
    public static final String MEMORY_PROPERTY = "kval.exec.memory-output";
    static final long DEFAULT = 64L << 20;
    static final int DEFAULT_MEMORY = 1 << 20;
    private static final Cleaner CLEANER = Cleaner.create();

    private final long cap;
    private final int memory;
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private Path spill;
    private OutputStream spillOut;
    private long kept;
    private long seen;
    private IOException spillError;

    public OutputCap(long cap) {
        this(cap, memoryLimit());
    }

    public OutputCap(long cap, int memory) {
        this.cap = cap;
        this.memory = (int) Math.min(memory, cap);
    }

    /** A capture with the configured cap. */
    public static OutputCap configured() {
        return new OutputCap(limit());
    }

    public static long limit() {
        return Long.getLong(PROPERTY, DEFAULT);
    }

    public static int memoryLimit() {
        return Integer.getInteger(MEMORY_PROPERTY, DEFAULT_MEMORY);
    }

    @Override
    public synchronized void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        seen += len;
        long room = cap - kept;
        int n = (int) Math.min(room, len);
        if (n <= 0) {
            return;
        }
        int inMemory = Math.min(n, memory - buf.size());
        if (inMemory > 0) {
            buf.write(b, off, inMemory);
        }
        if (n > inMemory && spillError == null) {
            try {
                if (spillOut == null) {
                    openSpill();
                }
                spillOut.write(b, off + Math.max(inMemory, 0), n - Math.max(inMemory, 0));
            } catch (IOException e) {
                spillError = e;
            }
        }
        kept += n;
    }

    private void openSpill() throws IOException {
        spill = Files.createTempFile("kval-exec-", ".out", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Path p = spill;
        spillOut = new java.io.BufferedOutputStream(Files.newOutputStream(p), 1 << 16);
        OutputStream o = spillOut;
        // the file goes with this capture (and the ExecResult that holds it); nothing of the output stays behind
        CLEANER.register(this, () -> {
            try {
                o.close();
            } catch (IOException e) {
                // deleting is what matters
            }
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // a temp file left in java.io.tmpdir; nothing else to do
            }
        });
    }

    @Override
    public synchronized void flush() throws IOException {
        if (spillOut != null) {
            spillOut.flush();
        }
    }

    public synchronized boolean overflowed() {
        return seen > cap;
    }

    public synchronized long seen() {
        return seen;
    }

    /** Bytes kept (memory and file together). */
    public synchronized long size() {
        return kept;
    }

    /** Bytes held on the heap (at most the memory limit). */
    public synchronized int inMemory() {
        return buf.size();
    }

    /** The spill file, or null while everything fits in memory. */
    public synchronized Path spillFile() {
        return spill;
    }

    /** The kept bytes as a stream: memory, then the spill file. */
    public synchronized InputStream open() {
        flushQuietly();
        InputStream head = new ByteArrayInputStream(buf.toByteArray());
        if (spill == null) {
            return head;
        }
        try {
            return new SequenceInputStream(head, Files.newInputStream(spill));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read back a command's output spilled to " + spill, e);
        }
    }

    /** The kept bytes as text (reads the spill file: for large output, prefer {@link #open}). */
    public synchronized String text() {
        if (spill == null) {
            return buf.toString(StandardCharsets.UTF_8);
        }
        try (InputStream in = open()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read back a command's output spilled to " + spill, e);
        }
    }

    private void flushQuietly() {
        if (spillOut != null) {
            try {
                spillOut.flush();
            } catch (IOException e) {
                spillError = e;
            }
        }
    }

    /** Fails if the command's stream went over the cap, or could not be spilled to disk. */
    public void check(String stream, List<String> argv, String where) throws HostFailure {
        String what = "the " + stream + " of `" + (argv == null ? "a command" : ShellQuote.join(argv)) + "` on " + where;
        synchronized (this) {
            flushQuietly();
            if (spillError != null) {
                throw HostFailure.infra(what + " could not be spilled to a temporary file past its first " + memory + " bytes ("
                        + spillError.getMessage() + "): free space in " + System.getProperty("java.io.tmpdir"), spillError);
            }
        }
        if (overflowed()) {
            throw HostFailure.infra(what + " exceeded kval's " + (cap >> 20) + " MiB cap for a command's output (" + seen() + " bytes):"
                    + " stream it with exec(argv, timeout, out, err) to a file, or write it to a file on the host and fetch it;"
                    + " the cap is -D" + PROPERTY, null);
        }
    }
}
