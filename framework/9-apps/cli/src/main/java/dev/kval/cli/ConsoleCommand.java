package dev.kval.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.kval.console.CrashOracle;
import dev.kval.console.Finding;
import java.io.IOException;
import java.io.Reader;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "console", mixinStandardHelpOptions = true,
        description = {"Finds kernel crash reports (KASAN, UBSAN, WARNING, oops, BUG, panic, lockdep, hung task, RCU stall,"
                + " soft/hard lockup, hwpoison, bad page) in console or dmesg text.",
                "Exit status: 0 clean, 1 findings, 2 unreadable input."})
public class ConsoleCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE|-", description = "console log, or - for standard input")
    String file;

    @Option(names = "--json", description = "Print a JSON array of {class, title, firstLine, lastLine} (1-based).")
    boolean json;

    @Override
    public Integer call() {
        List<Finding> findings;
        try (Reader in = KtapCommand.open(file)) {
            findings = CrashOracle.standard().scan(in);
        } catch (IOException e) {
            System.err.println("kval console: cannot read " + ("-".equals(file) ? "standard input" : file) + ": "
                    + e.getMessage());
            return 2;
        }
        if (json) {
            ObjectMapper m = new ObjectMapper();
            ArrayNode a = m.createArrayNode();
            for (Finding f : findings) {
                a.addObject().put("class", f.crashClass()).put("title", f.title()).put("firstLine", f.firstLine())
                        .put("lastLine", f.lastLine());
            }
            System.out.println(a);
        } else if (findings.isEmpty()) {
            System.out.println("clean: no crash reports");
        } else {
            for (Finding f : findings) {
                System.out.printf("%-11s %s  (lines %d-%d)%n", f.crashClass(), f.title(), f.firstLine(), f.lastLine());
            }
            System.out.println(findings.size() + " finding(s)");
        }
        return findings.isEmpty() ? 0 : 1;
    }
}
