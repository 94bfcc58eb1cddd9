package dev.kval.host.ssh;

import java.nio.file.Path;
import java.time.Duration;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;

/**
 * Run in a JVM of its own whose HOME and user.home are a test's temporary home (so ~/.ssh/id_* and ~/.ssh/config are
 * the test's, whatever MINA caches per process): connects once and prints CONNECTED or FAILED with the reason.
 * <ul>
 * <li>{@code kval HOST PORT USER KEYFILE|- HOSTPUBFILE}: kval's transport, with kval's key (or none)</li>
 * <li>{@code stock HOST PORT USER}: MINA's default client, which offers ~/.ssh/id_* and reads ~/.ssh/config (the
 * negative control: what kval's transport must not do)</li>
 * </ul>
 */
public final class SshIdentityProbe {
    public static void main(String[] a) {
        try {
            String host = a[1];
            int port = Integer.parseInt(a[2]);
            if (a[0].equals("stock")) {
                SshClient c = SshClient.setUpDefaultClient();
                c.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
                c.start();
                try (ClientSession s = c.connect(a[3], host, port).verify(Duration.ofSeconds(15)).getSession()) {
                    s.auth().verify(Duration.ofSeconds(15));
                }
            } else {
                ClientKey key = a[4].equals("-") ? null : ClientKey.loadOrCreate(Path.of(a[4]));
                HostKeyPin pin = HostKeyPin.ofPublicKeyLine(java.nio.file.Files.readString(Path.of(a[5])), a[5]);
                try (SshTransport t = new SshTransport(Duration.ofSeconds(10));
                        SshConnection conn = t.connection(new SshTarget("probe", host, port, a[3], key, pin))) {
                    conn.connectTimeout(Duration.ofSeconds(15)).session();
                }
            }
            System.out.println("CONNECTED");
        } catch (Throwable e) {
            System.out.println("FAILED: " + e);
        }
        System.exit(0);
    }
}
