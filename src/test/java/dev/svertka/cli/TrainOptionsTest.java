package dev.svertka.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.svertka.card.Preprocessing;
import dev.svertka.train.JobSpec;
import picocli.CommandLine;

/** {@code train}'s options and a JSON job spec are one type with one set of defaults. */
class TrainOptionsTest {

    @Test
    void trainWithoutOptionsIsTheDefaultJobAndTheJsonDefaultsAreTheSame() throws Exception {
        TrainCommand command = new TrainCommand();
        new CommandLine(command).parseArgs();

        assertThat(command.jobSpec()).isEqualTo(JobSpec.defaults()).isEqualTo(JobSpec.parse("{}"));
    }

    @Test
    void theHelpShowsTheSpecsDefaultsAndGivenOptionsReachTheSpec() {
        TrainCommand command = new TrainCommand();
        CommandLine line = new CommandLine(command);
        String help = line.getUsageMessage();
        JobSpec defaults = JobSpec.defaults();
        assertThat(help).contains("Epochs (default: " + defaults.epochs() + ")")
                .contains("Mini-batch size (default: " + defaults.batchSize() + ")")
                .contains("(default: " + defaults.imageSize() + ")");

        line.parseArgs("--epochs", "7", "--batch-size", "16", "--lr-schedule", "exponential:0.9", "--stratified",
                "--registry", "models");
        JobSpec spec = command.jobSpec();
        assertThat(spec).isEqualTo(defaults.toBuilder().epochs(7).batchSize(16).lrSchedule("exponential:0.9")
                .stratified(true).registry("models").build());
    }

    @Test
    void optionsGivenBesideASpecFileOverrideItsFieldsAndOnlyThose(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("job.json"),
                "{\"model\": \"fashion\", \"epochs\": 9, \"registry\": \"registry\", \"runDir\": \"runs/x\"}");
        TrainCommand command = new TrainCommand();
        new CommandLine(command).parseArgs("--spec", file.toString(), "--registry", "/registry", "--run-dir",
                "/tmp/runs/fashion", "--no-cache-features");

        assertThat(command.overridden(JobSpec.read(file))).isEqualTo(JobSpec.defaults().toBuilder().model("fashion")
                .epochs(9).registry("/registry").runDir("/tmp/runs/fashion").cacheFeatures(false).build());
    }

    @Test
    void preprocessingIsTheCardsObjectWrittenFieldEqualsValue() {
        TrainCommand command = new TrainCommand();
        new CommandLine(command).parseArgs("--image-size", "3x64x64", "--preprocessing",
                "resize=shorter-side,resizeTo=72,crop=center,mean=0.485/0.456/0.406,std=0.25,channelOrder=BGR");

        assertThat(command.jobSpec().preprocessing()).isEqualTo(new Preprocessing(Preprocessing.ChannelOrder.BGR,
                java.util.List.of(0.485, 0.456, 0.406), java.util.List.of(0.25), Preprocessing.Resize.SHORTER_SIDE, 72,
                Preprocessing.Crop.CENTER));
        assertThatThrownBy(() -> new CommandLine(new TrainCommand()).parseArgs("--preprocessing", "size=3"))
                .hasMessageContaining("'size=3' is not field=value");
        assertThatThrownBy(() -> new CommandLine(new TrainCommand()).parseArgs("--preprocessing", "crop=middle"))
                .hasMessageContaining("preprocessing.crop 'middle'");
    }

    @Test
    void everyOptionIsAJobSpecField() {
        java.util.Set<String> fields = java.util.Arrays.stream(JobSpec.class.getRecordComponents())
                .map(java.lang.reflect.RecordComponent::getName).collect(java.util.stream.Collectors.toSet());
        java.util.List<String> options = new CommandLine(new TrainCommand()).getCommandSpec().options().stream()
                .map(CommandLine.Model.OptionSpec::longestName)
                // besides the job: where it comes from, and what this process does with the model it stores
                .filter(name -> !java.util.Set.of("--spec", "--promote", "--bootstrap-servers", "--help", "--version")
                        .contains(name)).toList();

        assertThat(options).hasSizeGreaterThan(15)
                .allSatisfy(option -> assertThat(fields).contains(JobDefaults.jsonName(option)));
        assertThat(JobDefaults.jsonName("--batch-size")).isEqualTo("batchSize");
        assertThat(JobDefaults.jsonName("--lr-schedule")).isEqualTo("lrSchedule");
        assertThat(JobDefaults.jsonName("--epochs")).isEqualTo("epochs");
    }
}
