-- gopm incident archive, schema version 7: the kind of an artifact's identity. Until now
-- artifacts.sha256 held the SHA-256 of the whole file ('sha256'); from this version new
-- artifacts are identified by a tree hash, SHA-256 over the SHA-256 digests of the file's
-- 4 MiB chunks ('sha256-4m', src/base/identity.h), which is hashed in parallel. Rows
-- written before keep their kind and stay valid: an input whose tree hash is not found
-- while a 'sha256' row of its size is, is hashed the old way too, and when that matches,
-- the row takes the new identity (src/ingest/store.c).
ALTER TABLE artifacts ADD COLUMN identity TEXT NOT NULL DEFAULT 'sha256';

-- The old-kind rows of a given size, looked up at every ingest of a new input.
CREATE INDEX artifacts_identity_size ON artifacts (identity, size);
