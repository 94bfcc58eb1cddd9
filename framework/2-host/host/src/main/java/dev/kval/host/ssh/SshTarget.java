package dev.kval.host.ssh;

/** Where and as whom to connect; the host key is always pinned. */
public record SshTarget(String name, String host, int port, String user, ClientKey key, HostKeyPin pin) {
    @Override
    public String toString() {
        return name + " (" + user + "@" + host + ":" + port + ")";
    }
}
