package dev.kval.host;

import dev.kval.host.qemu.Initramfs;
import dev.kval.kernel.Proc;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.containers.wait.strategy.WaitAllStrategy;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.images.builder.Transferable;

/**
 * Dropbear SSH hosts run by Testcontainers from an image built here from this machine's own files (busybox-static,
 * dropbear and sftp-server with their libraries): no registry is reachable. Each container gets its own host key
 * (generated here, so the test can pin it) and kval's client key as root's authorized key.
 */
final class SshContainers {
    static final String IMAGE = "kval/dropbear-host:test";
    static final Duration STARTUP = Duration.ofSeconds(60);

    private SshContainers() {
    }

    /**
     * Why containers cannot run here, or null when a Docker engine answers. DOCKER_HOST comes from infra/env.sh
     * (./kval test) or the parent pom's surefire configuration (kval's dockerd socket).
     */
    static String dockerUnavailable() {
        try {
            if (DockerClientFactory.instance().isDockerAvailable()) {
                return null;
            }
        } catch (RuntimeException e) {
            // reported below
        }
        return "no Docker engine reachable at DOCKER_HOST=" + System.getenv("DOCKER_HOST") + ": infra/setup starts kval's dockerd"
                + " (as root); then source infra/env.sh";
    }

    /** The image: FROM scratch plus the rootfs; /init installs busybox's applets and runs dropbear in the foreground. */
    static ImageFromDockerfile image(Path scratch) throws IOException {
        Path ctx = Files.createDirectories(scratch.resolve("image"));
        Path root = Files.createDirectories(ctx.resolve("rootfs"));
        for (String d : List.of("bin", "etc/dropbear", "root/.ssh", "tmp", "usr/lib")) {
            Files.createDirectories(root.resolve(d));
        }
        Files.copy(Initramfs.busybox(), root.resolve("bin/busybox"), StandardCopyOption.REPLACE_EXISTING);
        Initramfs.copyWithLibs(Path.of("/usr/sbin/dropbear"), root);
        Path sftp = Path.of("/usr/lib/openssh/sftp-server");
        Initramfs.copyWithLibs(sftp, root);
        Files.copy(sftp, root.resolve("usr/lib/sftp-server"), StandardCopyOption.REPLACE_EXISTING); // dropbear's SFTPSERVER_PATH
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
        Files.writeString(root.resolve("etc/shells"), "/bin/sh\n");
        Path init = root.resolve("init");
        Files.writeString(init, String.join("\n", "#!/bin/busybox sh",
                "/bin/busybox --install -s /bin",
                "chmod 700 /root/.ssh; chmod 600 /root/.ssh/authorized_keys /etc/dropbear/hostkey; chmod 1777 /tmp",
                "exec /usr/sbin/dropbear -F -E -s -p 22 -r /etc/dropbear/hostkey", ""));
        Files.setPosixFilePermissions(init, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(root.resolve("bin/busybox"), PosixFilePermissions.fromString("rwxr-xr-x"));
        return new ImageFromDockerfile(IMAGE, false)
                .withFileFromPath("rootfs", root)
                .withDockerfileFromBuilder(b -> b.from("scratch").copy("rootfs/", "/").cmd("/bin/busybox", "sh", "/init").build());
    }

    /** A fresh dropbear host key (private key file for the container, public line for the pin). */
    record HostKey(byte[] privateKey, String publicLine) {
        static HostKey generate(Path dir, String name) throws IOException {
            Path f = dir.resolve(name + ".dropbear");
            Files.deleteIfExists(f);
            Proc.check(List.of("dropbearkey", "-t", "ed25519", "-f", f.toString()), null, Duration.ofSeconds(10));
            String pub = Proc.check(List.of("dropbearkey", "-y", "-f", f.toString()), null, Duration.ofSeconds(10)).stdout().lines()
                    .filter(l -> l.startsWith("ssh-")).findFirst().orElseThrow(() -> new IOException("dropbearkey -y printed no key"));
            String[] p = pub.split(" ");
            return new HostKey(Files.readAllBytes(f), p[0] + " " + p[1]);
        }
    }

    @SuppressWarnings("resource")
    static GenericContainer<?> host(ImageFromDockerfile image, String name, HostKey key, String authorizedKey) {
        return new GenericContainer<>(image)
                .withExposedPorts(22)
                .withCopyToContainer(Transferable.of(key.privateKey(), 0600), "/etc/dropbear/hostkey")
                .withCopyToContainer(Transferable.of(authorizedKey.strip() + "\n", 0600), "/root/.ssh/authorized_keys")
                .withLogConsumer(f -> System.err.print("[" + name + "] " + f.getUtf8String()))
                .waitingFor(new WaitAllStrategy(WaitAllStrategy.Mode.WITH_MAXIMUM_OUTER_TIMEOUT)
                        .withStrategy(Wait.forListeningPort())
                        .withStrategy(new SshBanner())
                        .withStartupTimeout(STARTUP));
    }

    /**
     * Ready once the mapped port sends an SSH banner: docker-proxy accepts connections before dropbear listens,
     * so a listening port alone is not an SSH server.
     */
    static final class SshBanner extends AbstractWaitStrategy {
        @Override
        protected void waitUntilReady() {
            String host = waitStrategyTarget.getHost();
            int port = waitStrategyTarget.getMappedPort(22);
            long deadline = System.nanoTime() + startupTimeout.toNanos();
            String last = "nothing";
            while (System.nanoTime() < deadline) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(host, port), 2000);
                    s.setSoTimeout(2000);
                    String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                    if (line != null && line.startsWith("SSH-2.0-")) {
                        return;
                    }
                    last = line == null ? "connection closed without a banner" : "'" + line + "'";
                } catch (IOException e) {
                    last = e.toString();
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ContainerLaunchException("interrupted waiting for SSH on " + host + ":" + port);
                }
            }
            throw new ContainerLaunchException("no SSH banner on " + host + ":" + port + " within " + startupTimeout.toSeconds()
                    + " s (last: " + last + ")");
        }
    }
}
