/**
 * Hookguard's core: signatures over the raw body, typed Mautic and Malcolm! payloads, the delivery endpoint and
 * idempotency. Only API packages are exported; {@code dev.hookguard.internal} is not.
 */
module dev.hookguard.core {
    // JsonNode appears in the payload records' raw() until they expose raw bytes instead.
    requires transitive com.fasterxml.jackson.databind;
    // JdbcIdempotencyStore.
    requires transitive java.sql;

    exports dev.hookguard.delivery;
    exports dev.hookguard.idempotency;
    exports dev.hookguard.malcolm;
    exports dev.hookguard.mautic;
    exports dev.hookguard.payload;
    exports dev.hookguard.signature;
}
