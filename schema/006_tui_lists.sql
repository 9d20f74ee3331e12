-- gopm incident archive, schema version 6: what gopm tui's lists and previews read instead
-- of the rows. An incidents list of 100,000 rows is searched in its order over one index
-- that holds each row's shown text; a group of 500,000 goroutines is counted and searched
-- over an index of its own; a cluster's builds are ordered without reading the incidents.
-- Nothing here depends on schema 5: it applies after whatever migration came before it.

-- The text an incidents list shows for a row, lowered (SQLite's ASCII lower, as the list's
-- search folds case): time (UTC, to the minute), executable base name, Go version and
-- headline, separated by char(31) so a search never matches across two cells. Kept by the
-- triggers below; gopm tui's / reads it from incidents_list_text, never the row.
ALTER TABLE incidents ADD COLUMN list_text TEXT;

CREATE TRIGGER incidents_list_text_insert AFTER INSERT ON incidents BEGIN
	UPDATE incidents SET list_text = lower(strftime('%Y-%m-%d %H:%M', time, 'unixepoch') ||
	  char(31) || substr(coalesce(exe, '-'), length(rtrim(coalesce(exe, '-'),
	  replace(coalesce(exe, '-'), '/', ''))) + 1) || char(31) || coalesce(go_version, '-') ||
	  char(31) || headline) WHERE id = new.id;
END;

CREATE TRIGGER incidents_list_text_update AFTER UPDATE OF time, exe, go_version, headline
ON incidents BEGIN
	UPDATE incidents SET list_text = lower(strftime('%Y-%m-%d %H:%M', time, 'unixepoch') ||
	  char(31) || substr(coalesce(exe, '-'), length(rtrim(coalesce(exe, '-'),
	  replace(coalesce(exe, '-'), '/', ''))) + 1) || char(31) || coalesce(go_version, '-') ||
	  char(31) || headline) WHERE id = new.id;
END;

UPDATE incidents SET list_text = lower(strftime('%Y-%m-%d %H:%M', time, 'unixepoch') ||
  char(31) || substr(coalesce(exe, '-'), length(rtrim(coalesce(exe, '-'),
  replace(coalesce(exe, '-'), '/', ''))) + 1) || char(31) || coalesce(go_version, '-') ||
  char(31) || headline);

-- The incidents list in its natural order (time, then id) with everything its pages, its
-- filters and its search read: a page, a count and a search scan this index only. It
-- replaces schema 4's incidents_list, whose order did not end in the id.
DROP INDEX IF EXISTS incidents_list;
CREATE INDEX incidents_list_text ON incidents (time, id, list_text, exe, go_version,
                                               headline_rule, kind, headline);

-- A group's goroutines in the dump's order (id, the rowid, right after the group) with the
-- cells the list shows and searches: Enter on a group of 500,000 counts this index's range,
-- a page or a search starts at a goroutine's id in it.
CREATE INDEX goroutines_group ON goroutines (incident_id, group_ordinal, id, state,
                                             wait_minutes, stack_id, goid);

-- Builds ordered by vcs.time, else their first incident (the workflow's "first build" and
-- "regressed"): from this index alone instead of every incident's row.
CREATE INDEX incidents_build_keys ON incidents (build, vcs_time, time);
