package dev.svertka.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.svertka.deploy.Dockerfile.Instruction;
import dev.svertka.deploy.Dockerfile.Stage;

/** The Dockerfile read as the builder reads it, checked against the project it packages. */
class DockerfileTest {

    private static Dockerfile docker;
    private static AppConfig app;

    @BeforeAll
    static void read() throws IOException {
        docker = Dockerfile.read();
        app = AppConfig.load();
    }

    @Test
    void buildsWithTheWrapperInAJdkStageAndRunsOnAJre17() {
        Stage build = docker.stage("build");
        assertThat(build.base()).contains("17-jdk");
        assertThat(build.all("RUN")).extracting(Instruction::arguments)
                .anySatisfy(run -> assertThat(run).contains("./mvnw").contains(" package"));
        assertThat(docker.stages()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(docker.stage("runtime-cpu").base()).contains("17-jre");
    }

    /**
     * Two images on one runtime stage: the inference one from the app without the training stack, the trainer
     * from the full app; the trainer is the last stage, so that a build without --target runs every command.
     */
    @Test
    void buildsTheInferenceAndTheTrainerImageFromTheirOwnApps() throws IOException {
        for (String image : Dockerfile.IMAGES) {
            assertThat(docker.stage(image).base()).as(image).isEqualTo(Dockerfile.RUNTIME);
            assertThat(docker.stage(image).all("USER")).as(image + " keeps the runtime's user").isEmpty();
        }
        assertThat(docker.appFolder("inference")).isEqualTo("inference-app");
        assertThat(docker.appFolder("trainer")).isEqualTo("quarkus-app");
        assertThat(Files.readString(AppConfig.ROOT.resolve("pom.xml")))
                .contains("<quarkus.package.output-directory>inference-app</quarkus.package.output-directory>");
        assertThat(docker.finalStage().name()).isEqualTo("trainer");
        assertThat(Dockerfile.documentedTargets()).containsEntry("svertka", "inference")
                .containsEntry("svertka-trainer", "trainer").containsEntry("svertka-cuda", "trainer");
    }

    /** ND4J_NATIVES empty keeps the pom's choice (the oneDNN build); set, it builds those natives (older CPUs). */
    @Test
    void theNativesBuildArgKeepsThePomsOneDnnDefaultUnlessSet() throws Exception {
        Stage build = docker.stage("build");
        assertThat(build.all("ARG")).extracting(Instruction::arguments).contains("ND4J_NATIVES=");
        String expansion = "${ND4J_NATIVES:+-Dnd4j.native.classifier=$ND4J_NATIVES}";
        assertThat(build.all("RUN")).extracting(Instruction::arguments)
                .anySatisfy(run -> assertThat(run).contains("./mvnw").contains(expansion));
        assertThat(shell("printf %s " + expansion, "")).isEmpty();
        assertThat(shell("printf %s " + expansion, "linux-x86_64")).isEqualTo("-Dnd4j.native.classifier=linux-x86_64");
        assertThat(Files.readString(AppConfig.ROOT.resolve("pom.xml")))
                .contains("<nd4j.native.classifier>${javacpp.platform}-onednn-avx2</nd4j.native.classifier>");
    }

    private static String shell(String command, String natives) throws IOException, InterruptedException {
        ProcessBuilder sh = new ProcessBuilder("sh", "-c", command);
        sh.environment().put("ND4J_NATIVES", natives);
        Process process = sh.start();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor()).isZero();
        return out;
    }

    /** BACKEND picks the runtime base stage and the Maven profile: every value must reach both. */
    @Test
    void everyBackendHasARuntimeBaseAndABuildBranch() {
        assertThat(docker.globalArg("BACKEND")).contains("cpu");
        assertThat(docker.stage(Dockerfile.RUNTIME).base()).isEqualTo("runtime-${BACKEND}");
        Set<String> backends = docker.stages().stream().map(Stage::name)
                .filter(n -> n != null && n.startsWith("runtime-"))
                .map(n -> n.substring("runtime-".length()))
                .collect(Collectors.toSet());
        assertThat(backends).containsExactlyInAnyOrder("cpu", "cuda", "cuda-inference");
        String build = docker.stage("build").all("RUN").stream().map(Instruction::arguments)
                .filter(r -> r.contains("./mvnw")).findFirst().orElseThrow();
        for (String backend : backends) {
            assertThat(build).as("the build handles BACKEND=" + backend).contains(backend + ")");
        }
        assertThat(build).as("an unknown BACKEND fails the build").contains("*) echo").contains("exit 1");
        assertThat(build).contains("cuda) profile=-Pcuda").contains("nd4j-cuda");
        Stage cuda = docker.stage("runtime-cuda");
        assertThat(cuda.base()).startsWith("nvidia/cuda:11.6").contains("runtime");
        assertThat(cuda.all("COPY")).anySatisfy(c -> assertThat(c.flag("from").orElse("")).contains("17-jre"));
        assertThat(cuda.all("ENV")).anySatisfy(e -> assertThat(e.arguments()).contains("JAVA_HOME=/opt/java/openjdk"));
        // ONNX Runtime's GPU build for serving, on the CUDA/cuDNN it links against, asking for the GPU
        assertThat(build).contains("cuda-inference) profile=-Pcpu,gpu-inference").contains("onnxruntime_gpu");
        Stage serving = docker.stage("runtime-cuda-inference");
        assertThat(serving.base()).startsWith("nvidia/cuda:12.").contains("cudnn").contains("runtime");
        assertThat(serving.all("COPY")).anySatisfy(c -> assertThat(c.flag("from").orElse("")).contains("17-jre"));
        assertThat(serving.all("ENV")).anySatisfy(e -> assertThat(e.arguments())
                .contains("SVERTKA_SERVE_EXECUTION_PROVIDER=CUDA"));
    }

