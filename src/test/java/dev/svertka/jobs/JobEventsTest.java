package dev.svertka.jobs;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.svertka.kafka.EmbeddedKafkaResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.specification.RequestSpecification;

/** A job's typed events as Server-Sent Events, and the service's bounded memory of jobs and log lines. */
@QuarkusTest
@TestProfile(JobEventsTest.SmallHistory.class)
class JobEventsTest {

    private static final String TOKEN = "events-secret";
    private static final int MAX_LINES = 6;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/jobs")
    URL jobsUrl;

    public static class SmallHistory implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("svertka.trainer.token", TOKEN, "svertka.trainer.max-jobs", "2",
                    "svertka.trainer.max-log-lines", String.valueOf(MAX_LINES), "svertka.trainer.announce", "false");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(EmbeddedKafkaResource.class));
        }
    }

    /** An SSE event as read off the wire. */
    record Received(String name, JsonNode data) {
    }

    @Test
    void aSubscriberSeesEveryStepOfTheRunInOrderAndTheStreamEndsWithTheJob() throws Exception {
        Path work = Files.createTempDirectory("svertka-events-");
        // a long job holds the single runner, so the watched job is still queued when the stream opens
        String blocker = submit("{\"model\": \"blocker\", \"data\": \"synthetic:2000\", \"epochs\": 50,"
                + " \"registry\": \"%s\"}".formatted(work.resolve("registry")));
        String watched = submit("""
                {"model": "watched", "data": "synthetic:300", "epochs": 2, "batchSize": 32,
                 "registry": "%s", "runDir": "%s"}""".formatted(work.resolve("registry"), work.resolve("run")));

        List<Received> events = new ArrayList<>();
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<java.io.InputStream> stream = client.send(HttpRequest.newBuilder(
                        URI.create(jobsUrl + "/" + watched + "/events")).header("Authorization", "Bearer " + TOKEN)
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        authorised().when().delete("/jobs/" + blocker).then().statusCode(200);
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            String name = null;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) { // ends with the job
                if (line.startsWith("event:")) {
                    name = line.substring("event:".length()).strip();
                } else if (line.startsWith("data:")) {
                    events.add(new Received(name, JSON.readTree(line.substring("data:".length()).strip())));
                }
            }
        }

        List<String> names = events.stream().map(Received::name).toList();
        assertThat(names).first().isEqualTo("status");
        assertThat(events.get(0).data().get("status").asText()).isEqualTo("QUEUED");
        assertThat(names).containsSubsequence("status", "note", "epoch-started", "batch-progress", "epoch-finished",
                "epoch-started", "epoch-finished", "tested", "parity-checked", "published", "report-written", "status");
        assertThat(events.get(events.size() - 1).data().get("status").asText()).isEqualTo("SUCCEEDED");
        List<JsonNode> epochs = events.stream().filter(e -> e.name().equals("epoch-finished"))
                .map(e -> e.data().get("metrics")).toList();
        assertThat(epochs).extracting(m -> m.get("epoch").asInt()).containsExactly(1, 2);
        assertThat(epochs).allSatisfy(m -> assertThat(m.get("loss").asDouble()).isPositive());
        JsonNode published = events.stream().filter(e -> e.name().equals("published")).findFirst().orElseThrow().data();
        assertThat(published.get("reference").asText()).isEqualTo("watched:1");
        assertThat(Path.of(published.get("directory").asText())).isDirectory();
        JsonNode lastBatch = events.stream().filter(e -> e.name().equals("batch-progress"))
                .reduce((a, b) -> b).orElseThrow().data();
        assertThat(lastBatch.get("images").asLong()).isEqualTo(lastBatch.get("total").asLong());

        // a late subscriber is replayed the recent events, then the stream ends at once: the job is over
        String replayed = authorised().accept("text/event-stream").when().get("/jobs/" + watched + "/events")
                .then().statusCode(200).extract().asString();
        assertThat(replayed).containsPattern("event: ?report-written").contains("\"SUCCEEDED\"");
        assertThat(replayed).doesNotContainPattern("event: ?batch-progress");
    }

    @Test
    void theServiceKeepsTheLastJobsAndTheLastLogLinesOfEach() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            // fails fast: the directory is there (a job naming a missing one is refused), but holds no data set
            Path empty = Files.createTempDirectory("svertka-nowhere-");
            String id = submit("{\"model\": \"gone-%d\", \"data\": \"%s\"}".formatted(i, empty));
            await().atMost(Duration.ofMinutes(1)).until(() -> !authorised().when().get("/jobs/" + id)
                    .path("status").equals("QUEUED") && !authorised().when().get("/jobs/" + id).path("status")
                    .equals("RUNNING"));
            ids.add(id);
        }

        authorised().when().get("/jobs/" + ids.get(0)).then().statusCode(404);
        authorised().when().get("/jobs/" + ids.get(2)).then().statusCode(200);
        List<String> listed = authorised().when().get("/jobs").then().statusCode(200).extract().path("id");
        assertThat(listed).hasSizeLessThanOrEqualTo(2).contains(ids.get(2)).doesNotContain(ids.get(0));

        String log = authorised().when().get("/jobs/" + ids.get(2) + "/log").then().statusCode(200).extract()
                .asString();
        assertThat(log.lines().toList()).isNotEmpty().hasSizeLessThanOrEqualTo(MAX_LINES)
                .last().asString().contains("nowhere");
        authorised().when().get("/jobs/nope/events").then().statusCode(404);
    }

    private static String submit(String spec) {
        return authorised().contentType("application/json").body(spec).when().post("/jobs").then().statusCode(202)
                .extract().path("id");
    }

    private static RequestSpecification authorised() {
        return given().header("Authorization", "Bearer " + TOKEN);
    }
}
