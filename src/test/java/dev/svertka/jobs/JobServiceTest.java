package dev.svertka.jobs;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.svertka.kafka.KafkaClients;
import dev.svertka.data.SyntheticPhotos;
import dev.svertka.kafka.EmbeddedKafkaResource;
import dev.svertka.kafka.RecordCollector;
import dev.svertka.registry.LivePointer;
import dev.svertka.registry.ModelAnnouncer;
import dev.svertka.registry.ModelRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

@QuarkusTest
@TestProfile(JobServiceTest.WithToken.class)
class JobServiceTest {

    private static final String TOKEN = "test-secret";

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    /** Where jobs that name no registry store their versions. */
    @Inject
    ModelRegistry registry;

    public static class WithToken implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                return Map.of("svertka.trainer.token", TOKEN,
                        "svertka.serve.registry", Files.createTempDirectory("svertka-trainer-registry-").toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(EmbeddedKafkaResource.class));
        }
    }

    @Test
    void callsWithoutTheRightTokenAreRefused() {
        given().when().get("/jobs").then().statusCode(401).header("WWW-Authenticate", containsString("Bearer"))
                .body("error", equalTo("missing bearer token"));
        given().header("Authorization", "Bearer guess").when().get("/jobs").then().statusCode(401)
                .body("error", equalTo("wrong bearer token"));
        given().header("Authorization", "Bearer guess").contentType("application/json").body("{}")
                .when().post("/jobs").then().statusCode(401);
        // the scheme's name is case-insensitive (RFC 7235), the token is not
        given().header("Authorization", "bearer " + TOKEN).when().get("/jobs").then().statusCode(200);
        given().header("Authorization", "BEARER " + TOKEN.toUpperCase()).when().get("/jobs").then().statusCode(401);
    }

    @Test
    void aJobIsCheckedWholeBeforeItIsQueued() {
        for (String name : new String[] {"a/b", "../../x", "", "x".repeat(5 << 20), "forged\\nINFO job done"}) {
            String spec = "{\"model\": \"%s\", \"data\": \"synthetic:100\"}".formatted(name);
            String error = authorised().contentType("application/json").body(spec).when().post("/jobs").then()
                    .statusCode(400).extract().path("error");
            assertThat(error).as(name.length() > 80 ? name.substring(0, 80) : name).contains("Invalid model name")
                    .doesNotContain("\n").hasSizeLessThan(300);
        }
        authorised().contentType("application/json").body("null").when().post("/jobs").then().statusCode(400)
                .body("error", containsString("empty"));
        authorised().contentType("application/json")
                .body("{\"preset\": \"vgg-9000\", \"epochs\": 0, \"batchSize\": 0, \"patience\": -1}")
                .when().post("/jobs").then().statusCode(400)
                .body("problems", org.hamcrest.Matchers.hasSize(4))
                .body("problems", org.hamcrest.Matchers.hasItem(containsString("unknown preset 'vgg-9000'")));
        authorised().contentType("application/json").body("{\"data\": \"/no/such/images\"}").when().post("/jobs")
                .then().statusCode(400).body("problems[0]", equalTo("data: no directory /no/such/images"));
        assertThat(authorised().when().get("/jobs").<List<String>>path("model")).as("nothing was queued")
                .doesNotContain("a/b", "../../x", "");
    }

    @Test
    void aSubmittedJobRunsTrainsStoresAndReports() throws Exception {
        Path work = Files.createTempDirectory("svertka-trainer-");
        String spec = """
                {"model": "api", "data": "synthetic:300", "epochs": 1, "batchSize": 32, "validationSplit": 0.2,
                 "runDir": "%s"}
                """.formatted(work.resolve("run"));

        Response submitted = authorised().contentType("application/json").body(spec).when().post("/jobs");
        submitted.then().statusCode(202).body("model", equalTo("api"));
        String id = submitted.path("id");

        Response done = waitFor(id, Duration.ofMinutes(4));
        assertThat(done.<String>path("status")).as(done.asString()).isEqualTo("SUCCEEDED");
        assertThat(done.<String>path("result")).isEqualTo("api:1");
        assertThat(done.<List<?>>path("metrics")).hasSize(1);
        assertThat(done.<Integer>path("metrics[0].onednn_fallbacks")).as("no oneDNN call failed").isZero();
        assertThat(registry.resolve("api:1").onnxFile()).as("stored in the configured registry").exists();
        // made live and announced to the inference pods
        assertThat(registry.live("api")).get().extracting(LivePointer::version).isEqualTo(1);
        try (RecordCollector models = new RecordCollector(KafkaClients.at(bootstrapServers), List.of("models"))) {
            var announced = models.until(records -> records.stream().anyMatch(r -> "api".equals(r.key())),
                    Duration.ofSeconds(30));
            assertThat(announced).anySatisfy(r -> assertThat(ModelAnnouncer.parse(
                    new String(r.value(), java.nio.charset.StandardCharsets.UTF_8)).reference()).isEqualTo("api:1"));
        }
        authorised().when().get("/jobs").then().statusCode(200).body("id", org.hamcrest.Matchers.hasItem(id));
        authorised().when().get("/jobs/" + id + "/report").then().statusCode(200)
                .body(containsString("Test accuracy"));
        authorised().when().get("/jobs/" + id + "/report/curves.png").then().statusCode(200)
                .contentType("image/png");
        authorised().when().get("/jobs/" + id + "/report/../../etc.png").then().statusCode(404);
    }

    @Test
    void aJobFineTunesAKerasGraphBackboneOnPhotos() throws Exception {
        Path work = Files.createTempDirectory("svertka-trainer-graph-");
        SyntheticPhotos.write(work.resolve("photos"), new SyntheticPhotos.Plan(10, 3, 3, 4), SyntheticPhotos.Progress.NONE);
        String spec = """
                {"model": "api-graph", "data": "%s", "imageSize": "3x32x32", "epochs": 1, "batchSize": 10,
                 "base": "src/test/resources/keras/mobilenet_v2_like.h5", "freezeUpTo": "Conv1_relu",
                 "preprocessing": {"resize": "shorter-side", "resizeTo": 36, "crop": "center"}, "runDir": "%s"}
                """.formatted(work.resolve("photos"), work.resolve("run"));

        String id = authorised().contentType("application/json").body(spec).when().post("/jobs")
                .then().statusCode(202).extract().path("id");

        Response done = waitFor(id, Duration.ofMinutes(4));
        assertThat(done.<String>path("status")).as(done.asString()).isEqualTo("SUCCEEDED");
        assertThat(registry.resolve("api-graph:1").card().preprocessing().resizeTo()).isEqualTo(36);
        assertThat(registry.resolve("api-graph:1").card().hyperParameters()).containsKey("features_at");
    }

    @Test
    void badSpecsAreRefusedWithTheReasonAndUnknownJobsAreNotFound() {
        authorised().contentType("application/json").body("{\"epocs\": 3}").when().post("/jobs").then()
                .statusCode(400).body("error", containsString("epocs"));
        authorised().contentType("application/json").body("{\"augment\": \"spin=3\"}").when().post("/jobs").then()
                .statusCode(400).body("error", containsString("unknown augmentation 'spin'"));
        authorised().when().get("/jobs/nope").then().statusCode(404);
        authorised().when().delete("/jobs/nope").then().statusCode(404);
    }

    @Test
    void aJobCanBeCancelledAndAFailedJobSaysWhy() throws Exception {
        Path work = Files.createTempDirectory("svertka-trainer-");
        // a folder that is there, but holds no data set: found out only when the job loads it
        String failing = "{\"model\": \"bad\", \"data\": \"%s\", \"registry\": \"%s\"}".formatted(
                Files.createDirectories(work.resolve("nothing-here")), work.resolve("registry"));
        String failingId = authorised().contentType("application/json").body(failing).when().post("/jobs").path("id");
        String longJob = "{\"model\": \"long\", \"data\": \"synthetic:2000\", \"epochs\": 50, \"registry\": \"%s\"}"
                .formatted(work.resolve("registry"));
        String longId = authorised().contentType("application/json").body(longJob).when().post("/jobs").path("id");

        authorised().when().delete("/jobs/" + longId).then().statusCode(200);
        Response cancelled = waitFor(longId, Duration.ofMinutes(2));
        assertThat(cancelled.<String>path("status")).isEqualTo("CANCELLED");

        Response failed = waitFor(failingId, Duration.ofMinutes(1));
        assertThat(failed.<String>path("status")).isEqualTo("FAILED");
        assertThat(failed.<String>path("error")).contains("nothing-here");
    }

    private static io.restassured.specification.RequestSpecification authorised() {
        return given().header("Authorization", "Bearer " + TOKEN);
    }

    /** The job once it has ended (neither queued nor running). */
    private static Response waitFor(String id, Duration limit) {
        return await("job " + id + " ended").atMost(limit).pollInterval(Duration.ofMillis(200))
                .until(() -> authorised().when().get("/jobs/" + id),
                        job -> !List.of("QUEUED", "RUNNING").contains(job.<String>path("status")));
    }
}
