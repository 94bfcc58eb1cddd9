package dev.kval.cli;

import dev.kval.engine.RunEngine;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
        header = "Runs the guest_memfd suites on a host and writes the verdicts, the evidence and an Allure report to DIR.",
        description = {"Runs the guest_memfd suites on a host (JUnit, one verdict per KTAP leaf) and writes DIR/summary.json,",
            "DIR/<host>/agent.ktap, console.log, caps.json, dmesg.txt, DIR/allure-results and the HTML report DIR/allure-report/index.html.",
            "Without --host: local if this machine can run guest_memfd, else qemu with " + RunEngine.DEFAULT_KERNEL + ".",
            "Exit from the verdicts: 0 no failures, 1 failures of the kernel (incl. crashes) or of kval, 2 incomplete (infrastructure)."})
public class RunCommand implements Callable<Integer> {
    @Option(names = "--host", description = "local | qemu | ssh:<name> | lava:<device type>, or several host classes "
            + "comma-separated, each <host>[=<kernel>] (default: auto)")
    String host;

    @Option(names = "--kernel", description = "debian:<version>|debian:newest | path:<dir|file> (implies --host qemu)")
    String kernel;

    @Option(names = "--suite", split = ",", description = "suites to run, comma separated (default: all)")
    List<String> suites;

    @Option(names = "--case", description = "only cases matching this glob")
    String casePattern;

    @Option(names = "--repeat", description = "run each case N times")
    Integer repeat;

    @Option(names = "--timeout", description = "per-case timeout in seconds (passed to the agent)")
    Integer timeout;

    @Option(names = "--overall-timeout", defaultValue = "3600", description = "limit for the whole agent run in seconds (default 3600)")
    int overall;

    @Option(names = "--inventory", description = "bare-metal inventory for ssh:<name> (default $KVAL_INVENTORY or $KVAL_STATE/inventory.json)")
    Path inventory;

    @Option(names = "--append", description = "extra kernel command line for qemu hosts (e.g. debugging options)")
    String append;

    @Option(names = "--stress", description = "run the agent under a stressor on the host: churn | thp | fragment | cpu; "
            + "its measured effect (free 2M blocks, THP counters) goes to <host>/stress.json and summary.json")
    String stress;

    @Option(names = "--place", description = "with several --host classes: send each suite to a class that can run it (capability "
            + "tables in suites/src/main/resources/placement), and re-run SKIPs on a class that has what was missing")
    boolean place;

    @Option(names = "--out", description = "output directory (default: runs/<timestamp>)")
    Path out;

    @Option(names = "--iterations", description = "race suite: iterations per thread (rounds for the close cases; agent default 200)")
    Integer iterations;

    @Option(names = "--seed", description = "race suite: seed of every thread's choices, decimal or 0x hex (default: from the clock; "
            + "the seed used is printed in each case's KTAP)")
    String seed;

    /** --iterations/--seed as the agent's race options; a seed is decimal or 0x-prefixed hex (as the KTAP prints it). */
    static dev.kval.agent.RaceOptions raceOptions(Integer iterations, String seed) {
        return dev.kval.agent.RaceOptions.parse(iterations, seed);
    }

    @Override
    public Integer call() {
        Path dir = out != null ? out : Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        try {
            return new RunEngine(System.err).run(new RunEngine.Request(host, kernel, suites, casePattern, repeat, timeout, dir,
                    Duration.ofSeconds(overall), inventory, append, stress, place, raceOptions(iterations, seed))).exitCode();
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            System.err.println("kval run: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            System.err.println("kval run: infrastructure error: " + e);
            return 2;
        }
    }
}
