package dev.svertka.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class DecodeBudgetTest {

    private static final long MIB = 1 << 20;

    @Test
    void leasesShareTheBudgetAndGiveItBack() throws Exception {
        DecodeBudget budget = new DecodeBudget(100 * MIB);
        DecodeBudget.Lease big = budget.tryTake(70 * MIB, Duration.ZERO);
        assertThat(big).isNotNull();
        assertThat(budget.tryTake(40 * MIB, Duration.ofMillis(50))).as("70 + 40 > 100").isNull();
        try (DecodeBudget.Lease small = budget.tryTake(30 * MIB, Duration.ZERO)) {
            assertThat(small).as("70 + 30 fits").isNotNull();
        }
        big.close();
        try (DecodeBudget.Lease all = budget.tryTake(100 * MIB, Duration.ZERO)) {
            assertThat(all).as("everything given back").isNotNull();
        }
    }

    @Test
    void aWaitingTakerGetsItsShareWhenAnotherGivesItBack() throws Exception {
        DecodeBudget budget = new DecodeBudget(10 * MIB);
        DecodeBudget.Lease held = budget.take(8 * MIB);
        CompletableFuture<DecodeBudget.Lease> waiting = CompletableFuture.supplyAsync(() -> budget.take(5 * MIB));
        Thread.sleep(100);
        assertThat(waiting).isNotDone();
        held.close();
        waiting.get(5, TimeUnit.SECONDS).close();
    }

    @Test
    void noSingleImageAsksForMoreThanTheWholeBudget() throws Exception {
        DecodeBudget budget = new DecodeBudget(10 * MIB);
        try (DecodeBudget.Lease lease = budget.tryTake(Long.MAX_VALUE, Duration.ZERO)) {
            assertThat(lease).as("capped at the budget, so it can always be had when nothing else holds it")
                    .isNotNull();
        }
        assertThat(budget.bytes()).isEqualTo(10 * MIB);
    }
}
