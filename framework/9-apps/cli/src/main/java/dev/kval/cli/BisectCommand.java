package dev.kval.cli;

import dev.kval.host.qemu.QemuConfig;
import dev.kval.kernel.KernelResolver;
import dev.kval.reports.RunDir;
import dev.kval.reports.bisect.BisectReport;
import dev.kval.reports.bisect.Bisection;
import dev.kval.reports.bisect.FlakeRates;
import dev.kval.sweep.Sweep;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bisect", mixinStandardHelpOptions = true,
        header = "Finds the first Debian kernel (or git commit) between --from and --to where a case's verdict differs from its verdict at --from.",
        description = {"Finds the first Debian kernel between --from and --to (version order), or the first commit of git:R@good..git:R@bad",
            "(each built incrementally; a commit that does not build or boot is skipped), where a case's verdict differs from",
            "its verdict at --from (a break or a fix). Each step boots the kernel in QEMU and runs only the case N times; the",
            "verdict is each selected leaf's status and # observed= value (status only for leaves whose value moves between",
            "runs on --from). Split steps boot again (majority of up to 3N); a kernel that does not boot is a weak step.",
            "Prints the point and a confidence; --json prints the JSON kept in OUT/bisect.json.",
            "Exit: 0 change found, 1 no change between the ends, 2 bad input or infrastructure."})
public class BisectCommand implements Callable<Integer> {
    @Option(names = "--from", required = true, description = "debian:<version> or git:<repo>@<good ref>[,<config>...] the search starts from (its verdict is the reference)")
    String from;

    @Option(names = "--to", required = true, description = "debian:<version> or git:<repo>@<bad ref> (same repository and config) at the other end")
    String to;

    @Option(names = "--case", required = true, description = "test id (KTAP leaf or case) or a glob, e.g. api.memslot.gmem_range_overlap_errno_by_version")
    String casePattern;

    @Option(names = "--host", defaultValue = "qemu", description = "qemu (the only host bisection boots kernels on)")
    String host;

    @Option(names = "--runs", description = "runs per step (default: from the measured flake rate, else 3)")
    Integer runs;

    @Option(names = "--jobs", defaultValue = "0", description = "kernels booted at a time (default: one per core)")
    int jobs;

    @Option(names = "--overall-timeout", defaultValue = "600", description = "limit for one step's agent run in seconds (default 600)")
    int overall;

    @Option(names = "--out", description = "work directory (default: runs/bisect-<timestamp>)")
    Path out;

    @Option(names = "--json", description = "print the result as JSON on stdout")
    boolean json;

    @Option(names = "--suite", split = ",", description = "suites the agent runs (default: those the case selects; a race.* case selects race)")
    java.util.List<String> suites;

    @Option(names = "--iterations", description = "race suite: iterations per thread (agent default 200)")
    Integer iterations;

    @Option(names = "--seed", description = "race suite: seed of every thread's choices, decimal or 0x hex (default: from the clock)")
    String seed;

    /** Where measured flake rates come from; part B / the result store plugs in here. */
    static FlakeRates flakeRates = FlakeRates.UNKNOWN;

    @Override
    public Integer call() {
        if (!host.equals("qemu")) {
            System.err.println("kval bisect: --host " + host + " is not supported: bisection boots each kernel in QEMU (--host qemu)");
            return 2;
        }
        Path dir = out != null ? out : Path.of("runs", "bisect-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        PrintStream err = System.err;
        try {
            Sweep sweep = new Sweep(KernelResolver.defaults(), SweepCommand.qemuFor(suites, casePattern), err);
            FlakeRates rates = flakeRates == FlakeRates.UNKNOWN ? StoreFlakeRates.fromStore(err) : flakeRates;
            BisectReport r = new Bisection(sweep, rates, s -> err.println("kval bisect: " + s))
                    .run(new Bisection.Options(from, to, casePattern, runs, jobs, dir, Duration.ofSeconds(overall), suites,
                            RunCommand.raceOptions(iterations, seed)));
            r.write(dir.resolve("bisect.json"));
            if (json) {
                System.out.println(RunDir.JSON.writeValueAsString(r.json()));
            } else {
                System.out.print(r.summary());
            }
            err.println("kval bisect: " + dir.resolve("bisect.json").toAbsolutePath());
            return r.found() ? 0 : 1;
        } catch (IllegalArgumentException e) {
            err.println("kval bisect: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("kval bisect: failed: " + e);
            return 2;
        }
    }
}
