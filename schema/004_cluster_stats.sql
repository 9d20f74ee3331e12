-- gopm incident archive, schema version 4: per-cluster counts kept up to date by triggers,
-- so the clusters list (gopm tui, gopm clusters) reads one row per cluster instead of
-- aggregating every incident; and an index the incidents list reads instead of the rows.

-- One row per cluster with incidents: how many, first and last seen, the newest incident.
CREATE TABLE cluster_stats (
	cluster INTEGER PRIMARY KEY,
	algorithm INTEGER NOT NULL,
	count INTEGER NOT NULL,
	first INTEGER NOT NULL,    -- min(incidents.time)
	last INTEGER NOT NULL,     -- max(incidents.time)
	last_id INTEGER NOT NULL   -- max(incidents.id): the newest stored
);
CREATE INDEX cluster_stats_count ON cluster_stats (algorithm, count);

-- The builds of a cluster (coalesce(build_id, exe, '')) with their incident counts: the
-- cluster's number of builds is its row count here.
CREATE TABLE cluster_builds (
	cluster INTEGER NOT NULL,
	build TEXT NOT NULL,
	count INTEGER NOT NULL,
	PRIMARY KEY (cluster, build)
) WITHOUT ROWID;

-- A new incident signature: counted into its signature's cluster (when it has one yet).
CREATE TRIGGER cluster_stats_incsig_insert AFTER INSERT ON incident_signatures
WHEN (SELECT cluster_id FROM signatures WHERE id = new.signature_id) IS NOT NULL BEGIN
	INSERT INTO cluster_stats (cluster, algorithm, count, first, last, last_id)
	SELECT s.cluster_id, new.algorithm, 1, i.time, i.time, i.id
	  FROM signatures s, incidents i WHERE s.id = new.signature_id AND i.id = new.incident_id
	ON CONFLICT (cluster) DO UPDATE SET count = count + 1, first = min(first, excluded.first),
	  last = max(last, excluded.last), last_id = max(last_id, excluded.last_id);
	INSERT INTO cluster_builds (cluster, build, count)
	SELECT s.cluster_id, coalesce(i.build_id, i.exe, ''), 1
	  FROM signatures s, incidents i WHERE s.id = new.signature_id AND i.id = new.incident_id
	ON CONFLICT (cluster, build) DO UPDATE SET count = count + 1;
END;

-- Anything else (an incident deleted or re-signed, a signature moved to another cluster)
-- recomputes the clusters concerned from their incidents. The statements are the same in
-- each trigger, for the cluster ids of the trigger's old and new rows.
CREATE TRIGGER cluster_stats_incsig_delete AFTER DELETE ON incident_signatures BEGIN
	DELETE FROM cluster_stats WHERE cluster = (SELECT cluster_id FROM signatures
	                                           WHERE id = old.signature_id);
	DELETE FROM cluster_builds WHERE cluster = (SELECT cluster_id FROM signatures
	                                            WHERE id = old.signature_id);
	INSERT INTO cluster_stats (cluster, algorithm, count, first, last, last_id)
	SELECT s.cluster_id, min(x.algorithm), count(*), min(i.time), max(i.time), max(i.id)
	  FROM signatures s JOIN incident_signatures x ON x.signature_id = s.id
	  JOIN incidents i ON i.id = x.incident_id
	 WHERE s.cluster_id = (SELECT cluster_id FROM signatures WHERE id = old.signature_id)
	 GROUP BY s.cluster_id;
	INSERT INTO cluster_builds (cluster, build, count)
	SELECT s.cluster_id, coalesce(i.build_id, i.exe, ''), count(*)
	  FROM signatures s JOIN incident_signatures x ON x.signature_id = s.id
	  JOIN incidents i ON i.id = x.incident_id
	 WHERE s.cluster_id = (SELECT cluster_id FROM signatures WHERE id = old.signature_id)
	 GROUP BY 1, 2;
END;

