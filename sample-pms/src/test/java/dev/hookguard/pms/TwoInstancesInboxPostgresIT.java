package dev.hookguard.pms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.OutgoingEvent;
import dev.hookguard.sender.RetryPolicy;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * Two PMS processes in inbox mode on one PostgreSQL: 2,000 deliveries spread over both, one in ten sent to both at
 * once. Every delivery is handled exactly once, and both instances' workers share the work.
 */
@DisabledIfSystemProperty(named = "spring.aot.enabled", matches = "true",
        disabledReason = "inbox mode: the ahead-of-time context was generated in direct mode, conditions are fixed at build time")
class TwoInstancesInboxPostgresIT {

    private static final int SUBMISSIONS = 2_000;

    @Test
    void everyDeliveryIsHandledOnceAndBothInstancesHandleSome() throws Exception {
        String database = TestPostgres.newDatabase();
        Path dir = Files.createDirectories(Path.of("target", "two-inbox-it-" + System.nanoTime()));
        String[] args = {"--spring.datasource.url=" + database, "--hookguard.inbox.enabled=true",
                "--hookguard.inbox.first-retry=200ms", "--hookguard.inbox.max-retry=1s"};
        // A data directory each: each instance keeps its own spool there.
        try (PmsProcess a = new PmsProcess(PmsProcess.freePort(), dir.resolve("a.log"), args).in(Files.createDirectories(dir.resolve("a"))).start();
             PmsProcess b = new PmsProcess(PmsProcess.freePort(), dir.resolve("b.log"), args).in(Files.createDirectories(dir.resolve("b"))).start()) {
            List<MauticSender> senders = List.of(a, b).stream().map(p -> MauticSender.builder(p.uri("/webhooks/mautic"), PmsApp.MAUTIC_SECRET)
                    .retryPolicy(RetryPolicy.MAUTIC5).requestTimeout(Duration.ofSeconds(20)).build()).toList();
            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<Future<?>> sends = new ArrayList<>();
            for (int i = 0; i < SUBMISSIONS; i++) {
                OutgoingEvent event = SampleEvents.of("mautic.form_on_submit", 90_000 + i);
                List<MauticSender> to = i % 10 == 0 ? senders : List.of(senders.get(i % 2));
                for (MauticSender sender : to) {
                    sends.add(pool.submit(() -> {
                        int status = sender.sendImmediate(List.of(event)).attempts().get(0).status();
                        statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                    }));
                }
            }
            for (Future<?> f : sends) {
                f.get();
            }
            pool.shutdown();
            System.out.printf("two inbox instances: statuses %s%n", statuses);
            assertThat(statuses.keySet()).as("stored (202) or a duplicate of what was stored (200)").allMatch(s -> s == 202 || s == 200);

            long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            long done = 0;
            while (System.nanoTime() < until && done < SUBMISSIONS) {
                Thread.sleep(250);
                try (Connection c = DriverManager.getConnection(database); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("select count(*) from hookguard_inbox where state = 'DONE'")) {
                    rs.next();
                    done = rs.getLong(1);
                }
            }
            try (Connection c = DriverManager.getConnection(database); Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("select count(*), count(distinct external_key) from issue")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(SUBMISSIONS);
                    assertThat(rs.getInt(2)).isEqualTo(SUBMISSIONS);
                }
                try (ResultSet rs = s.executeQuery("select count(*) from hookguard_inbox where state <> 'DONE'")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isZero();
                }
                Map<String, Long> byInstance = new java.util.HashMap<>();
                try (ResultSet rs = s.executeQuery("select split_part(lease_owner, '/', 1), count(*) from hookguard_inbox group by 1")) {
                    while (rs.next()) {
                        byInstance.put(rs.getString(1), rs.getLong(2));
                    }
                }
                System.out.printf("two inbox instances: handled per instance %s%n", byInstance.values());
                assertThat(byInstance).as("both instances' workers handled some").hasSize(2).allSatisfy((owner, n) -> assertThat(n).isPositive());
            }
        }
    }
}
