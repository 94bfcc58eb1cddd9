package dev.kval.triage.web;

import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Headers on every response of the app (the controller serves this module, so its API gets them too): no MIME
 * sniffing, no framing, no referrer; HTML pages get a Content-Security-Policy that allows scripts only from this
 * server's files (no inline script or handler, no eval), so text the kernel under test controls (KTAP test names,
 * console lines) cannot become code even if an escaping mistake let it into an attribute.
 */
public class SecurityHeaders {
    static final String NOSNIFF = "X-Content-Type-Options", CSP = "Content-Security-Policy";
    static final String PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;"
            + " connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
    /** An attachment is evidence, not a page: sandboxed (no script, no same origin) even if a browser renders it. */
    static final String ATTACHMENT_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'";

    @ServerResponseFilter
    public void headers(ContainerResponseContext res) {
        var h = res.getHeaders();
        h.putSingle(NOSNIFF, "nosniff");
        h.putSingle("X-Frame-Options", "DENY");
        h.putSingle("Referrer-Policy", "no-referrer");
        MediaType type = res.getMediaType();
        if (!h.containsKey(CSP) && type != null && type.isCompatible(MediaType.TEXT_HTML_TYPE)) {
            h.putSingle(CSP, PAGE_CSP);
        }
    }
}
