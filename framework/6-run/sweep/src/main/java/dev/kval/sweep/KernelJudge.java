package dev.kval.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kval.ktap.KtapParser;
import dev.kval.ktap.KtapTree;
import dev.kval.ktap.TestResult;
import dev.kval.result.Judge;
import dev.kval.result.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A sweep's or a bisection step's kernel judged by the same {@link Judge} as {@code kval run}: the KTAP, caps.json,
 * dmesg.txt and console.log of the attempt that ran the agent go in, {@link Verdict}s come out, so one kernel's
 * evidence gets the same verdict per leaf whichever command booted it.
 */
public final class KernelJudge {
    private static final Judge JUDGE = Judge.standard();

    private KernelJudge() {
    }

    /** The attempt whose KTAP the run kept (the last that got to run the agent), or null. */
    public static Path evidenceDir(KernelRun r) {
        for (int i = r.attempts().size() - 1; i >= 0; i--) {
            KernelRun.Attempt a = r.attempts().get(i);
            if (a.stage().equals("done") || a.stage().equals("run")) {
                return a.dir();
            }
        }
        return null;
    }

    public static Judge.Facts facts(KernelRun r) {
        Path d = evidenceDir(r);
        return facts("qemu [" + r.release() + "]", "qemu", r.release(), d);
    }

    /** What a host directory holds (caps.json, dmesg.txt, console.log), for the judge. */
    public static Judge.Facts facts(String host, String hostClass, String release, Path dir) {
        JsonNode caps = null;
        try {
            if (dir != null && Files.isRegularFile(dir.resolve("caps.json"))) {
                caps = new ObjectMapper().readTree(dir.resolve("caps.json").toFile());
            }
        } catch (IOException e) {
            // no caps facts: must-run rows still apply
        }
        String dmesg = read(dir, "dmesg.txt");
        String console = read(dir, "console.log");
        return new Judge.Facts(host, hostClass, release, caps, dmesg, console == null ? List.of() : console.lines().toList(), Map.of());
    }

    /** Every leaf's verdict and the host checks of one kernel (empty if the agent never ran). */
    public static List<Verdict> verdicts(KernelRun r, long overallSeconds) {
        if (r.ktap() == null) {
            return List.of();
        }
        KtapTree t = KtapParser.parseTree(r.ktap());
        boolean stopped = r.attempts().stream().anyMatch(a -> a.message() != null && a.message().startsWith("agent stopped at the overall limit"));
        return JUDGE.judge(facts(r), t.leaves(), stopped, t.bailOuts().stream().map(String::valueOf).toList(), overallSeconds);
    }

    /** One leaf's verdict on this kernel; {@code attempt} counts its repetitions from 1. */
    public static Verdict leaf(Judge.Facts f, TestResult leaf, int attempt) {
        return JUDGE.leaf(f, leaf, attempt);
    }

    private static String read(Path dir, String name) {
        try {
            Path p = dir == null ? null : dir.resolve(name);
            return p != null && Files.isRegularFile(p) ? new String(Files.readAllBytes(p), StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
