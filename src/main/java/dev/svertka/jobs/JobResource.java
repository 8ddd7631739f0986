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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.svertka.train.JobSpec;
import dev.svertka.report.TrainingReport;

/**
 * The trainer role's REST API: submit a training job (the JSON of {@code train --spec}), list jobs, see
 * one's status, progress and per-epoch metrics, cancel it, fetch its report. Bearer token required.
 */
@jakarta.ws.rs.Path("/jobs")
@TrainerApi
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
        } catch (IOException | IllegalArgumentException e) {
            return Response.status(Response.Status.BAD_REQUEST).entity(Map.of("error", e.getMessage())).build();
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
        return Response.status(Response.Status.NOT_FOUND).entity(Map.of("error", "no job " + id)).build();
    }
}
