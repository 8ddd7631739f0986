package dev.svertka.jobs;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

/** Refuses trainer API calls without {@code Authorization: Bearer <svertka.trainer.token>}. */
@Provider
@TrainerApi
@Priority(Priorities.AUTHENTICATION)
public class BearerTokenFilter implements ContainerRequestFilter {

    /** The scheme's name is case-insensitive (RFC 7235), the token is not. */
    private static final String SCHEME = "Bearer ";

    // looked up per call: JAX-RS providers are created at static init, before config mappings exist
    @Inject
    Instance<TrainerConfig> configs;

    @Override
    public void filter(ContainerRequestContext request) {
        TrainerConfig config = configs.get();
        if (config.token().filter(t -> !t.isBlank()).isEmpty()) {
            refuse(request, "the trainer API has no token configured (svertka.trainer.token / SVERTKA_TRAINER_TOKEN)");
            return;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            refuse(request, header == null ? "missing bearer token" : "not a bearer token");
            return;
        }
        byte[] expected = config.token().get().getBytes(StandardCharsets.UTF_8);
        byte[] given = header.substring(SCHEME.length()).strip().getBytes(StandardCharsets.UTF_8);
        // constant-time comparison: the time taken says nothing about how much of the token was right
        if (!MessageDigest.isEqual(expected, given)) {
            refuse(request, "wrong bearer token");
        }
    }

    private static void refuse(ContainerRequestContext request, String why) {
        request.abortWith(Response.status(Response.Status.UNAUTHORIZED)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"svertka-trainer\"")
                .type(MediaType.APPLICATION_JSON).entity(Map.of("error", why)).build());
    }
}
