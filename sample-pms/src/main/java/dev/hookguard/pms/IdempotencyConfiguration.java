package dev.hookguard.pms;

import dev.hookguard.idempotency.IdempotencyStore;
import dev.hookguard.idempotency.JdbcIdempotencyStore;
import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Idempotency claims in the PMS's own database (the starter backs off its in-memory store when this bean
 * exists), so that several instances behind one load balancer, and an instance restarted after a crash, agree
 * on what is being handled and what is done.
 */
@Configuration(proxyBeanMethods = false)
class IdempotencyConfiguration {

    @Bean
    IdempotencyStore idempotencyStore(DataSource dataSource,
                                      @Value("${pms.idempotency.in-flight-ttl:60s}") Duration inFlightTtl) {
        // The table is created by Flyway (V2); the in-flight TTL must exceed the slowest handling.
        return JdbcIdempotencyStore.builder(dataSource).inFlightTtl(inFlightTtl).build();
    }
}
