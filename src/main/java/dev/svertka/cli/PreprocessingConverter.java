package dev.svertka.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.svertka.card.Preprocessing;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads {@code --preprocessing} as the card's {@code preprocessing} object written {@code field=value,...}, lists
 * joined by '/': {@code resize=shorter-side,resizeTo=73,crop=center,mean=0.485/0.456/0.406,std=0.229/0.224/0.225}.
 * Values are checked by {@link Preprocessing} itself, so the command line and JSON refuse the same things.
 */
class PreprocessingConverter implements ITypeConverter<Preprocessing> {

    private static final List<String> FIELDS = List.of("channelOrder", "mean", "std", "resize", "resizeTo", "crop");
    private static final Set<String> LISTS = Set.of("mean", "std");

    @Override
    public Preprocessing convert(String text) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (String item : text.split(",")) {
            String[] pair = item.split("=", 2);
            String name = pair[0].strip();
            if (pair.length != 2 || !FIELDS.contains(name)) {
                throw new TypeConversionException("'" + item.strip() + "' is not field=value with a field of " + FIELDS);
            }
            String value = pair[1].strip();
            fields.put(name, LISTS.contains(name) ? List.of(value.split("/")) : value);
        }
        try {
            return new ObjectMapper().convertValue(fields, Preprocessing.class);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(rootMessage(e));
        }
    }

    /** Jackson wraps the record's own refusal, which names the field, in its location details. */
    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
