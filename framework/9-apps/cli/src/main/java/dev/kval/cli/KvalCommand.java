package dev.kval.cli;

import dev.kval.bench.BenchCommand;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine.Command;

/** The `kval` command: one subcommand per job, each in its own class. */
@TopCommand
@Command(name = "kval", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Validates candidate Linux kernels' KVM guest_memfd on real hosts.",
        subcommands = {VersionCommand.class, KtapCommand.class, ConsoleCommand.class, RunCommand.class,
                BenchCommand.class, SweepCommand.class, ExportCommand.class, ReportCommand.class,
                BisectCommand.class, ResultsCommand.class, NightlyCommand.class, GateCommand.class, QuarantineCommand.class})
public class KvalCommand {
}
