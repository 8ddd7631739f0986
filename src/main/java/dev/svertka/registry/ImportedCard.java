package dev.svertka.registry;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.svertka.card.ModelCard;

/**
 * Reads the card that comes with a model from elsewhere. Only what serving needs is required (name, labels,
 * input, pixelScale); what a foreign model has no answer to is filled in: layout NCHW, preset "imported",
 * no metrics or hyper-parameters, created now.
 */
public final class ImportedCard {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ImportedCard() {
    }

    /** @param name overrides the card's name when not null */
    public static ModelCard read(Path file, String name) throws RegistryException {
        try {
            JsonNode tree = JSON.readTree(file.toFile());
            if (!(tree instanceof ObjectNode card)) {
                throw new RegistryException("Card " + file + " is not a JSON object");
            }
            if (name != null) {
                card.put("name", name);
            }
            for (String required : new String[] {"name", "labels", "input", "pixelScale"}) {
                if (!card.hasNonNull(required)) {
                    throw new RegistryException("Card " + file + " lacks \"" + required + "\" (required: name, "
                            + "labels, input {channels, height, width}, pixelScale)");
                }
            }
            defaultTo(card, "layout", ModelCard.LAYOUT_NCHW);
            defaultTo(card, "preset", "imported");
            defaultTo(card, "dataset", "unknown");
            defaultTo(card, "createdAt", Instant.now().toString());
            if (!card.hasNonNull("metrics")) {
                card.putObject("metrics");
            }
            if (!card.hasNonNull("hyperParameters")) {
                card.putObject("hyperParameters");
            }
            // the registry numbers and checksums the version
            card.put("version", 0);
            card.putNull("sha256");
            return JSON.treeToValue(card, ModelCard.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new RegistryException("Cannot read card " + file + ": " + e.getMessage(), e);
        }
    }

    private static void defaultTo(ObjectNode card, String field, String value) {
        if (!card.hasNonNull(field)) {
            card.put(field, value);
        }
    }
}
