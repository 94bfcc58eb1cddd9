package dev.kval.bench;

import dev.kval.sweep.Sweep;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Options shared by {@code kval sweep} and {@code kval bench sweep} (a picocli mixin). It lives here because the CLI
 * depends on the bench module (it registers {@code kval bench}), never the other way round.
 */
public class SweepArgs {
    @Option(names = "--kernels", required = true,
            description = "range and/or list, e.g. 'debian:6.12..debian:7.3.4' or 'debian:7.1.13,debian:7.2.6' (inclusive, by version prefix)")
    public String kernels;

    @Option(names = "--suite", split = ",", description = "suites to run, comma separated (default: all)")
    public List<String> suites;

    @Option(names = "--case", description = "only cases matching this glob")
    public String casePattern;

    @Option(names = "--repeat", description = "run each case N times; cells whose verdicts disagree are marked flaky")
    public Integer repeat;

    @Option(names = "--jobs", defaultValue = "0", description = "QEMU hosts at a time (default: one per core)")
    public int jobs;

    @Option(names = "--overall-timeout", defaultValue = "1800", description = "limit for one kernel's agent run in seconds (default 1800)")
    public int overall;

    @Option(names = "--out", description = "output directory (default: runs/sweep-<timestamp>)")
    public Path out;

    @Option(names = "--iterations", description = "race suite: iterations per thread (agent default 200)")
    public Integer iterations;

    @Option(names = "--seed", description = "race suite: seed of every thread's choices, decimal or 0x hex (default: from the clock; "
            + "printed in each case's KTAP)")
    public String seed;

    public Sweep.Options options(String prefix) {
        Path dir = out != null ? out : Path.of("runs", prefix + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        return new Sweep.Options(kernels, suites, casePattern, repeat, jobs, dir, Duration.ofSeconds(overall),
                dev.kval.agent.RaceOptions.parse(iterations, seed));
    }
}
