package dev.kval.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "console", mixinStandardHelpOptions = true, description = "(being built)")
public class ConsoleCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("kval console: not built yet");
        return 2;
    }
}
