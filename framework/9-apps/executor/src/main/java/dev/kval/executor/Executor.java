package dev.kval.executor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kval.store.ResultFilter;
import dev.kval.store.RunRow;
import dev.kval.store.Runs;
import dev.kval.store.StepRow;
import dev.kval.store.Store;
import dev.kval.store.StoredResult;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * Runs requests (hosts x kernels x suites) with bounded parallelism: every cell is a child {@code kval run} on one of
 * {@code parallel} cell slots, whatever run it belongs to. Everything that matters is in the store as it happens
 * (run state, each step of each cell, each cell's verdicts), so {@link #recover()} after a SIGKILL knows which cells
 * are finished (their collect step is DONE: their results are stored, once) and runs only the others again.
 */
public final class Executor implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Verdicts that make a run's outcome FAIL when attributed to the kernel or to kval's tests. */
    static final Set<String> FAILING = Set.of("FAIL", "ERROR", "TIMEOUT", "MISSING");

    private final Store store;
    private final Runs runs;
    private final Path runsDir;
    private final CellRunner cells;
    private final ExecutorListener listener;
    private final ThreadPoolExecutor cellPool;
    private final ExecutorService runPool = Executors.newCachedThreadPool(r -> daemon(r, "kval-run"));
    private final Map<Long, AtomicBoolean> cancels = new ConcurrentHashMap<>();
    private final Map<Long, Future<?>> active = new ConcurrentHashMap<>();

    public Executor(Store store, Path runsDir, KvalCli cli, int parallel, ExecutorListener listener) {
        this.store = store;
        this.runs = new Runs(store);
        this.runsDir = runsDir.toAbsolutePath();
        this.listener = listener;
        this.cells = new CellRunner(store, cli, listener);
        this.cellPool = new ThreadPoolExecutor(parallel, parallel, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> daemon(r, "kval-cell"));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    public Store store() {
        return store;
    }

    /** Validates, records the run (QUEUED) and starts it; returns its id. */
    public long submit(RunRequest request, String kind) {
        request.validate();
        String json;
        try {
            json = JSON.writeValueAsString(request);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        long id = runs.create(kind, json, null);
        Path dir = runsDir.resolve(String.valueOf(id));
        if (Files.exists(dir)) {
            try {
                Files2.deleteTree(dir); // a new run id: whatever is there is another store's leftover
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot clear the stale run directory " + dir, e);
            }
        }
        runs.outDir(id, dir.toString());
        start(id, request);
        return id;
    }

    /**
     * After a restart: ends the child process groups a killed controller left running (found through their steps'
     * {@code pgid:} external ids), marks its RUNNING runs and steps INTERRUPTED, and resumes those runs and the runs
     * still QUEUED, cell by cell. Returns the ids of the runs resumed.
     */
    public List<Long> recover() {
        for (RunRow r : runs.list(null, "RUNNING", 0)) {
            for (StepRow s : runs.steps(r.id())) {
                if (s.state().equals("RUNNING") && s.externalId() != null && s.externalId().startsWith("pgid:")) {
                    long pgid = Long.parseLong(s.externalId().substring(5));
                    String cellDir = Path.of(r.outDir()).resolve(new Cell(s.cell(), null).dirName()).toString();
                    if (ProcessGroups.groupRuns(pgid, cellDir)) {
                        if (s.cell().startsWith("lava:")) {
                            // SIGKILL at once: on SIGTERM the child's shutdown hook cancels its LAVA job, which the resumed
                            // cell re-attaches to (its id is in the cell's lava-jobs.json)
                            ProcessGroups.killNow(pgid);
                        } else {
                            ProcessGroups.kill(pgid, CellRunner.KILL_GRACE);
                        }
                    }
                }
            }
        }
        List<Long> resumed = new ArrayList<>(runs.interruptRunning("the controller stopped while this was running; resumed on restart"));
        for (RunRow r : runs.list(null, "QUEUED", 0)) {
            resumed.add(r.id());
        }
        resumed.sort(Long::compare);
        for (long id : resumed) {
            RunRow r = runs.find(id).orElseThrow();
            try {
                start(id, JSON.readValue(r.request(), RunRequest.class));
            } catch (IOException | RuntimeException e) {
                runs.setState(id, "FAILED", "INCOMPLETE", "cannot resume: the stored request does not read: " + e.getMessage());
            }
        }
        return resumed;
    }

    private void start(long id, RunRequest request) {
        AtomicBoolean cancel = cancels.computeIfAbsent(id, k -> new AtomicBoolean());
        active.put(id, runPool.submit(() -> {
            try {
                execute(id, request, cancel);
            } catch (IOException | RuntimeException | Error e) {
                runs.setState(id, "FAILED", "INCOMPLETE", "executor error: " + e);
                listener.runState(id, "FAILED");
            } finally {
                active.remove(id);
                cancels.remove(id);
            }
        }));
    }

    /** Cancels a run: queued cells never start, running ones are stopped with their process groups. */
    public boolean cancel(long id) {
        boolean changed = runs.setState(id, "CANCELLED", null, "cancelled by request");
        AtomicBoolean flag = cancels.get(id);
        if (flag != null) {
            flag.set(true);
        }
        if (changed) {
            listener.runState(id, "CANCELLED");
        }
        return changed;
    }

    /** Cells waiting for a slot, over all runs. */
    public int queueLength() {
        return cellPool.getQueue().size();
    }

    /** Waits until the run is no longer executing here (tests, the nightly); false on timeout. */
    public boolean await(long id, java.time.Duration timeout) throws InterruptedException {
        Future<?> f = active.get(id);
        if (f == null) {
            return true;
        }
        try {
            f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        }
    }

    public Path logFile(long id) {
        return runsDir.resolve(String.valueOf(id)).resolve("controller.log");
    }

    private void execute(long id, RunRequest request, AtomicBoolean cancel) throws IOException {
        Path dir = runsDir.resolve(String.valueOf(id));
        Files.createDirectories(dir);
        Set<String> finished = runs.steps(id).stream().filter(s -> s.step().equals("collect") && s.state().equals("DONE"))
                .map(StepRow::cell).collect(Collectors.toSet());
        try (BufferedWriter log = Files.newBufferedWriter(logFile(id), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            List<Future<CellRunner.CellEnd>> outcomes = new ArrayList<>();
            AtomicBoolean started = new AtomicBoolean();
            for (Cell cell : request.cells()) {
                if (finished.contains(cell.label())) {
                    line(log, cell, "already stored before a restart: not run again");
                    continue;
                }
                outcomes.add(cellPool.submit(() -> {
                    if (cancel.get()) {
                        return new CellRunner.CellEnd("CANCELLED", 0, null, "cancelled before it started");
                    }
                    if (started.compareAndSet(false, true) && runs.setState(id, "RUNNING", null, null)) {
                        listener.runState(id, "RUNNING");
                    }
                    try {
                        return cells.run(id, cell, request, dir, l -> line(log, cell, l), cancel::get);
                    } catch (IOException | RuntimeException | InterruptedException e) {
                        line(log, cell, "cell failed: " + e);
                        return new CellRunner.CellEnd("FAILED", 0, "INFRA", e.toString());
                    }
                }));
            }
            List<CellRunner.CellEnd> ended = new ArrayList<>();
            for (Future<CellRunner.CellEnd> f : outcomes) {
                try {
                    ended.add(f.get());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (java.util.concurrent.ExecutionException e) {
                    ended.add(new CellRunner.CellEnd("FAILED", 0, "INFRA", e.getCause().toString()));
                }
            }
            conclude(id, request, ended, cancel.get());
            line(log, null, "run " + id + " ended: " + runs.find(id).map(r -> r.state() + " " + r.outcome()).orElse("?"));
        }
    }

    /** The run's state and outcome from its stored verdicts and the cells that ended without any. */
    private void conclude(long id, RunRequest request, List<CellRunner.CellEnd> ended, boolean cancelled) {
        if (cancelled) {
            return; // cancel() already recorded it
        }
        List<StoredResult> results = store.results(ResultFilter.ALL.withRun(id));
        boolean kernelOrTest = results.stream().anyMatch(r -> FAILING.contains(r.status()) && !"INFRA".equals(r.attribution()));
        boolean infra = results.stream().anyMatch(r -> "INFRA".equals(r.attribution()))
                || ended.stream().anyMatch(o -> !o.state().equals("DONE") && !"KERNEL".equals(o.failureClass()));
        boolean kernelCell = ended.stream().anyMatch(o -> "KERNEL".equals(o.failureClass()));
        String outcome = kernelOrTest || kernelCell ? "FAIL" : infra ? "INCOMPLETE" : "PASS";
        String state = results.isEmpty() && !ended.isEmpty() ? "FAILED" : "DONE";
        long failedCells = ended.stream().filter(o -> !o.state().equals("DONE")).count();
        String message = results.size() + " results from " + request.cells().size() + " cells"
                + (failedCells > 0 ? "; " + failedCells + " cell(s) did not finish: "
                + ended.stream().filter(o -> !o.state().equals("DONE")).map(CellRunner.CellEnd::message).collect(Collectors.joining("; ")) : "");
        runs.setState(id, state, outcome, message);
        listener.runState(id, state);
    }

    private static void line(BufferedWriter log, Cell cell, String text) {
        synchronized (log) {
            try {
                log.write(Instant.now() + " " + (cell == null ? "[run]" : "[" + cell.label() + "]") + " " + text);
                log.newLine();
                log.flush();
            } catch (IOException e) {
                // the log is a convenience: the store has the states
            }
        }
    }

    @Override
    public void close() {
        for (AtomicBoolean c : cancels.values()) {
            c.set(false);
        }
        cellPool.shutdownNow();
        runPool.shutdownNow();
    }
}
