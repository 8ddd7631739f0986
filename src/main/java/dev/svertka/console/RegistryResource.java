package dev.svertka.console;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.apache.kafka.common.KafkaException;

import ai.onnxruntime.OrtException;
import dev.svertka.card.ModelCard;
import dev.svertka.image.ImageDecodingException;
import dev.svertka.io.Failures;
import dev.svertka.jobs.TrainerApi;
import dev.svertka.jobs.TrainerConfig;
import dev.svertka.kafka.KafkaClients;
import dev.svertka.registry.LivePointer;
import dev.svertka.registry.ModelAnnouncer;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.registry.ModelVersion;
import dev.svertka.registry.ModelsConfig;
import dev.svertka.registry.RegistryException;
import io.quarkus.arc.properties.IfBuildProperty;

/**
 * The registry for the console (bearer token, as the trainer API): models with their versions' cards and the live
 * pointer, promote and roll back (announced on the models topic, as {@code registry promote} does), and an image
 * classified by a model's live version.
 */
@Path("/registry")
@TrainerApi
@IfBuildProperty(name = "svertka.build.trainer-api", stringValue = "true", enableIfMissing = true)
@Produces(MediaType.APPLICATION_JSON)
public class RegistryResource {

    /** One stored version: its card, or why it cannot be served (damaged, unreadable). */
    public record Version(int version, ModelCard card, String problem) {
    }

    /** A model: its live pointer (null: never promoted, the latest serves) and its versions, oldest first. */
    public record Model(String name, LivePointer live, List<Version> versions) {
    }

    /** What a promotion or rollback did; {@code warning}: the registry changed but the pods were not told. */
    public record LiveChange(String live, String announced, String warning) {
    }

    @Inject
    ModelRegistry registry;

    @Inject
    TrainerConfig trainer;

    @Inject
    ModelsConfig models;

    @Inject
    KafkaClients kafka;

    @Inject
    ConsoleClassifier classifier;

    @GET
    public List<Model> list() throws RegistryException {
        List<Model> all = new ArrayList<>();
        for (String name : registry.names()) {
            List<Version> versions = new ArrayList<>();
            for (int version : registry.versions(name)) {
                versions.add(version(name, version));
            }
            all.add(new Model(name, registry.live(name).orElse(null), versions));
        }
        return all;
    }

    private Version version(String name, int version) {
        try {
            return new Version(version, registry.resolve(name + ":" + version).card(), null);
        } catch (RegistryException e) {
            return new Version(version, null, e.getMessage());
        }
    }

    @POST
    @Path("{name}/versions/{version}/promote")
    public Response promote(@PathParam("name") String name, @PathParam("version") int version) {
        try {
            return announced(registry.promote(name, version));
        } catch (RegistryException e) {
            return refused(Response.Status.BAD_REQUEST, e);
        }
    }

    @POST
    @Path("{name}/rollback")
    public Response rollback(@PathParam("name") String name) {
        try {
            return announced(registry.rollback(name));
        } catch (RegistryException e) {
            return refused(Response.Status.BAD_REQUEST, e);
        }
    }

    /** The new live version, announced when the trainer announces its jobs' versions. */
    private Response announced(ModelVersion live) {
        String reference = live.card().reference();
        if (!trainer.announce()) {
            return Response.ok(new LiveChange(reference, null, null)).build();
        }
        try (ModelAnnouncer announcer = new ModelAnnouncer(kafka, models.topic())) {
            announcer.announce(live);
            return Response.ok(new LiveChange(reference, models.topic(), null)).build();
        } catch (RegistryException | KafkaException e) {
            return Response.ok(new LiveChange(reference, null, reference + " is live in the registry, but announcing"
                    + " it on topic " + models.topic() + " failed: " + Failures.describe(e))).build();
        }
    }

    /** Classifies the image in the body with the model's live version (the latest when none was promoted). */
    @POST
    @Path("{name}/classify")
    @Consumes(MediaType.WILDCARD)
    public Response classify(@PathParam("name") String name, byte[] image,
                             @HeaderParam("Content-Type") String contentType) {
        try {
            return Response.ok(classifier.classify(registry.resolve(name), image, contentType)).build();
        } catch (ImageDecodingException e) {
            return Response.status(Response.Status.BAD_REQUEST)
                    .entity(Map.of("reason", e.reason().name(), "error", e.getMessage())).build();
        } catch (RegistryException e) {
            return refused(Response.Status.NOT_FOUND, e);
        } catch (OrtException e) {
            return refused(Response.Status.INTERNAL_SERVER_ERROR, e);
        }
    }

    private static Response refused(Response.Status status, Exception e) {
        return Response.status(status).entity(Map.of("error", Failures.describe(e))).build();
    }
}
