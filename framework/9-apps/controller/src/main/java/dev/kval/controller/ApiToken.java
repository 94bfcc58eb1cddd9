package dev.kval.controller;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Mutating requests (POST, PUT, DELETE) need {@code Authorization: Bearer <token>}. The token is {@code KVAL_API_TOKEN},
 * else the content of the token file, created 0600 with a random token on first start; only the file's path is ever
 * logged, never the token.
 */
@ApplicationScoped
public class ApiToken {
    private static final Logger LOG = Logger.getLogger(ApiToken.class);
    static final Set<String> MUTATING = Set.of("POST", "PUT", "DELETE", "PATCH");
    private byte[] token;

    void start(@Observes StartupEvent e) throws IOException {
        Optional<String> env = Optional.ofNullable(System.getenv("KVAL_API_TOKEN")).or(() -> ControllerConfig.get("kval.controller.token"))
                .filter(t -> !t.isBlank());
        if (env.isPresent()) {
            token = env.get().strip().getBytes(StandardCharsets.UTF_8);
            LOG.info("kval controller: API token from KVAL_API_TOKEN");
            return;
        }
        Path file = ControllerConfig.tokenFile();
        if (!Files.exists(file)) {
            Files.createDirectories(file.getParent());
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, HexFormat.of().formatHex(random) + "\n");
            LOG.infof("kval controller: created the API token file %s (mode 0600); send it as 'Authorization: Bearer <token>'", file);
        } else {
            LOG.infof("kval controller: API token from %s", file);
        }
        token = Files.readString(file).strip().getBytes(StandardCharsets.UTF_8);
        if (token.length == 0) {
            throw new IllegalStateException("the API token file " + file + " is empty: delete it to have a new one made, or set KVAL_API_TOKEN");
        }
    }

    /** Whether {@code given} is the token (constant time). */
    boolean matches(String given) {
        return token != null && given != null && MessageDigest.isEqual(token, given.strip().getBytes(StandardCharsets.UTF_8));
    }

    /** The token of an {@code Authorization: Bearer} header, or null. */
    static String bearer(String header) {
        return header != null && header.startsWith("Bearer ") ? header.substring(7) : null;
    }

    @ServerRequestFilter
    public Optional<Response> check(ContainerRequestContext ctx) {
        // POST /login checks the token it is given itself (a form: a browser cannot send the header on navigation)
        if (!MUTATING.contains(ctx.getMethod()) || ctx.getUriInfo().getPath().equals(LoginResource.PATH)) {
            return Optional.empty();
        }
        if (matches(bearer(ctx.getHeaderString(HttpHeaders.AUTHORIZATION)))) {
            return Optional.empty();
        }
        return Optional.of(Response.status(Response.Status.UNAUTHORIZED).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", "this request changes state: send 'Authorization: Bearer <token>' (KVAL_API_TOKEN, or the"
                        + " controller's token file " + ControllerConfig.tokenFile() + ")")).build());
    }
}
