package dev.svertka.console;

import java.io.InputStream;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkus.arc.properties.IfBuildProperty;

/**
 * The web console's page and its scripts, served without a token: the page holds no data, it asks for the
 * token and fetches everything else from the APIs that need it. Not under {@code META-INF/resources}, where the
 * inference app would serve it too: this resource is left out of it at build time, as the trainer API is.
 */
@Path("/")
@IfBuildProperty(name = "svertka.build.trainer-api", stringValue = "true", enableIfMissing = true)
public class ConsolePage {

    private static final Map<String, String> FILES = Map.of(
            "console.js", "text/javascript", "console.css", "text/css", "index.html", MediaType.TEXT_HTML);

    @GET
    public Response page() {
        return file("index.html");
    }

    @GET
    @Path("console/{file}")
    public Response asset(@PathParam("file") String name) {
        return FILES.containsKey(name) ? file(name) : Response.status(Response.Status.NOT_FOUND).build();
    }

    private Response file(String name) {
        InputStream content = ConsolePage.class.getResourceAsStream("/console/" + name);
        return Response.ok(content, FILES.get(name) + ";charset=utf-8")
                // the page must not be framed by another site (clickjacking a promote button)
                .header("X-Frame-Options", "DENY")
                .header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-src 'self';"
                        + " style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
                .build();
    }
}
