package dev.kval.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The CLI's fast path: a plain picocli main (no Quarkus boot, no CDI) for the commands that only read files, so they
 * start in a fraction of a second. {@code ./kval} dispatches {@code version}, {@code ktap} and {@code console} here, with
 * a class-data-sharing archive the launcher trains on first use ({@code cds-train}); every other command goes through
 * Quarkus ({@link KvalCommand}). The command classes are the same ones {@link KvalCommand} registers, so both paths
 * print the same thing.
 */
@Command(name = "kval", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "kval's file commands (fast path; ./kval --help lists every command).",
        subcommands = {VersionCommand.class, KtapCommand.class, ConsoleCommand.class, FastMain.CdsTrain.class})
public final class FastMain {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        // picocli's classes are Java 5 bytecode, which class-data sharing cannot archive, and loading them costs more
        // than the rest of the start-up; the plain forms are parsed here and everything else (--help, unknown or
        // misplaced options) goes to picocli, which prints the same usage and errors as the Quarkus path.
        Integer direct = direct(args);
        return direct != null ? direct : new CommandLine(new FastMain()).execute(args);
    }

    /** `version`, `ktap [--json] FILE|-`, `console [--json] FILE|-`; null for anything else. */
    static Integer direct(String[] args) {
        if (args.length == 1 && args[0].equals("version")) {
            new VersionCommand().run();
            return 0;
        }
        if (args.length < 2 || args.length > 3 || !(args[0].equals("ktap") || args[0].equals("console"))) {
            return null;
        }
        boolean json = false;
        String file = null;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--json") && !json) {
                json = true;
            } else if (file == null && (args[i].equals("-") || !args[i].startsWith("-"))) {
                file = args[i];
            } else {
                return null;
            }
        }
        if (file == null) {
            return null;
        }
        if (args[0].equals("ktap")) {
            KtapCommand c = new KtapCommand();
            c.file = file;
            c.json = json;
            return c.call();
        }
        ConsoleCommand c = new ConsoleCommand();
        c.file = file;
        c.json = json;
        return c.call();
    }

    /**
     * Runs each fast command once on small inputs written to a temporary directory, so that the JVM started with
     * {@code -XX:ArchiveClassesAtExit} archives every class they load (the launcher's AppCDS training run; it sends the output to /dev/null).
     */
    @Command(name = "cds-train", hidden = true)
    static final class CdsTrain implements java.util.concurrent.Callable<Integer> {
        @Override
        public Integer call() throws IOException {
            Path dir = Files.createTempDirectory("kval-cds-train");
            try {
                Path ktap = dir.resolve("train.ktap");
                Files.writeString(ktap, """
                        KTAP version 1
                        1..2
                            KTAP version 1
                            # Subtest: suite
                            1..3
                            ok 1 a
                            not ok 2 b
                            ok 3 c # SKIP no reason
                        not ok 1 suite
                        # Bail out! training
                        """);
                Path console = dir.resolve("train.log");
                Files.writeString(console, """
                        [    1.000000] ------------[ cut here ]------------
                        [    1.000001] WARNING: CPU: 0 PID: 1 at mm/memory.c:1 f+0x1/0x2
                        [    1.000002] ---[ end trace 0000000000000000 ]---
                        [    2.000000] Kernel panic - not syncing: training
                        """, StandardCharsets.UTF_8);
                run("version");
                run("ktap", ktap.toString());
                run("ktap", "--json", ktap.toString());
                run("console", console.toString());
                run("console", "--json", console.toString());
                return 0;
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        Files.deleteIfExists(f);
                    }
                }
                Files.deleteIfExists(dir);
            }
        }
    }
}
