package dev.kval.sweep;

import dev.kval.agent.AgentDeployer;
import dev.kval.agent.AgentOptions;
import dev.kval.agent.AgentRun;
import dev.kval.agent.RaceResume;
import dev.kval.host.Attribution;
import dev.kval.host.HostFailure;
import dev.kval.host.qemu.QemuConfig;
import dev.kval.host.qemu.QemuHost;
import dev.kval.host.qemu.QemuProvider;
import dev.kval.kernel.KernelArtifact;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The sweep's (and so the bisection's) reboot-resume for the race suite, as {@code kval run} does it in RaceBoots: a
 * race case that deadlocks leaves unkillable tasks holding mf_mutex, the invalidate lock and a folio lock, so the agent
 * stops and prints a placeholder for every later case instance. Here the kernel is booted again under
 * {@code attempt-N/boot-K/} with {@code --start} at the first placeholder's case, and that boot's results replace the
 * placeholders in {@code attempt-N/agent.ktap} ({@link RaceResume#splice}); the first boot's raw KTAP is kept as
 * {@code agent.boot-1.ktap}. It stops when no placeholder is left, when a boot resolves none (no progress), or when a
 * resumed boot fails before the agent ran twice in a row (the placeholders stay SKIP and the note says why).
 */
final class RaceResumeBoots {
    static final String BOOT_PREFIX = "boot-";

    private RaceResumeBoots() {
    }

    /** Runs the resumed boots if the KTAP in ktapFile has placeholders; returns a note for the attempt ("" if none). */
    static String resume(QemuConfig cfg, AgentDeployer agent, AgentOptions opts, SweepKernel k, KernelArtifact a, Path adir, Path ktapFile,
            Consumer<String> progress) throws IOException {
        String ktap = read(ktapFile);
        List<String> left = RaceResume.placeholders(ktap);
        if (left.isEmpty()) {
            return "";
        }
        Files.copy(ktapFile, adir.resolve("agent.boot-1.ktap"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        int boots = 1;
        int retries = 0;
        String stopped = null;
        while (!left.isEmpty()) {
            boots++;
            String start = left.get(0);
            String name = BOOT_PREFIX + boots;
            progress.accept(k.label() + ": " + left.size() + " race case instance(s) left after stuck tasks; fresh boot " + boots + " from " + start);
            AgentOptions o = new AgentOptions(opts.suites(), opts.casePattern(), opts.repeat(), opts.timeoutSeconds(), opts.overall(),
                    opts.exclude(), opts.race().startingAt(start));
            QemuHost host = null;
            String next;
            String diedIn = null;
            String why = null;
            String stage = "boot";
            try {
                host = new QemuProvider(cfg, adir, null, s -> { }).boot(a, name);
                stage = "deploy";
                String remote = agent.deploy(host);
                stage = "run";
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                AgentRun run = agent.run(host, remote, o, out);
                next = out.toString(StandardCharsets.UTF_8);
                if (!run.stderr().isBlank()) {
                    Files.writeString(adir.resolve(name).resolve("agent.stderr"), run.stderr());
                }
            } catch (HostFailure f) {
                if (!stage.equals("run") || f.attribution() != Attribution.KERNEL) {
                    String why1 = "resumed boot " + boots + " failed at " + stage + " (" + f.attribution() + "): "
                            + f.getMessage().lines().findFirst().orElse("");
                    if (retries++ < KernelRunner.ATTEMPTS - 1) {
                        // as the first boot: TCG boots fail now and then under load (stack-probe.md section 5); once more
                        progress.accept(k.label() + ": " + why1 + " - retrying once");
                        continue;
                    }
                    stopped = why1;
                    break;
                }
                // the kernel died while a resumed case ran: that case is not ok, the ones after it get another boot
                next = "";
                diedIn = start;
                why = "resumed boot " + boots + ": the kernel died during this case: " + f.getMessage().lines().findFirst().orElse("");
            } finally {
                if (host != null) {
                    host.release();
                }
            }
            Files.createDirectories(adir.resolve(name));
            Files.writeString(adir.resolve(name).resolve("agent.ktap"), next);
            if (diedIn == null && !RaceResume.hasResult(next, start)) {
                // the agent's output ended before the case it started at had a result: the kernel went away under it
                diedIn = start;
                why = "resumed boot " + boots + ": no result for this case (the agent's output ended; see " + adir.relativize(adir.resolve(name)) + ")";
            }
            retries = 0;
            String merged = RaceResume.splice(ktap, next, diedIn, why);
            List<String> nowLeft = RaceResume.placeholders(merged);
            ktap = merged;
            if (nowLeft.size() >= left.size()) {
                stopped = "resumed boot " + boots + " ran none of the " + left.size() + " case instance(s) left; see " + adir.resolve(name);
                break;
            }
            left = nowLeft;
        }
        Files.writeString(ktapFile, ktap);
        String note = "; race cases resumed in " + (boots - 1) + " fresh boot(s) after stuck tasks (" + BOOT_PREFIX + "2.." + BOOT_PREFIX + boots + ")";
        if (stopped != null) {
            progress.accept(k.label() + ": " + stopped + "; " + left.size() + " case instance(s) stay SKIP");
            note += "; " + stopped;
        }
        return note;
    }

    /** The resumed boots' directories of an attempt, in boot order. */
    static List<Path> bootDirs(Path adir) {
        if (!Files.isDirectory(adir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(adir)) {
            return s.filter(p -> Files.isDirectory(p) && p.getFileName().toString().startsWith(BOOT_PREFIX))
                    .sorted((x, y) -> Integer.compare(n(x), n(y))).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static int n(Path p) {
        try {
            return Integer.parseInt(p.getFileName().toString().substring(BOOT_PREFIX.length()));
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    private static String read(Path f) throws IOException {
        // bytes, not readString: a kernel dying mid-line can leave bytes that are not UTF-8
        return Files.exists(f) ? new String(Files.readAllBytes(f), StandardCharsets.UTF_8) : "";
    }
}
