package dev.kval.bench;

import picocli.CommandLine.Command;

/**
 * `kval bench ...`: side-by-side benchmarks that print ratios measured in one run. Each benchmark is its own
 * subcommand class, registered here.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Side-by-side benchmarks; each prints both measurements and their ratio.",
        subcommands = {BenchKtapCommand.class, BenchSshCommand.class, BenchBootCommand.class, BenchSweepCommand.class, BenchAllureCommand.class,
            BenchLavaCommand.class, BenchFlakyCommand.class})
public class BenchCommand {
}
