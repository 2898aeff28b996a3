/**
 * Hookguard's core: signatures over the raw body, typed Mautic and Malcolm! payloads, the delivery endpoint and
 * idempotency. Only API packages are exported; {@code dev.hookguard.internal} is not.
 */
module dev.hookguard.core {
    // The streaming parser only; no JSON library's type is part of the API (raw JSON is RawJson).
    requires com.fasterxml.jackson.core;
    // Read by Jackson 2 or 3 when an application serialises the records; no class of it is needed to run.
    requires static com.fasterxml.jackson.annotation;
    // JdbcIdempotencyStore.
    requires transitive java.sql;

    exports dev.hookguard.delivery;
    // The adapter and inbox SPI (Adapters, Exchange, DeliveryInbox, StoredHandler): for runtime adapters and inboxes, not applications.
    exports dev.hookguard.delivery.spi;
    exports dev.hookguard.idempotency;
    exports dev.hookguard.malcolm;
    exports dev.hookguard.mautic;
    exports dev.hookguard.payload;
    exports dev.hookguard.signature;
}
