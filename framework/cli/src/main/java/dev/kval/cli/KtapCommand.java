package dev.kval.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "ktap", mixinStandardHelpOptions = true, description = "(being built)")
public class KtapCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("kval ktap: not built yet");
        return 2;
    }
}
