package dev.svertka.serve;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A photo classifier trained and exported by PyTorch, with JPEG and PNG photos and what PyTorch makes of them,
 * written once per JVM by {@code src/test/python/foreign_photo_model.py} (Debian's python3-torch,
 * python3-torchvision and python3-pil; {@code .ci/run} installs them).
 */
final class ForeignPhotoModel {

    /** One test photo: its file, its class, and torchvision's pixels (CHW, 0..1) and PyTorch's probabilities. */
    record Photo(Path file, int label, float[] pixels, float[] probabilities) {

        int predicted() {
            int best = 0;
            for (int i = 1; i < probabilities.length; i++) {
                best = probabilities[i] > probabilities[best] ? i : best;
            }
            return best;
        }
    }

    private static Path dir;

    private ForeignPhotoModel() {
    }

    static synchronized Path dir() throws IOException, InterruptedException {
        if (dir == null) {
            Path out = Files.createTempDirectory("svertka-foreign-photo-model-");
            Path log = out.resolve("python.log");
            // Debian's interpreter, where apt installs the packages (a pyenv python3 may come first on PATH)
            Process python = new ProcessBuilder("/usr/bin/python3", "src/test/python/foreign_photo_model.py",
                    out.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!python.waitFor(5, TimeUnit.MINUTES) || python.exitValue() != 0) {
                python.destroyForcibly();
                throw new IllegalStateException("foreign_photo_model.py failed (it needs Debian's python3-torch,"
                        + " python3-torchvision and python3-pil): " + Files.readString(log));
            }
            dir = out;
        }
        return dir;
    }

    static Path model() throws IOException, InterruptedException {
        return dir().resolve("model.onnx");
    }

    static Path card() throws IOException, InterruptedException {
        return dir().resolve("card.json");
    }

    static List<Photo> photos() throws IOException, InterruptedException {
        Path root = dir();
        List<Photo> photos = new ArrayList<>();
        for (JsonNode photo : new ObjectMapper().readTree(root.resolve("expected.json").toFile()).get("photos")) {
            float[] probabilities = new float[photo.get("probabilities").size()];
            for (int i = 0; i < probabilities.length; i++) {
                probabilities[i] = (float) photo.get("probabilities").get(i).asDouble();
            }
            photos.add(new Photo(root.resolve("photos").resolve(photo.get("file").asText()), photo.get("label").asInt(),
                    floats(root.resolve("pixels").resolve(photo.get("pixels").asText())), probabilities));
        }
        return photos;
    }

    private static float[] floats(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[bytes.remaining() / Float.BYTES];
        bytes.asFloatBuffer().get(values);
        return values;
    }
}
