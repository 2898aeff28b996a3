package dev.hookguard.pms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.OutgoingEvent;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Two PMS processes on one PostgreSQL receive the same deliveries concurrently: one issue per submission. */
class TwoInstancesPostgresIT {

    @Test
    void twoInstancesOnOnePostgresCreateExactlyOneIssuePerSubmission() throws Exception {
        String database = TestPostgres.newDatabase();
        Path dir = Files.createDirectories(Path.of("target", "two-instances-it-" + System.nanoTime()));
        String[] args = {"--spring.datasource.url=" + database};
        int submissions = 200;
        try (PmsProcess a = new PmsProcess(PmsProcess.freePort(), dir.resolve("a.log"), args).start();
             PmsProcess b = new PmsProcess(PmsProcess.freePort(), dir.resolve("b.log"), args).start()) {
            MauticSender toA = MauticSender.builder(a.uri("/webhooks/mautic"), PmsApp.MAUTIC_SECRET).build();
            MauticSender toB = MauticSender.builder(b.uri("/webhooks/mautic"), PmsApp.MAUTIC_SECRET).build();
            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<Future<?>> sends = new ArrayList<>();
            for (int i = 0; i < submissions; i++) {
                OutgoingEvent event = SampleEvents.of("mautic.form_on_submit", 70_000 + i);
                for (MauticSender sender : List.of(toA, toB)) {
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
            System.out.printf("two instances: statuses %s%n", statuses);
            assertThat(statuses.keySet()).allMatch(s -> s == 200 || s == 409);
            try (Connection c = DriverManager.getConnection(database); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select count(*), count(distinct external_key) from issue")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(submissions);
                assertThat(rs.getInt(2)).isEqualTo(submissions);
            }
        }
    }
}
