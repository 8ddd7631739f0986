package dev.svertka.cli;

import dev.svertka.card.InputShape;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses CHANNELSxHEIGHTxWIDTH, e.g. 1x28x28. */
class InputShapeConverter implements ITypeConverter<InputShape> {

    @Override
    public InputShape convert(String value) {
        try {
            return InputShape.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
