package dev.hookguard.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hookguard.delivery.spi.InboxDelivery;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The hand-over between concurrent stores, with a committer that records what it was given: no database. */
@org.junit.jupiter.api.Timeout(60) // a store that hangs fails its test instead of the build
class GroupCommitTest {

    private static final java.time.Duration LONG = java.time.Duration.ofSeconds(60);

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<List<String>> commits = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstCommitMayEnd = new CountDownLatch(1);
    private final AtomicInteger calls = new AtomicInteger();

    @AfterEach
    void stop() {
        firstCommitMayEnd.countDown();
        threads.shutdownNow();
    }

    /** Each delivery's answer is the number in its first key; the first commit waits for the test to let it end. */
    private List<GroupCommit.Outcome> record(List<InboxDelivery> deliveries) {
        commits.add(deliveries.stream().map(d -> d.parts().get(0).key()).toList());
        if (calls.getAndIncrement() == 0) {
            await(firstCommitMayEnd);
        }
        return deliveries.stream().map(d -> GroupCommit.Outcome.stored(Integer.parseInt(d.parts().get(0).key()))).toList();
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(20, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("reached within 20 s").isLessThan(end);
            Thread.sleep(1);
        }
    }

    /** Store 1 in the first commit (held until the test lets it end), then stores 2 and 3 queued, in that order. */
    private List<Future<Integer>> firstCommittingThenTwoQueued(GroupCommit group) throws InterruptedException {
        Future<Integer> first = threads.submit(() -> group.store(SpoolFixtures.delivery("1")));
        until(() -> commits.size() == 1);
        Future<Integer> second = threads.submit(() -> group.store(SpoolFixtures.delivery("2")));
        until(() -> group.queued() == 1);
        Future<Integer> third = threads.submit(() -> group.store(SpoolFixtures.delivery("3")));
        until(() -> group.queued() == 2);
        return List.of(first, second, third);
    }

    @Test
    void whenTheLimitGrowsASecondQueuedStoreLeadsACommitBesideTheFirst() throws Exception {
        // One slot, up to two: the first commit is lone and as fast as the fastest lone commit (itself), so the limit
        // grows to two when it ends, and the two queued stores each lead a commit instead of sharing one.
        GroupCommit group = new GroupCommit(this::record, new CommitLimit(1, 1, 2), failure -> false, LONG);
        List<Future<Integer>> stores = firstCommittingThenTwoQueued(group);

        firstCommitMayEnd.countDown();

        for (int i = 0; i < 3; i++) {
            assertThat(stores.get(i).get(20, TimeUnit.SECONDS)).isEqualTo(i + 1);
        }
        assertThat(commits).as("two leaders called at the hand-over, one commit each").hasSize(3)
                .containsExactlyInAnyOrder(List.of("1"), List.of("2"), List.of("3"));
    }