CREATE TRIGGER cluster_stats_incsig_update
AFTER UPDATE OF signature_id, algorithm ON incident_signatures
WHEN old.signature_id IS NOT new.signature_id OR old.algorithm IS NOT new.algorithm BEGIN
	DELETE FROM cluster_stats WHERE cluster IN (SELECT cluster_id FROM signatures
	                                            WHERE id IN (old.signature_id, new.signature_id));
	DELETE FROM cluster_builds WHERE cluster IN (SELECT cluster_id FROM signatures
	                                             WHERE id IN (old.signature_id, new.signature_id));
	INSERT INTO cluster_stats (cluster, algorithm, count, first, last, last_id)
	SELECT s.cluster_id, min(x.algorithm), count(*), min(i.time), max(i.time), max(i.id)
	  FROM signatures s JOIN incident_signatures x ON x.signature_id = s.id
	  JOIN incidents i ON i.id = x.incident_id
	 WHERE s.cluster_id IN (SELECT cluster_id FROM signatures
	                        WHERE id IN (old.signature_id, new.signature_id))
	 GROUP BY s.cluster_id;
	INSERT INTO cluster_builds (cluster, build, count)
	SELECT s.cluster_id, coalesce(i.build_id, i.exe, ''), count(*)
	  FROM signatures s JOIN incident_signatures x ON x.signature_id = s.id
	  JOIN incidents i ON i.id = x.incident_id
	 WHERE s.cluster_id IN (SELECT cluster_id FROM signatures
	                        WHERE id IN (old.signature_id, new.signature_id))
	 GROUP BY 1, 2;
END;

CREATE TRIGGER cluster_stats_signature_update AFTER UPDATE OF cluster_id ON signatures
WHEN old.cluster_id IS NOT new.cluster_id BEGIN
	DELETE FROM cluster_stats WHERE cluster IN (old.cluster_id, new.cluster_id);
	DELETE FROM cluster_builds WHERE cluster IN (old.cluster_id, new.cluster_id);
	INSERT INTO cluster_stats (cluster, algorithm, count, first, last, last_id)
	SELECT s.cluster_id, min(x.algorithm), count(*), min(i.time), max(i.time), max(i.id)
	  FROM signatures s JOIN incident_signatures x ON x.signature_id = s.id
	  JOIN incidents i ON i.id = x.incident_id
	 WHERE s.cluster_id IN (old.cluster_id, new.cluster_id)
	 GROUP BY s.cluster_id;
	INSERT INTO cluster_builds (cluster, build, count)
	SELECT s.cluster_id, coalesce(i.build_id, i.exe, ''), count(*)
	  FROM signatures s JOIN incident_signatures x ON x.signature_id = s.id
	  JOIN incidents i ON i.id = x.incident_id
	 WHERE s.cluster_id IN (old.cluster_id, new.cluster_id)
	 GROUP BY 1, 2;
END;

-- Archives of schema 3 are counted now.
INSERT INTO cluster_stats (cluster, algorithm, count, first, last, last_id)
SELECT s.cluster_id, min(x.algorithm), count(*), min(i.time), max(i.time), max(i.id)
  FROM signatures s JOIN incident_signatures x ON x.signature_id = s.id
  JOIN incidents i ON i.id = x.incident_id
 WHERE s.cluster_id IS NOT NULL GROUP BY s.cluster_id;
INSERT INTO cluster_builds (cluster, build, count)
SELECT s.cluster_id, coalesce(i.build_id, i.exe, ''), count(*)
  FROM signatures s JOIN incident_signatures x ON x.signature_id = s.id
  JOIN incidents i ON i.id = x.incident_id
 WHERE s.cluster_id IS NOT NULL GROUP BY 1, 2;

-- The incidents list's columns beside its order (time, then id): the list's pages and its
-- search (a window over the whole list) read this index, not the incidents' rows with their
-- reports (a few KB each).
CREATE INDEX incidents_list ON incidents (time, exe, go_version, headline);
