package dev.kval.controller;

import io.vertx.core.http.Cookie;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Set;

/**
 * Reads need the token too, unless {@code kval.controller.public-reads=true}: results, live logs, attachments and
 * metrics tell a lot about the lab and the kernels under test. A Vert.x route filter ahead of every route, so that
 * the non-JAX-RS endpoints ({@code /q/metrics}, {@code /q/openapi}) are covered as well. Accepted: the
 * {@code Authorization: Bearer} header, or the {@value #COOKIE} cookie {@code POST /login} sets for a browser
 * (HttpOnly, SameSite=Strict; reads only: changes always need the header). Open: {@code /q/health} (probes; it
 * says whether the store answers) and the login page.
 */
@ApplicationScoped
public class ReadAccess {
    static final String COOKIE = "kval_read";
    static final String KEY = "kval.controller.public-reads";
    private static final Set<String> OPEN = Set.of(LoginResource.PATH, "/favicon.ico");

    @Inject
    ApiToken token;

    void install(@Observes Router router) {
        boolean publicReads = ControllerConfig.get(KEY).map(Boolean::parseBoolean).orElse(false);
        router.route().order(Integer.MIN_VALUE).handler(rc -> {
            String method = rc.request().method().name();
            String path = rc.normalizedPath();
            if (publicReads || ApiToken.MUTATING.contains(method) || OPEN.contains(path) || path.startsWith("/q/health")) {
                rc.next(); // changes: the JAX-RS filter ApiToken (it answers 401 with what to send)
                return;
            }
            Cookie c = rc.request().getCookie(COOKIE);
            if (token.matches(ApiToken.bearer(rc.request().getHeader("Authorization"))) || (c != null && token.matches(c.getValue()))) {
                rc.next();
                return;
            }
            boolean page = String.valueOf(rc.request().getHeader("Accept")).contains("text/html");
            rc.response().setStatusCode(401).putHeader("Cache-Control", "no-store");
            if (page) {
                rc.response().putHeader("Content-Type", "text/html;charset=utf-8").end("<!DOCTYPE html><title>kval: token needed</title>"
                        + "<p>This controller's pages need its API token: <a href=\"" + LoginResource.PATH + "\">log in</a>.</p>");
            } else {
                rc.response().putHeader("Content-Type", "application/json").end("{\"error\":\"reads need 'Authorization: Bearer <token>'"
                        + " (KVAL_API_TOKEN, or the controller's token file), unless " + KEY + "=true\"}");
            }
        });
    }
}
