package dev.svertka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which commands the inference app refuses, and that the full app refuses none. */
class TrainingStackTest {

    @Test
    void withoutTheStackTheCommandsThatTrainAreRefusedByNameInOneLine() {
        for (String command : new String[] {"train", "evaluate", "demo", "summary", "trainer"}) {
            assertThat(TrainingStack.refusal(false, command, "--epochs", "1")).as(command).hasValueSatisfying(line ->
                    assertThat(line).startsWith("error: `" + command + "` needs the trainer image").doesNotContain("\n"));
        }
        for (String command : new String[] {"serve", "send", "registry", "preview", "--help"}) {
            assertThat(TrainingStack.refusal(false, command)).as(command).isEmpty();
        }
        assertThat(TrainingStack.refusal(false)).isEmpty();
    }

    @Test
    void theFullAppHasTheStackAndRefusesNothing() {
        assertThat(TrainingStack.present()).isTrue();
        assertThat(TrainingStack.refusal(true, "train")).isEmpty();
    }
}
