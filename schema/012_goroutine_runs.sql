-- gopm incident archive, schema version 12: goroutines stored per group. A row of
-- goroutines per goroutine (two indexes, three foreign keys) was most of the time of
-- storing a big dump; a group's goroutines are now rows of goroutine_runs, each holding up
-- to 1,024 of them in id order packed in one blob (src/store/goroutines.c describes it:
-- every column of the old row is kept). The old table becomes the eponymous virtual table
-- `goroutines` that gopm registers on each connection, with the same columns, so queries
-- over it (gopm sql, show, search, gc) read the same rows. Nothing here depends on schema 11.
CREATE TABLE goroutine_runs (
	id INTEGER PRIMARY KEY,
	incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
	group_ordinal INTEGER NOT NULL, -- groups.ordinal; -1: goroutines in no group
	first_id INTEGER NOT NULL,      -- goroutines.id of the first and last member
	last_id INTEGER NOT NULL,
	count INTEGER NOT NULL,
	min_goid INTEGER NOT NULL,
	max_goid INTEGER NOT NULL,
	members BLOB NOT NULL
);
-- Runs in the order the virtual table reads them, with all but the blob: a lookup by
-- incident, group, id or goid range picks runs here and reads only their blobs.
CREATE INDEX goroutine_runs_key ON goroutine_runs (incident_id, group_ordinal, first_id,
                                                   last_id, count, min_goid, max_goid);

-- The old rows, 1,024 to a run in id order within each group.
INSERT INTO goroutine_runs (incident_id, group_ordinal, first_id, last_id, count, min_goid,
                            max_goid, members)
SELECT incident_id, o, min(id), max(id), count(*), min(goid), max(goid),
       gpm_goroutines_pack(id, goid, status, state, wait_minutes, flags, stack_id, created_by)
  FROM (SELECT *, coalesce(group_ordinal, -1) AS o, (row_number() OVER (PARTITION BY
               incident_id, coalesce(group_ordinal, -1) ORDER BY id) - 1) / 1024 AS chunk
          FROM goroutines)
 GROUP BY incident_id, o, chunk
 ORDER BY incident_id, o, chunk;

DROP TABLE goroutines;
