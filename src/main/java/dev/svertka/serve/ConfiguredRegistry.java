package dev.svertka.serve;

import java.nio.file.Path;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.svertka.registry.ModelRegistry;

/**
 * The process's model registry, from {@code svertka.serve.registry} ({@code serve --registry} sets it at launch):
 * the one that the served model, the versions announced live and the trainer's jobs that name no registry all
 * come from or go to. Commands that take {@code --registry} for one run open that one themselves.
 */
@Singleton
public class ConfiguredRegistry {

    // @Singleton: ModelRegistry is final (no client proxy) and immutable
    @Produces
    @Singleton
    ModelRegistry registry(ServeConfig config) {
        return new ModelRegistry(Path.of(config.registry()));
    }
}
