package dev.svertka.registry;

import dev.svertka.card.ModelCard;

/**
 * The value on the compacted models topic (key: the model name): the version that is live now, where it
 * lies, the sha256 of its ONNX file and its card. Compaction keeps the last announcement per name, so a pod
 * that starts reads the live version of every model from the topic alone.
 */
public record ModelAnnouncement(String name, int version, String sha256, String location, ModelCard card) {

    public static ModelAnnouncement of(ModelVersion version) {
        ModelCard card = version.card();
        return new ModelAnnouncement(card.name(), card.version(), card.sha256(),
                version.directory().toAbsolutePath().toString(), card);
    }

    public String reference() {
        return name + ":" + version;
    }
}
