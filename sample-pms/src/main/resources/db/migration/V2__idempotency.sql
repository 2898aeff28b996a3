-- Hookguard's JdbcIdempotencyStore: shared by every instance, so a delivery racing to two instances is handled once.
create table if not exists hookguard_idempotency (
    idempotency_key varchar(255) not null primary key,
    state           varchar(16)  not null,
    expires_at      bigint       not null
);
