package dev.kval.kernel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Tiny helper to run a local program from an argument list (never through a shell) and capture its output. */
public final class Proc {
    private Proc() {
    }

    /** Result of a finished process. */
    public record Result(int exit, String stdout, String stderr) {
        public Result check(List<String> argv) throws IOException {
            if (exit != 0) {
                throw new IOException("command failed (exit " + exit + "): " + String.join(" ", argv) + "\n" + tail(stderr + stdout));
            }
            return this;
        }

        private static String tail(String s) {
            return s.length() > 2000 ? "..." + s.substring(s.length() - 2000) : s;
        }
    }

    public static Result run(List<String> argv, Path cwd, Duration timeout) throws IOException {
        return run(argv, cwd, timeout, Map.of());
    }

    public static Result run(List<String> argv, Path cwd, Duration timeout, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv);
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread t1 = pump(p.getInputStream(), out);
        Thread t2 = pump(p.getErrorStream(), err);
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IOException("timed out after " + timeout.toSeconds() + " s: " + String.join(" ", argv));
            }
            t1.join();
            t2.join();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", argv), e);
        }
        return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    public static Result check(List<String> argv, Path cwd, Duration timeout) throws IOException {
        return run(argv, cwd, timeout).check(argv);
    }

    private static Thread pump(InputStream in, ByteArrayOutputStream sink) {
        Thread t = new Thread(() -> {
            try (in) {
                in.transferTo(sink);
            } catch (IOException ignored) {
                // process went away
            }
        }, "proc-pump");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
