package dev.svertka.jobs;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

import dev.svertka.io.Failures;
import dev.svertka.train.JobSpec;
import dev.svertka.report.TrainingReport;
import io.quarkus.arc.properties.IfBuildProperty;
import io.smallrye.mutiny.Multi;

/**
 * The trainer role's REST API: submit a training job (the JSON of {@code train --spec}), list jobs, see
 * one's status, progress, per-epoch metrics, log and live events (SSE), cancel it, fetch its report. Bearer
 * token required.
 */
@jakarta.ws.rs.Path("/jobs")
@TrainerApi
// left out of the inference app at build time: it has no training stack to run a job with
@IfBuildProperty(name = "svertka.build.trainer-api", stringValue = "true", enableIfMissing = true)
@Produces(MediaType.APPLICATION_JSON)
public class JobResource {

    @Inject
    JobService jobs;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response submit(String body) {
        try {
            JobService.View view = jobs.submit(JobSpec.parse(body));
            return Response.accepted(view).location(URI.create("/jobs/" + view.id())).build();
        } catch (JobSpec.InvalidJobException e) {
            return Response.status(Response.Status.BAD_REQUEST)
                    .entity(Map.of("error", e.getMessage(), "problems", e.problems())).build();
        } catch (IOException | IllegalArgumentException e) {
            return Response.status(Response.Status.BAD_REQUEST).entity(Map.of("error", Failures.describe(e))).build();
        }
    }

    @GET
    public List<JobService.View> list() {
        return jobs.list();
    }

    @GET
    @jakarta.ws.rs.Path("{id}")
    public Response get(@PathParam("id") String id) {
        return jobs.get(id).map(v -> Response.ok(v).build()).orElseGet(() -> notFound(id));
    }

    @DELETE
    @jakarta.ws.rs.Path("{id}")
    public Response cancel(@PathParam("id") String id) {
        return jobs.cancel(id).map(v -> Response.ok(v).build()).orElseGet(() -> notFound(id));
    }

    /** The job's recent log lines, oldest first. */
    @GET
    @jakarta.ws.rs.Path("{id}/log")
    @Produces(MediaType.TEXT_PLAIN)
    public Response log(@PathParam("id") String id) {
        return jobs.log(id).map(lines -> Response.ok(String.join("\n", lines) + "\n", MediaType.TEXT_PLAIN).build())
                .orElseGet(() -> notFound(id));
    }

    /**
     * Live progress as Server-Sent Events: the job's events so far, then each new one (named {@code epoch-finished},
     * {@code batch-progress}, {@code status}, ...; JSON data) until the job ends.
     */
    @GET
    @jakarta.ws.rs.Path("{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> events(@PathParam("id") String id, @Context Sse sse) {
        return jobs.events(id).orElseThrow(() -> new WebApplicationException(notFound(id)))
                .map(event -> sse.newEventBuilder().name(event.name()).data(event.json()).build());
    }

    @GET
    @jakarta.ws.rs.Path("{id}/report")
    @Produces(MediaType.TEXT_HTML)
    public Response report(@PathParam("id") String id) {
        return file(id, TrainingReport.PAGE, MediaType.TEXT_HTML);
    }

    @GET
    @jakarta.ws.rs.Path("{id}/report/{file}")
    @Produces("image/png")
    public Response picture(@PathParam("id") String id, @PathParam("file") String name) {
        return file(id, name, "image/png");
    }

    private Response file(String id, String name, String type) {
        Path file = jobs.reportFile(id, name).orElse(null);
        if (file == null) {
            return Response.status(Response.Status.NOT_FOUND).type(MediaType.APPLICATION_JSON)
                    .entity(Map.of("error", "no " + name + " for job " + id + " (unknown job, or not finished)")).build();
        }
        return Response.ok(file.toFile(), type).build();
    }

    private static Response notFound(String id) {
        return Response.status(Response.Status.NOT_FOUND).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", "no job " + id)).build();
    }
}
