package dev.svertka.cli;

import dev.svertka.model.InputShape;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses CHANNELSxHEIGHTxWIDTH, e.g. 1x28x28. */
class InputShapeConverter implements ITypeConverter<InputShape> {

    @Override
    public InputShape convert(String value) {
        String[] parts = value.toLowerCase().split("x");
        try {
            if (parts.length == 3) {
                return new InputShape(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]),
                        Integer.parseInt(parts[2]));
            }
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("invalid input shape '" + value + "': " + e.getMessage());
        }
        throw new TypeConversionException("invalid input shape '" + value + "': use CHANNELSxHEIGHTxWIDTH, e.g. 1x28x28");
    }
}
