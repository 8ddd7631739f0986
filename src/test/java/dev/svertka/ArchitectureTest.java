package dev.svertka;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import dev.svertka.cli.NeedsTrainingStack;
import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine.Command;

/**
 * The boundaries the packages state, checked on the compiled classes: serving never reaches the training stack
 * (the inference app runs without it), and the command line is the outermost layer.
 */
@AnalyzeClasses(packages = "dev.svertka", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    /** DL4J, ND4J and JavaCPP: what the inference app leaves out. */
    private static final String[] TRAINING_STACK = {"org.deeplearning4j..", "org.nd4j..", "org.bytedeco.."};

    /** Through any chain of Svertka classes: a serve class calling a train class that calls DL4J counts. */
    @ArchTest
    static final ArchRule servingPackagesNeverReachTheTrainingStack = noClasses()
            .that().resideInAnyPackage("dev.svertka.serve..", "dev.svertka.image..", "dev.svertka.registry..",
                    "dev.svertka.card..", "dev.svertka.kafka..", "dev.svertka.runtime..")
            .should().transitivelyDependOnClassesThat().resideInAnyPackage(TRAINING_STACK);

    /** The commands the inference app runs; the others are refused there by name before they load. */
    @ArchTest
    static final ArchRule commandsWithoutTheMarkNeverReachTheTrainingStack = noClasses()
            .that().areAnnotatedWith(Command.class).and().areNotAnnotatedWith(NeedsTrainingStack.class)
            // it names every command, marked or not
            .and().areNotAnnotatedWith(TopCommand.class)
            .should().transitivelyDependOnClassesThat().resideInAnyPackage(TRAINING_STACK);

    @ArchTest
    static final ArchRule nothingDependsOnTheCommandLine = noClasses()
            .that().resideOutsideOfPackage("dev.svertka.cli..")
            .should().dependOnClassesThat().resideInAPackage("dev.svertka.cli..");
}
