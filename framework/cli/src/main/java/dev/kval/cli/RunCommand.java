package dev.kval.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "run", mixinStandardHelpOptions = true, description = "(being built)")
public class RunCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("kval run: not built yet");
        return 2;
    }
}
