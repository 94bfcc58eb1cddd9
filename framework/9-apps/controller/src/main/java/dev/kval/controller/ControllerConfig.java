package dev.kval.controller;

import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Where the controller keeps things, from configuration ({@code kval.*} properties, or the environment variables
 * MicroProfile Config maps them from, e.g. {@code KVAL_CONTROLLER_PARALLEL}) with kval's defaults.
 */
final class ControllerConfig {
    private ControllerConfig() {
    }

    static Optional<String> get(String key) {
        return ConfigProvider.getConfig().getOptionalValue(key, String.class).filter(v -> !v.isBlank());
    }

    /** KVAL_HOME_DATA, else ~/.local/share/kval (the store's default H2 file lives there too). */
    static Path dataDir() {
        return get("kval.controller.data-dir").map(Path::of).orElseGet(() -> Optional.ofNullable(System.getenv("KVAL_HOME_DATA"))
                .filter(v -> !v.isBlank()).map(Path::of).orElse(Path.of(System.getProperty("user.home"), ".local", "share", "kval")));
    }

    static Path runsDir() {
        return get("kval.controller.runs-dir").map(Path::of).orElse(dataDir().resolve("runs")).toAbsolutePath();
    }

    static Path tokenFile() {
        return get("kval.controller.token-file").map(Path::of).orElse(dataDir().resolve("controller.token")).toAbsolutePath();
    }

    /** The kval checkout: KVAL_HOME (set by ./kval), kval.repo, else the working directory. */
    static Path kvalHome() {
        return Optional.ofNullable(System.getenv("KVAL_HOME")).filter(v -> !v.isBlank()).or(() -> Optional.ofNullable(System.getProperty("kval.repo")))
                .map(Path::of).orElse(Path.of("")).toAbsolutePath();
    }

    /** The CLI a cell runs: kval.controller.cli / KVAL_CLI, else the packaged CLI jar of the checkout. */
    static Path cli() {
        return get("kval.controller.cli").or(() -> Optional.ofNullable(System.getenv("KVAL_CLI")).filter(v -> !v.isBlank()))
                .map(Path::of).orElse(dev.kval.executor.KvalCli.defaultJar(kvalHome()));
    }

    static int parallel() {
        return get("kval.controller.parallel").map(Integer::parseInt).orElse(2);
    }
}
