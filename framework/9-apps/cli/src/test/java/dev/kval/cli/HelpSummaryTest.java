package dev.kval.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code ./kval --help} lists each command with a summary: picocli takes the first line of a command's header (else of
 * its description), so a description written over several lines was cut mid-sentence ("... and writes
 * DIR/summary.json,"). Every summary must be a whole sentence.
 */
class HelpSummaryTest {
    @Test
    void everyCommandSummaryIsAWholeSentence() {
        List<String> cut = new ArrayList<>();
        check(new CommandLine(new KvalCommand()), cut);
        assertTrue(cut.isEmpty(), "summaries cut at a line break (give the command a header that is one sentence): " + cut);
    }

    private static void check(CommandLine cl, List<String> cut) {
        for (CommandLine sub : cl.getSubcommands().values()) {
            CommandLine.Model.CommandSpec s = sub.getCommandSpec();
            String[] lines = s.usageMessage().header().length > 0 ? s.usageMessage().header() : s.usageMessage().description();
            String summary = lines.length == 0 ? "" : lines[0].strip();
            if (!summary.endsWith(".") && !summary.endsWith(")")) {
                cut.add(s.qualifiedName() + ": \"" + summary + "\"");
            }
            check(sub, cut);
        }
    }
}
