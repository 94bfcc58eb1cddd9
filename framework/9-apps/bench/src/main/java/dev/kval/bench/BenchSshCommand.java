package dev.kval.bench;

import dev.kval.host.ExecResult;
import dev.kval.host.ssh.ClientKey;
import dev.kval.host.ssh.LocalSshd;
import dev.kval.host.ssh.SshConnection;
import dev.kval.host.ssh.SshTarget;
import dev.kval.host.ssh.SshTransport;
import dev.kval.kernel.KernelCache;
import dev.kval.kernel.KvalPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `kval bench ssh`: `true` on kval's already-open session vs a fresh OpenSSH `ssh ... true`, same sshd, same run. */
@Command(name = "ssh", mixinStandardHelpOptions = true,
        description = "Runs `true` N times over kval's open MINA session and N times with OpenSSH `ssh` against the same local sshd; "
                + "prints both medians and the ratio (goal >= 50x).")
public class BenchSshCommand implements Callable<Integer> {
    @Option(names = {"-n", "--runs"}, defaultValue = "50", description = "runs per side (default 50)")
    int runs;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createDirectories(KvalPaths.state().resolve("bench-ssh"));
        Path tmp = Files.createTempDirectory(dir, "sshd-");
        ClientKey key = ClientKey.defaultKey();
        try (LocalSshd sshd = new LocalSshd(tmp, key).start();
                SshConnection conn = SshTransport.shared().connection(
                        new SshTarget("bench", "127.0.0.1", sshd.port(), System.getProperty("user.name"), key, sshd.pin()))) {
            Path known = sshd.knownHosts();
            List<String> ssh = List.of("ssh", "-i", key.privateKeyFile().toString(), "-o", "UserKnownHostsFile=" + known,
                    "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR",
                    "-p", String.valueOf(sshd.port()), System.getProperty("user.name") + "@127.0.0.1", "true");
            // warm up both sides (JIT, first connection, sshd caches)
            for (int i = 0; i < 300; i++) { // JIT warm-up of the client path
                check(conn.exec(List.of("true"), Duration.ofSeconds(10)));
            }
            runSsh(ssh);
            List<Long> kval = new ArrayList<>();
            List<Long> openssh = new ArrayList<>();
            // Two phases in the same run (not interleaved: each OpenSSH connection leaves sshd/ssh teardown work behind
            // that would otherwise land on the next kval measurement).
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                check(conn.exec(List.of("true"), Duration.ofSeconds(10)));
                kval.add(System.nanoTime() - t0);
            }
            for (int i = 0; i < runs; i++) {
                long t1 = System.nanoTime();
                runSsh(ssh);
                openssh.add(System.nanoTime() - t1);
            }
            // for reference: the same session with one exec channel per command (kval's path before the shell)
            List<Long> channel = new ArrayList<>();
            System.setProperty(SshConnection.SHELL_PROPERTY, "false");
            try {
                for (int i = 0; i < runs; i++) {
                    long t2 = System.nanoTime();
                    check(conn.exec(List.of("true"), Duration.ofSeconds(10)));
                    channel.add(System.nanoTime() - t2);
                }
            } finally {
                System.clearProperty(SshConnection.SHELL_PROPERTY);
            }
            double k = median(kval) / 1e6;
            double o = median(openssh) / 1e6;
            System.out.printf("kval bench ssh: %d runs each against OpenSSH sshd on 127.0.0.1:%d%n", runs, sshd.port());
            System.out.printf("  kval (MINA, open session, the host's command shell) `true`: median %.3f ms (min %.3f, max %.3f)%n", k,
                    min(kval) / 1e6, max(kval) / 1e6);
            System.out.printf("  kval (MINA, open session, one channel per command) `true`: median %.3f ms (min %.3f, max %.3f)%n",
                    median(channel) / 1e6, min(channel) / 1e6, max(channel) / 1e6);
            System.out.printf("  OpenSSH ssh ... `true`:           median %.3f ms (min %.3f, max %.3f)%n", o, min(openssh) / 1e6,
                    max(openssh) / 1e6);
            System.out.printf("  ratio OpenSSH / kval: %.1fx (goal >= 50x) %s%n", o / k, o / k >= 50 ? "MET" : "NOT MET");
            System.out.println("  load average (1/5/15 min): " + Files.readString(Path.of("/proc/loadavg")).strip());
            return 0;
        } finally {
            KernelCache.deleteTree(tmp);
        }
    }

    private static void check(ExecResult r) {
        if (r.exit() != 0) {
            throw new IllegalStateException("`true` over kval's session failed: " + r);
        }
    }

    private static void runSsh(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("ssh failed: " + new String(out));
        }
    }

    static double median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2.0;
    }

    static long min(List<Long> xs) {
        return Collections.min(xs);
    }

    static long max(List<Long> xs) {
        return Collections.max(xs);
    }
}
