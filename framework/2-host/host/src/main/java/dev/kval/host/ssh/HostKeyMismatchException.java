package dev.kval.host.ssh;

import dev.kval.host.Attribution;
import dev.kval.host.HostFailure;
import java.util.List;

/**
 * The server presented a host key other than the pinned one: the connection was refused. The message names the
 * host, both fingerprints, where the pin came from and what to do, because the reader has to decide between "the
 * machine was reinstalled" and "something is in the middle".
 */
public class HostKeyMismatchException extends HostFailure {
    private final String expected;
    private final String presented;

    public HostKeyMismatchException(String target, String expected, String presented, String pinSource) {
        super(Attribution.INFRASTRUCTURE, "host key mismatch for " + target + ": expected " + expected + " (pinned by " + pinSource
                + ") but the server presented " + presented + " - refusing to connect. If the machine was reinstalled or its"
                + " key was changed on purpose, verify the new key out of band (e.g. ssh-keygen -lf on its console) and update"
                + " the pin in " + pinSource + "; otherwise treat it as an interception or a wrong address and do not proceed",
                List.of("expected " + expected, "presented " + presented, "pin from " + pinSource));
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
