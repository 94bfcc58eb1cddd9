package dev.kval.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CI gate's sandbox (infra/ci/gate-sandbox), attacked by "pull-request code": a script run where the PR's
 * Makefiles would run, trying to read the runner's SSH key and store password, the CI secrets in its environment,
 * write the kval checkout and the image's root, and reach a service on the runner's 127.0.0.1. A control runs the
 * same script on the runner itself (what the old template did) and shows it gets everything.
 */
class CiGateSandboxTest {
    static final Path REPO = Path.of(System.getProperty("kval.repo", "../../..")).toAbsolutePath().normalize();
    static final String IMAGE = "kval/gate-attack-test:busybox";

    @TempDir
    Path tmp;

    private static String run(Map<String, String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), String.join(" ", cmd) + " did not finish");
        return "exit " + p.exitValue() + "\n" + out;
    }

    @Test
    void pullRequestCodeReachesNoneOfTheRunnersState() throws Exception {
        String why = SshContainers.dockerUnavailable();
        Assumptions.assumeTrue(why == null, why);
        // a minimal image (no registry here): busybox-static only
        Path ctx = Files.createDirectories(tmp.resolve("image"));
        Files.copy(dev.kval.host.qemu.Initramfs.busybox(), ctx.resolve("busybox"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n");
        String built = run(Map.of(), "docker", "build", "-q", "-t", IMAGE, ctx.toString());
        assertTrue(built.startsWith("exit 0"), built);

        // the runner: kval's state as the nightly keeps it, secrets in the job's environment
        Path state = Files.createDirectories(tmp.resolve("runner/state/ssh"));
        Path key = Files.writeString(state.resolve("id_ed25519"), "RUNNER-SSH-KEY\n");
        Path data = Files.createDirectories(tmp.resolve("runner/data"));
        Path pw = Files.writeString(data.resolve("store.password"), "RUNNER-STORE-PASSWORD\n");
        Path cache = Files.createDirectories(tmp.resolve("runner/cache/kernels"));
        Files.writeString(cache.resolve("bzImage"), "NIGHTLY-KERNEL\n");
        Path checkout = Files.createDirectories(tmp.resolve("runner/kval"));
        Files.createDirectories(checkout.resolve("infra/ci"));
        Files.copy(REPO.resolve("infra/ci/gate-sandbox"), checkout.resolve("infra/ci/gate-sandbox"));
        Files.setPosixFilePermissions(checkout.resolve("infra/ci/gate-sandbox"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path tree = Files.createDirectories(tmp.resolve("pr-tree"));
        Files.writeString(tree.resolve("Makefile"), "all:\n\techo building\n");

        try (ServerSocket loopback = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AtomicInteger accepted = new AtomicInteger();
            Thread t = new Thread(() -> {
                while (!loopback.isClosed()) {
                    try (Socket s = loopback.accept()) {
                        accepted.incrementAndGet();
                        s.getOutputStream().write("RUNNER-LOOPBACK-SERVICE\n".getBytes());
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            String attack = String.join("; ",
                    "echo uid=$(id -u)",
                    "cat " + key + " " + pw + " " + cache.resolve("bzImage") + " 2>/dev/null",
                    "env | grep -i -e secret -e token -e password",
                    "echo x > " + checkout + "/pwned 2>/dev/null && echo WROTE-CHECKOUT",
                    "echo x > /opt/kval/pwned 2>/dev/null && echo WROTE-CHECKOUT",
                    "echo x > /bin/pwned 2>/dev/null && echo WROTE-ROOT",
                    "echo hi | busybox timeout 5 busybox nc 127.0.0.1 " + loopback.getLocalPort() + " 2>/dev/null",
                    "true");
            Map<String, String> runnerEnv = Map.of("KVAL_HOME", checkout.toString(), "KVAL_STATE", state.getParent().toString(),
                    "KVAL_HOME_DATA", data.toString(), "KVAL_CACHE", cache.getParent().toString(), "KVAL_DB_PASSWORD", "CI-SECRET-DB",
                    "KVAL_API_TOKEN", "CI-SECRET-TOKEN", "KVAL_GATE_IMAGE", IMAGE, "KVAL_GATE_OUT", tmp.resolve("out").toString());

            // control: the same PR code run on the runner, as the old template's `kval gate --candidate build:<tree>` did
            String onRunner = run(java.util.Map.of("KVAL_DB_PASSWORD", "CI-SECRET-DB"), "sh", "-c",
                    attack.replace("/opt/kval/pwned", "/dev/null/x").replace("/bin/pwned", "/dev/null/x"));
            assertTrue(onRunner.contains("RUNNER-SSH-KEY") && onRunner.contains("RUNNER-STORE-PASSWORD") && onRunner.contains("CI-SECRET-DB")
                    && onRunner.contains("WROTE-CHECKOUT") && onRunner.contains("RUNNER-LOOPBACK-SERVICE"), "control:\n" + onRunner);
            Files.delete(checkout.resolve("pwned"));
            int reachedBefore = accepted.get();

            Map<String, String> env = new java.util.HashMap<>(runnerEnv);
            env.put("KVAL_GATE_EXEC", attack);
            String sandboxed = run(env, checkout.resolve("infra/ci/gate-sandbox").toString(), tree.toString());
            System.err.println("in the sandbox:\n" + sandboxed);
            assertTrue(sandboxed.startsWith("exit 0"), sandboxed);
            assertTrue(sandboxed.contains("uid=65534"), "runs as nobody:\n" + sandboxed);
            for (String leak : new String[] {"RUNNER-SSH-KEY", "RUNNER-STORE-PASSWORD", "NIGHTLY-KERNEL", "CI-SECRET", "WROTE-", "RUNNER-LOOPBACK-SERVICE"}) {
                assertFalse(sandboxed.contains(leak), leak + " reached the pull-request code:\n" + sandboxed);
            }
            assertFalse(Files.exists(checkout.resolve("pwned")));
            Thread.sleep(300);
            assertEquals(reachedBefore, accepted.get(), "the sandbox connected to the runner's 127.0.0.1 service");
        }
    }
}
