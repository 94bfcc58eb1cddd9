package dev.kval.run;

import dev.kval.host.HostFailure;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs stages one after another, each under its own limit: a stage's body runs on a worker thread; if it outlives
 * {@link Stage#timeout()}, {@code onOverrun} runs (releasing the host kills QEMU or closes SSH, which unblocks the
 * body) and the stage fails with its failure class. Keeps how long each stage took, for summary.json's timings.
 */
public final class Stages implements AutoCloseable {
    /** A stage's work. */
    @FunctionalInterface
    public interface Body<T> {
        T call() throws HostFailure, IOException;
    }

    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kval-stage");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Long> millis = new LinkedHashMap<>();
    private Stage current;

    /** The stage running now (or the last one), for a failure report. */
    public Stage current() {
        return current;
    }

    /** Milliseconds per finished stage, in order. */
    public Map<String, Long> millis() {
        return Map.copyOf(millis);
    }

    public <T> T run(Stage stage, Body<T> body, Runnable onOverrun) throws StageFailure {
        current = stage;
        long t0 = System.nanoTime();
        Future<T> f = worker.submit(body::call);
        try {
            return f.get(stage.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            if (onOverrun != null) {
                onOverrun.run();
            }
            f.cancel(true);
            throw new StageFailure(stage, new HostFailure(stage.failureClass(), stage.name() + " did not finish within its limit of "
                    + stage.timeout().toSeconds() + " s (the host was released)", List.of()));
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof HostFailure hf) {
                throw new StageFailure(stage, hf);
            }
            // an exception that is not an attributed HostFailure (an unwritable file, a bug) is never the kernel's
            throw new StageFailure(stage, new HostFailure(dev.kval.host.Attribution.INFRASTRUCTURE, stage.name() + " failed: " + c,
                    List.of(), c));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            throw new StageFailure(stage, new HostFailure(dev.kval.host.Attribution.INFRASTRUCTURE, stage.name() + " interrupted",
                    List.of(), e));
        } finally {
            millis.put(stage.name(), (System.nanoTime() - t0) / 1_000_000);
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
