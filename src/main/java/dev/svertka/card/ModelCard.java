package dev.svertka.card;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a served model needs to be understood without its training code: labels, input and
 * preprocessing, and where it came from. Stored as {@code card.json} beside {@code model.onnx}.
 */
public record ModelCard(
        String name,
        int version,
        List<String> labels,
        InputShape input,
        String layout,
        float pixelScale,
        Preprocessing preprocessing,
        String preset,
        String dataset,
        Map<String, Double> metrics,
        Map<String, String> hyperParameters,
        String createdAt,
        String sha256) {

    public static final String LAYOUT_NCHW = "NCHW";

    /** Cards written before the recipe had a preprocessing block: they meant {@link Preprocessing#DEFAULT}. */
    public ModelCard {
        preprocessing = preprocessing == null ? Preprocessing.DEFAULT : preprocessing;
        new InputRecipe(input, pixelScale, preprocessing); // refuses a recipe that cannot be applied
        labels = List.copyOf(labels);
        metrics = Map.copyOf(metrics);
        hyperParameters = Map.copyOf(hyperParameters);
    }

    public ModelCard withVersion(int newVersion, String fileSha256) {
        return new ModelCard(name, newVersion, labels, input, layout, pixelScale, preprocessing, preset, dataset, metrics,
                hyperParameters, createdAt, fileSha256);
    }

    /** How pictures become this model's input. */
    public InputRecipe recipe() {
        return new InputRecipe(input, pixelScale, preprocessing);
    }

    /**
     * The card as ONNX {@code metadata_props}, so that the model file alone says how to feed it.
     * Labels are joined by newlines (label names may hold commas or slashes).
     */
    public Map<String, String> metadataProps() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("svertka.model", name);
        props.put("svertka.labels", String.join("\n", labels));
        props.put("svertka.input_shape", input.channels() + "," + input.height() + "," + input.width());
        props.put("svertka.layout", layout);
        props.put("svertka.colour_mode", input.colourMode());
        props.put("svertka.pixel_scale", Float.toString(pixelScale));
        props.put("svertka.channel_order", preprocessing.channelOrder().name());
        props.put("svertka.mean", preprocessing.mean().toString());
        props.put("svertka.std", preprocessing.std().toString());
        props.put("svertka.resize", preprocessing.resize().text()
                + (preprocessing.resizeTo() == null ? "" : " " + preprocessing.resizeTo()));
        props.put("svertka.crop", preprocessing.crop().text());
        props.put("svertka.normalisation", "(x * pixel_scale - mean[c]) / std[c], x in 0..255");
        props.put("svertka.preset", preset);
        props.put("svertka.dataset", dataset);
        metrics.forEach((k, v) -> props.put("svertka.metric." + k, Double.toString(v)));
        return props;
    }

    /** "name:version", as predictions and logs name a model. */
    public String reference() {
        return name + ":" + version;
    }
}
