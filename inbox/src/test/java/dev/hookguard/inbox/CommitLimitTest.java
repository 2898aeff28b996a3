package dev.hookguard.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The number of commits in flight follows how long commits take against the fastest recent one. */
class CommitLimitTest {

    private static final long MS = 1_000_000;

    @Test
    void commitsAsFastAsTheFastestOpenMoreSlotsUpToTheMost() {
        CommitLimit limit = new CommitLimit(1, 4, 8);
        for (int i = 0; i < 200; i++) {
            limit.onCommit(MS + (i % 5) * MS / 10); // within 0.8 of the fastest: a far database's round trip, no queue
        }
        assertThat(limit.slots()).isEqualTo(8);
    }

    @Test
    void commitsMuchSlowerThanTheFastestCloseSlotsDownToOne() {
        CommitLimit limit = new CommitLimit(1, 4, 8);
        limit.onCommit(MS / 3); // one lone commit on an idle database
        for (int i = 0; i < 200; i++) {
            limit.onCommit(MS); // three times as long: a queue somewhere
        }
        assertThat(limit.slots()).isEqualTo(1);
    }

    @Test
    void betweenRoomAndQueueTheLimitHolds() {
        CommitLimit limit = new CommitLimit(1, 4, 8);
        limit.onCommit(MS);
        for (int i = 0; i < 200; i++) {
            limit.onCommit(MS * 3 / 2); // 0.67 of the fastest
        }
        assertThat(limit.slots()).isEqualTo(4);
    }

    @Test
    void aFastestMeasuredUnderOtherConditionsAgesOutAndTheLimitOpensAgain() {
        CommitLimit limit = new CommitLimit(1, 4, 8);
        limit.onCommit(MS / 10); // before a failover to a replica farther away
        for (int i = 0; i < 600; i++) {
            limit.onCommit(MS);
        }
        assertThat(limit.slots()).as("still judged against the old fastest").isEqualTo(1);
        for (int i = 0; i < 600; i++) {
            limit.onCommit(MS);
        }
        assertThat(limit.slots()).as("two windows later, the base is today's").isEqualTo(8);
    }

    @Test
    void aFixedLimitNeverMovesAndBoundsAreChecked() {
        CommitLimit fixed = CommitLimit.fixed(1);
        for (int i = 0; i < 100; i++) {
            fixed.onCommit(MS);
        }
        assertThat(fixed.slots()).isEqualTo(1);
        assertThatThrownBy(() -> new CommitLimit(0, 1, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CommitLimit(2, 1, 2)).isInstanceOf(IllegalArgumentException.class);
    }
}
