package dev.svertka.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a command that runs DL4J/ND4J: the inference app (target/inference-app, the inference image) leaves that
 * stack out, and there such a command is refused by name instead of failing on a missing class.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface NeedsTrainingStack {
}
