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
        byte[] expected = ("Bearer " + config.token().get()).getBytes(StandardCharsets.UTF_8);
        // constant-time comparison: the time taken says nothing about how much of the token was right
        if (header == null || !MessageDigest.isEqual(expected, header.getBytes(StandardCharsets.UTF_8))) {
            refuse(request, header == null ? "missing bearer token" : "wrong bearer token");
        }
    }

    private static void refuse(ContainerRequestContext request, String why) {
        request.abortWith(Response.status(Response.Status.UNAUTHORIZED)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"svertka-trainer\"")
                .type(MediaType.APPLICATION_JSON).entity(Map.of("error", why)).build());
    }
}
