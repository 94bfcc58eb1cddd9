package dev.kval.host.qemu;

import dev.kval.console.CrashOracle;
import dev.kval.host.ConsoleWatch;
import dev.kval.host.ssh.HostKeyPin;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A QEMU guest's serial console as {@link QemuHost} reads it: bytes to lines (each capped), every line fed to the
 * {@link ConsoleWatch}, the last 400 kept for failure reports, and the markers kval's init prints picked out - the
 * SSH host key (pinned from here), modules loaded, ready. Waiters synchronize on {@link #lock}; it is notified on
 * every line and when the console ends.
 */
final class SerialConsole {
    private static final Pattern HOSTKEY = Pattern.compile(Initramfs.HOSTKEY_MARKER + " (ssh-[a-z0-9-]+ [A-Za-z0-9+/=]+) "
            + Initramfs.HOSTKEY_MARKER + "-END");

    /**
     * A console that never prints a newline (binary garbage, a stuck writer) must not grow one line without bound: bytes
     * past this are counted, dropped and reported with the oracle's cut marker (the full text stays in console.log).
     */
    static final int MAX_CONSOLE_LINE_BYTES = 4 * CrashOracle.MAX_LINE;

    final Object lock = new Object();
    private final Deque<String> tail = new ArrayDeque<>();
    private final ConsoleWatch watch;
    volatile String hostKeyLine;
    volatile boolean ready;
    volatile long lastNanos = System.nanoTime();
    volatile long markerNanos;
    volatile long modulesDoneNanos;

    SerialConsole(ConsoleWatch watch) {
        this.watch = watch;
    }

    /** Reads the console until it ends (QEMU exited), then wakes every waiter. */
    void read(InputStream console) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        long dropped = 0;
        byte[] buf = new byte[8192];
        try (InputStream in = console) {
            int n;
            while ((n = in.read(buf)) > 0) {
                lastNanos = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    byte b = buf[i];
                    if (b == '\n') {
                        onLine(consoleLine(line, dropped));
                        line.reset();
                        dropped = 0;
                    } else if (line.size() < MAX_CONSOLE_LINE_BYTES) {
                        line.write(b);
                    } else {
                        dropped++;
                    }
                }
            }
        } catch (IOException ignored) {
            // QEMU exited
        }
        if (line.size() > 0) {
            onLine(consoleLine(line, dropped));
        }
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    static String consoleLine(ByteArrayOutputStream line, long dropped) {
        String s = line.toString(StandardCharsets.UTF_8).replace("\r", "");
        return dropped == 0 ? s : s + CrashOracle.CUT_MARKER + dropped + " bytes]";
    }

    /** The kept lines, oldest first (a copy). */
    List<String> tail() {
        synchronized (lock) {
            return new ArrayList<>(tail);
        }
    }

    /** Whether a kept line contains marker (call holding {@link #lock} to wait for it without missing a line). */
    boolean seen(String marker) {
        synchronized (lock) {
            return tail.stream().anyMatch(l -> l.contains(marker));
        }
    }

    private void onLine(String l) {
        watch.feed(l);
        synchronized (lock) {
            tail.addLast(l);
            while (tail.size() > 400) {
                tail.removeFirst();
            }
            if (hostKeyLine == null) {
                Matcher m = HOSTKEY.matcher(l);
                if (m.find()) {
                    try {
                        HostKeyPin.ofPublicKeyLine(m.group(1), "console");
                        hostKeyLine = m.group(1);
                    } catch (IOException e) {
                        // garbled (interleaved kernel output): init prints it three times
                    }
                }
            }
            if (l.startsWith("KVAL-INIT " + Initramfs.MODULES_MARKER)) {
                modulesDoneNanos = System.nanoTime();
            }
            if (l.contains(Initramfs.READY_MARKER) || l.contains(Initramfs.SHELL_MARKER)) {
                if (markerNanos == 0) {
                    markerNanos = System.nanoTime();
                }
                if (l.contains(Initramfs.READY_MARKER)) {
                    ready = true;
                }
            }
            lock.notifyAll();
        }
    }
}
