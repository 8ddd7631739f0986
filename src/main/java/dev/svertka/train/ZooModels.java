package dev.svertka.train;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.Adler32;
import java.util.zip.CheckedInputStream;

import org.deeplearning4j.common.resources.DL4JResources;
import org.deeplearning4j.common.resources.ResourceType;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.deeplearning4j.zoo.PretrainedType;
import org.deeplearning4j.zoo.ZooModel;
import org.deeplearning4j.zoo.model.AlexNet;
import org.deeplearning4j.zoo.model.Darknet19;
import org.deeplearning4j.zoo.model.FaceNetNN4Small2;
import org.deeplearning4j.zoo.model.InceptionResNetV1;
import org.deeplearning4j.zoo.model.LeNet;
import org.deeplearning4j.zoo.model.NASNet;
import org.deeplearning4j.zoo.model.ResNet50;
import org.deeplearning4j.zoo.model.SimpleCNN;
import org.deeplearning4j.zoo.model.SqueezeNet;
import org.deeplearning4j.zoo.model.TinyYOLO;
import org.deeplearning4j.zoo.model.UNet;
import org.deeplearning4j.zoo.model.VGG16;
import org.deeplearning4j.zoo.model.VGG19;
import org.deeplearning4j.zoo.model.Xception;
import org.deeplearning4j.zoo.model.YOLO2;

import dev.svertka.train.event.TrainingEvent.Note;
import dev.svertka.train.event.TrainingListener;
import dev.svertka.card.InputShape;
import dev.svertka.card.Preprocessing;

/**
 * Bases from the DL4J model zoo: {@code zoo:NAME} with its pretrained weights, {@code zoo:NAME?weights=TYPE} with
 * those of one data set (imagenet, mnist, cifar10, vggface...), {@code zoo:NAME?weights=none} as an untrained
 * architecture built for the data's image shape. Pretrained files live in DL4J's own cache layout,
 * {@code <cache>/models/<model>/<file>}, so a cache DL4J filled serves here too (and the other way round); a
 * missing file is downloaded into it only when downloads are allowed, never left half-written, and checked
 * before use: against the zoo's Adler-32 checksum, or, pinned with {@code &sha256=HEX} (e.g.
 * {@code zoo:vgg16?weights=imagenet&sha256=...}), against that SHA-256 instead, which also admits weights that are
 * not the zoo's own (retrained in DL4J's format) while still refusing any other file. Offline, the error says
 * which file to place where. Layer stacks (LeNet, AlexNet...) come as graphs, as every trainer network does.
 */
public final class ZooModels {

    public static final String PREFIX = "zoo:";
    public static final String NO_WEIGHTS = "none";

    private static final int CONNECT_TIMEOUT_MS = 15_000;
    private static final int READ_TIMEOUT_MS = 60_000;

    /** Builds a zoo model for an input shape [channels, height, width], a class count and a seed. */
    private interface Factory {
        ZooModel build(int[] inputShape, int classes, long seed);
    }

    /** The zoo's image models, by lower-case name (the text models need inputs the trainer does not make). */
    private static final Map<String, Factory> MODELS = new LinkedHashMap<>();

    static {
        MODELS.put("alexnet", (s, c, r) -> AlexNet.builder().inputShape(s).numClasses(c).seed(r).build());
        MODELS.put("darknet19", (s, c, r) -> Darknet19.builder().inputShape(s).numClasses(c).seed(r).build());
        MODELS.put("facenetnn4small2",
                (s, c, r) -> FaceNetNN4Small2.builder().inputShape(s).numClasses(c).seed(r).build());
        MODELS.put("inceptionresnetv1",
                (s, c, r) -> InceptionResNetV1.builder().inputShape(s).numClasses(c).seed(r).build());
        MODELS.put("lenet", (s, c, r) -> LeNet.builder().inputShape(s).numClasses(c).seed(r).build());
        MODELS.put("nasnet", (s, c, r) -> NASNet.builder().inputShape(s).numClasses(c).seed(r).build());
        MODELS.put("resnet50", (s, c, r) -> ResNet50.builder().inputShape(s).numClasses(c).seed(r).build());
        MODELS.put("simplecnn", (s, c, r) -> SimpleCNN.builder().inputShape(s).numClasses(c).seed(r).build());
        MODELS.put("squeezenet", (s, c, r) -> SqueezeNet.builder().inputShape(s).numClasses(c).seed(r).build());
        MODELS.put("tinyyolo", (s, c, r) -> TinyYOLO.builder().inputShape(s).numClasses(c).seed(r).build());
        MODELS.put("unet", (s, c, r) -> UNet.builder().inputShape(s).numClasses(c).seed(r).build());
        MODELS.put("vgg16", (s, c, r) -> VGG16.builder().inputShape(s).numClasses(c).seed(r).build());
        MODELS.put("vgg19", (s, c, r) -> VGG19.builder().inputShape(s).numClasses(c).seed(r).build());
        MODELS.put("xception", (s, c, r) -> Xception.builder().inputShape(s).numClasses(c).seed(r).build());
        MODELS.put("yolo2", (s, c, r) -> YOLO2.builder().inputShape(s).numClasses(c).seed(r).build());
    }

