package dev.kval.host;

import java.time.Duration;

/** A finished remote or local command. {@code timedOut} means kval stopped it at its timeout (exit is then -1). */
public record ExecResult(int exit, String stdout, String stderr, Duration elapsed, boolean timedOut) {
    public boolean ok() {
        return exit == 0 && !timedOut;
    }
}
