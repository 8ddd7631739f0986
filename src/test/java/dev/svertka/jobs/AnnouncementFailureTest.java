package dev.svertka.jobs;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.svertka.registry.LivePointer;
import dev.svertka.registry.ModelRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * A job whose model is stored and made live, but whose announcement cannot reach Kafka (nothing listens at the
 * configured address): the job did its work, so it succeeds, with a warning that says what is live, what failed
 * and that it will be tried again, never "FAILED" for a version that is serving.
 */
@QuarkusTest
@TestProfile(AnnouncementFailureTest.NoBroker.class)
class AnnouncementFailureTest {

    private static final String TOKEN = "announce-secret";

    @Inject
    ModelRegistry registry;

    public static class NoBroker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                return Map.of("svertka.trainer.token", TOKEN, "kafka.bootstrap.servers", "127.0.0.1:1",
                        "svertka.serve.registry", Files.createTempDirectory("svertka-unannounced-").toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Test
    void aLiveVersionThatCouldNotBeAnnouncedLeavesTheJobSucceededWithAWarning() throws Exception {
        String spec = """
                {"model": "unannounced", "data": "synthetic:300", "epochs": 1, "batchSize": 32,
                 "runDir": "%s"}
                """.formatted(Files.createTempDirectory("svertka-unannounced-run-"));
        String id = given().header("Authorization", "Bearer " + TOKEN).contentType("application/json").body(spec)
                .when().post("/jobs").then().statusCode(202).extract().path("id");

        Response done = await("job " + id + " ended").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500))
                .until(() -> given().header("Authorization", "Bearer " + TOKEN).when().get("/jobs/" + id),
                        job -> !List.of("QUEUED", "RUNNING").contains(job.<String>path("status")));

        assertThat(done.<String>path("status")).as(done.asString()).isEqualTo("SUCCEEDED");
        assertThat(done.<String>path("result")).isEqualTo("unannounced:1");
        assertThat(done.<String>path("warning")).contains("unannounced:1 is live in the registry",
                "announcing it on topic models failed (attempt 1 of 5)", "127.0.0.1:1", "trying again in 20 s");
        assertThat(registry.live("unannounced")).get().extracting(LivePointer::version).isEqualTo(1);
    }
}
