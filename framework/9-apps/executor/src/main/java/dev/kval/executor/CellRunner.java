package dev.kval.executor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kval.store.Runs;
import dev.kval.store.Store;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * One cell of a run: a child {@code kval run} in its own process group, writing into {@code <run dir>/<cell>}. Its
 * progress lines move the cell through the {@link CellStep}s, each persisted in run_step when it begins and ends; a step
 * over its timeout or a cancel ends the whole group; when the child ends its verdicts are imported, and the collect
 * step is marked DONE in the same transaction, so a cell is either wholly stored or not at all.
 */
final class CellRunner {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration KILL_GRACE = Duration.ofSeconds(5);

    /** How a cell ended: its final state (DONE FAILED TIMEOUT CANCELLED), results stored, failure class if any. */
    record CellEnd(String state, int results, String failureClass, String message) {
    }

    private final Store store;
    private final Runs runs;
    private final KvalCli cli;
    private final ExecutorListener listener;

    CellRunner(Store store, KvalCli cli, ExecutorListener listener) {
        this.store = store;
        this.runs = new Runs(store);
        this.cli = cli;
        this.listener = listener;
    }

    private final class Tracker {
        final long runId;
        final String cell;
        final RunRequest request;
        long pgid;
        CellStep step;
        long stepId;
        long stepStarted;

        Tracker(long runId, String cell, RunRequest request) {
            this.runId = runId;
            this.cell = cell;
            this.request = request;
        }

        synchronized void begin(CellStep s) {
            step = s;
            stepId = runs.startStep(runId, cell, s.id(), request.timeoutS(s));
            stepStarted = System.nanoTime();
            if (pgid > 0) {
                runs.externalId(stepId, "pgid:" + pgid);
            }
        }

        synchronized void advance(CellStep next) {
            runs.finishStep(stepId, "DONE", null, null);
            begin(next);
        }

        synchronized boolean overTime() {
            return System.nanoTime() - stepStarted > request.timeoutS(step) * 1_000_000_000L;
        }
    }