    @Test
    void whenTheLimitShrinksTheSlowCommitFreesItsSlotAndTheCommitStillInFlightLeadsTheQueue() throws Exception {
        // Two slots, down to one. A fast lone commit sets the base; then two commits run, each held by the test; two
        // stores queue behind them. The first held commit ends 50 ms late, far slower than the base: the limit
        // shrinks to one, so it frees its slot rather than hand it on, and the queue is left to the commit still in
        // flight, which leads both queued stores in one commit when it ends.
        Map<String, CountDownLatch> holds = Map.of("2", new CountDownLatch(1), "3", new CountDownLatch(1));
        GroupCommit group = new GroupCommit(deliveries -> {
            CountDownLatch hold = holds.get(deliveries.get(0).parts().get(0).key());
            commits.add(deliveries.stream().map(d -> d.parts().get(0).key()).toList());
            if (hold != null) {
                await(hold);
                sleep(50);
            }
            return deliveries.stream().map(d -> GroupCommit.Outcome.stored(Integer.parseInt(d.parts().get(0).key()))).toList();
        }, new CommitLimit(1, 2, 2), failure -> false, LONG);
        assertThat(group.store(SpoolFixtures.delivery("1"))).isEqualTo(1);
        Future<Integer> second = threads.submit(() -> group.store(SpoolFixtures.delivery("2")));
        Future<Integer> third = threads.submit(() -> group.store(SpoolFixtures.delivery("3")));
        until(() -> commits.size() == 3);
        Future<Integer> fourth = threads.submit(() -> group.store(SpoolFixtures.delivery("4")));
        Future<Integer> fifth = threads.submit(() -> group.store(SpoolFixtures.delivery("5")));
        until(() -> group.queued() == 2);

        holds.get("2").countDown();
        assertThat(second.get(20, TimeUnit.SECONDS)).isEqualTo(2);
        sleep(100);
        assertThat(group.queued()).as("the slow commit handed nothing on: one slot now, and it is the other commit's").isEqualTo(2);

        holds.get("3").countDown();
        assertThat(third.get(20, TimeUnit.SECONDS)).isEqualTo(3);
        assertThat(fourth.get(20, TimeUnit.SECONDS)).isEqualTo(4);
        assertThat(fifth.get(20, TimeUnit.SECONDS)).isEqualTo(5);
        assertThat(commits).as("the queue led by the commit still in flight, together").hasSize(4);
        assertThat(commits.get(3)).containsExactlyInAnyOrder("4", "5");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aLoneStoreCommitsAtOnceOnItsOwnThreadAndAlone() throws Exception {
        firstCommitMayEnd.countDown();
        AtomicReference<Thread> committedOn = new AtomicReference<>();
        GroupCommit group = new GroupCommit(deliveries -> {
            committedOn.set(Thread.currentThread());
            return record(deliveries);
        }, CommitLimit.fixed(1), failure -> false, LONG);

        assertThat(group.store(SpoolFixtures.delivery("7"))).isEqualTo(7);

        assertThat(commits).containsExactly(List.of("7"));
        assertThat(committedOn.get()).as("no hand-off to another thread when idle").isSameAs(Thread.currentThread());
    }

    @Test
    void storesThatArriveDuringACommitShareTheNextAndEachGetsItsOwnAnswer() throws Exception {
        GroupCommit group = new GroupCommit(this::record, CommitLimit.fixed(1), failure -> false, LONG);
        Future<Integer> first = threads.submit(() -> group.store(SpoolFixtures.delivery("1")));
        until(() -> commits.size() == 1);
        Map<Integer, Future<Integer>> queued = new ConcurrentHashMap<>();
        for (int i = 2; i <= 9; i++) {
            String key = Integer.toString(i);
            queued.put(i, threads.submit(() -> group.store(SpoolFixtures.delivery(key))));
        }
        until(() -> group.queued() == 8);

        firstCommitMayEnd.countDown();

        assertThat(first.get(20, TimeUnit.SECONDS)).isEqualTo(1);
        for (Map.Entry<Integer, Future<Integer>> e : queued.entrySet()) {
            assertThat(e.getValue().get(20, TimeUnit.SECONDS)).as("store %d's own answer", e.getKey()).isEqualTo(e.getKey());
        }
        assertThat(commits).as("one commit for the eight that queued meanwhile").hasSize(2);
        assertThat(commits.get(1)).containsExactlyInAnyOrder("2", "3", "4", "5", "6", "7", "8", "9");
    }

    @Test
    void aCommitThatThrowsAnErrorAnswersEveryMemberAndFreesItsSlot() throws Exception {
        AtomicInteger commitsSoFar = new AtomicInteger();
        CountDownLatch blockFirst = new CountDownLatch(1);
        GroupCommit group = new GroupCommit(deliveries -> {
            int n = commitsSoFar.getAndIncrement();
            if (n == 0) {
                await(blockFirst);
                return deliveries.stream().map(d -> GroupCommit.Outcome.stored(1)).toList();
            }
            if (n == 1) {
                throw new StackOverflowError("a committer's bug");
            }
            return deliveries.stream().map(d -> GroupCommit.Outcome.stored(1)).toList();
        }, CommitLimit.fixed(1), failure -> false, LONG);
        Future<Integer> first = threads.submit(() -> group.store(SpoolFixtures.delivery("1")));
        until(() -> commitsSoFar.get() == 1);
        List<Future<Integer>> members = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            members.add(threads.submit(() -> group.store(SpoolFixtures.delivery("2"))));
        }
        until(() -> group.queued() == 4);
        blockFirst.countDown();

        assertThat(first.get(20, TimeUnit.SECONDS)).isEqualTo(1);
        int errors = 0;
        int failures = 0;
        for (Future<Integer> member : members) {
            try {
                member.get(20, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof StackOverflowError) {
                    errors++;
                } else {
                    assertThat(e.getCause()).isInstanceOf(SQLException.class).hasMessageContaining("StackOverflowError");
                    failures++;
                }
            }
        }
        assertThat(errors).as("the leader's own request sees the Error").isEqualTo(1);
        assertThat(failures).as("every other member is answered, none hangs").isEqualTo(3);
        assertThat(group.store(SpoolFixtures.delivery("3"))).as("the slot was freed").isEqualTo(1);
    }

