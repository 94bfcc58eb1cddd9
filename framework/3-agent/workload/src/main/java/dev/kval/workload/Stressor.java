package dev.kval.workload;

import dev.kval.host.ExecResult;
import dev.kval.host.Host;
import dev.kval.host.HostFailure;
import dev.kval.host.ShellQuote;
import dev.kval.workloads.Main;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A kval workload running in the background on a host while something else (a suite) runs there. Detached on the
 * host (SIGHUP ignored, {@code &}, output to files in the host's work directory), so no SSH channel is held open and
 * the suite's commands are not disturbed; {@link #stop} sends SIGTERM, waits for the report and parses it.
 */
public final class Stressor implements AutoCloseable {
    public static final List<String> NAMES = List.of("churn", "thp", "fragment", "cpu");
    /** TCG guests start a JVM slowly (a JVM from a 9p share on one emulated vCPU): generous, still bounded. */
    static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    static final Duration STOP_TIMEOUT = Duration.ofMinutes(2);
    private static final AtomicInteger SEQ = new AtomicInteger();
    private final Host host;
    private final String name;
    private final long pid;
    private final String out;
    private final String err;
    private final HostJvm jvm;
    private Duration duration;
    private Duration startup;
    private Effect effect;

    private Stressor(Host host, String name, long pid, String out, String err, HostJvm jvm, Duration startup) {
        this.host = host;
        this.name = name;
        this.pid = pid;
        this.out = out;
        this.err = err;
        this.jvm = jvm;
        this.startup = startup;
    }

    /** Starts {@code name} for {@code d} (zero: until {@link #stop}); returns once its pressure is in effect. */
    public static Stressor start(Host host, String name, Duration d) throws HostFailure {
        return start(host, name, d, List.of());
    }

    /** As {@link #start(Host, String, Duration)}, with workload options (e.g. {@code --mb 256}, {@code --threads 1}). */
    public static Stressor start(Host host, String name, Duration d, List<String> options) throws HostFailure {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown stressor '" + name + "': one of " + NAMES);
        }
        long t0 = System.nanoTime();
        HostJvm jvm = HostJvm.prepare(host);
        Path jar;
        try {
            jar = WorkloadJar.locate();
        } catch (IOException e) {
            throw HostFailure.infra(e.getMessage(), e);
        }
        String dir = host.workDir() + "/kval-workloads";
        ExecResult mk = host.exec(List.of("mkdir", "-p", dir), Duration.ofSeconds(30));
        if (!mk.ok()) {
            throw HostFailure.infra("cannot create " + dir + " on " + host.name() + ": " + mk.stderr().strip(), null);
        }
        String remoteJar = dir + "/kval-workloads.jar";
        host.upload(jar, remoteJar, 0644);
        String tag = name + "-" + SEQ.incrementAndGet();
        String out = dir + "/" + tag + ".out";
        String err = dir + "/" + tag + ".err";
        List<String> argv = new ArrayList<>(jvm.java());
        // small controller heap; direct memory unbounded for churn; C1 only: the JIT's threads compete with the suite
        argv.addAll(List.of("-Xmx64m", "-XX:MaxDirectMemorySize=64g", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-XX:-UsePerfData", "-Djava.io.tmpdir=" + dir, "-jar", remoteJar, name, "--duration",
                d.isZero() ? "0" : d.toMillis() + "ms"));
        if (host.kind() == dev.kval.host.HostSpec.Kind.LOCAL) {
            // until-stopped on this machine: never outlive kval if it dies without stopping us
            argv.addAll(List.of("--watch-pid", String.valueOf(ProcessHandle.current().pid())));
        }
        argv.addAll(options);
        // SIGHUP ignored (inherited through exec, and the JVM keeps an ignored HUP ignored): what nohup does, which
        // kval's busybox lacks
        String script = "trap '' HUP; " + ShellQuote.join(argv) + " >" + ShellQuote.quote(out) + " 2>" + ShellQuote.quote(err)
                + " </dev/null & echo $!";
        ExecResult r = host.exec(List.of("sh", "-c", script), Duration.ofSeconds(30));
        long pid;
        try {
            pid = Long.parseLong(r.stdout().strip());
        } catch (NumberFormatException e) {
            throw HostFailure.infra("starting stressor " + name + " on " + host.name() + " gave no pid (exit " + r.exit() + "): "
                    + r.stderr().strip(), e);
        }
        Stressor s = new Stressor(host, name, pid, out, err, jvm, null);
        s.awaitStarted();
        s.duration = d;
        s.startup = Duration.ofNanos(System.nanoTime() - t0);
        return s;
    }

    /** A shell test that is true while pid runs (a zombie has finished: PID 1 of kval's initramfs reaps lazily). */
    private String running() {
        return "st=$(cut -d' ' -f3 /proc/" + pid + "/stat 2>/dev/null); [ -n \"$st\" ] && [ \"$st\" != Z ]";
    }

    private void awaitStarted() throws HostFailure {
        String script = "while :; do grep -q '^" + Main.STARTED + "' " + ShellQuote.quote(out) + " && exit 0; " + running()
                + " || exit 3; sleep 0.2; done";
        ExecResult r = host.exec(List.of("sh", "-c", script), START_TIMEOUT);
        if (r.ok()) {
            return;
        }
        host.checkAlive();
        String why = tail();
        if (r.timedOut()) {
            host.exec(List.of("kill", "-KILL", String.valueOf(pid)), Duration.ofSeconds(10));
            throw HostFailure.infra("stressor " + name + " on " + host.name() + " did not start within " + START_TIMEOUT.toSeconds()
                    + " s (" + jvm.how() + "); its output: " + why, null);
        }
        throw HostFailure.infra("stressor " + name + " on " + host.name() + " exited before it started (" + jvm.how() + "); its output: "
                + why, null);
    }

    private String tail() throws HostFailure {
        ExecResult t = host.exec(List.of("sh", "-c", "tail -c 2000 " + ShellQuote.quote(err) + "; tail -c 1000 " + ShellQuote.quote(out)),
                Duration.ofSeconds(30));
        String s = t.stdout().strip();
        return s.isEmpty() ? "(nothing)" : s;
    }

    /** SIGTERM, wait for the report, parse it. Idempotent: a second call returns the same effect. */
    public synchronized Effect stop() throws HostFailure {
        return finish(true, STOP_TIMEOUT);
    }

    /** Waits for a stressor started with a duration to end by itself (it holds its pressure that long), then parses. */
    public synchronized Effect await() throws HostFailure {
        if (duration == null || duration.isZero()) {
            throw new IllegalStateException("stressor " + name + " runs until stopped: call stop()");
        }
        return finish(false, duration.plus(STOP_TIMEOUT));
    }

    private Effect finish(boolean kill, Duration timeout) throws HostFailure {
        if (effect != null) {
            return effect;
        }
        String script = (kill ? "kill -TERM " + pid + " 2>/dev/null; " : "") + "while " + running() + "; do sleep 0.2; done; cat "
                + ShellQuote.quote(out);
        ExecResult r = host.exec(List.of("sh", "-c", script), timeout);
        if (r.timedOut() || r.exit() != 0) {
            host.checkAlive();
            host.exec(List.of("kill", "-KILL", String.valueOf(pid)), Duration.ofSeconds(10));
            throw HostFailure.infra("stressor " + name + " on " + host.name() + " did not finish its report within "
                    + timeout.toSeconds() + " s" + (kill ? " of SIGTERM" : "") + " (killed); its output: " + tail(), null);
        }
        try {
            effect = Effect.parse(host.name(), r.stdout());
        } catch (IOException e) {
            throw HostFailure.infra("stressor " + name + " on " + host.name() + " printed no report: " + e.getMessage() + "; its output: "
                    + tail(), e);
        }
        return effect;
    }

    public String name() {
        return name;
    }

    public long pid() {
        return pid;
    }

    /** From the call to start until the pressure was in effect (JVM set-up and start, the workload's build phase). */
    public Duration startup() {
        return startup;
    }

    public HostJvm jvm() {
        return jvm;
    }

    /** Stops it if still running, discarding the report (use {@link #stop} to get it). */
    @Override
    public void close() {
        if (effect == null) {
            try {
                stop();
            } catch (HostFailure ignored) {
                // best effort: the host may be gone already
            }
        }
    }
}
