package dev.svertka.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.svertka.card.ModelCard;
import dev.svertka.data.SyntheticDigits;
import dev.svertka.image.ImageEncoder;
import dev.svertka.jobs.JobService;
import dev.svertka.data.LabeledImages;
import dev.svertka.image.BadImageSamples;
import dev.svertka.kafka.EmbeddedKafkaResource;
import dev.svertka.kafka.ImageProducer;
import dev.svertka.kafka.KafkaClients;
import dev.svertka.kafka.Topics;
import dev.svertka.registry.ModelRegistry;
import dev.svertka.registry.ModelVersion;
import dev.svertka.train.JobSpec;
import dev.svertka.train.event.TrainingEvent;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The web console in a real headless browser (Debian's chromium through its chromedriver), as a person uses it:
 * log in, train a small job through the form and watch it, read its report, promote and roll back, try an image.
 * The scenarios build on each other, in order. Screenshots of each page go to {@code target/console-screenshots}.
 */
@QuarkusTest
@TestProfile(ConsoleBrowserTest.Console.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {

    private static final String TOKEN = "console-secret";
    private static final String XSS = "<img src=x onerror=alert(1)>";
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    // a system property: the profile and the test run in different class loaders, each with its own statics
    private static final Path REGISTRY = Path.of((String) System.getProperties().computeIfAbsent(
            "svertka.test.console-registry", key -> temporaryDirectory("svertka-console-registry-").toString()));

    private static WebDriver browser;

    @Inject
    JobService jobs;

    @Inject
    KafkaClients kafka;

    @TestHTTPResource("/")
    URL console;

    public static class Console implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // this process serves too (the embedded broker's profile turns the pipeline on): model console, each
            // version announced live
            return Map.of("svertka.trainer.token", TOKEN, "svertka.serve.registry", REGISTRY.toString(),
                    "svertka.trainer.runs", REGISTRY.resolveSibling(REGISTRY.getFileName() + "-runs").toString(),
                    "svertka.serve.model", "console");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(EmbeddedKafkaResource.class));
        }
    }

    @BeforeAll
    static void startBrowser() throws IOException {
        Path chromium = Path.of(System.getProperty("svertka.test.chromium", "/usr/bin/chromium"));
        Path driver = Path.of(System.getProperty("svertka.test.chromedriver", "/usr/bin/chromedriver"));
        if (!Files.isExecutable(chromium) || !Files.isExecutable(driver)) {
            fail("The console's browser tests need Debian's chromium and chromium-driver (" + chromium + ", " + driver
                    + "): apt-get install chromium chromium-driver (.ci/run installs them when missing), or point"
                    + " -Dsvertka.test.chromium and -Dsvertka.test.chromedriver at another build");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        // no sandbox: CI runs as root, where chromium refuses its sandbox
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1100");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    @Order(1)
    void withoutTheTokenOnlyTheLoginPageIsServedAndAWrongTokenIsRefused() {
        given().when().get("/").then().statusCode(200).contentType("text/html");
        given().when().get("/console/console.js").then().statusCode(200);
        given().when().get("/webjars/uplot/dist/uPlot.iife.min.js").then().statusCode(200);
        given().when().get("/registry").then().statusCode(401);
        given().when().get("/jobs").then().statusCode(401);
        given().when().get("/console/../application.properties").then().statusCode(404);

        browser.get(console.toString());
        waitFor(() -> visible("login"));
        assertThat(visible("app")).isFalse();
        screenshot("login");
        logIn("not-the-token");
        waitFor(() -> text("login-error").contains("refused"));
        assertThat(visible("app")).isFalse();
        assertThat(sessionToken()).as("a refused token is not kept").isNull();

        logIn(TOKEN);
        waitFor(() -> visible("jobs-page"));
        assertThat(sessionToken()).isEqualTo(TOKEN);
        assertThat(browser.getCurrentUrl()).doesNotContain(TOKEN);
    }

    @Test
    @Order(2)
    void aJobSubmittedThroughTheFormTrainsLiveAndShowsItsReport() {
        WebElement form = browser.findElement(By.id("job-form"));
        fill(form, "model", "console");
        fill(form, "data", "synthetic:400");
        fill(form, "epochs", "3");
        fill(form, "batchSize", "32");
        assertThat(text("job-spec")).contains("\"model\": \"console\"", "\"epochs\": 3", "\"batchSize\": 32");
        form.findElement(By.cssSelector("button[type=submit]")).click();

        waitFor(() -> browser.getCurrentUrl().contains("#job/"));
        // the curve gains its points one epoch at a time, while the job runs
        Set<String> seen = new LinkedHashSet<>();
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).until(() -> {
            seen.add(browser.findElement(By.id("curves")).getAttribute("data-points"));
            return text("job-status").equals("SUCCEEDED");
        });
        waitFor(() -> points() == 3);
        seen.add(String.valueOf(points()));
        assertThat(seen).as("points seen as the job ran").containsSubsequence("1", "3");
        assertThat(text("job-log")).contains("Epoch 3/3", "Stored model console:1");

        waitFor(() -> visible("job-report"));
        screenshot("job");
        browser.switchTo().frame("report-frame");
        try {
            assertThat(browser.findElement(By.tagName("body")).getText()).contains("Confusion matrix", "Per class");
            List<WebElement> pictures = browser.findElements(By.tagName("img"));
            assertThat(pictures).hasSizeGreaterThanOrEqualTo(4);
            waitFor(() -> pictures.stream().allMatch(img -> naturalWidth(img) > 0));
        } finally {
            browser.switchTo().defaultContent();
        }
        ((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView()", browser.findElement(
                By.id("job-report")));
        screenshot("report");

        browser.findElement(By.linkText("Jobs")).click();
        waitFor(() -> browser.findElement(By.id("jobs")).getText().contains("SUCCEEDED"));
        screenshot("jobs");
    }

    @Test
    @Order(3)
    void promotionAndRollbackAskFirstAndLabelsFromFilesStayText() throws Exception {
        ModelRegistry registry = new ModelRegistry(REGISTRY);
        ModelVersion first = registry.resolve("console:1");
        // every label markup, so that any top 3 shows some
        List<String> labels = first.card().labels().stream().map(label -> XSS + " " + label).toList();
        ModelCard card = first.card();
        registry.publish(new ModelCard(card.name(), 0, labels, card.input(), card.layout(), card.pixelScale(),
                card.preprocessing(), card.preset(), card.dataset(), card.metrics(), card.hyperParameters(),
                card.createdAt(), null), Files.readAllBytes(first.onnxFile()), null);

        browser.findElement(By.linkText("Registry")).click();
        waitFor(() -> text("models").contains(XSS));
        assertThat(text("models")).contains("Live: version 1");
        promoteButton().click();
        waitFor(() -> visible("confirm"));
        assertThat(text("confirm-text")).contains("console:2");
        browser.findElement(By.id("confirm-no")).click();
        assertThat(registry.live("console").orElseThrow().version()).as("not confirmed").isEqualTo(1);

        promoteButton().click();
        waitFor(() -> visible("confirm"));
        screenshot("registry-confirm");
        browser.findElement(By.id("confirm-yes")).click();
        waitFor(() -> text("models").contains("Live: version 2"));
        assertThat(text("registry-message")).contains("console:2 is live, announced on models");
        assertThat(registry.live("console").orElseThrow().version()).isEqualTo(2);
        assertThat(text("models")).as("the label shown as its text").contains(XSS);
        assertNoScriptRan();
        screenshot("registry");
    }

    @Test
    @Order(4)
    void tryItClassifiesAnUploadedPngWithTheLiveModel() throws IOException {
        Path png = Files.createTempDirectory("svertka-console-try-").resolve("digit.png");
        Files.write(png, ImageEncoder.png(SyntheticDigits.generate(1, 7), 0));

        browser.findElement(By.linkText("Try it")).click();
        waitFor(() -> !new Select(browser.findElement(By.id("try-model"))).getOptions().isEmpty());
        new Select(browser.findElement(By.id("try-model"))).selectByValue("console");
        browser.findElement(By.id("try-file")).sendKeys(png.toAbsolutePath().toString());

        waitFor(() -> visible("try-result"));
        assertThat(text("try-served")).isEqualTo("console:2");
        assertThat(text("try-name")).isEqualTo("digit.png");
        List<WebElement> top = browser.findElements(By.cssSelector("#try-top li"));
        assertThat(top).hasSize(3).allSatisfy(score -> assertThat(score.getText()).startsWith(XSS)
                .matches("(?s).+: \\d+\\.\\d%"));
        assertThat(naturalWidth(browser.findElement(By.id("try-input")))).as("the 28x28 input the model saw")
                .isEqualTo(28);
        assertNoScriptRan();
        screenshot("try");
    }

    @Test
    @Order(5)
    void aRollbackReturnsToTheVersionLiveBefore() throws Exception {
        browser.findElement(By.linkText("Registry")).click();
        waitFor(() -> text("models").contains("Live: version 2"));
        browser.findElement(By.cssSelector("button.rollback")).click();
        waitFor(() -> visible("confirm"));
        assertThat(text("confirm-text")).contains("roll back from version 2 to 1");
        browser.findElement(By.id("confirm-yes")).click();
        waitFor(() -> text("models").contains("Live: version 1"));
        assertThat(new ModelRegistry(REGISTRY).live("console").orElseThrow().version()).isEqualTo(1);
    }

    @Test
    @Order(6)
    void aRunTrainedElsewhereIsShownLikeAJobAndCannotBeCancelledFromHere() {
        JobService.Shown shown = jobs.show(JobSpec.builder().model("shown").runDir(REGISTRY.resolveSibling(
                REGISTRY.getFileName() + "-shown").toString()).build());
        shown.on(new TrainingEvent.Note("trained by the demo itself"));
        String id = jobs.list().stream().filter(job -> job.model().equals("shown")).findFirst().orElseThrow().id();
        given().header("Authorization", "Bearer " + TOKEN).when().delete("/jobs/" + id).then().statusCode(200);

        browser.get(console + "#job/" + id);
        waitFor(() -> text("job-status").equals("RUNNING") && text("job-log").contains("trained by the demo itself"));
        assertThat(browser.findElement(By.id("job-cancel")).isDisplayed()).as("no Cancel for a run shown here")
                .isFalse();
        shown.succeeded("shown:1");
        waitFor(() -> text("job-status").equals("SUCCEEDED"));
    }

    @Test
    @Order(7)
    void theServingPageShowsTheAnnouncedVersionAndThisProcesssMeters() throws Exception {
        // this process serves: one image through Kafka, one bad one (a dead letter), one refused on HTTP
        Topics.ensure(kafka, Map.of("images", 1, "predictions", 1, "images-dlq", 1));
        LabeledImages images = SyntheticDigits.generate(1, 3);
        try (ImageProducer producer = new ImageProducer(kafka, "images")) {
            producer.send("good", images, 0, ImageProducer.Encoding.PNG);
            BadImageSamples.Sample bad = BadImageSamples.all(ImageEncoder.png(images, 0), 1).get(0);
            producer.send(bad.id(), bad.payload(), bad.headers());
            producer.flush();
        }
        given().contentType("image/png").body(new byte[] {1, 2, 3}).when().post("/predict").then().statusCode(400);

        browser.get(console + "#serving");
        waitFor(() -> text("announced").contains("console 1") && !text("pods").isEmpty()
                && !browser.findElements(By.cssSelector("#pods td")).get(6).getText().isEmpty());
        WebElement pod = browser.findElement(By.cssSelector("#pods tr"));
        List<String> cells = pod.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
        assertThat(cells.get(0)).startsWith("http://localhost:");
        assertThat(cells.get(1)).as("model version").isEqualTo("1");
        assertThat(Double.parseDouble(cells.get(2))).as("predicted").isGreaterThanOrEqualTo(1);
        assertThat(Double.parseDouble(cells.get(5))).as("refused").isGreaterThanOrEqualTo(1);
        assertThat(cells.get(4)).as("p99").endsWith(" ms");
        assertThat(cells.get(6)).as("dead letters by reason").matches("[A-Z_]+ 1");
        screenshot("serving");
    }

    /** The label that is markup built no element, and no alert() ran. */
    private static void assertNoScriptRan() {
        assertThat(browser.findElements(By.cssSelector("img[src='x']"))).isEmpty();
        try {
            browser.switchTo().alert();
            fail("an alert() ran: markup from a card was executed");
        } catch (NoAlertPresentException expected) {
            // nothing ran
        }
    }

    private static WebElement promoteButton() {
        return browser.findElement(By.cssSelector("[data-model='console'] button.promote"));
    }

    private static void logIn(String token) {
        WebElement field = browser.findElement(By.id("token"));
        field.clear();
        field.sendKeys(token);
        browser.findElement(By.cssSelector("#login-form button")).click();
    }

    private static void fill(WebElement form, String name, String value) {
        WebElement field = form.findElement(By.name(name));
        field.clear();
        field.sendKeys(value);
    }

    private static String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private static boolean visible(String id) {
        return browser.findElement(By.id(id)).isDisplayed();
    }

    private static int points() {
        return Integer.parseInt(browser.findElement(By.id("curves")).getAttribute("data-points"));
    }

    private static long naturalWidth(WebElement image) {
        return (Long) ((JavascriptExecutor) browser).executeScript("return arguments[0].naturalWidth", image);
    }

    private static Object sessionToken() {
        return ((JavascriptExecutor) browser).executeScript("return sessionStorage.getItem('svertka.token')");
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) {
        new WebDriverWait(browser, PATIENCE).until(driver -> condition.getAsBoolean());
    }

    private static void screenshot(String page) {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        try {
            Files.copy(shot.toPath(), SCREENSHOTS.resolve("console-" + page + ".png"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path temporaryDirectory(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
