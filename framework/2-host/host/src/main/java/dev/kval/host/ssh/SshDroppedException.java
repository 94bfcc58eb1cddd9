package dev.kval.host.ssh;

import dev.kval.host.Attribution;
import dev.kval.host.HostFailure;
import java.util.List;

/** The SSH connection dropped while a command ran: an infrastructure error, never a test outcome. */
public class SshDroppedException extends HostFailure {
    public SshDroppedException(String message, Throwable cause) {
        super(Attribution.INFRASTRUCTURE, message, List.of(), cause);
    }
}
