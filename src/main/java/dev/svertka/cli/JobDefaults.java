package dev.svertka.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.svertka.train.JobSpec;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code train}'s option defaults, taken from {@link JobSpec#defaults()} by the JSON name of each option
 * ({@code --batch-size}: {@code batchSize}), so that the command line states no default of its own.
 */
public final class JobDefaults implements IDefaultValueProvider {

    /**
     * Built when a default is first asked for (train's help or options), not when picocli creates this provider
     * for every command line: JobSpec checks its optimizer with ND4J, which the inference app leaves out.
     */
    private static final class Defaults {
        static final JsonNode VALUES = new ObjectMapper().valueToTree(JobSpec.defaults());
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return null;
        }
        JsonNode value = Defaults.VALUES.get(jsonName(option.longestName()));
        return value == null || value.isNull() ? null : value.asText();
    }

    static String jsonName(String option) {
        StringBuilder name = new StringBuilder();
        boolean upper = false;
        for (char c : option.replaceFirst("^--", "").toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                name.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return name.toString();
    }
}
