package dev.kval.kselftest;

import dev.kval.host.ExecResult;
import dev.kval.host.Host;
import dev.kval.host.HostFailure;
import dev.kval.ktap.KtapParser;
import dev.kval.ktap.KtapTree;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs selftest programs on a {@link Host}: uploads each (the same {@code Host.upload} the agent deployer uses), checks
 * its sha256 there, runs it as the host's login user (root on kval's QEMU hosts) with its own timeout, and turns the
 * runs into one KTAP document ({@link KtapAssembler}) parsed by {@link KtapParser}.
 *
 * <p>Each program runs under a small POSIX sh wrapper on the host, in its own session so that a timeout kills the
 * program and anything it forked; its stdout and stderr go to one file (merged in write order) that is printed after
 * it ends, and a status line with the exit status and the host's uptime before and after goes to stderr. The timeout is
 * enforced on the host rather than by dropping the SSH channel, which would leave the program running there.
 */
public final class KselftestRun {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);
    /** What the host may need beyond the program's own timeout to answer (TCG: SSH, the wrapper, cat). */
    static final Duration SLACK = Duration.ofSeconds(60);
    static final String WRAPPER = String.join("\n",
            "cd \"$1\" || { echo \"KVAL-KSFT-STATUS rc=125 timeout=0 (cd $1 failed)\" >&2; exit 0; }",
            "p=\"$2\"; t=\"$3\"; shift 3",
            "rm -f \"$p.out\" \"$p.timeout\"",
            "s0=$(cut -d' ' -f1 /proc/uptime)",
            // setsid: own process group, so the timeout's kill reaches forked children too (no fork: not a group leader)
            "if command -v setsid >/dev/null 2>&1; then setsid \"./$p\" \"$@\" >\"$p.out\" 2>&1 </dev/null &",
            "else \"./$p\" \"$@\" >\"$p.out\" 2>&1 </dev/null & fi",
            "pid=$!",
            // the watchdog polls so it ends within 1 s of the program; its stdio is not the SSH channel's, which
            // would otherwise stay open (and the exec unfinished) until the watchdog's sleep ends
            "( i=0; while [ \"$i\" -lt \"$t\" ]; do sleep 1; kill -0 \"$pid\" 2>/dev/null || exit 0; i=$((i+1)); done",
            "  : >\"$p.timeout\"; kill -s KILL -- \"-$pid\" 2>/dev/null || kill -s KILL \"$pid\" ) </dev/null >/dev/null 2>&1 &",
            "w=$!",
            "wait \"$pid\"; rc=$?",
            "kill \"$w\" 2>/dev/null",
            "s1=$(cut -d' ' -f1 /proc/uptime)",
            "cat \"$p.out\"",
            "to=0; [ -e \"$p.timeout\" ] && to=1",
            "echo \"KVAL-KSFT-STATUS rc=$rc timeout=$to start=$s0 end=$s1\" >&2",
            "");
    private static final Pattern STATUS = Pattern.compile("KVAL-KSFT-STATUS rc=(\\d+) timeout=([01])(?: start=([0-9.]+) end=([0-9.]+))?");

    /** A program to run: its name in results, the local binary, its sha256 and arguments. */
    public record Program(String name, Path binary, String sha256, List<String> args) {
        public Program {
            if (!name.matches("[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException("bad program name '" + name + "'");
            }
            args = List.copyOf(args);
        }

        public static List<Program> of(SelftestBinaries b) {
            return b.binaries().stream().map(x -> new Program(x.name(), x.path(), x.sha256(), List.of())).toList();
        }
    }

    private final Consumer<String> log;

    public KselftestRun(Consumer<String> log) {
        this.log = log;
    }

    /**
     * Runs the programs in order. A host that dies (kernel panic, QEMU gone) ends the run: the program it died in gets an
     * ERROR with the failure, the rest are left unreported (MISSING in the parse), and the failure is in the result.
     *
     * @param header diagnostics for the top of the KTAP document (e.g. the source); host and kernel are added here
     */
    public KselftestResult run(Host host, List<Program> programs, Duration timeout, List<String> header) throws HostFailure {
        return run(host, programs, timeout, header, java.util.Map.of());
    }

    /**
     * As {@link #run(Host, List, Duration, List)}, but the programs named in {@code gated} are not run: each is a
     * SKIP (KSFT_SKIP) with its reason, in its place in the document ({@link FeatureGates}).
     */
    public KselftestResult run(Host host, List<Program> programs, Duration timeout, List<String> header,
            java.util.Map<String, String> gated) throws HostFailure {
        long t0 = System.nanoTime();
        host.awaitSettled(Duration.ofSeconds(120)); // a QEMU host loads kvm after SSH is up
        String dir = host.workDir() + "/kselftest";
        must(host, List.of("mkdir", "-p", dir), "create " + dir);
        ExecResult id = host.exec(List.of("id", "-u"), Duration.ofSeconds(30));
        List<String> head = new ArrayList<>(header);
        head.add("host=" + host.name() + " kind=" + host.kind().id() + " kernel=" + host.kernelRelease() + " uid=" + id.stdout().strip());
        head.add("timeout=" + timeout.toSeconds() + "s per program");
        if (!id.stdout().strip().equals("0")) {
            head.add("not running as root: tests that need root may fail or skip for that reason");
        }
        for (Program p : programs) {
            if (gated.containsKey(p.name())) {
                continue;
            }
            String remote = dir + "/" + p.name();
            host.upload(p.binary(), remote, 0755);
            String sum = must(host, List.of("sha256sum", remote), "sha256sum " + remote).stdout().strip().split("\\s+")[0];
            if (!sum.equals(p.sha256())) {
                throw HostFailure.infra("upload of " + p.binary() + " to " + host.name() + ":" + remote + " is corrupt: sha256 " + sum
                        + " there, " + p.sha256() + " here", null);
            }
        }
        List<ProgramRun> runs = new ArrayList<>();
        HostFailure died = null;
        for (Program p : programs) {
            if (gated.containsKey(p.name())) {
                log.accept("kselftest: " + host.name() + ": " + p.name() + " SKIP: " + gated.get(p.name()));
                runs.add(new ProgramRun(p.name(), p.sha256(), "1..0 # SKIP " + gated.get(p.name()) + "\n", ProgramRun.KSFT_SKIP, false,
                        Duration.ZERO, timeout, null));
                continue;
            }
            log.accept("kselftest: " + host.name() + ": running " + p.name() + " (timeout " + timeout.toSeconds() + " s)");
            try {
                ProgramRun r = runOne(host, dir, p, timeout);
                log.accept("kselftest: " + host.name() + ": " + p.name() + " exit " + r.exit() + (r.timedOut() ? " (timeout)" : "") + " in "
                        + r.elapsed().toMillis() + " ms");
                runs.add(r);
            } catch (HostFailure e) {
                runs.add(new ProgramRun(p.name(), p.sha256(), "", -1, false, Duration.ZERO, timeout, "host failed (" + e.attribution()
                        + "): " + e.getMessage()));
                died = e;
                break;
            }
        }
        String ktap = KtapAssembler.document(head, runs, programs.size());
        KtapTree tree = KtapParser.parseTree(ktap);
        return new KselftestResult(ktap, tree, runs, died, Duration.ofNanos(System.nanoTime() - t0));
    }

    private static ProgramRun runOne(Host host, String dir, Program p, Duration timeout) throws HostFailure {
        List<String> argv = new ArrayList<>(List.of("sh", "-c", WRAPPER, "kval-kselftest", dir, p.name(), String.valueOf(timeout.toSeconds())));
        argv.addAll(p.args());
        ExecResult r = host.exec(argv, timeout.plus(SLACK));
        if (r.timedOut()) {
            host.checkAlive(); // throws if the kernel or QEMU died
            return new ProgramRun(p.name(), p.sha256(), r.stdout(), -1, true, r.elapsed(), timeout,
                    "no answer from the host within " + timeout.plus(SLACK).toSeconds() + " s (the program's timeout plus "
                            + SLACK.toSeconds() + " s)");
        }
        Matcher m = STATUS.matcher(r.stderr());
        if (!m.find()) {
            host.checkAlive();
            return new ProgramRun(p.name(), p.sha256(), r.stdout() + r.stderr(), r.exit(), false, r.elapsed(), timeout,
                    "the run wrapper printed no status (exit " + r.exit() + "): " + r.stderr().strip());
        }
        Duration elapsed = r.elapsed();
        if (m.group(3) != null) {
            elapsed = Duration.ofMillis(Math.round((Double.parseDouble(m.group(4)) - Double.parseDouble(m.group(3))) * 1000));
        }
        int rc = Integer.parseInt(m.group(1));
        String error = rc == 125 || rc == 126 || rc == 127 ? "could not execute " + dir + "/" + p.name() + " (exit " + rc + ")" : null;
        return new ProgramRun(p.name(), p.sha256(), r.stdout(), rc, m.group(2).equals("1"), elapsed, timeout, error);
    }

    private static ExecResult must(Host host, List<String> argv, String what) throws HostFailure {
        ExecResult r = host.exec(argv, Duration.ofSeconds(60));
        if (!r.ok()) {
            host.checkAlive();
            throw HostFailure.infra("could not " + what + " on " + host.name() + " (exit " + r.exit() + "): " + r.stderr().strip(), null);
        }
        return r;
    }
}