    @Test
    void runsAsANonRootUserItCreates() {
        Stage runtime = docker.stage(Dockerfile.RUNTIME);
        int uid = docker.runtimeUid();
        assertThat(uid).isPositive();
        assertThat(runtime.all("RUN")).anySatisfy(r -> assertThat(r.arguments()).contains("--uid " + uid));
        List<Instruction> steps = runtime.instructions();
        assertThat(steps.indexOf(runtime.last("USER").orElseThrow()))
                .as("USER comes before the entry point")
                .isLessThan(steps.indexOf(runtime.last("ENTRYPOINT").orElseThrow()));
    }

    /** Whatever the base, the runtime can draw text (synthetic digits, report pictures). */
    @Test
    void installsFontsInTheRuntimeStageForEveryBase() {
        assertThat(docker.stage(Dockerfile.RUNTIME).all("RUN")).anySatisfy(r -> assertThat(r.arguments())
                .contains("apt-get install -y --no-install-recommends fontconfig")
                .contains("rm -rf /var/lib/apt/lists/*"));
    }

    @Test
    void exposesTheApplicationsHttpPort() {
        assertThat(docker.stage(Dockerfile.RUNTIME).all("EXPOSE")).extracting(Instruction::arguments)
                .containsExactly(String.valueOf(app.httpPort()));
    }

    /** Only the fast-jar layout reaches each image, and the entry point starts its jar. */
    @Test
    void copiesOnlyTheFastJarLayoutAndRunsIt() {
        assertThat(app.valueOr("quarkus.package.jar.type", "fast-jar")).isEqualTo("fast-jar");
        assertThat(app.valueOr("quarkus.package.output-directory", "quarkus-app")).isEqualTo("quarkus-app");
        for (String image : Dockerfile.IMAGES) {
            assertThat(docker.stage(image).all("COPY")).allSatisfy(c -> assertThat(c.flag("from")).contains("build"));
            assertThat(docker.fastJarEntries(image)).as(image)
                    .containsExactlyInAnyOrder("lib", "app", "quarkus", "quarkus-run.jar");
        }
        Stage runtime = docker.stage(Dockerfile.RUNTIME);
        String workdir = runtime.last("WORKDIR").orElseThrow().arguments();
        List<String> entry = runtime.last("ENTRYPOINT").orElseThrow().words();
        assertThat(String.join(" ", entry))
                .contains("exec java $JAVA_OPTS -jar " + workdir + "/quarkus-run.jar \"$@\"");
        assertThat(runtime.last("CMD")).isPresent();
    }

    /** The JVM sizes itself from the container, leaves room for native memory and dies on OOM. */
    @Test
    void setsContainerAwareJvmFlags() {
        String env = docker.stage(Dockerfile.RUNTIME).all("ENV").stream().map(Instruction::arguments)
                .collect(Collectors.joining(" "));
        assertThat(env).containsPattern("-XX:MaxRAMPercentage=([1-6][0-9])\\b")
                .contains("-XX:+ExitOnOutOfMemoryError")
                .doesNotContain("-Xmx")
                .contains("SVERTKA_SERVE_REGISTRY=/registry");
        assertThat(app.readsEnv("SVERTKA_SERVE_REGISTRY")).isTrue();
    }

    /** ND4J's OpenMP threads sleep at barriers: spinning halves CPU training speed on shared cores (issue 7). */
    @Test
    void setsPassiveOpenMpWaitPolicy() {
        String env = docker.stage(Dockerfile.RUNTIME).all("ENV").stream().map(Instruction::arguments)
                .collect(Collectors.joining(" "));
        assertThat(env).contains("OMP_WAIT_POLICY=PASSIVE");
    }

    /** What the build stage copies exists in the repository and is not excluded by .dockerignore. */
    @Test
    void buildContextHoldsWhatTheBuildCopies() throws IOException {
        List<String> ignore = Files.readAllLines(AppConfig.ROOT.resolve(".dockerignore")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        for (Instruction copy : docker.stage("build").all("COPY")) {
            List<String> operands = copy.operands();
            for (String source : operands.subList(0, operands.size() - 1)) {
                assertThat(AppConfig.ROOT.resolve(source)).as(source).exists();
                assertThat(DockerIgnore.includes(ignore, source)).as(source + " passes .dockerignore").isTrue();
            }
        }
        assertThat(DockerIgnore.includes(ignore, "target/quarkus-app/quarkus-run.jar")).isFalse();
        assertThat(DockerIgnore.includes(ignore, ".git/HEAD")).isFalse();
    }

    /** The subset of .dockerignore rules Svertka uses: "*" and "!path" exceptions. */
    static final class DockerIgnore {
        static boolean includes(List<String> rules, String path) {
            String clean = path.replaceAll("^\\./", "").replaceAll("/$", "");
            boolean included = true;
            for (String rule : rules) {
                boolean exception = rule.startsWith("!");
                String pattern = (exception ? rule.substring(1) : rule).replaceAll("/$", "");
                if (pattern.equals("*") || clean.equals(pattern) || clean.startsWith(pattern + "/")) {
                    included = exception;
                }
            }
            return included;
        }
    }
}