    /**
     * A {@code zoo:} base.
     *
     * @param model   the zoo model's lower-case name
     * @param weights the pretrained weights' data set (lower case), {@link #NO_WEIGHTS}, or null for the model's
     *                first (usually ImageNet)
     * @param sha256  the pinned SHA-256 of the weights file (lower-case hex), or null for the zoo's Adler-32
     */
    public record Reference(String model, String weights, String sha256) {

        public static Reference parse(String base) {
            if (!base.startsWith(PREFIX)) {
                throw new IllegalArgumentException("not a zoo base: " + base);
            }
            String rest = base.substring(PREFIX.length());
            String query = null;
            int mark = rest.indexOf('?');
            if (mark >= 0) {
                query = rest.substring(mark + 1);
                rest = rest.substring(0, mark);
            }
            String model = rest.strip().toLowerCase(Locale.ROOT);
            if (!MODELS.containsKey(model)) {
                throw new IllegalArgumentException("no zoo model '" + rest + "' in " + base + "; the zoo has: "
                        + String.join(", ", MODELS.keySet()));
            }
            String weights = null;
            String sha256 = null;
            for (String option : query == null ? new String[0] : query.split("&")) {
                if (option.startsWith("weights=")) {
                    weights = option.substring("weights=".length()).strip().toLowerCase(Locale.ROOT);
                } else if (option.startsWith("sha256=")) {
                    sha256 = option.substring("sha256=".length()).strip().toLowerCase(Locale.ROOT);
                    if (!sha256.matches("[0-9a-f]{64}")) {
                        throw new IllegalArgumentException("sha256= in " + base + " must be 64 hex digits");
                    }
                } else {
                    throw new IllegalArgumentException("unknown option '" + option + "' in " + base
                            + "; the options are weights=none|" + weightTypes() + " and sha256=HEX");
                }
            }
            if (sha256 != null && NO_WEIGHTS.equals(weights)) {
                throw new IllegalArgumentException("sha256= pins pretrained weights; " + base + " asks for none");
            }
            return new Reference(model, weights, sha256);
        }

        private static String weightTypes() {
            return Arrays.stream(PretrainedType.values()).map(t -> t.name().toLowerCase(Locale.ROOT))
                    .collect(Collectors.joining("|"));
        }

        public boolean pretrained() {
            return !NO_WEIGHTS.equals(weights);
        }
    }

    /** ImageNet weights converted from Caffe (through Keras): BGR, the mean pixel subtracted, not scaled. */
    private static final Preprocessing CAFFE = new Preprocessing(Preprocessing.ChannelOrder.BGR,
            List.of(103.939 / 255, 116.779 / 255, 123.68 / 255), List.of(1.0 / 255), null, null, null);
    /** Weights trained on pixels scaled to -1..1 (Keras' "tf" mode). */
    private static final Preprocessing MINUS_ONE_TO_ONE = new Preprocessing(null, List.of(0.5), List.of(0.5), null,
            null, null);
    /** How each zoo model's pretrained weights expect their pixels, as the weights' sources document them. */
    private static final Map<String, Preprocessing> PIXELS = Map.of(
            "vgg16", CAFFE, "vgg19", CAFFE, "resnet50", CAFFE, "squeezenet", CAFFE,
            "xception", MINUS_ONE_TO_ONE, "inceptionresnetv1", MINUS_ONE_TO_ONE, "nasnet", MINUS_ONE_TO_ONE,
            "darknet19", Preprocessing.DEFAULT);

