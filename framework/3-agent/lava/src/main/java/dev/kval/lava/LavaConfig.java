package dev.kval.lava;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kval.kernel.KvalPaths;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where the LAVA lab is and how kval uses it. Built from the defaults in {@code lava-defaults.json}, overlaid by the
 * file {@code $KVAL_LAVA_CONFIG} (else {@code $KVAL_STATE/lava/lava.json} when it exists), then by the environment:
 * {@code KVAL_LAVA_URL}, {@code KVAL_LAVA_TOKEN} (the token itself) or {@code KVAL_LAVA_TOKEN_FILE}. Without either the
 * token comes from {@code tokenFile}, else {@code $KVAL_STATE/lava/token} (what {@code infra/lava/up} writes). The
 * token is never printed. System properties {@code kval.lava.url}, {@code kval.lava.token}, {@code kval.lava.tokenFile},
 * {@code kval.lava.artifactUrl}, {@code kval.lava.config} override the environment. The
 * token is never printed: {@link #toString()} and every error name only where it came from.
 *
 * @param deviceTypes  LAVA device type -&gt; kval host class and the capabilities its devices are declared to have
 * @param artifactHost the address LAVA's workers reach this machine's artifact server on
 * @param artifactBaseUrl overrides the artifact URLs put into jobs (null: http://artifactHost:port of the server)
 */
public record LavaConfig(URI url, Token token, Map<String, DeviceClass> deviceTypes, Timeouts timeouts, String artifactHost,
        String artifactBaseUrl, Duration poll) {

    /** A LAVA device type as a kval host class. */
    public record DeviceClass(String hostClass, List<String> capabilities) {
        public DeviceClass {
            capabilities = capabilities == null ? List.of() : List.copyOf(capabilities);
        }
    }

    /** Each action's limit in the job, plus how long kval waits for a device. */
    public record Timeouts(int deployMinutes, int bootMinutes, int testMinutes, int jobMinutes, int queueMinutes) {
    }

    /** The API token and a description of where it came from (for errors: never the token itself). */
    public record Token(String secret, String source) {
        @Override
        public String toString() {
            return "token from " + source;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    @Override
    public String toString() {
        return "LavaConfig[url=" + url + ", " + token + ", deviceTypes=" + deviceTypes.keySet() + ", timeouts=" + timeouts + "]";
    }

    /** The configuration from defaults, file and environment (see the class comment). */
    public static LavaConfig load() throws IOException {
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        // -Dkval.lava.url=... etc. override the environment (KVAL_LAVA_URL), for runs inside one JVM (tests, a controller)
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("kval.lava."))
                .forEach(k -> env.put("KVAL_LAVA_" + k.substring(10).replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(), System.getProperty(k)));
        return load(env);
    }

    static LavaConfig load(Map<String, String> env) throws IOException {
        ObjectNode cfg;
        try (InputStream in = LavaConfig.class.getResourceAsStream("lava-defaults.json")) {
            cfg = (ObjectNode) JSON.readTree(in);
        }
        Path file = env.containsKey("KVAL_LAVA_CONFIG") ? Path.of(env.get("KVAL_LAVA_CONFIG")) : KvalPaths.state().resolve("lava/lava.json");
        if (env.containsKey("KVAL_LAVA_CONFIG") && !Files.isRegularFile(file)) {
            throw new IOException("KVAL_LAVA_CONFIG names " + file + ", which does not exist (unset it to use the defaults)");
        }
        if (Files.isRegularFile(file)) {
            try {
                JSON.readerForUpdating(cfg).readValue(file.toFile());
            } catch (IOException e) {
                throw new IOException("the LAVA configuration " + file + " is not valid JSON: " + e.getMessage(), e);
            }
        }
        String url = env.getOrDefault("KVAL_LAVA_URL", cfg.path("url").asText());
        URI uri;
        try {
            uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException("no scheme or host");
            }
        } catch (IllegalArgumentException e) {
            throw new IOException("the LAVA URL '" + url + "' is not a URL (" + e.getMessage() + "): set KVAL_LAVA_URL or \"url\" in " + file, e);
        }
        Token token = token(env, cfg.path("tokenFile").isTextual() ? cfg.path("tokenFile").asText() : null);
        Map<String, DeviceClass> types = new TreeMap<>();
        cfg.path("deviceTypes").fields().forEachRemaining(e -> types.put(e.getKey(), JSON.convertValue(e.getValue(), DeviceClass.class)));
        Timeouts t = JSON.convertValue(cfg.path("timeouts"), Timeouts.class);
        JsonNode base = cfg.path("artifactBaseUrl");
        return new LavaConfig(uri, token, Map.copyOf(types), t, cfg.path("artifactHost").asText("127.0.0.1"),
                env.getOrDefault("KVAL_LAVA_ARTIFACT_URL", base.isTextual() ? base.asText() : null),
                Duration.ofSeconds(Math.max(1, cfg.path("pollSeconds").asInt(2))));
    }

    private static Token token(Map<String, String> env, String configured) throws IOException {
        if (env.containsKey("KVAL_LAVA_TOKEN") && !env.get("KVAL_LAVA_TOKEN").isBlank()) {
            return new Token(env.get("KVAL_LAVA_TOKEN").strip(), "KVAL_LAVA_TOKEN (environment, or -Dkval.lava.token)");
        }
        Path f = env.containsKey("KVAL_LAVA_TOKEN_FILE") ? Path.of(env.get("KVAL_LAVA_TOKEN_FILE"))
                : configured != null ? Path.of(configured) : KvalPaths.state().resolve("lava/token");
        if (!Files.isRegularFile(f)) {
            return new Token(null, "the file " + f + " (missing: run infra/lava/up for a local lab, or set KVAL_LAVA_TOKEN_FILE or KVAL_LAVA_TOKEN)");
        }
        String s = Files.readString(f).strip();
        return new Token(s.isEmpty() ? null : s, "the file " + f);
    }

    /** A copy with another URL (tests: a server that is down). */
    public LavaConfig withUrl(URI u) {
        return new LavaConfig(u, token, deviceTypes, timeouts, artifactHost, artifactBaseUrl, poll);
    }

    public LavaConfig withToken(Token t) {
        return new LavaConfig(url, t, deviceTypes, timeouts, artifactHost, artifactBaseUrl, poll);
    }

    public LavaConfig withArtifactBaseUrl(String base) {
        return new LavaConfig(url, token, deviceTypes, timeouts, artifactHost, base, poll);
    }

    public LavaConfig withTimeouts(Timeouts t) {
        return new LavaConfig(url, token, deviceTypes, t, artifactHost, artifactBaseUrl, poll);
    }

    /** The declared class of a device type (a type not in the configuration is its own class, declaring nothing). */
    public DeviceClass deviceClass(String deviceType) {
        return Optional.ofNullable(deviceTypes.get(deviceType)).orElse(new DeviceClass("lava-" + deviceType, List.of()));
    }
}
