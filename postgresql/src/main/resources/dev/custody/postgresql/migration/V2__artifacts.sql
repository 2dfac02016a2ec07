-- custody: a ledger on PostgreSQL, schema version 2 (dev.custody.postgresql.PostgresSchema): the
-- evidence an entry names by digest but does not carry, as a ledger directory keeps it in
-- manifests/, certificates/ and oms-signatures/, and the RFC 3161 timestamps of checkpoints, as it keeps
-- them in checkpoints/N.tsr (dev.custody.postgresql.PostgresArtifacts). Exact bytes; a row is
-- written once, before the entry that names it (a timestamp: after the checkpoint it dates), and never
-- replaced (writers insert with "on conflict do nothing"). Readers trust none of it: every read is checked
-- against its key (a manifest's SHA-256, a chain's leaf key) and `custody verify` judges the copy it makes
-- of these rows.

-- Model manifests (OMS predicate JSON), keyed by the SHA-256 of their exact bytes: the
-- custody.manifest annotation of the artifact that names them. The check refuses a row whose bytes
-- are not its key's (a row swapped between digests, truncated or edited).
create table custody_manifests (
  digest   bytea primary key check (octet_length(digest) = 32),
  manifest bytea not null check (octet_length(manifest) between 1 and 268435456),
  check (digest = sha256(manifest))
);

-- Signers' X.509 certificate chains (PEM, leaf first), one per signing key for the key's whole life,
-- keyed by the key id (64 lowercase hex, the SHA-256 of the leaf's SubjectPublicKeyInfo).
create table custody_certificates (
  key_id text  primary key check (key_id ~ '^[0-9a-f]{64}$'),
  chain  bytea not null check (octet_length(chain) between 1 and 65536)
);

-- Publishers' OpenSSF model signatures and what they were checked with (a public key or root
-- certificates), kept when a base model is recorded with --input-signature: the content-addressed files
-- of a ledger directory's oms-signatures/, by name (sha256-HEX.json a signature, sha256-HEX.pem its
-- trust). Carried by `custody migrate` both ways and copied for `custody verify`.
create table custody_oms_signatures (
  name  text  primary key check (name ~ '^sha256-[0-9a-f]{64}[.](json|pem)$'),
  bytes bytea not null check (octet_length(bytes) between 1 and 16777216),
  check (substr(name, 8, 64) = encode(sha256(bytes), 'hex'))
);

-- RFC 3161 timestamp responses (DER TimeStampResp, as `custody checkpoint --tsa URL` received them) of
-- the checkpoint of custody_checkpoints with the same tree size: a ledger directory's checkpoints/N.tsr.
-- A size keeps its first timestamp (the earliest time is the strongest evidence). No foreign key: a row
-- whose checkpoint was deleted is copied as it is, for `custody verify` to report, as a directory's stray
-- .tsr file. checkpoint.tsr (the newest checkpoint's) is not stored: copying derives it. At most 256 KiB,
-- the largest response custody reads (dev.custody.core.timestamp.TimestampToken.MAX_BYTES).
create table custody_checkpoint_timestamps (
  tree_size bigint primary key check (tree_size >= 0),
  token     bytea  not null check (octet_length(token) between 1 and 262144)
);