    /**
     * The recipe a pretrained zoo base's weights were made with, for pictures of {@code input}'s size: its pixel
     * values, and ImageNet's geometry (shorter side to 256/224 of the input, then the center crop); null for an
     * untrained base or weights without one (MNIST's LeNet takes Svertka's own).
     */
    public static Preprocessing preprocessing(String base, InputShape input) {
        Reference reference = Reference.parse(base);
        Preprocessing pixels = PIXELS.get(reference.model());
        if (!reference.pretrained() || pixels == null) {
            return null;
        }
        int resizeTo = (int) Math.round(Math.max(input.height(), input.width()) * 256 / 224.0);
        return new Preprocessing(pixels.channelOrder(), pixels.mean(), pixels.std(), Preprocessing.Resize.SHORTER_SIDE,
                resizeTo, Preprocessing.Crop.CENTER);
    }

    private final Path cacheDir;
    private final boolean download;
    private final String baseUrl;
    private final TrainingListener listener;

    /**
     * @param cacheDir DL4J's resource directory (holding {@code models/...}); null: DL4J's own
     *                 ({@code -Dorg.deeplearning4j.resources.directory}, else {@code ~/.deeplearning4j})
     * @param download whether a pretrained file missing from the cache is downloaded
     * @param baseUrl  where the zoo's files are downloaded from (a mirror); null: DL4J's
     */
    public ZooModels(Path cacheDir, boolean download, String baseUrl, TrainingListener listener) {
        this.cacheDir = cacheDir != null ? cacheDir : DL4JResources.getBaseDirectory().toPath();
        this.download = download;
        this.baseUrl = baseUrl != null ? (baseUrl.endsWith("/") ? baseUrl : baseUrl + "/") : null;
        this.listener = listener;
    }

    /** DL4J's cache and download location, downloads allowed. */
    public static ZooModels defaults(TrainingListener listener) {
        return new ZooModels(null, true, null, listener);
    }

    /** As {@code svertka.zoo.*} configures it. */
    public static ZooModels of(ZooConfig config, TrainingListener listener) {
        return new ZooModels(config.cacheDir().orElse(null), config.download(), config.baseUrl().orElse(null),
                listener);
    }

    public static boolean isZoo(String base) {
        return base.startsWith(PREFIX);
    }

    /**
     * The zoo network {@code base} names, as a graph: pretrained from the cache (or downloaded into it), or
     * untrained for images of {@code shape} and {@code classes} classes. Networks that take flattened images take
     * the trainer's [batch, channels, height, width] batches as they are.
     */
    public ComputationGraph load(String base, InputShape shape, int classes, long seed) throws IOException {
        Reference reference = Reference.parse(base);
        ZooModel zoo = MODELS.get(reference.model()).build(
                new int[] {shape.channels(), shape.height(), shape.width()}, classes, seed);
        Model network;
        if (reference.pretrained()) {
            PretrainedType type = weightType(base, zoo, reference);
            Path file = weightsFile(zoo, type);
            fetch(base, zoo, type, file, reference);
            verify(zoo, type, file, reference);
            listener.on(new Note("Pretrained weights: " + file));
            network = zoo.modelType() == ComputationGraph.class
                    ? ModelSerializer.restoreComputationGraph(file.toFile(), false)
                    : ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
        } else {
            try {
                network = zoo.init();
            } catch (RuntimeException e) {
                throw new IOException(base + " cannot be built for " + shape.channels() + "x" + shape.height() + "x"
                        + shape.width() + " images (--image-size): " + e.getMessage(), e);
            }
        }
        return Graphs.takingMaps(network instanceof MultiLayerNetwork stack ? Graphs.of(stack)
                : (ComputationGraph) network);
    }

    /**
     * Where the pretrained weights of {@code base} are cached: {@code <cache>/models/<model>/<file name>}, the
     * place DL4J's {@code ZooModel.initPretrained} keeps them.
     */
    public Path weightsFile(String base) throws IOException {
        Reference reference = Reference.parse(base);
        ZooModel zoo = MODELS.get(reference.model()).build(new int[] {1, 28, 28}, 10, 0);
        return weightsFile(zoo, weightType(base, zoo, reference));
    }

