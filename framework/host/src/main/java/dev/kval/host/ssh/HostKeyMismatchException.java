package dev.kval.host.ssh;

import dev.kval.host.Attribution;
import dev.kval.host.HostFailure;
import java.util.List;

/** The server presented a host key other than the pinned one: the connection was refused. */
public class HostKeyMismatchException extends HostFailure {
    private final String expected;
    private final String presented;

    public HostKeyMismatchException(String target, String expected, String presented) {
        super(Attribution.INFRASTRUCTURE, "host key mismatch for " + target + ": expected " + expected + " but the server presented "
                + presented + " - refusing to connect", List.of("expected " + expected, "presented " + presented));
        this.expected = expected;
        this.presented = presented;
    }

    public String expected() {
        return expected;
    }

    public String presented() {
        return presented;
    }
}
