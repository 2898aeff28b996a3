package dev.hookguard.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Who runs in an instance: batches side by side, or one row alone with nothing beside it. */
class AloneGateTest {

    private final Workers.AloneGate gate = new Workers.AloneGate();

    @Test
    void aRowToRunAloneKeepsNewBatchesOutAndWaitsUntilThoseInFlightHaveEnded() throws Exception {
        assertThat(gate.enterBatch()).isTrue();
        CompletableFuture<Boolean> alone = CompletableFuture.supplyAsync(() -> gate.enterAlone(() -> true, () -> true));
        Thread.sleep(300);
        assertThat(alone).as("waits for the batch in flight").isNotDone();
        assertThat(gate.enterBatch()).as("a new batch waits for it").isFalse();

        gate.exitBatch();

        assertThat(alone.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(gate.enterBatch()).as("nothing beside it").isFalse();
        assertThat(gate.enterAlone(() -> true, () -> true)).as("nor another row alone").isFalse();
        gate.exitAlone();
        assertThat(gate.enterBatch()).isTrue();
    }

    @Test
    void aWaitEndsWhenTheWorkersStopOrTheRowIsNoLongerItsOwnAndBatchesGoOn() throws Exception {
        assertThat(gate.enterBatch()).isTrue();
        AtomicBoolean running = new AtomicBoolean(true);
        CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(() -> gate.enterAlone(running::get, () -> true));
        Thread.sleep(200);
        running.set(false);
        assertThat(stopped.get(5, TimeUnit.SECONDS)).isFalse();
        assertThat(gate.enterBatch()).as("the gate open again").isTrue();

        CompletableFuture<Boolean> taken = CompletableFuture.supplyAsync(() -> gate.enterAlone(() -> true, () -> false));
        assertThat(taken.get(5, TimeUnit.SECONDS)).as("its row rescued while it waited").isFalse();
        assertThat(gate.enterBatch()).isTrue();
    }
}
