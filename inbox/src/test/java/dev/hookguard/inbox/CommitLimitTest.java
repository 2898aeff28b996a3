package dev.hookguard.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The number of commits in flight follows how long commits take against the fastest recent lone commit. */
class CommitLimitTest {

    private static final long MS = 1_000_000;
    private long now;

    private void commit(CommitLimit limit, long nanos, boolean lone) {
        now += nanos;
        limit.onCommit(now, nanos, lone);
    }

    @Test
    void commitsAsFastAsALoneOneOpenMoreSlotsUpToTheMost() {
        CommitLimit limit = new CommitLimit(1, 4, 8);
        for (int i = 0; i < 200; i++) {
            commit(limit, MS + (i % 5) * MS / 10, i % 2 == 0); // a far database: its round trip is the cost, batch or not
        }
        assertThat(limit.slots()).isEqualTo(8);
    }

    @Test
    void commitsMuchSlowerThanALoneOneCloseSlotsDownToOneAndKeepThemThereUnderASteadyLoad() {
        CommitLimit limit = new CommitLimit(1, 4, 8);
        commit(limit, MS / 3, true); // one lone commit before the load
        for (int i = 0; i < 20_000; i++) {
            commit(limit, MS, false); // batches three times as long, for 20 s: a queue somewhere
        }
        assertThat(limit.slots()).as("no lone commit since: the base is kept, not aged").isEqualTo(1);
    }

    @Test
    void withNoLoneCommitYetTheLimitHolds() {
        CommitLimit limit = new CommitLimit(1, 4, 8);
        for (int i = 0; i < 200; i++) {
            commit(limit, MS, false);
        }
        assertThat(limit.slots()).isEqualTo(4);
    }

    @Test
    void betweenRoomAndQueueTheLimitHolds() {
        CommitLimit limit = new CommitLimit(1, 4, 8);
        commit(limit, MS, true);
        for (int i = 0; i < 200; i++) {
            commit(limit, MS * 3 / 2, false); // 0.67 of the base
        }
        assertThat(limit.slots()).isEqualTo(4);
    }

    @Test
    void aBaseFromAnEarlierPeriodIsReplacedByTheLoneCommitsOfANewerOne() {
        CommitLimit limit = new CommitLimit(1, 4, 8);
        commit(limit, MS / 10, true); // before a failover to a replica farther away
        for (int i = 0; i < 5_000; i++) {
            commit(limit, MS, true); // 5 s
        }
        assertThat(limit.slots()).as("still judged against the old base").isEqualTo(1);
        for (int i = 0; i < 20_000; i++) {
            commit(limit, MS, true); // two periods later
        }
        assertThat(limit.slots()).as("the base is today's").isEqualTo(8);
    }

    @Test
    void aFixedLimitNeverMovesAndBoundsAreChecked() {
        CommitLimit fixed = CommitLimit.fixed(1);
        for (int i = 0; i < 100; i++) {
            commit(fixed, MS, true);
        }
        assertThat(fixed.slots()).isEqualTo(1);
        assertThatThrownBy(() -> new CommitLimit(0, 1, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CommitLimit(2, 1, 2)).isInstanceOf(IllegalArgumentException.class);
    }
}
