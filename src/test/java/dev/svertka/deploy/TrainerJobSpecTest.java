package dev.svertka.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import dev.svertka.train.JobSpec;

/** The trainer Job's spec ConfigMap must be a job spec the application accepts. */
class TrainerJobSpecTest {

    @Test
    void theJobSpecInTheConfigMapIsOneTheTrainerReads() throws Exception {
        try (Reader manifest = Files.newBufferedReader(Path.of("k8s/base/trainer-job.yaml"))) {
            Map<?, ?> configMap = StreamSupport.stream(new Yaml().loadAll(manifest).spliterator(), false)
                    .map(Map.class::cast)
                    .filter(doc -> "ConfigMap".equals(doc.get("kind")))
                    .findFirst().orElseThrow();
            String json = (String) ((Map<?, ?>) configMap.get("data")).get("job.json");

            JobSpec spec = JobSpec.parse(json); // refuses unknown fields

            assertThat(spec.model()).isNotBlank();
            assertThat(spec.preset()).isNotBlank();
            assertThat(spec.data()).isNotBlank();
        }
    }
}
