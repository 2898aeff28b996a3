-- JdbcIdempotencyStore writes a token per claim, so that only the process holding a claim settles it.
alter table hookguard_idempotency add column owner varchar(36);
