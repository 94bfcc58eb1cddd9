package dev.kval.host.ssh;

import java.time.Duration;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.core.CoreModuleProperties;

/** One MINA {@link SshClient} for the whole process; connections (one reused session per host) come from it. */
public final class SshTransport implements AutoCloseable {
    private static SshTransport shared;
    private final SshClient client;

    public SshTransport(Duration heartbeat) {
        client = SshClient.setUpDefaultClient();
        // Pinned keys are checked per session; anything that slips through is rejected.
        client.setServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE);
        CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, heartbeat);
        CoreModuleProperties.HEARTBEAT_REPLY_WAIT.set(client, heartbeat);
        CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(client, 3);
        CoreModuleProperties.IDLE_TIMEOUT.set(client, Duration.ZERO);
        CoreModuleProperties.TCP_NODELAY.set(client, true);
        client.start();
    }

    public static synchronized SshTransport shared() {
        if (shared == null || !shared.client.isStarted()) {
            shared = new SshTransport(Duration.ofSeconds(5));
        }
        return shared;
    }

    public SshClient client() {
        return client;
    }

    /** A connection to target; the session is opened lazily and reopened after a drop. */
    public SshConnection connection(SshTarget target) {
        return new SshConnection(this, target);
    }

    @Override
    public void close() {
        client.stop();
    }
}
