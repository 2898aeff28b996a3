package dev.hookguard.pms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.OutgoingEvent;
import dev.hookguard.sender.SampleEvents;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * 2,000 deliveries from 16 concurrent senders: 10% duplicates racing their originals, 5% forged. Exactly one
 * issue per distinct submission, every forged one 401, no 5xx.
 */
class PmsLoadTest {

    record Planned(OutgoingEvent event, boolean forged, boolean duplicate) {
    }

    @Test
    void twoThousandDeliveriesFromSixteenSendersWithRacingDuplicatesAndForgeries() throws Exception {
        int total = 2_000;
        int duplicates = total / 10;
        int forged = total / 20;
        int originals = total - duplicates - forged;
        List<Planned> plan = new ArrayList<>();
        Random random = new Random(8);
        for (int i = 0; i < originals; i++) {
            plan.add(new Planned(SampleEvents.of("mautic.form_on_submit", 10_000 + i), false, false));
        }
        for (int i = 0; i < forged; i++) {
            plan.add(new Planned(SampleEvents.of("mautic.form_on_submit", 50_000 + i), true, false));
        }
        Collections.shuffle(plan, random);
        // Each duplicate goes right after its original, so two senders pick them up together and race.
        for (int i = 0; i < duplicates; i++) {
            int at = random.nextInt(plan.size());
            while (plan.get(at).forged() || plan.get(at).duplicate()) {
                at = (at + 1) % plan.size();
            }
            plan.add(at + 1, new Planned(plan.get(at).event(), false, true));
        }
        assertThat(plan).hasSize(total);

        try (PmsApp app = PmsApp.start("jdbc:h2:mem:pms-load;DB_CLOSE_DELAY=-1")) {
            MauticSender genuine = MauticSender.builder(app.uri("/webhooks/mautic"), PmsApp.MAUTIC_SECRET).build();
            MauticSender forger = MauticSender.builder(app.uri("/webhooks/mautic"), "a-guessed-secret").build();
            ConcurrentLinkedQueue<Planned> queue = new ConcurrentLinkedQueue<>(plan);
            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            Set<Integer> forgedStatuses = ConcurrentHashMap.newKeySet();
            ExecutorService senders = Executors.newFixedThreadPool(16);
            long start = System.nanoTime();
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                running.add(senders.submit(() -> {
                    Planned next;
                    while ((next = queue.poll()) != null) {
                        int status = (next.forged() ? forger : genuine).sendImmediate(List.of(next.event())).attempts().get(0).status();
                        statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                        if (next.forged()) {
                            forgedStatuses.add(status);
                        }
                    }
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            senders.shutdown();

            List<Issue> issues = app.repository().issues();
            Set<String> keys = new HashSet<>();
            issues.forEach(issue -> keys.add(issue.externalKey()));
            System.out.printf("load: %d deliveries in %d ms (%.0f/s), statuses %s%n", total, millis, total * 1000.0 / millis, statuses);
            assertThat(issues).hasSize(originals);
            assertThat(keys).hasSize(originals);
            assertThat(forgedStatuses).containsExactly(401);
            assertThat(statuses.get(401)).hasValue(forged);
            assertThat(statuses.keySet()).allMatch(s -> s < 500);
            assertThat(statuses.getOrDefault(200, new AtomicInteger()).get() + statuses.getOrDefault(409, new AtomicInteger()).get())
                    .isEqualTo(total - forged);
        }
    }
}
