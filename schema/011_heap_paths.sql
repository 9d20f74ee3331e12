-- gopm incident archive, schema version 11: what gopm tui's heap views and goroutine search
-- read. Why the heap's top types are alive (the shortest reference paths from a root that
-- `gopm heap` prints), kept when a core's heap is stored with its retention; and the
-- goroutines of a group by id, so a search for a goroutine id in a group of a million
-- rows reads the few rows whose id contains the digits instead of every row.

-- IF NOT EXISTS: an archive whose user_version was set back (tests/cli/identity-migrate.sh
-- makes a schema 6 archive so) runs this again over its tables.

-- One row per path the heap walk worked out, in its order: the top types by bytes, the
-- objects several roots share that retain most, the largest object.
CREATE TABLE IF NOT EXISTS heap_paths (
	incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
	ordinal INTEGER NOT NULL,
	why TEXT NOT NULL,         -- the type the path explains, or "the largest object"
	retained INTEGER,          -- a shared object's retained bytes; NULL: not one
	hops TEXT NOT NULL,        -- one hop a line, the root first, as gopm heap prints them
	PRIMARY KEY (incident_id, ordinal)
) WITHOUT ROWID;

-- A group's goroutines by id (the rowid follows: a hit's place in the dump's order). Keyed
-- by group first, so a query over an incident's goroutines in goroutine-id order (min and
-- max of a group's ids: the stored report) does not walk every id of the incident.
CREATE INDEX IF NOT EXISTS goroutines_goid ON goroutines (incident_id, group_ordinal, goid);
