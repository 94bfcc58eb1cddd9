package dev.kval.controller;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The packaged controller (target/quarkus-app/quarkus-run.jar) as a separate JVM, as `./kval serve` starts it. */
final class ControllerProcess implements AutoCloseable {
    final int port;
    final Path log;
    final Process process;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The controller's token file: reads need the token too (ReadAccess). */
    private Path tokenFile;

    private ControllerProcess(int port, Path log, Process process) {
        this.port = port;
        this.log = log;
        this.process = process;
    }

    static ControllerProcess start(Path dir, String dbUrl, Map<String, String> props, String name) throws Exception {
        return start(dir, dbUrl, "sa", "", props, name);
    }

    /** The database's password travels in the environment (KVAL_DB_PASSWORD), never on the command line. */
    static ControllerProcess start(Path dir, String dbUrl, String user, String password, Map<String, String> props, String name) throws Exception {
        Path jar = Path.of(System.getProperty("kval.controller.jar", "target/quarkus-app/quarkus-run.jar")).toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException("the packaged controller is missing: " + jar + " (run through maven-failsafe after package)");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Dquarkus.http.port=" + port, "-Dkval.db.url=" + dbUrl, "-Dkval.db.user=" + user,
                "-Dkval.controller.data-dir=" + dir.resolve("data")));
        props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", jar.toString()));
        Path log = dir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("KVAL_API_TOKEN");
        pb.environment().put("KVAL_DB_PASSWORD", password);
        pb.environment().put("KVAL_HOME", dev.kval.store.PostgresCluster.repo().toString());
        ControllerProcess c = new ControllerProcess(port, log, pb.start());
        c.tokenFile = dir.resolve("data/controller.token");
        c.awaitReady(Duration.ofSeconds(120));
        return c;
    }

    void awaitReady(Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the controller exited " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                if (get("/q/health/ready").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException("the controller was not ready within " + limit + ":\n" + Files.readString(log));
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30));
        if (tokenFile != null && Files.exists(tokenFile)) {
            b.header("Authorization", "Bearer " + Files.readString(tokenFile).strip());
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String token, String json) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** SIGKILL: no shutdown hook, nothing flushed, exactly like the OOM killer or a power cut of the JVM. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
