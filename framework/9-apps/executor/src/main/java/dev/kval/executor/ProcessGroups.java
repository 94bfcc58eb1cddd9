package dev.kval.executor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Child runs live in process groups of their own ({@code setsid}): a step timeout or a cancel ends the child and
 * everything it started (QEMU, ssh) at once, and a restarted controller can find and end the children its killed
 * predecessor left behind.
 */
public final class ProcessGroups {
    private ProcessGroups() {
    }

    /** The command prefixed so the child leads a new session and process group (its pid is the group id). */
    public static List<String> inNewGroup(List<String> command) {
        List<String> c = new ArrayList<>();
        c.add("setsid");
        c.addAll(command);
        return c;
    }

    public static boolean alive(long pgid) {
        return signal("-0", pgid);
    }

    /** SIGKILL to the group: no shutdown hooks run. */
    public static void killNow(long pgid) {
        signal("-KILL", pgid);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline && alive(pgid)) {
            sleep(100);
        }
    }

    /** SIGTERM to the group, then SIGKILL if anything is left after {@code grace}. */
    public static void kill(long pgid, java.time.Duration grace) {
        if (!signal("-TERM", pgid)) {
            return;
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (System.nanoTime() < deadline && alive(pgid)) {
            sleep(100);
        }
        if (alive(pgid)) {
            signal("-KILL", pgid);
        }
    }

    /**
     * Whether a process of group {@code pgid} still runs with {@code marker} (a cell's output directory) on its command
     * line: a group id alone could have been reused by an unrelated program since the controller died.
     */
    public static boolean groupRuns(long pgid, String marker) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+")).anyMatch(p -> {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (Long.parseLong(f[2]) != pgid) {
                        return false;
                    }
                    return new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).contains(marker);
                } catch (IOException | RuntimeException e) {
                    return false; // it ended while we looked
                }
            });
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean signal(String sig, long pgid) {
        try {
            Process p = new ProcessBuilder("kill", sig, "--", "-" + pgid).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
