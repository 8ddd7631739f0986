package dev.svertka.serve;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;


import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.svertka.kafka.KafkaClients;
import dev.svertka.image.ImageDecoder;
import dev.svertka.image.ImageEncoder;
import dev.svertka.data.LabeledImages;
import dev.svertka.runtime.OnnxSessions;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** POST /predict, health and metrics of the inference role, on the same app as the Kafka tests. */
@QuarkusTest
@WithTestResource(RestartableKafkaResource.class)
class PredictEndpointTest {

    @Inject
    ModelHolder models;

    @Inject
    TopicsConfig topics;

    @Inject
    ServeConfig config;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String brokers;

    private LabeledImages test;

    @BeforeEach
    void serve() throws Exception {
        test = ServedModel.serve(models, topics, KafkaClients.at(brokers));
    }

    @Test
    void pngAndRawImagesGetTheSameJsonAsOnKafka() {
        given().contentType("image/png").body(ImageEncoder.png(test, 3)).queryParam("id", "http-1")
                .when().post("/predict")
                .then().statusCode(200)
                .body("id", equalTo("http-1"))
                .body("model", equalTo("digits"))
                .body("version", equalTo(1))
                .body("top", hasSize(3))
                .body("top[0].label", equalTo(String.valueOf(
                        given().contentType(ImageDecoder.RAW_PIXELS).header("width", "28").header("height", "28")
                                .header("channels", "1").body(test.image(3))
                                .when().post("/predict")
                                .then().statusCode(200).extract().jsonPath().getInt("top[0].index"))));
    }

    /** The export parity check and the import check open their sessions with {@code Options.DEFAULT}. */
    @Test
    void theChecksBeforePublishingRunModelsWithTheOptionsServingIsConfiguredWith() {
        assertThat(config.sessionOptions()).isEqualTo(OnnxSessions.Options.DEFAULT);
    }

    @Test
    void badImagesAreRefusedWithTheirReasonAndAFittingStatus() {
        given().contentType("image/png").body(new byte[0]).when().post("/predict")
                .then().statusCode(400).body("reason", equalTo("EMPTY_PAYLOAD"));
        given().contentType("text/plain").body("hello").when().post("/predict")
                .then().statusCode(415).body("reason", equalTo("UNSUPPORTED_FORMAT"));
        given().contentType("image/png").body(BadInputs.withPngSize(ImageEncoder.png(test, 0), 100_000, 100_000))
                .when().post("/predict")
                .then().statusCode(413).body("reason", equalTo("TOO_MANY_PIXELS"));
        given().contentType(ImageDecoder.RAW_PIXELS).header("width", "28").header("height", "28")
                .header("channels", "1").body(new byte[100]).when().post("/predict")
                .then().statusCode(400).body("reason", equalTo("RAW_SIZE_MISMATCH"))
                .body("message", equalTo("raw pixels of 28x28x1 need 784 bytes, the payload has 100"));
    }

    @Test
    void readyOnceAModelIsLoadedAndKafkaIsConnected() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("model"))
                .body("checks.find { it.name.startsWith('SmallRye Reactive Messaging') }.data.images", equalTo("[OK]"))
                .body("checks.find { it.name == 'model' }.data.model", equalTo("digits:1"))
                .body("checks.find { it.name == 'kafka' }.status", equalTo("UP"));
    }

    @Test
    void metricsShowThroughputLatencyBatchesDeadLettersAndTheModel() {
        given().contentType("image/png").body(ImageEncoder.png(test, 5)).when().post("/predict")
                .then().statusCode(200);
        given().contentType("image/png").body(new byte[0]).when().post("/predict").then().statusCode(400);
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();

        assertThat(metrics).contains("svertka_images_total{outcome=\"predicted\",via=\"http\"}")
                .contains("svertka_images_total{outcome=\"refused\",via=\"http\"}")
                .contains("svertka_latency_inference_seconds_bucket")
                .contains("svertka_latency_end_to_end_seconds_bucket")
                .contains("svertka_batch_size_count")
                .contains("svertka_model_version 1.0")
                .contains("kafka_consumer_fetch_manager_records_lag");
    }
}
