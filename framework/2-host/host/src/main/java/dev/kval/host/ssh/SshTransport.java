package dev.kval.host.ssh;

import java.time.Duration;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.core.CoreModuleProperties;

/** One MINA {@link SshClient} for the whole process; connections (one reused session per host) come from it. */
public final class SshTransport implements AutoCloseable {
    public static final int MISSED_HEARTBEATS = 6;
    private static SshTransport shared;
    private final SshClient client;

    /**
     * @param heartbeat keepalive interval; a session whose server misses {@link #MISSED_HEARTBEATS} replies in a row is
     *                  closed, which turns a running command into an {@link SshDroppedException}
     */
    public SshTransport(Duration heartbeat) {
        client = SshClient.setUpDefaultClient();
        // Pinned keys are checked per session; anything that slips through is rejected.
        client.setServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE);
        // Only the key each target names: never the user's own ~/.ssh/id_* (offered to a lab machine, or to a
        // malicious one, they identify or authenticate as the user elsewhere), and never ~/.ssh/config (a Host entry
        // there could redirect a lab name to another address, user or ProxyCommand behind kval's back).
        client.setKeyIdentityProvider(org.apache.sshd.common.keyprovider.KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        client.setHostConfigEntryResolver(org.apache.sshd.client.config.hosts.HostConfigEntryResolver.EMPTY);
        CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, heartbeat);
        CoreModuleProperties.HEARTBEAT_REPLY_WAIT.set(client, heartbeat);
        CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(client, MISSED_HEARTBEATS);
        CoreModuleProperties.IDLE_TIMEOUT.set(client, Duration.ZERO);
        CoreModuleProperties.TCP_NODELAY.set(client, true);
        client.start();
    }

    public static synchronized SshTransport shared() {
        if (shared == null || !shared.client.isStarted()) {
            // a TCG guest running heavy tests can be slow to answer: 6 x 10 s before calling the connection dead
            shared = new SshTransport(Duration.ofSeconds(10));
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
