package dev.svertka.serve;

import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.svertka.image.EncodedImage;
import dev.svertka.serve.BatchClassifier.Outcome;
import dev.svertka.serve.BatchClassifier.Predicted;
import dev.svertka.serve.BatchClassifier.Refused;

/**
 * {@code POST /predict}: one image in the body, the same prediction JSON as on the predictions topic
 * back. For synchronous callers and debugging; the Kafka pipeline is the throughput path.
 */
@Path("/predict")
public class PredictResource {

    /** The body of a refusal: the dead-letter reason code the Kafka pipeline would use, and why. */
    public record Refusal(String reason, String message) {
    }

    @Inject
    BatchClassifier classifier;

    @Inject
    ServeMetrics metrics;

    @Inject
    ServeConfig config;

    /**
     * @param contentType image/png, image/jpeg, image/bmp, image/gif or application/x-raw-pixels (which
     *                    needs the width, height and channels headers); application/octet-stream sniffs
     * @param id          the id to report; a random one when absent
     */
    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response predict(byte[] body, @HeaderParam("Content-Type") String contentType,
                            @HeaderParam("width") String width, @HeaderParam("height") String height,
                            @HeaderParam("channels") String channels, @QueryParam("id") String id) {
        ImageEvent image = new ImageEvent(id != null ? id : UUID.randomUUID().toString(),
                new EncodedImage(body, contentType, width, height, channels), System.currentTimeMillis());
        Outcome outcome = classifier.classify(List.of(image), config.decodeWait()).get(0);
        if (outcome instanceof Predicted predicted) {
            metrics.predicted("http", 1);
            return Response.ok(predicted.prediction()).build();
        }
        Refused refused = (Refused) outcome;
        metrics.refused("http", refused.reason());
        Response.ResponseBuilder response = Response.status(status(refused.reason()))
                .entity(new Refusal(refused.reason(), refused.cause().getMessage()))
                .type(MediaType.APPLICATION_JSON);
        if (refused.reason().equals(BatchClassifier.BUSY) || refused.reason().equals(BatchClassifier.MODEL_UNAVAILABLE)) {
            response.header(HttpHeaders.RETRY_AFTER, Math.max(1, config.decodeWait().toSeconds()));
        }
        return response.build();
    }

    private static Response.Status status(String reason) {
        return switch (reason) {
            case "PAYLOAD_TOO_LARGE", "TOO_MANY_PIXELS" -> Response.Status.REQUEST_ENTITY_TOO_LARGE;
            case "UNSUPPORTED_FORMAT" -> Response.Status.UNSUPPORTED_MEDIA_TYPE;
            case BatchClassifier.MODEL_UNAVAILABLE, BatchClassifier.BUSY -> Response.Status.SERVICE_UNAVAILABLE;
            case BatchClassifier.INFERENCE_FAILED -> Response.Status.INTERNAL_SERVER_ERROR;
            default -> Response.Status.BAD_REQUEST;
        };
    }
}
