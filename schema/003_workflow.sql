-- gopm incident archive, schema version 3: where an incident's time came from and the
-- build it ran, and the triage workflow of clusters (status, owner, the build a cluster
-- was resolved in) with every change kept as an event row.

-- input (the text's log timestamps or the core), coredump-name (systemd-coredump's
-- core.NAME.UID.BOOTID.PID.USEC), mtime (the file's), ingest (nothing better); NULL for
-- incidents stored before schema 3. incidents.ingested stays the ingest time.
ALTER TABLE incidents ADD COLUMN time_source TEXT;
-- The build the process ran: vcs.revision from build info, else the build id, else what
-- `gopm ingest --build` said; NULL unknown. vcs_time orders builds (unix seconds).
ALTER TABLE incidents ADD COLUMN build TEXT;
ALTER TABLE incidents ADD COLUMN vcs_time INTEGER;
-- From schema 3, incidents.exe is the executable's path as the process had it (from the
-- core) when known; exe_read is the file gopm read for it (--exe, or found by build id)
-- when that differs.
ALTER TABLE incidents ADD COLUMN exe_read TEXT;
CREATE INDEX incidents_build ON incidents (build);

ALTER TABLE clusters ADD COLUMN status TEXT NOT NULL DEFAULT 'new'
	CHECK (status IN ('new', 'investigating', 'resolved', 'ignored'));
ALTER TABLE clusters ADD COLUMN owner TEXT;
ALTER TABLE clusters ADD COLUMN resolved_build TEXT; -- incidents.build the fix is after
ALTER TABLE clusters ADD COLUMN resolved_time INTEGER;

-- Every change of a cluster's workflow: status, assign, note, link, merge (resign folded
-- another cluster into this one). No foreign key: the history outlives a cluster that
-- `gopm resign` merged away.
CREATE TABLE cluster_events (
	id INTEGER PRIMARY KEY,
	cluster_id INTEGER NOT NULL,
	time INTEGER NOT NULL,     -- unix seconds
	who TEXT NOT NULL,
	action TEXT NOT NULL,
	value TEXT
);
CREATE INDEX cluster_events_cluster ON cluster_events (cluster_id, id);
