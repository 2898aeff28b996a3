package dev.hookguard.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.Headers;
import dev.hookguard.delivery.spi.InboxDelivery;
import dev.hookguard.signature.SignatureScheme;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

/** What the spool's tests share: entries, a database that is away, deliveries, and reading back the inbox's rows. */
final class SpoolFixtures {

    /** A sink that stands for a database that is away. */
    static final Spool.Sink AWAY = entries -> {
        throw new SQLTransientConnectionException("connection refused", "08001");
    };

    private SpoolFixtures() {
    }

    static Path directory(String prefix) throws Exception {
        return Files.createDirectories(Path.of("target", prefix + "-" + System.nanoTime()));
    }

    static SpoolEntry entry(long at, String key) {
        return entry(at, key, ("{\"key\":\"" + key + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    static SpoolEntry entry(long at, String key, byte[] body) {
        return new SpoolEntry(at, "mautic", "", "User-Agent: test\n", List.of(new InboxDelivery.Part(key, "mautic.form_on_submit", body)));
    }

    static List<String> keys(Collection<SpoolEntry> entries) {
        return entries.stream().flatMap(e -> e.parts().stream()).map(InboxDelivery.Part::key).toList();
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(until);
            Thread.sleep(2);
        }
    }

    /** A verified Mautic delivery of these parts, with a signature header the spool must never keep. */
    static InboxDelivery delivery(String... keys) {
        List<InboxDelivery.Part> parts = new ArrayList<>();
        for (String key : keys) {
            parts.add(new InboxDelivery.Part(key, "mautic.form_on_submit", ("{\"k\":\"" + key + "\"}").getBytes(StandardCharsets.UTF_8)));
        }
        return new InboxDelivery(SignatureScheme.MAUTIC, "", parts, "{}".getBytes(StandardCharsets.UTF_8),
                Headers.of(Map.of("User-Agent", "Mautic", "Webhook-Signature", "secret-ish")));
    }

    /** How many rows the inbox holds for this part key. */
    static long rows(DataSource dataSource, String key) throws SQLException {
        try (Connection c = dataSource.getConnection(); var ps = c.prepareStatement("select count(*) from hookguard_inbox where part_key = ?")) {
            ps.setString(1, key);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
