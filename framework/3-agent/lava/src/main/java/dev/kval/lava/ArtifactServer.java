package dev.kval.lava;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kval.kernel.BzImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves the files a LAVA job downloads (kernel, initramfs) over plain HTTP, read-only, each under
 * {@code /<sha256>/<name>} so a URL names exactly one content and the job can carry the same sha256 for LAVA to check.
 * Only published files are served; anything else is 404. One server per JVM is enough: {@link #shared} starts it on first
 * use, on an ephemeral port of the configured address.
 */
public final class ArtifactServer implements AutoCloseable {
    private static final Map<String, ArtifactServer> SHARED = new ConcurrentHashMap<>();
    private final HttpServer server;
    private final Map<String, Path> files = new ConcurrentHashMap<>();
    private final AtomicInteger served = new AtomicInteger();
    private final String host;

    /** A published file: where LAVA fetches it and its sha256. */
    public record Artifact(String url, String sha256, long size) {
    }

    public ArtifactServer(String bindHost) throws IOException {
        this.host = bindHost;
        server = HttpServer.create(new InetSocketAddress(bindHost, 0), 16);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "kval-artifacts");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    /** The JVM's server on {@code bindHost} (started on first use, stopped with the JVM). */
    public static ArtifactServer shared(String bindHost) throws IOException {
        ArtifactServer s = SHARED.get(bindHost);
        if (s == null) {
            synchronized (SHARED) {
                s = SHARED.get(bindHost);
                if (s == null) {
                    s = new ArtifactServer(bindHost);
                    SHARED.put(bindHost, s);
                }
            }
        }
        return s;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String baseUrl() {
        return "http://" + host + ":" + port();
    }

    /** How many downloads were served (tests and the job's record). */
    public int served() {
        return served.get();
    }

    /**
     * Publishes a file. {@code baseUrl} overrides this server's own address in the returned URL (a lab that reaches this
     * machine through another name; or, for tests, a URL where nothing answers).
     */
    public Artifact publish(Path file, String name, String baseUrl) throws IOException {
        String sha = BzImage.sha256(file);
        files.put("/" + sha + "/" + name, file);
        String base = baseUrl == null ? baseUrl() : baseUrl.replaceAll("/+$", "");
        return new Artifact(base + "/" + sha + "/" + name, sha, Files.size(file));
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            Path f = files.get(ex.getRequestURI().getPath());
            if (f == null || !(ex.getRequestMethod().equals("GET") || ex.getRequestMethod().equals("HEAD"))) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
            if (ex.getRequestMethod().equals("HEAD")) {
                ex.getResponseHeaders().add("Content-Length", String.valueOf(Files.size(f)));
                ex.sendResponseHeaders(200, -1);
                return;
            }
            ex.sendResponseHeaders(200, Files.size(f));
            try (InputStream in = Files.newInputStream(f); OutputStream out = ex.getResponseBody()) {
                in.transferTo(out);
            }
            served.incrementAndGet();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        SHARED.values().remove(this);
    }
}
