package dev.kval.controller;

import dev.kval.executor.BadRequestException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Which {@code build:} sources a token holder may ask the controller to build: a kernel build runs the source's
 * Makefiles as the controller's user, so a path must lie (as a real path, links resolved) under one of the
 * configured source roots {@code kval.controller.build-roots} (comma-separated; none by default). Debian's packaged
 * sources ({@code linux-source-X.Y}) are always allowed: kval fetches and verifies them itself.
 */
final class BuildRoots {
    static final String KEY = "kval.controller.build-roots";

    private BuildRoots() {
    }

    static List<Path> configured() {
        return ControllerConfig.get(KEY).map(v -> Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .map(s -> Path.of(s).toAbsolutePath().normalize()).toList()).orElse(List.of());
    }

    /** Throws a 400 naming the rule when a {@code build:} spec's source is outside every configured root. */
    static void check(List<String> kernels) {
        List<Path> roots = configured();
        for (String k : kernels) {
            if (!k.startsWith("build:")) {
                continue;
            }
            String source = k.substring("build:".length()).split(",")[0].strip();
            if (source.matches("linux-source-[0-9.]+")) {
                continue;
            }
            Path p = Path.of(source);
            if (!p.isAbsolute() || !allowed(p, roots)) {
                throw new BadRequestException("kernels", "'" + k + "': build sources must lie under a configured source root ("
                        + KEY + " = " + (roots.isEmpty() ? "none configured" : roots) + "); a build runs the tree's Makefiles as the"
                        + " controller's user, so only trees under those roots (or linux-source-X.Y) are built");
            }
        }
    }

    private static boolean allowed(Path p, List<Path> roots) {
        Path real;
        try {
            real = p.toRealPath();
        } catch (IOException e) {
            real = p.toAbsolutePath().normalize(); // not there (yet): the textual path must already be inside
        }
        for (Path r : roots) {
            Path rr;
            try {
                rr = r.toRealPath();
            } catch (IOException e) {
                continue;
            }
            if (real.startsWith(rr) && !real.equals(rr.getRoot())) {
                return true;
            }
        }
        return false;
    }
}
