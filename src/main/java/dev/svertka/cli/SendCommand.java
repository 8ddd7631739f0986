package dev.svertka.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import dev.svertka.data.Datasets;
import dev.svertka.data.LabeledImages;
import dev.svertka.kafka.ImageProducer;
import dev.svertka.kafka.KafkaClients;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "send", mixinStandardHelpOptions = true,
        description = "Publish image events: the files of a folder, or test images of a dataset.")
public class SendCommand implements Callable<Integer> {

    private static final Map<String, String> CONTENT_TYPES = Map.of("png", "image/png", "jpg", "image/jpeg",
            "jpeg", "image/jpeg", "bmp", "image/bmp", "gif", "image/gif");

    @Mixin
    KafkaAddress address;

    @Inject
    KafkaClients configured;

    @Option(names = "--topic", defaultValue = "images", description = "Topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--images", description = "A folder of image files (searched recursively); the key is the file's relative path.")
    Path folder;

    @Option(names = "--data", defaultValue = "synthetic",
            description = "Without --images: 'synthetic' or an IDX directory whose test images are sent (default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--count", defaultValue = "1000", description = "Without --images: how many test images (with --labelled: training images)"
            + " (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--format", defaultValue = "PNG", description = "Without --images: PNG or RAW (default: ${DEFAULT-VALUE}).")
    ImageProducer.Encoding format;

    @Option(names = "--labelled", description = "Without --images: send training images, each with its class name in a"
            + " 'label' header: a topic to train from (--data kafka:TOPIC).")
    boolean labelled;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the synthetic data (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--timeout", defaultValue = "30", description = "Seconds an image may take to reach the broker;"
            + " sending stops at the first that does not (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    /** Exits 0 only when the broker acknowledged every image; otherwise says how many were not delivered, and why. */
    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        int images;
        ImageProducer.Delivery delivery;
        KafkaClients kafka = address.over(configured);
        try (ImageProducer producer = new ImageProducer(kafka, topic, Duration.ofSeconds(timeoutSeconds))) {
            images = folder != null ? sendFolder(producer) : sendDataset(producer);
            delivery = producer.flush();
        }
        if (!delivery.complete()) {
            throw new IOException((images - delivery.acknowledged()) + " of " + images + " images were not delivered to "
                    + topic + " on " + kafka.bootstrap(), delivery.firstFailure());
        }
        System.out.printf("Sent %d images to %s on %s in %.1f s%n", images, topic, kafka.bootstrap(),
                (System.nanoTime() - started) / 1e9);
        return 0;
    }

    /** The number of images there were to send (those after a failed one are not tried). */
    private int sendFolder(ImageProducer producer) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(folder)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path file : files) {
            if (producer.failing()) {
                break;
            }
            String name = file.getFileName().toString();
            String extension = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
            String type = CONTENT_TYPES.getOrDefault(extension, "application/octet-stream");
            producer.send(folder.relativize(file).toString(), Files.readAllBytes(file), Map.of("content-type", type));
        }
        return files.size();
    }

    private int sendDataset(ImageProducer producer) throws IOException {
        Datasets.Split split = Datasets.load(data, seed);
        LabeledImages images = labelled ? split.train() : split.test();
        int n = Math.min(count, images.size());
        for (int i = 0; i < n && !producer.failing(); i++) {
            if (labelled) {
                producer.sendLabelled("train-" + i, images, i, format);
            } else {
                producer.send("test-" + i, images, i, format);
            }
        }
        return n;
    }
}
