package dev.kval.host.ssh;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * One stream (stdout or stderr) of a {@link CommandShell}: passes a command's bytes on to its sink until the frame's end
 * marker ({@code \nNONCE STATUS\n} on stdout, {@code \nNONCE\n} on stderr), then completes the frame. Only bytes that could
 * still be the start of the marker are held back (at most one marker's length, and only from a newline on), so output
 * streams as it arrives. Bytes outside any frame (a background process of an earlier command) are dropped.
 */
final class Demux extends OutputStream {
    private final boolean stderr;
    private byte[] marker;
    private OutputStream sink;
    private CompletableFuture<Integer> frame;
    private boolean markerSeen;
    private byte[] start;
    private boolean begun;
    private byte[] held = new byte[0];
    private IOException gone;

    Demux(boolean stderr) {
        this.stderr = stderr;
    }

    /** Starts a frame ending with nonce's marker; its bytes go to sink. */
    synchronized void expect(String nonce, OutputStream sink) {
        // stdout frames open with "NONCE<\n" (printed by the shell just before the command): proof it started
        this.start = stderr ? null : (nonce + "<\n").getBytes(StandardCharsets.US_ASCII);
        this.begun = stderr;
        this.marker = ("\n" + nonce + (stderr ? "\n" : " ")).getBytes(StandardCharsets.US_ASCII);
        this.sink = sink;
        this.frame = new CompletableFuture<>();
        this.markerSeen = false;
        this.held = new byte[0];
        if (gone != null) {
            frame.completeExceptionally(gone);
        }
    }

    /** Lets go of the frame's sink (the command's output capture, with its spill file, goes with its result). */
    synchronized void detach() {
        sink = OutputStream.nullOutputStream();
        if (frame != null && !frame.isDone()) {
            frame.cancel(false);
        }
    }

    /** The frame's exit status (stdout) or 0 (stderr), once its marker has arrived. */
    synchronized CompletableFuture<Integer> status() {
        return frame;
    }

    synchronized CompletableFuture<Integer> done() {
        return frame;
    }

    /** Whether the shell began the frame's command (stdout: its start line arrived). */
    synchronized boolean begun() {
        return begun;
    }

    /** The stream ended (the shell or the channel is gone): a frame still open fails, and so does every later one. */
    synchronized void fail(IOException e) {
        gone = e;
        if (frame != null && !frame.isDone()) {
            frame.completeExceptionally(e);
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        if (frame == null || frame.isDone()) {
            return;
        }
        byte[] p;
        if (held.length == 0) {
            p = Arrays.copyOfRange(b, off, off + len);
        } else {
            p = Arrays.copyOf(held, held.length + len);
            System.arraycopy(b, off, p, held.length, len);
        }
        held = new byte[0];
        if (!begun) {
            int i = indexOf(p, start);
            if (i < 0) {
                held = Arrays.copyOfRange(p, Math.max(0, p.length - start.length + 1), p.length);
                return;
            }
            begun = true;
            p = Arrays.copyOfRange(p, i + start.length, p.length);
        }
        if (!markerSeen) {
            int i = indexOf(p, marker);
            if (i < 0) {
                int keep = heldTail(p);
                forward(p, 0, p.length - keep);
                held = Arrays.copyOfRange(p, p.length - keep, p.length);
                return;
            }
            forward(p, 0, i);
            markerSeen = true;
            p = Arrays.copyOfRange(p, i + marker.length, p.length);
        }
        if (stderr) {
            frame.complete(0);
            return;
        }
        int nl = indexOf(p, new byte[] {'\n'});
        if (nl < 0) {
            held = p; // the status digits are still coming
            return;
        }
        String digits = new String(p, 0, nl, StandardCharsets.US_ASCII).strip();
        try {
            frame.complete(Integer.parseInt(digits));
        } catch (NumberFormatException e) {
            frame.completeExceptionally(new IOException("unreadable exit status '" + digits + "' after the end marker"));
        }
    }

    private void forward(byte[] p, int from, int to) throws IOException {
        if (to > from) {
            sink.write(p, from, to - from);
            sink.flush();
        }
    }

    /** Length of the longest tail of p that is a proper prefix of the marker (the marker's only newline is its first byte). */
    private int heldTail(byte[] p) {
        for (int start = Math.max(0, p.length - marker.length + 1); start < p.length; start++) {
            if (p[start] != '\n') {
                continue;
            }
            int n = p.length - start;
            if (Arrays.equals(p, start, p.length, marker, 0, n)) {
                return n;
            }
        }
        return 0;
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