    CellEnd run(long runId, Cell cell, RunRequest request, Path runDir, Consumer<String> log, BooleanSupplier cancelled)
            throws IOException, InterruptedException {
        Path dir = runDir.resolve(cell.dirName());
        if (Files.exists(dir)) {
            // a cell that did not finish before starts over, but keeps its LAVA job ids: the job may still be running in
            // the lab (a killed controller), and the new child re-attaches to it instead of submitting it again
            Path jobs = dir.resolve("lava-jobs.json");
            byte[] keep = Files.isRegularFile(jobs) ? Files.readAllBytes(jobs) : null;
            dev.kval.executor.Files2.deleteTree(dir);
            if (keep != null) {
                Files.createDirectories(dir);
                Files.write(jobs, keep);
                log.accept("kept " + jobs + " (LAVA jobs of the interrupted attempt: the new attempt re-attaches to them)");
            }
        }
        Tracker t = new Tracker(runId, cell.label(), request);
        t.begin(CellStep.FETCH);
        ProcessBuilder pb = new ProcessBuilder(ProcessGroups.inNewGroup(cli.with("run", request.runArgs(cell, dir))))
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        // the child looks up config fragments (build:/git: specs) in the repository its parent knows (-Dkval.repo)
        String repo = System.getProperty("kval.repo");
        if (repo != null && !repo.isBlank() && System.getenv("KVAL_HOME") == null) {
            pb.environment().put("KVAL_HOME", repo);
        }
        log.accept("starting: kval run " + String.join(" ", request.runArgs(cell, dir)));
        Process p = pb.start();
        synchronized (t) {
            t.pgid = p.pid();
            runs.externalId(t.stepId, "pgid:" + t.pgid);
        }
        Thread reader = new Thread(() -> follow(p, t, log), "kval-cell-" + cell.dirName());
        reader.setDaemon(true);
        reader.start();
        String ended = null;
        while (p.isAlive()) {
            if (cancelled.getAsBoolean()) {
                ended = "CANCELLED";
            } else if (t.overTime()) {
                ended = "TIMEOUT";
            }
            if (ended != null) {
                ProcessGroups.kill(p.pid(), KILL_GRACE);
                break;
            }
            p.waitFor(500, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        p.waitFor();
        reader.join(10_000);
        if (ended != null) {
            CellStep s;
            synchronized (t) {
                s = t.step;
            }
            String why = ended.equals("TIMEOUT") ? s.id() + " exceeded its timeout of " + request.timeoutS(s) + " s" : "cancelled";
            runs.finishStep(t.stepId, ended, ended.equals("TIMEOUT") ? s.failureClass : null, why);
            log.accept(why + ": the child run and everything it started were stopped");
            return new CellEnd(ended, 0, ended.equals("TIMEOUT") ? s.failureClass : null, why);
        }
        return finish(t, p.exitValue(), dir, cell, log);
    }

    /** Reads the child's output: every line to the run's log, progress lines move the cell to the next step. */
    private void follow(Process p, Tracker t, Consumer<String> log) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                log.accept(line);
                CellStep next;
                synchronized (t) {
                    next = CellStep.begunBy(line, t.step);
                }
                if (next != null) {
                    t.advance(next);
                }
            }
        } catch (IOException e) {
            log.accept("reading the child's output failed: " + e.getMessage());
        }
    }

    /**
     * The child ended by itself: 0 and 1 are verdicts (pass, failures), 2 is incomplete (infrastructure); whatever it
     * recorded is imported either way, so nothing a child wrote is lost.
     */
    private CellEnd finish(Tracker t, int exit, Path dir, Cell cell, Consumer<String> log) {
        JsonNode host = firstHost(dir);
        JsonNode failure = host == null ? null : host.path("failure");
        String failureClass = null;
        String message = "kval run exited " + exit;
        if (failure != null && failure.isObject()) {
            failureClass = failure.path("attribution").asText().equals("KERNEL") ? "KERNEL" : "INFRA";
            message = "failed at " + failure.path("stage").asText() + " (" + failure.path("attribution").asText() + "): "
                    + failure.path("message").asText();
        } else if (exit > 1) {
            failureClass = "INFRA";
        }
        boolean stepFailed = failureClass != null;
        synchronized (t) {
            if (t.step != CellStep.COLLECT) {
                runs.finishStep(t.stepId, stepFailed ? "FAILED" : "DONE", failureClass, stepFailed ? message : null);
                t.begin(CellStep.COLLECT);
            }
        }
        if (!Files.isRegularFile(dir.resolve("summary.json"))) {
            String why = "the child run left no summary.json (" + message + ")";
            runs.finishStep(t.stepId, "FAILED", "INFRA", why);
            log.accept(why);
            return new CellEnd("FAILED", 0, "INFRA", why);
        }
        try {
            long collectId = t.stepId;
            int n = runs.importAndFinishStep(t.runId, dir, cell.dirName() + "/", collectId);
            log.accept(n + " results stored");
            report(t.runId, cell, host);
            return new CellEnd(stepFailed ? "FAILED" : "DONE", n, failureClass, message);
        } catch (RuntimeException e) {
            runs.finishStep(t.stepId, "FAILED", "INFRA", "storing the results failed: " + e.getMessage());
            log.accept("storing the results failed: " + e.getMessage());
            return new CellEnd("FAILED", 0, "INFRA", e.getMessage());
        }
    }

    private void report(long runId, Cell cell, JsonNode host) {
        Map<String, Long> byStatus = store.results(dev.kval.store.ResultFilter.ALL.withRun(runId).withHost(cell.label())).stream()
                .collect(Collectors.groupingBy(dev.kval.store.StoredResult::status, Collectors.counting()));
        listener.results(runId, cell.label(), byStatus);
        if (host != null && host.path("timingsMs").has("provision")) {
            listener.boot(host.path("kind").asText(cell.host()), host.path("timingsMs").path("provision").asLong());
        }
    }

    private static JsonNode firstHost(Path dir) {
        try {
            Path s = dir.resolve("summary.json");
            return Files.isRegularFile(s) ? JSON.readTree(s.toFile()).path("hosts").path(0) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
