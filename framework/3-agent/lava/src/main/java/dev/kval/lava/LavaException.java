package dev.kval.lava;

import java.io.IOException;

/**
 * LAVA refused or could not do what kval asked. The message names what failed, where (the server's URL, the job id,
 * where the token came from) and what to do; it never contains the token.
 */
public class LavaException extends IOException {
    /** What kind of problem: the caller decides whether it is worth retrying and who is to blame. */
    public enum Kind {
        /** the server does not answer (down, wrong URL) */
        UNREACHABLE,
        /** the token was refused */
        AUTH,
        /** the lab has no such device type, or none of its devices can take a job */
        DEVICE_TYPE,
        /** LAVA rejected the job definition */
        REJECTED,
        /** anything else the API answered with */
        API
    }

    private final Kind kind;

    public LavaException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public LavaException(Kind kind, String message) {
        this(kind, message, null);
    }

    public Kind kind() {
        return kind;
    }
}
