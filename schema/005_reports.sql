-- gopm incident archive, schema version 5: the report of an incident as analyze showed it
-- (src/analysis/report_doc.h), so `gopm show ID --format text|markdown|html` renders it
-- again without analysing anything: the archive keeps no argument words, creator lines or
-- signal facts, and an analysis of what it keeps names things differently. The findings
-- stay in findings (with their evidence JSON); these tables hold the rest. Incidents
-- stored before schema 5 have no reports row.

-- One row per incident with a stored report.
CREATE TABLE reports (
	incident_id INTEGER PRIMARY KEY REFERENCES incidents(id) ON DELETE CASCADE,
	source_name TEXT,          -- the input's name as the report showed it
	goroutines INTEGER NOT NULL,
	system INTEGER NOT NULL,   -- of them, runtime-internal
	ngroups INTEGER NOT NULL,
	level TEXT NOT NULL,       -- how stacks were compared, in words
	heap_known INTEGER NOT NULL,
	heap_bytes INTEGER,
	heap_objects INTEGER,
	heap_inuse INTEGER,
	flame_capped INTEGER NOT NULL
);

-- The process facts in the report's order (input, file, go, ..., signal, warning).
CREATE TABLE report_facts (
	incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
	ordinal INTEGER NOT NULL,
	key TEXT NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (incident_id, ordinal)
) WITHOUT ROWID;

-- What retains the most heap (a core's analysis).
CREATE TABLE report_holders (
	incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
	ordinal INTEGER NOT NULL,
	bytes INTEGER NOT NULL,
	objects INTEGER NOT NULL,
	what TEXT NOT NULL,
	path TEXT,
	PRIMARY KEY (incident_id, ordinal)
) WITHOUT ROWID;

-- The goroutine groups the report shows, in its order (suspicious first); ordinal 0 first.
CREATE TABLE report_groups (
	incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
	ordinal INTEGER NOT NULL,
	count INTEGER NOT NULL,
	state TEXT,
	min_minutes INTEGER NOT NULL,
	max_minutes INTEGER NOT NULL, -- < 0 unknown
	min_id INTEGER NOT NULL,
	max_id INTEGER NOT NULL,
	ids TEXT,                  -- "4, 9" when at most 6 goroutines
	no_ids INTEGER NOT NULL,   -- a profile's record: counted, no ids
	top TEXT,                  -- innermost user function
	rule TEXT,                 -- the first finding naming the group
	rule_severity TEXT,
	flagged INTEGER NOT NULL,
	wait TEXT,                 -- "waiting on mutex 0x…" when a core told
	more_frames INTEGER NOT NULL,
	creator TEXT,
	creator_file TEXT,
	creator_line INTEGER,
	ncreators INTEGER,         -- NULL: no creator
	PRIMARY KEY (incident_id, ordinal)
) WITHOUT ROWID;

-- The frames of those groups as shown (cut at the report's frame limit); flags as frames.
CREATE TABLE report_frames (
	incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
	group_ordinal INTEGER NOT NULL,
	depth INTEGER NOT NULL,    -- 0 = innermost
	func TEXT,
	file TEXT,
	line INTEGER NOT NULL,
	flags INTEGER NOT NULL,
	PRIMARY KEY (incident_id, group_ordinal, depth)
) WITHOUT ROWID;

-- The flame graph's tree: node 0 is all goroutines, each other node a function under its
-- parent (an earlier node), count the goroutines whose stacks pass through it.
CREATE TABLE report_flame (
	incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
	node INTEGER NOT NULL,
	parent INTEGER NOT NULL,
	func TEXT,
	count INTEGER NOT NULL,
	PRIMARY KEY (incident_id, node)
) WITHOUT ROWID;

-- Goroutines per state, most first.
CREATE TABLE report_states (
	incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
	ordinal INTEGER NOT NULL,
	state TEXT,
	count INTEGER NOT NULL,
	PRIMARY KEY (incident_id, ordinal)
) WITHOUT ROWID;

-- The heap types of a core's analysis also get what they retain (NULL where unknown), so
-- `gopm diff #A #B` compares retention too.
ALTER TABLE heap_types ADD COLUMN retained INTEGER;
