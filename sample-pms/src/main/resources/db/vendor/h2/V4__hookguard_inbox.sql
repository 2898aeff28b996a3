-- Hookguard's inbox table, schema version 1: a copy of hookguard-inbox's db/hookguard/h2/V1__inbox.sql (InboxMigrationsTest checks it).
-- Hookguard's durable inbox: one row per part of a verified delivery (each Mautic event, or the Malcolm! session),
-- under its idempotency key. Usable from Flyway or Liquibase as it is, or through JdbcInbox.initializeSchema().
-- Times are epoch milliseconds.
create table if not exists hookguard_inbox (
    delivery_key    varchar(255)  not null primary key,
    scheme          varchar(16)   not null,
    tenant          varchar(64)   not null,
    body            BLOB         not null,
    headers         varchar(4000) not null,
    state           varchar(8)    not null,
    attempts        integer       not null,
    next_attempt_at bigint        not null,
    lease_owner     varchar(64),
    lease_until     bigint,
    last_error      varchar(1000),
    received_at     bigint        not null,
    done_at         bigint
);
create index if not exists hookguard_inbox_due on hookguard_inbox (state, next_attempt_at);