    private Path weightsFile(ZooModel zoo, PretrainedType type) {
        String url = zoo.pretrainedUrl(type);
        return cacheDir.resolve(ResourceType.ZOO_MODEL.resourceName()).resolve(zoo.modelName())
                .resolve(url.substring(url.lastIndexOf('/') + 1));
    }

    private static PretrainedType weightType(String base, ZooModel zoo, Reference reference) throws IOException {
        String available = Arrays.stream(PretrainedType.values()).filter(zoo::pretrainedAvailable)
                .map(t -> t.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
        if (available.isEmpty()) {
            throw new IOException("the zoo has no pretrained weights for " + base + "; ask for an untrained one with "
                    + PREFIX + reference.model() + "?weights=" + NO_WEIGHTS);
        }
        if (reference.weights() == null) {
            return Arrays.stream(PretrainedType.values()).filter(zoo::pretrainedAvailable).findFirst().orElseThrow();
        }
        for (PretrainedType type : PretrainedType.values()) {
            if (type.name().equalsIgnoreCase(reference.weights()) && zoo.pretrainedAvailable(type)) {
                return type;
            }
        }
        throw new IOException("the zoo has no " + reference.weights() + " weights for " + base + "; it has: "
                + available + " (or weights=" + NO_WEIGHTS + ")");
    }

    private String url(ZooModel zoo, PretrainedType type) {
        String url = zoo.pretrainedUrl(type);
        String dl4jBase = DL4JResources.getBaseDownloadURL();
        return baseUrl != null && url.startsWith(dl4jBase) ? baseUrl + url.substring(dl4jBase.length()) : url;
    }

    private void fetch(String base, ZooModel zoo, PretrainedType type, Path file, Reference reference)
            throws IOException {
        if (Files.isRegularFile(file)) {
            return;
        }
        String url = url(zoo, type);
        String placeIt = "place " + file.getFileName() + " (from " + url + ") at " + file;
        if (!download) {
            throw new IOException("pretrained weights for " + base + " are not in the cache and downloads are off"
                    + " (svertka.zoo.download=false): " + placeIt);
        }
        Files.createDirectories(file.getParent());
        Path partial = file.resolveSibling(file.getFileName() + ".part");
        listener.on(new Note("Downloading " + url + " to " + file));
        try {
            URLConnection connection = URI.create(url).toURL().openConnection();
            connection.setConnectTimeout(CONNECT_TIMEOUT_MS);
            connection.setReadTimeout(READ_TIMEOUT_MS);
            try (InputStream in = connection.getInputStream()) {
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            }
            String wrong = mismatch(zoo, type, partial, reference);
            if (wrong != null) {
                throw new IOException("the downloaded file's " + wrong);
            }
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.deleteIfExists(partial);
            throw new IOException("pretrained weights for " + base + " are not in the cache and could not be"
                    + " downloaded (" + e + "); offline, " + placeIt, e);
        }
    }

    /** A cached file that is not the zoo's (or not the pinned one) is reported, and left where it is. */
    private static void verify(ZooModel zoo, PretrainedType type, Path file, Reference reference) throws IOException {
        String wrong = mismatch(zoo, type, file, reference);
        if (wrong != null) {
            throw new IOException("cached pretrained weights " + file + " are not the "
                    + (reference.sha256() != null ? "pinned ones" : "zoo's") + ": " + wrong + "; replace it with "
                    + zoo.pretrainedUrl(type));
        }
    }

    /** What is wrong with a weights file: its SHA-256 when pinned, else its Adler-32 against the zoo's; null: fine. */
    private static String mismatch(ZooModel zoo, PretrainedType type, Path file, Reference reference)
            throws IOException {
        if (reference.sha256() != null) {
            String actual = sha256(file);
            return actual.equals(reference.sha256()) ? null
                    : "SHA-256 " + actual + ", expected " + reference.sha256();
        }
        long expected = zoo.pretrainedChecksum(type);
        long actual = adler32(file);
        return expected == 0 || actual == expected ? null : "Adler-32 checksum " + actual + ", expected " + expected;
    }

    private static String sha256(Path file) throws IOException {
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file),
                MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    private static long adler32(Path file) throws IOException {
        try (CheckedInputStream in = new CheckedInputStream(Files.newInputStream(file), new Adler32())) {
            in.transferTo(OutputStream.nullOutputStream());
            return in.getChecksum().getValue();
        }
    }
}
