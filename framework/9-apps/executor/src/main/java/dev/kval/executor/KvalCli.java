package dev.kval.executor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the executor starts {@code kval run} for a cell: the CLI's packaged jar on this JVM ({@code java -jar
 * .../quarkus-run.jar}), or any executable such as the {@code ./kval} launcher.
 */
public record KvalCli(List<String> command) {
    public KvalCli {
        command = List.copyOf(command);
    }

    /** A .jar runs on this JVM's java; anything else is executed as it is. */
    public static KvalCli of(Path jarOrExecutable) {
        if (!Files.exists(jarOrExecutable)) {
            throw new IllegalStateException("the kval CLI is not at " + jarOrExecutable + " (build it: ./mvnw -B -q install -DskipTests"
                    + " -pl framework/9-apps/cli -am, or set kval.controller.cli / KVAL_CLI to ./kval)");
        }
        if (jarOrExecutable.toString().endsWith(".jar")) {
            String java = ProcessHandle.current().info().command().orElse("java");
            return new KvalCli(List.of(java, "-jar", jarOrExecutable.toAbsolutePath().toString()));
        }
        return new KvalCli(List.of(jarOrExecutable.toAbsolutePath().toString()));
    }

    /** The CLI next to a kval checkout: framework/9-apps/cli/target/quarkus-app/quarkus-run.jar. */
    public static Path defaultJar(Path kvalHome) {
        return kvalHome.resolve("framework/9-apps/cli/target/quarkus-app/quarkus-run.jar");
    }

    public List<String> with(String subcommand, List<String> args) {
        List<String> c = new ArrayList<>(command);
        c.add(subcommand);
        c.addAll(args);
        return c;
    }
}
