package dev.kval.lava;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * infra/lava/up ends what it started by pid (its pid files and their process trees, infra/lava/procs.sh), not with
 * {@code pkill -f '^lava-run \[job'}, which also matched other users' LAVA jobs. Here a "lab worker" with two job
 * children is ended by kill_tree while another process named like a LAVA job (someone else's) survives; a control
 * shows the old pattern matches that process.
 */
class LavaUpProcessesTest {
    static final Path REPO = Path.of(System.getProperty("kval.repo", "../../..")).toAbsolutePath().normalize();

    @Test
    void theLabsProcessTreeEndsAndAnotherUsersJobSurvives() throws Exception {
        for (String l : Files.readAllLines(REPO.resolve("infra/lava/up"))) {
            String code = l.replaceFirst("#.*", "");
            assertFalse(code.matches(".*\\b(pkill|killall)\\b.*"), "infra/lava/up ends processes by name: " + l);
        }
        Process worker = new ProcessBuilder("bash", "-c", "sleep 300 & sleep 300 & wait").start();
        Process othersJob = new ProcessBuilder("bash", "-c", "exec -a 'lava-run [job 7]' sleep 300").start();
        try {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (worker.toHandle().children().count() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            List<ProcessHandle> jobs = worker.toHandle().children().toList();
            assertEquals(2, jobs.size());
            Thread.sleep(200); // exec -a done
            Process pgrep = new ProcessBuilder("pgrep", "-f", "^lava-run \\[job").start();
            String matched = new String(pgrep.getInputStream().readAllBytes());
            pgrep.waitFor();
            assertTrue(matched.lines().anyMatch(p -> p.strip().equals(String.valueOf(othersJob.pid()))),
                    "control: the old pkill pattern matches another user's job (pgrep: " + matched.strip() + ")");

            Process kill = new ProcessBuilder("bash", "-c", ". \"$1\"; kill_tree \"$2\"", "bash", REPO.resolve("infra/lava/procs.sh").toString(),
                    String.valueOf(worker.pid())).inheritIO().start();
            assertTrue(kill.waitFor(60, TimeUnit.SECONDS));
            assertTrue(worker.waitFor(10, TimeUnit.SECONDS), "the lab's worker ended");
            for (ProcessHandle j : jobs) {
                assertTrue(j.onExit().get(10, TimeUnit.SECONDS) != null && !j.isAlive(), "the worker's job " + j.pid() + " ended");
            }
            assertTrue(othersJob.isAlive(), "another user's job named like a LAVA job was killed");
        } finally {
            worker.destroyForcibly();
            othersJob.destroyForcibly();
        }
    }
}
