-- gopm incident archive, schema version 2: signatures (versioned by algorithm), clusters
-- across incidents, heap summaries and full-text search.

-- A distinct signature under one algorithm; frames is the normalised frame sequence (one
-- function per line) the fuzzy clustering compares. Each signature belongs to one cluster.
CREATE TABLE clusters (
	id INTEGER PRIMARY KEY,
	algorithm INTEGER NOT NULL,
	kind TEXT NOT NULL,
	created INTEGER NOT NULL
);

CREATE TABLE signatures (
	id INTEGER PRIMARY KEY,
	algorithm INTEGER NOT NULL,
	hash TEXT NOT NULL,        -- 16 hex digits
	kind TEXT NOT NULL,        -- headline kind the signature includes
	frames TEXT NOT NULL,
	cluster_id INTEGER REFERENCES clusters(id) ON DELETE SET NULL,
	distance REAL NOT NULL DEFAULT 0, -- average distance to the cluster when merged fuzzily
	UNIQUE (algorithm, hash)
);
CREATE INDEX signatures_cluster ON signatures (cluster_id);

CREATE TABLE incident_signatures (
	incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
	algorithm INTEGER NOT NULL,
	signature_id INTEGER NOT NULL REFERENCES signatures(id),
	PRIMARY KEY (incident_id, algorithm)
) WITHOUT ROWID;
CREATE INDEX incident_signatures_sig ON incident_signatures (signature_id);

CREATE TABLE heap_summaries (
	incident_id INTEGER PRIMARY KEY REFERENCES incidents(id) ON DELETE CASCADE,
	bytes INTEGER,
	objects INTEGER,
	spans INTEGER
);

CREATE TABLE heap_types (
	incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
	type TEXT NOT NULL,
	count INTEGER NOT NULL,
	bytes INTEGER NOT NULL,
	PRIMARY KEY (incident_id, type)
) WITHOUT ROWID;

-- Full-text search, one row per incident (rowid = incidents.id): panic and fatal
-- messages, finding titles and explanations, the distinct function names of its stacks.
CREATE VIRTUAL TABLE incident_fts USING fts5 (message, findings, functions);

CREATE TRIGGER incidents_fts_delete AFTER DELETE ON incidents BEGIN
	DELETE FROM incident_fts WHERE rowid = old.id;
END;

-- Incidents stored by version 1 become searchable now.
INSERT INTO incident_fts (rowid, message, findings, functions)
SELECT i.id, coalesce(i.message, '') || ' ' || i.headline,
       (SELECT coalesce(group_concat(f.title || ' ' || coalesce(f.explanation, ''), ' '), '')
          FROM findings f WHERE f.incident_id = i.id),
       (SELECT coalesce(group_concat(name, ' '), '') FROM (
          SELECT DISTINCT fn.name FROM goroutines g
            JOIN frames fr ON fr.stack_id = g.stack_id
            JOIN functions fn ON fn.id = fr.function_id
           WHERE g.incident_id = i.id))
  FROM incidents i;
