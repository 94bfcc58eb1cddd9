package dev.kval.triage.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Headless chromium driven over the DevTools protocol (a page navigated, JavaScript evaluated in it, clicks, dialogs
 * answered), for tests that must interact with a page rather than only dump its DOM. JavaScript dialogs (prompt,
 * alert) are recorded and dismissed so a click never blocks the page.
 */
final class ChromiumDevTools implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    final List<String> dialogs = java.util.Collections.synchronizedList(new ArrayList<>());

    private ChromiumDevTools(Process process, String wsUrl) throws Exception {
        this.process = process;
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(wsUrl), new Listener()).get(60, TimeUnit.SECONDS);
        send("Page.enable", JSON.createObjectNode());
        send("Runtime.enable", JSON.createObjectNode());
    }

    static ChromiumDevTools start(Path profile) throws Exception {
        if (!Files.isExecutable(HeadlessChromium.BINARY)) {
            throw new IllegalStateException(HeadlessChromium.BINARY + " is missing: run infra/setup (it installs Debian's chromium for the page tests)");
        }
        Process p = new ProcessBuilder(HeadlessChromium.BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--user-data-dir=" + profile, "about:blank")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Path portFile = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(Files.exists(portFile) && Files.readAllLines(portFile).size() >= 2)) {
            if (System.nanoTime() > deadline || !p.isAlive()) {
                p.destroyForcibly();
                throw new IOException("chromium did not open its DevTools port within 60 s (exited: " + !p.isAlive() + ")");
            }
            Thread.sleep(100);
        }
        int port = Integer.parseInt(Files.readAllLines(portFile).get(0).strip());
        String list = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (JsonNode t : JSON.readTree(list)) {
            if ("page".equals(t.path("type").asText())) {
                return new ChromiumDevTools(p, t.path("webSocketDebuggerUrl").asText());
            }
        }
        p.destroyForcibly();
        throw new IOException("chromium's DevTools list has no page: " + list);
    }

    JsonNode send(String method, ObjectNode params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, f);
        ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
        msg.set("params", params);
        synchronized (socket) {
            socket.sendText(JSON.writeValueAsString(msg), true).get(30, TimeUnit.SECONDS);
        }
        JsonNode r = f.get(60, TimeUnit.SECONDS);
        if (r.has("error")) {
            throw new IOException(method + ": " + r.path("error"));
        }
        return r.path("result");
    }

    /** Loads {@code url} and waits until its document is complete (its scripts ran). */
    void navigate(String url) throws Exception {
        send("Page.navigate", JSON.createObjectNode().put("url", url));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!"complete".equals(eval("document.readyState + ''")) || !url.equals(eval("location.href"))) {
            if (System.nanoTime() > deadline) {
                throw new IOException("chromium did not finish loading " + url + " within 60 s");
            }
            Thread.sleep(100);
        }
    }

    /** Evaluates a JavaScript expression in the page (DevTools' own evaluation, which the page's CSP does not restrict). */
    String eval(String expression) throws Exception {
        JsonNode r = send("Runtime.evaluate", JSON.createObjectNode().put("expression", expression).put("returnByValue", true));
        if (r.has("exceptionDetails")) {
            throw new IOException("page threw evaluating " + expression + ": " + r.path("exceptionDetails"));
        }
        JsonNode v = r.path("result").path("value");
        return v.isMissingNode() || v.isNull() ? null : v.asText();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    JsonNode m = JSON.readTree(text);
                    if (m.has("id")) {
                        CompletableFuture<JsonNode> f = pending.remove(m.path("id").asInt());
                        if (f != null) {
                            f.complete(m);
                        }
                    } else if ("Page.javascriptDialogOpening".equals(m.path("method").asText())) {
                        dialogs.add(m.path("params").path("message").asText());
                        // answered off the listener thread: the answer's reply arrives on it
                        CompletableFuture.runAsync(() -> {
                            try {
                                send("Page.handleJavaScriptDialog", JSON.createObjectNode().put("accept", false));
                            } catch (Exception e) {
                                // the page is gone; the test's own checks report what is missing
                            }
                        });
                    }
                } catch (IOException e) {
                    // not JSON: ignore
                }
            }
            ws.request(1);
            return null;
        }
    }

    @Override
    public void close() {
        socket.abort();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
