package dev.kval.lava;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * One LAVA job, known by its id only: any client (a fresh one after a restart) can follow it, read it or cancel it.
 */
public final class LavaJob {
    private final LavaClient client;
    private final long id;

    LavaJob(LavaClient client, long id) {
        this.client = client;
        this.id = id;
    }

    public long id() {
        return id;
    }

    public LavaClient client() {
        return client;
    }

    public LavaClient.JobStatus status() throws LavaException {
        return client.job(id);
    }

    /**
     * Polls until the job is Finished. A job still waiting for a device after {@code queueLimit} is cancelled and
     * reported as an infrastructure problem ({@link LavaException.Kind#DEVICE_TYPE}); one running longer than
     * {@code runLimit} is cancelled the same way (LAVA's own job timeout normally ends it first).
     */
    public LavaClient.JobStatus await(Duration queueLimit, Duration runLimit, Consumer<String> say) throws LavaException {
        long start = System.nanoTime();
        long running = 0;
        String last = "";
        while (true) {
            LavaClient.JobStatus s = client.job(id);
            if (!s.state().equals(last)) {
                say.accept("LAVA job " + id + ": " + s.state() + (s.device() == null || s.device().equals("null") ? "" : " on " + s.device())
                        + " (" + (System.nanoTime() - start) / 1_000_000_000 + " s)");
                last = s.state();
            }
            if (s.finished()) {
                return s;
            }
            boolean started = s.state().equals("Running") || s.state().equals("Canceling");
            if (started && running == 0) {
                running = System.nanoTime();
            }
            if (!started && System.nanoTime() - start > queueLimit.toNanos()) {
                cancelQuietly();
                throw new LavaException(LavaException.Kind.DEVICE_TYPE, "LAVA job " + id + " waited " + queueLimit.toMinutes()
                        + " min for a " + s.deviceType() + " device and was cancelled: check that the lab's workers are online and its "
                        + s.deviceType() + " devices are not busy or offline (" + client.jobUrl(id) + ")");
            }
            if (started && System.nanoTime() - running > runLimit.toNanos()) {
                cancelQuietly();
                throw new LavaException(LavaException.Kind.API, "LAVA job " + id + " ran longer than " + runLimit.toMinutes()
                        + " min and was cancelled (" + client.jobUrl(id) + ")");
            }
            try {
                Thread.sleep(client.config().poll().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LavaException(LavaException.Kind.API, "interrupted while following LAVA job " + id, e);
            }
        }
    }

    public void cancel() throws LavaException {
        client.cancel(id);
    }

    private void cancelQuietly() {
        try {
            client.cancel(id);
        } catch (LavaException ignored) {
            // the error being raised says more
        }
    }
}
