package dev.svertka.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The Keras fixtures under src/test/resources/keras, written by make_fixtures.py (h5py + numpy, no Keras). */
final class KerasFixtures {

    private KerasFixtures() {
    }

    static Path fixture(String name) throws URISyntaxException {
        return Path.of(KerasFixtures.class.getResource("/keras/" + name).toURI());
    }

    /**
     * Asserts that {@code network} (images NCHW in, class probabilities out) computes for the fixture's images
     * what make_fixtures.py's numpy forward pass computed, within {@code tolerance}.
     */
    static void assertComputesWhatNumpyComputed(UnaryOperator<INDArray> network, String expectedFile,
            double tolerance) throws IOException, URISyntaxException {
        assertComputesWhatNumpyComputed(network, fixture(expectedFile), tolerance);
    }

    /** The same for an expected file written elsewhere (applications.py writes them where it is told). */
    static void assertComputesWhatNumpyComputed(UnaryOperator<INDArray> network, Path expectedFile,
            double tolerance) throws IOException {
        JsonNode expected = new ObjectMapper().readTree(expectedFile.toFile());
        JsonNode shape = expected.get("input_shape"); // height, width, channels: Keras' channels_last
        JsonNode images = expected.get("images_hwc");
        long pixels = shape.get(0).asLong() * shape.get(1).asLong() * shape.get(2).asLong();
        float[] values = new float[Math.toIntExact(images.size() * pixels)];
        for (int image = 0; image < images.size(); image++) {
            for (int i = 0; i < pixels; i++) {
                values[Math.toIntExact(image * pixels + i)] = (float) images.get(image).get(i).asDouble();
            }
        }
        INDArray hwc = Nd4j.create(values, new long[] {images.size(), shape.get(0).asLong(), shape.get(1).asLong(),
            shape.get(2).asLong()}, 'c');
        INDArray probabilities = network.apply(hwc.permute(0, 3, 1, 2).dup('c'));

        JsonNode numpy = expected.get("probabilities");
        assertThat(probabilities.shape()).containsExactly(numpy.size(), numpy.get(0).size());
        for (int image = 0; image < numpy.size(); image++) {
            for (int c = 0; c < numpy.get(image).size(); c++) {
                assertThat(probabilities.getDouble(image, c))
                        .as("%s image %d class %d", expectedFile.getFileName(), image, c)
                        .isCloseTo(numpy.get(image).get(c).asDouble(), within(tolerance));
            }
        }
    }
}
