package dev.kval.controller;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/** A browser's way in when reads need the token: a form that sets the read cookie (ReadAccess). No script. */
@Path(LoginResource.PATH)
public class LoginResource {
    static final String PATH = "/login";

    @Inject
    ApiToken token;

    @GET
    @Produces(MediaType.TEXT_HTML)
    public String form() {
        return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>kval controller</title></head><body>"
                + "<form method=\"post\" action=\"" + PATH + "\"><label>API token <input name=\"token\" type=\"password\" autocomplete=\"off\">"
                + "</label> <button>read</button></form><p>The token is KVAL_API_TOKEN or the content of the controller's token file."
                + " It lets this browser read; changes (quarantine) ask for it again.</p></body></html>";
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response login(@FormParam("token") String given) {
        if (!token.matches(given)) {
            return Response.status(401).type(MediaType.TEXT_PLAIN).entity("wrong token").build();
        }
        NewCookie c = new NewCookie.Builder(ReadAccess.COOKIE).value(given.strip()).path("/").httpOnly(true)
                .sameSite(NewCookie.SameSite.STRICT).build();
        return Response.seeOther(URI.create("/triage")).cookie(c).build();
    }
}
