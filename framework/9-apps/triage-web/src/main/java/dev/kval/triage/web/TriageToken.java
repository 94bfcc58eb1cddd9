package dev.kval.triage.web;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Mutations of the quarantine need {@code Authorization: Bearer <token>}, with the controller's token from the same
 * places the controller reads it (framework/9-apps/controller ApiToken): KVAL_API_TOKEN, else {@code kval.controller.token},
 * else the token file ({@code kval.controller.token-file}, default {@code <data dir>/controller.token}). Inside the
 * controller its own filter checks every mutating request as well; this one makes the module safe on its own.
 * The token is never logged.
 */
public class TriageToken {
    static final Set<String> MUTATING = Set.of("POST", "PUT", "DELETE", "PATCH");

    @ServerRequestFilter
    public Optional<Response> check(ContainerRequestContext ctx) {
        String path = ctx.getUriInfo().getPath();
        if (!MUTATING.contains(ctx.getMethod()) || !(path.startsWith("/api/quarantine") || path.startsWith("/triage"))) {
            return Optional.empty();
        }
        String auth = ctx.getHeaderString(HttpHeaders.AUTHORIZATION);
        byte[] given = auth != null && auth.startsWith("Bearer ") ? auth.substring(7).strip().getBytes(StandardCharsets.UTF_8) : new byte[0];
        Optional<byte[]> token = token();
        if (token.isPresent() && token.get().length > 0 && MessageDigest.isEqual(token.get(), given)) {
            return Optional.empty();
        }
        return Optional.of(Response.status(Response.Status.UNAUTHORIZED).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", "this request changes the quarantine: send 'Authorization: Bearer <token>' (KVAL_API_TOKEN, or the"
                        + " controller's token file " + tokenFile() + ")")).build());
    }

    static Optional<byte[]> token() {
        Optional<String> t = Optional.ofNullable(System.getenv("KVAL_API_TOKEN")).filter(v -> !v.isBlank())
                .or(() -> config("kval.controller.token"));
        if (t.isPresent()) {
            return t.map(v -> v.strip().getBytes(StandardCharsets.UTF_8));
        }
        try {
            Path f = tokenFile();
            return Files.exists(f) ? Optional.of(Files.readString(f).strip().getBytes(StandardCharsets.UTF_8)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static Path tokenFile() {
        return config("kval.controller.token-file").map(Path::of).orElseGet(() -> config("kval.controller.data-dir").map(Path::of)
                .or(() -> Optional.ofNullable(System.getenv("KVAL_HOME_DATA")).filter(v -> !v.isBlank()).map(Path::of))
                .orElse(Path.of(System.getProperty("user.home"), ".local", "share", "kval")).resolve("controller.token")).toAbsolutePath();
    }

    private static Optional<String> config(String key) {
        return ConfigProvider.getConfig().getOptionalValue(key, String.class).filter(v -> !v.isBlank());
    }
}