    @Test
    void anInterruptedWaiterIsStillAnsweredWithItsOwnOutcomeAndKeepsItsInterrupt() throws Exception {
        List<Boolean> interruptedWhileCommitting = new CopyOnWriteArrayList<>();
        GroupCommit group = new GroupCommit(deliveries -> {
            interruptedWhileCommitting.add(Thread.currentThread().isInterrupted());
            return record(deliveries);
        }, CommitLimit.fixed(1), failure -> false, LONG);
        Future<Integer> first = threads.submit(() -> group.store(SpoolFixtures.delivery("1")));
        until(() -> commits.size() == 1);
        AtomicReference<Thread> waiter = new AtomicReference<>();
        Future<Boolean> interruptedAfter = threads.submit(() -> {
            waiter.set(Thread.currentThread());
            assertThat(group.store(SpoolFixtures.delivery("5"))).isEqualTo(5);
            return Thread.currentThread().isInterrupted();
        });
        until(() -> group.queued() == 1);
        waiter.get().interrupt();
        Thread.sleep(50);
        assertThat(interruptedAfter.isDone()).as("an interrupt does not take a queued store out of its commit").isFalse();

        firstCommitMayEnd.countDown();

        assertThat(first.get(20, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(interruptedAfter.get(20, TimeUnit.SECONDS)).as("the interrupt is kept for the caller").isTrue();
        assertThat(commits).hasSize(2);
        assertThat(interruptedWhileCommitting).as("the interrupted waiter led the second commit with its flag clear,"
                + " so the driver and the pool never saw it").containsExactly(false, false);
    }

    @Test
    void anInterruptedThreadThatLeadsAtOnceCommitsWithItsFlagClearAndGetsItBack() throws Exception {
        List<Boolean> interruptedWhileCommitting = new CopyOnWriteArrayList<>();
        firstCommitMayEnd.countDown();
        GroupCommit group = new GroupCommit(deliveries -> {
            interruptedWhileCommitting.add(Thread.currentThread().isInterrupted());
            return record(deliveries);
        }, CommitLimit.fixed(1), failure -> false, LONG);

        Thread.currentThread().interrupt();
        int stored = group.store(SpoolFixtures.delivery("4"));

        assertThat(Thread.interrupted()).as("the caller's interrupt is given back").isTrue();
        assertThat(stored).isEqualTo(4);
        assertThat(interruptedWhileCommitting).containsExactly(false);
    }

    @Test
    void aCommitThatLeavesAMemberWithoutAnOutcomeAnswersItWithAFailure() throws Exception {
        GroupCommit group = new GroupCommit(deliveries -> {
            List<GroupCommit.Outcome> outcomes = new ArrayList<>(record(deliveries));
            outcomes.set(outcomes.size() - 1, null);
            return outcomes;
        }, CommitLimit.fixed(1), failure -> false, LONG);
        List<Future<Integer>> stores = firstCommittingThenTwoQueued(group);
        Future<Integer> first = stores.get(0);
        Future<Integer> leader = stores.get(1);
        Future<Integer> member = stores.get(2);

        firstCommitMayEnd.countDown();

        assertThatThrownBy(() -> first.get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(SQLException.class);
        assertThat(leader.get(20, TimeUnit.SECONDS)).isEqualTo(2);
        assertThatThrownBy(() -> member.get(20, TimeUnit.SECONDS)).as("answered, not left waiting")
                .cause().isInstanceOf(SQLException.class).hasMessageContaining("without an outcome");
        assertThatThrownBy(() -> group.store(SpoolFixtures.delivery("5"))).as("the slot moved on: a lone store commits, no hang")
                .hasMessageContaining("without an outcome");
        assertThat(commits).hasSize(3);
    }

    @Test
    void aQueuedStoreThatNoCommitTakesWithinTheStoreTimeoutLeavesWithATimeout() throws Exception {
        GroupCommit group = new GroupCommit(this::record, CommitLimit.fixed(1), failure -> false, java.time.Duration.ofMillis(300));
        Future<Integer> stuck = threads.submit(() -> group.store(SpoolFixtures.delivery("1")));
        until(() -> commits.size() == 1);
        long start = System.nanoTime();

        assertThatThrownBy(() -> group.store(SpoolFixtures.delivery("2")))
                .isInstanceOf(java.sql.SQLTimeoutException.class).hasMessageContaining("store timeout");

        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("left at its deadline, not at the stuck commit's end")
                .isBetween(250L, 10_000L);
        assertThat(group.queued()).isZero();
        firstCommitMayEnd.countDown();
        assertThat(stuck.get(20, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(group.store(SpoolFixtures.delivery("3"))).isEqualTo(3);
        assertThat(commits).as("the store that left was never committed").containsExactly(List.of("1"), List.of("3"));
    }

    @Test
    void aStoreALeaderHasTakenWaitsForItsAnswerPastTheStoreTimeout() throws Exception {
        CountDownLatch secondMayEnd = new CountDownLatch(1);
        GroupCommit group = new GroupCommit(deliveries -> {
            List<GroupCommit.Outcome> outcomes = record(deliveries);
            if (commits.size() == 2) {
                await(secondMayEnd);
            }
            return outcomes;
        }, CommitLimit.fixed(1), failure -> false, java.time.Duration.ofSeconds(1));
        List<Future<Integer>> stores = firstCommittingThenTwoQueued(group);
        Future<Integer> first = stores.get(0);
        Future<Integer> leader = stores.get(1);
        Future<Integer> member = stores.get(2);
        firstCommitMayEnd.countDown();
        until(() -> commits.size() == 2);
        assertThat(commits.get(1)).as("the first queued leads, the second is its member").containsExactly("2", "3");
        Thread.sleep(1_200); // past the member's deadline, while the leader is committing it

        assertThat(member.isDone()).as("it may be committed already: it waits for the answer").isFalse();
        secondMayEnd.countDown();
        assertThat(first.get(20, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(leader.get(20, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(member.get(20, TimeUnit.SECONDS)).isEqualTo(3);
    }

    @Test
    void aCommitTakesAtMostItsBoundOfBodyBytes() throws Exception {
        GroupCommit group = new GroupCommit(this::record, CommitLimit.fixed(1), failure -> false, LONG);
        Future<Integer> first = threads.submit(() -> group.store(SpoolFixtures.delivery("1")));
        until(() -> commits.size() == 1);
        byte[] body = new byte[(int) (GroupCommit.MAX_BYTES / 2)];
        List<Future<Integer>> large = new ArrayList<>();
        for (String key : List.of("2", "3", "4")) {
            large.add(threads.submit(() -> group.store(new InboxDelivery(dev.hookguard.signature.SignatureScheme.MALCOLM, "",
                    List.of(new InboxDelivery.Part(key, "session", body)), new byte[0], dev.hookguard.delivery.Headers.of(Map.of())))));
            int queued = large.size();
            until(() -> group.queued() == queued);
        }

        firstCommitMayEnd.countDown();

        for (int i = 0; i < large.size(); i++) {
            assertThat(large.get(i).get(20, TimeUnit.SECONDS)).isEqualTo(i + 2);
        }
        assertThat(commits).as("two half-bound bodies fill a commit; the third leads the next")
                .containsExactly(List.of("1"), List.of("2", "3"), List.of("4"));
    }

    @Test
    void aFailureEveryQueuedStoreWouldMeetAnswersTheQueueAtOnce() throws Exception {
        SQLException away = new SQLTransientConnectionException("connection refused", "08001");
        CountDownLatch blockFirst = new CountDownLatch(1);
        GroupCommit group = new GroupCommit(deliveries -> {
            commits.add(deliveries.stream().map(d -> d.parts().get(0).key()).toList());
            await(blockFirst);
            return deliveries.stream().map(d -> GroupCommit.Outcome.failed(away)).toList();
        }, CommitLimit.fixed(1), failure -> "08001".equals(failure.getSQLState()), LONG);
        Future<Integer> first = threads.submit(() -> group.store(SpoolFixtures.delivery("1")));
        until(() -> commits.size() == 1);
        List<Future<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            queued.add(threads.submit(() -> group.store(SpoolFixtures.delivery("2"))));
        }
        until(() -> group.queued() == 5);
        blockFirst.countDown();

        assertThatThrownBy(() -> first.get(20, TimeUnit.SECONDS)).hasCauseReference(away);
        for (Future<Integer> q : queued) {
            assertThatThrownBy(() -> q.get(20, TimeUnit.SECONDS)).hasCauseReference(away);
        }
        assertThat(commits).as("the queue was answered with the failure, not committed one more time").hasSize(1);
    }

    @Test
    void aCommitTakesAtMostItsBoundOfPartsAndTheRestLeadTheNext() throws Exception {
        GroupCommit group = new GroupCommit(this::record, CommitLimit.fixed(1), failure -> false, LONG);
        Future<Integer> first = threads.submit(() -> group.store(SpoolFixtures.delivery("1")));
        until(() -> commits.size() == 1);
        String[] big = new String[GroupCommit.MAX_PARTS - 1];
        big[0] = "2";
        for (int i = 1; i < big.length; i++) {
            big[i] = "p" + i;
        }
        Future<Integer> large = threads.submit(() -> group.store(SpoolFixtures.delivery(big)));
        until(() -> group.queued() == 1);
        Future<Integer> small = threads.submit(() -> group.store(SpoolFixtures.delivery("3", "x")));
        until(() -> group.queued() == 2);

        firstCommitMayEnd.countDown();

        assertThat(first.get(20, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(large.get(20, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(small.get(20, TimeUnit.SECONDS)).isEqualTo(3);
        assertThat(commits).as("4,095 parts and 2 more exceed one commit's 4,096").containsExactly(List.of("1"), List.of("2"), List.of("3"));
    }
}
