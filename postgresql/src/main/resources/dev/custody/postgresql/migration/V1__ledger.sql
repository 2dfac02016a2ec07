-- custody: a ledger on PostgreSQL, schema version 1 (dev.custody.postgresql.PostgresSchema).
-- The entries are the evidence; every other table is derived from them or holds signed notes that
-- readers verify. `custody verify` trusts none of it: it copies the rows into a file ledger and
-- verifies that.

-- The log's identity: one row. origin, config and verifier_key are null for a ledger without a log key.
create table custody_log (
  id           smallint primary key check (id = 1),
  config       bytea,
  verifier_key text,
  created      timestamptz not null default now(),
  check ((config is null) = (verifier_key is null))
);

-- The records, exact bytes, one per log index. A fork cannot be inserted: (chain, sequence) and the
-- log index are unique, and so is the hash (a record is never stored twice).
create table custody_entries (
  log_index bigint primary key check (log_index >= 0),
  chain     text   not null,
  sequence  bigint not null check (sequence >= 0),
  hash      bytea  not null unique check (octet_length(hash) = 32),
  record    bytea  not null check (octet_length(record) between 1 and 1048576),
  unique (chain, sequence)
);

-- The newest entry of each chain, written in the transaction that writes the entry.
create table custody_chain_heads (
  chain     text   primary key,
  sequence  bigint not null,
  hash      bytea  not null,
  log_index bigint not null references custody_entries (log_index)
);

-- Full C2SP tlog-tiles hash tiles (256 hashes of 32 bytes), derived from the entries.
create table custody_tiles (
  level   integer not null check (level >= 0),
  idx     bigint  not null check (idx >= 0),
  hashes  bytea   not null,
  primary key (level, idx)
);

-- Signed checkpoints (C2SP signed notes), one per tree size: never two for one size.
create table custody_checkpoints (
  tree_size bigint primary key check (tree_size >= 0),
  note      bytea  not null
);
