package dev.kval.agent;

import dev.kval.host.HostFailure;
import dev.kval.ktap.KtapParser;
import dev.kval.ktap.KtapTree;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Where the agent's KTAP goes as it arrives: appended to a file and fed, through a pipe, to the streaming KTAP parser on a
 * thread of its own, so the run's tree is ready when the agent ends and nothing grows in memory with the output. Past
 * {@code cap} bytes the rest is dropped (counted) and {@link #finish} fails with an error that says so.
 */
final class KtapSpool extends OutputStream {
    /** Bytes of agent output accepted per run; default 32 MiB (a full guest_memfd run prints well under 1 MiB). */
    static final String CAP_PROPERTY = "kval.agent.max-ktap";
    static final long DEFAULT_CAP = 32L << 20;

    private final Path file;
    private final long cap;
    private final OutputStream disk;
    // chunks for the parser thread; bounded, so a slow parse holds the SSH stream back instead of growing memory
    private final BlockingQueue<byte[]> toParser = new ArrayBlockingQueue<>(256);
    private static final byte[] END = new byte[0];
    private final CompletableFuture<KtapTree> tree = new CompletableFuture<>();
    private long seen;
    private boolean closed;

    KtapSpool(Path file, long cap) throws IOException {
        this.file = file;
        this.cap = cap;
        this.disk = Files.newOutputStream(file);
        InputStream in = new QueueInput(toParser);
        Thread t = new Thread(() -> {
            try (InputStreamReader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                tree.complete(KtapParser.parseTree(r));
            } catch (IOException | RuntimeException e) {
                tree.completeExceptionally(e);
            }
        }, "kval-ktap-spool " + file.getFileName());
        t.setDaemon(true);
        t.start();
    }

    static long cap() {
        return Long.getLong(CAP_PROPERTY, DEFAULT_CAP);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        long room = cap - seen;
        seen += len;
        if (closed || room <= 0) {
            return;
        }
        int n = (int) Math.min(room, len);
        disk.write(b, off, n);
        put(Arrays.copyOfRange(b, off, off + n));
    }

    @Override
    public synchronized void flush() throws IOException {
        if (!closed) {
            disk.flush();
        }
    }

    private void put(byte[] chunk) throws IOException {
        try {
            toParser.put(chunk);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while handing KTAP to the parser", e);
        }
    }

    /** The parser's side of the queue; an empty chunk ends it. */
    private static final class QueueInput extends InputStream {
        private final BlockingQueue<byte[]> q;
        private byte[] cur = new byte[0];
        private int pos;
        private boolean eof;

        QueueInput(BlockingQueue<byte[]> q) {
            this.q = q;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (pos >= cur.length) {
                if (eof) {
                    return -1;
                }
                try {
                    cur = q.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
                pos = 0;
                if (cur == END) {
                    eof = true;
                }
            }
            int n = Math.min(len, cur.length - pos);
            System.arraycopy(cur, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    /** Bytes the agent printed (including any dropped past the cap). */
    synchronized long seen() {
        return seen;
    }

    synchronized boolean overflowed() {
        return seen > cap;
    }

    /** Ends the input (idempotent); the parser thread then finishes. */
    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            try {
                disk.close();
            } finally {
                put(END);
            }
        }
    }

    /** Ends the input and returns the parsed tree; fails if the output went over the cap. */
    KtapTree finish(String hostName) throws HostFailure {
        try {
            close();
        } catch (IOException e) {
            throw HostFailure.infra("cannot write the agent's KTAP from " + hostName + " to " + file + ": " + e.getMessage(), e);
        }
        if (seen > cap) {
            throw HostFailure.infra("the agent on " + hostName + " printed " + seen + " bytes, over kval's cap of " + (cap >> 20)
                    + " MiB for one run's KTAP (the first " + cap + " bytes are in " + file + "): a runaway test is printing"
                    + " without end; raise the cap with -D" + CAP_PROPERTY + "=BYTES only if a run really prints that much", null);
        }
        try {
            return tree.get(5, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw HostFailure.infra("interrupted while parsing the agent's KTAP from " + hostName, e);
        } catch (ExecutionException | TimeoutException e) {
            throw HostFailure.infra("parsing the agent's KTAP from " + hostName + " (" + file + ") failed: " + e, e);
        }
    }

    /** The spooled KTAP as text (at most cap bytes). */
    String text() throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    Path file() {
        return file;
    }
}
