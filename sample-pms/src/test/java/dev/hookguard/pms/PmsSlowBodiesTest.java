package dev.hookguard.pms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.testsupport.SlowPeers;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, items 2 and 3, on Boot's Tomcat with a pool of 20 threads: 60 strangers declare 5 MiB bodies and
 * send a byte now and then. Pages and valid deliveries keep answering within 2 s; nothing waits on them.
 */
class PmsSlowBodiesTest {

    private static final int ATTACKERS = 60;
    private static PmsApp app;
    private static SlowPeers peers;

    @BeforeAll
    static void start() {
        app = PmsApp.start("jdbc:h2:mem:pms-slow;DB_CLOSE_DELAY=-1", "--server.tomcat.threads.max=20");
    }

    @AfterAll
    static void stop() throws IOException {
        if (peers != null) {
            peers.close();
        }
        app.close();
    }

    @Test
    void slowPeersDeclaringHugeBodiesTakeNeitherThreadsNorMemory() throws Exception {
        peers = SlowPeers.open(app.port(), "/webhooks/mautic", ATTACKERS);
        Thread.sleep(500);
        MauticSender sender = MauticSender.builder(app.uri("/webhooks/mautic"), PmsApp.MAUTIC_SECRET).requestTimeout(Duration.ofSeconds(2)).build();
        long issuesBefore = app.repository().count("issue");
        for (int i = 0; i < 3; i++) {
            peers.trickle();
            long start = System.nanoTime();
            PmsApp.loggedIn().get(app.uri("/api/issues?size=1")).then().statusCode(200);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("a page under attack").isLessThan(Duration.ofSeconds(2));
            start = System.nanoTime();
            assertThat(sender.sendImmediate(List.of(SampleEvents.of("mautic.form_on_submit", 950 + i))).allDelivered()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("a delivery under attack").isLessThan(Duration.ofSeconds(2));
            Thread.sleep(300);
        }
        assertThat(app.repository().count("issue") - issuesBefore).isEqualTo(3);
        // 60 declared 5 MiB each (300 MiB); the bodies hold what arrived, in at most their first 8 KiB buffer each.
        assertThat(app.context.getBean(dev.hookguard.delivery.BodyBudget.class).bytesInFlight()).isLessThanOrEqualTo(ATTACKERS * 8192L);
    }
}
