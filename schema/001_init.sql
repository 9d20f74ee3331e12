-- gopm incident archive, schema version 1: incidents, their artifacts, deduplicated
-- functions/files/stacks/frames, goroutines pointing to stacks, goroutine groups and
-- findings. Applied by src/store/store.c inside BEGIN IMMEDIATE; PRAGMA user_version is
-- set by the code after this script, never here.

-- Input files, identified by the SHA-256 of their bytes as given (a .zst stays a .zst).
CREATE TABLE artifacts (
	id INTEGER PRIMARY KEY,
	sha256 TEXT NOT NULL UNIQUE,
	path TEXT,                 -- as named at ingest (informational)
	size INTEGER NOT NULL,
	kind TEXT NOT NULL,        -- core, dump, pprof-debug1, pprof-debug2, heapdump, unknown
	kept TEXT,                 -- path of the kept copy relative to the artifact store, or NULL
	added INTEGER NOT NULL     -- unix seconds
);

-- One snapshot of a Go process. A file holding several dumps gives several incidents.
CREATE TABLE incidents (
	id INTEGER PRIMARY KEY,
	artifact_id INTEGER NOT NULL REFERENCES artifacts(id) ON DELETE CASCADE,
	snapshot INTEGER NOT NULL DEFAULT 0,
	time INTEGER NOT NULL,     -- snapshot time: from the input, else the file's mtime
	ingested INTEGER NOT NULL,
	host TEXT,
	kind TEXT NOT NULL,        -- input kind, as artifacts.kind
	exe TEXT,
	build_id TEXT,
	go_version TEXT,
	module TEXT,
	module_version TEXT,
	cmdline TEXT,
	pid INTEGER,
	fatal TEXT,                -- panic, throw, signal, quit, race, unknown; NULL none
	signal TEXT,               -- SIGSEGV ...
	message TEXT,              -- panic value or fatal error message
	headline TEXT NOT NULL,    -- the headline finding's title (or the crash message)
	headline_rule TEXT,        -- rule id of the headline finding, NULL when none
	goroutines INTEGER NOT NULL,
	report TEXT,               -- the report as analyze printed it, NULL when not given
	UNIQUE (artifact_id, snapshot)
);
CREATE INDEX incidents_time ON incidents (time);
CREATE INDEX incidents_exe ON incidents (exe);
CREATE INDEX incidents_go ON incidents (go_version);
CREATE INDEX incidents_rule ON incidents (headline_rule);

CREATE TABLE functions (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE
);

CREATE TABLE files (
	id INTEGER PRIMARY KEY,
	path TEXT NOT NULL UNIQUE
);

-- A sequence of frames, innermost first, stored once for all incidents. hash is the first
-- 64 bits of the SHA-256 of the frames' function, file, line and flags.
CREATE TABLE stacks (
	id INTEGER PRIMARY KEY,
	hash INTEGER NOT NULL UNIQUE,
	nframes INTEGER NOT NULL
);

CREATE TABLE frames (
	stack_id INTEGER NOT NULL REFERENCES stacks(id) ON DELETE CASCADE,
	depth INTEGER NOT NULL,    -- 0 = innermost
	function_id INTEGER NOT NULL REFERENCES functions(id),
	file_id INTEGER REFERENCES files(id),
	line INTEGER NOT NULL,
	flags INTEGER NOT NULL,    -- enum gpm_frame_flags
	PRIMARY KEY (stack_id, depth)
) WITHOUT ROWID;
CREATE INDEX frames_function ON frames (function_id);

CREATE TABLE goroutines (
	id INTEGER PRIMARY KEY,
	incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
	goid INTEGER NOT NULL,
	status INTEGER NOT NULL,   -- enum gpm_gstatus
	state TEXT,
	wait_minutes INTEGER,
	flags INTEGER NOT NULL,    -- enum gpm_goroutine_flags
	stack_id INTEGER REFERENCES stacks(id),
	created_by INTEGER REFERENCES functions(id),
	group_ordinal INTEGER      -- groups.ordinal within the incident
);
CREATE INDEX goroutines_incident ON goroutines (incident_id);
CREATE INDEX goroutines_stack ON goroutines (stack_id);

-- Goroutines of one incident waiting in the same place (src/model/group.h, level no-args).
CREATE TABLE groups (
	incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
	ordinal INTEGER NOT NULL,  -- 0 = largest
	signature INTEGER NOT NULL,
	count INTEGER NOT NULL,
	state TEXT,
	stack_id INTEGER REFERENCES stacks(id),
	min_wait INTEGER,
	max_wait INTEGER,
	PRIMARY KEY (incident_id, ordinal)
) WITHOUT ROWID;

-- Root-cause findings of the analysis; evidence is a JSON document.
CREATE TABLE findings (
	id INTEGER PRIMARY KEY,
	incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
	ordinal INTEGER NOT NULL,  -- 0 = headline
	rule TEXT NOT NULL,
	severity TEXT NOT NULL,    -- critical, error, warning, info
	title TEXT NOT NULL,
	explanation TEXT,
	evidence TEXT CHECK (evidence IS NULL OR json_valid(evidence)),
	UNIQUE (incident_id, ordinal)
);
CREATE INDEX findings_rule ON findings (rule);
