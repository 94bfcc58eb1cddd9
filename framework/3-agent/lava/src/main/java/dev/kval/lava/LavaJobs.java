package dev.kval.lava;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A run's LAVA jobs, persisted in the run's directory as {@value #FILE} (written on every change, atomically), so a
 * controller that restarts re-attaches to its jobs by id ({@link #reattach}) instead of resubmitting them, and
 * cancelling a run cancels its jobs ({@link #cancelAll}).
 */
public final class LavaJobs {
    public static final String FILE = "lava-jobs.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final LavaClient client;
    private final Path file;

    /** One job of the run: which target it serves, where to see it, and its last known state and health. */
    public record Entry(long jobId, String target, String deviceType, String lavaUrl, String jobUrl, String submittedAt, String state,
            String health) {
    }

    /** @param runDir the run's output directory (the file is {@code runDir/lava-jobs.json}) */
    public LavaJobs(LavaClient client, Path runDir) {
        this.client = client;
        this.file = runDir.resolve(FILE);
    }

    public Path file() {
        return file;
    }

    /** Submits and records the job before anything else can fail, so its id is never lost. */
    public LavaJob submit(String target, String deviceType, String definition) throws IOException {
        long id = client.submit(definition);
        record(new Entry(id, target, deviceType, client.config().url().toString(), client.jobUrl(id).toString(), Instant.now().toString(),
                "Submitted", "Unknown"));
        return new LavaJob(client, id);
    }

    /** A handle on a job submitted earlier (by this process or another), by id alone. */
    public LavaJob reattach(long jobId) throws LavaException {
        LavaJob j = new LavaJob(client, jobId);
        j.status(); // a job the server does not know is an error now, not at the first poll
        return j;
    }

    /** Cancels one job and records it. */
    public void cancel(long jobId) throws IOException {
        client.cancel(jobId);
        update(client.job(jobId));
    }

    /** Cancels every recorded job that has not finished; returns their ids. */
    public List<Long> cancelAll() throws IOException {
        List<Long> cancelled = new ArrayList<>();
        for (Entry e : entries()) {
            LavaClient.JobStatus s = client.job(e.jobId());
            if (!s.finished()) {
                client.cancel(e.jobId());
                cancelled.add(e.jobId());
            }
            update(client.job(e.jobId()));
        }
        return cancelled;
    }

    /** The recorded jobs (none when the file does not exist). */
    public synchronized List<Entry> entries() throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        return JSON.readValue(file.toFile(), new TypeReference<List<Entry>>() { });
    }

    /** Records a job's latest state and health. */
    public synchronized void update(LavaClient.JobStatus s) throws IOException {
        for (Entry e : entries()) {
            if (e.jobId() == s.id()) {
                record(new Entry(e.jobId(), e.target(), e.deviceType(), e.lavaUrl(), e.jobUrl(), e.submittedAt(), s.state(), s.health()));
                return;
            }
        }
    }

    private synchronized void record(Entry entry) throws IOException {
        List<Entry> all = new ArrayList<>(entries());
        all.removeIf(e -> e.jobId() == entry.jobId());
        all.add(entry);
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(FILE + ".tmp");
        JSON.writeValue(tmp.toFile(), all);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
