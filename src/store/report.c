/*
 * Writing and reading the stored report (report.h). Writing runs inside the ingest's
 * transaction; reading is a handful of fixed SELECTs, one per table, in the report's order.
 */
#include "store/report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

static struct gpm_error *prepare(struct gpm_store *st, const char *sql, sqlite3_stmt **out)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, out, NULL);
	return rc == SQLITE_OK ? NULL : gpm_store_sqlite_error(st, rc, "stored report");
}

static struct gpm_error *step_done(struct gpm_store *st, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? NULL : gpm_store_sqlite_error(st, rc, "stored report");
}

static int64_t clamp(uint64_t v)
{
	return v > INT64_MAX ? INT64_MAX : (int64_t)v;
}

static struct gpm_error *write_head(struct gpm_store *st, int64_t id,
                                    const struct gpm_report_doc *doc)
{
	sqlite3_stmt *s;
	struct gpm_error *err = prepare(
	    st,
	    st->version >= 8
	        ? "INSERT INTO reports (incident_id, source_name, goroutines, system, ngroups, "
	          "level, heap_known, heap_bytes, heap_objects, heap_inuse, flame_capped, "
	          "shown_groups) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
	        : "INSERT INTO reports (incident_id, source_name, goroutines, system, ngroups, "
	          "level, heap_known, heap_bytes, heap_objects, heap_inuse, flame_capped) VALUES "
	          "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	    &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, id);
	gpm_store_bind_text(s, 2, doc->source_name);
	sqlite3_bind_int64(s, 3, clamp(doc->goroutines));
	sqlite3_bind_int64(s, 4, clamp(doc->system));
	sqlite3_bind_int64(s, 5, clamp(doc->ngroups));
	gpm_store_bind_text(s, 6, doc->level ? doc->level : "");
	sqlite3_bind_int(s, 7, doc->heap_known);
	if (doc->heap_known) {
		sqlite3_bind_int64(s, 8, clamp(doc->heap_bytes));
		sqlite3_bind_int64(s, 9, clamp(doc->heap_objects));
		sqlite3_bind_int64(s, 10, clamp(doc->heap_inuse));
	}
	sqlite3_bind_int(s, 11, doc->flame_capped);
	if (st->version >= 8)
		sqlite3_bind_int64(s, 12, clamp(doc->shown_groups));
	err = step_done(st, s);
	sqlite3_finalize(s);
	return err;
}

static struct gpm_error *write_lists(struct gpm_store *st, int64_t id,
                                     const struct gpm_report_doc *doc)
{
	sqlite3_stmt *s;
	struct gpm_error *err =
	    prepare(st,
	            "INSERT INTO report_facts (incident_id, ordinal, key, value) "
	            "VALUES (?1, ?2, ?3, ?4)",
	            &s);
	for (size_t i = 0; !err && i < doc->facts.len; i++) {
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, (int64_t)i);
		gpm_store_bind_text(s, 3, doc->facts.v[i].key);
		gpm_store_bind_text(s, 4, doc->facts.v[i].value ? doc->facts.v[i].value : "");
		err = step_done(st, s);
	}
	sqlite3_finalize(s);
	if (err ||
	    (err = prepare(st,
	                   "INSERT INTO report_holders (incident_id, ordinal, bytes, objects, "
	                   "what, path) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	                   &s)))
		return err;
	for (size_t i = 0; !err && i < doc->holders.len; i++) {
		const struct gpm_report_dholder *h = &doc->holders.v[i];
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, (int64_t)i);
		sqlite3_bind_int64(s, 3, clamp(h->bytes));
		sqlite3_bind_int64(s, 4, clamp(h->objects));
		gpm_store_bind_text(s, 5, h->what ? h->what : "?");
		gpm_store_bind_text(s, 6, h->path);
		err = step_done(st, s);
	}
	sqlite3_finalize(s);
	if (err ||
	    (err = prepare(st,
	                   "INSERT INTO report_flame (incident_id, node, parent, func, count) "
	                   "VALUES (?1, ?2, ?3, ?4, ?5)",
	                   &s)))
		return err;
	for (size_t i = 0; !err && i < doc->flame.len; i++) {
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, (int64_t)i);
		sqlite3_bind_int64(s, 3, doc->flame.v[i].parent);
		gpm_store_bind_text(s, 4, doc->flame.v[i].func);
		sqlite3_bind_int64(s, 5, clamp(doc->flame.v[i].count));
		err = step_done(st, s);
	}
	sqlite3_finalize(s);
	if (err || (err = prepare(st,
	                          "INSERT INTO report_states (incident_id, ordinal, state, count) "
	                          "VALUES (?1, ?2, ?3, ?4)",
	                          &s)))
		return err;
	for (size_t i = 0; !err && i < doc->states.len; i++) {
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, (int64_t)i);
		gpm_store_bind_text(s, 3, doc->states.v[i].state);
		sqlite3_bind_int64(s, 4, clamp(doc->states.v[i].count));
		err = step_done(st, s);
	}
	sqlite3_finalize(s);
	return err;
}

static struct gpm_error *write_groups(struct gpm_store *st, int64_t id,
                                      const struct gpm_report_doc *doc)
{
	sqlite3_stmt *s, *fs = NULL;
	struct gpm_error *err = prepare(
	    st,
	    "INSERT INTO report_groups (incident_id, ordinal, count, state, min_minutes, "
	    "max_minutes, min_id, max_id, ids, no_ids, top, rule, rule_severity, flagged, wait, "
	    "more_frames, creator, creator_file, creator_line, ncreators) VALUES (?1, ?2, ?3, ?4, "
	    "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
	    &s);
	if (err)
		return err;
	if ((err = prepare(st,
	                   "INSERT INTO report_frames (incident_id, group_ordinal, depth, func, "
	                   "file, line, flags) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	                   &fs))) {
		sqlite3_finalize(s);
		return err;
	}
	for (size_t i = 0; !err && i < doc->groups.len; i++) {
		const struct gpm_report_dgroup *g = &doc->groups.v[i];
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, (int64_t)i);
		sqlite3_bind_int64(s, 3, clamp(g->count));
		gpm_store_bind_text(s, 4, g->state);
		sqlite3_bind_int64(s, 5, g->min_minutes);
		sqlite3_bind_int64(s, 6, g->max_minutes);
		sqlite3_bind_int64(s, 7, clamp(g->min_id));
		sqlite3_bind_int64(s, 8, clamp(g->max_id));
		gpm_store_bind_text(s, 9, g->ids);
		sqlite3_bind_int(s, 10, g->no_ids);
		gpm_store_bind_text(s, 11, g->top);
		gpm_store_bind_text(s, 12, g->rule);
		gpm_store_bind_text(s, 13, g->rule ? gpm_severity_name(g->rule_severity) : NULL);
		sqlite3_bind_int(s, 14, g->flagged);
		gpm_store_bind_text(s, 15, g->wait);
		sqlite3_bind_int64(s, 16, clamp(g->more_frames));
		if (g->has_creator) {
			gpm_store_bind_text(s, 17, g->creator);
			gpm_store_bind_text(s, 18, g->creator_file);
			sqlite3_bind_int64(s, 19, g->creator_line);
			sqlite3_bind_int64(s, 20, g->ncreators);
		} else {
			for (int k = 17; k <= 20; k++)
				sqlite3_bind_null(s, k);
		}
		err = step_done(st, s);
		const struct gpm_report_dframe *f = g->nframes ? doc->frames.v + g->frame : NULL;
		for (size_t k = 0; !err && k < g->nframes; k++) {
			sqlite3_bind_int64(fs, 1, id);
			sqlite3_bind_int64(fs, 2, (int64_t)i);
			sqlite3_bind_int64(fs, 3, (int64_t)k);
			gpm_store_bind_text(fs, 4, f[k].func);
			gpm_store_bind_text(fs, 5, f[k].file);
			sqlite3_bind_int64(fs, 6, f[k].line);
			sqlite3_bind_int64(fs, 7, f[k].flags);
			err = step_done(st, fs);
		}
	}
	sqlite3_finalize(fs);
	sqlite3_finalize(s);
	return err;
}

struct gpm_error *gpm_store_report_write(struct gpm_store *st, int64_t incident_id,
                                         const struct gpm_report_doc *doc)
{
	struct gpm_error *err = write_head(st, incident_id, doc);
	if (!err)
		err = write_lists(st, incident_id, doc);
	if (!err)
		err = write_groups(st, incident_id, doc);
	return err;
}

/* ---- reading ---- */

static const char *text(struct gpm_report_doc *doc, sqlite3_stmt *s, int col)
{
	return gpm_report_doc_str(doc, (const char *)sqlite3_column_text(s, col));
}

static uint64_t u64(sqlite3_stmt *s, int col)
{
	int64_t v = sqlite3_column_int64(s, col);
	return v < 0 ? 0 : (uint64_t)v;
}

/* Runs s (bound to the incident as ?1) and calls row for each result row. */
static struct gpm_error *each_row(struct gpm_store *st, struct gpm_report_doc *doc, int64_t id,
                                  const char *sql,
                                  bool (*row)(struct gpm_report_doc *, sqlite3_stmt *))
{
	sqlite3_stmt *s;
	struct gpm_error *err = prepare(st, sql, &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, id);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (!row(doc, s)) {
			doc->oom = true;
			break;
		}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = gpm_store_sqlite_error(st, rc, "stored report");
	sqlite3_finalize(s);
	if (!err && doc->oom)
		err = &gpm_error_nomem;
	return err;
}

static bool finding_row(struct gpm_report_doc *doc, sqlite3_stmt *s)
{
	struct gpm_report_dfinding *f = gpm_vec_push(&doc->findings);
	if (!f)
		return false;
	f->rule = text(doc, s, 0);
	f->severity = gpm_report_severity_parse((const char *)sqlite3_column_text(s, 1));
	f->title = text(doc, s, 2);
	f->explanation = text(doc, s, 3);
	f->next = text(doc, s, 4);
	f->source = gpm_report_source_words(f->rule, (const char *)sqlite3_column_text(s, 5));
	f->evidence = doc->evidence.len;
	return true;
}

static bool fact_row(struct gpm_report_doc *doc, sqlite3_stmt *s)
{
	struct gpm_report_kv *kv = gpm_vec_push(&doc->facts);
	if (!kv)
		return false;
	kv->key = text(doc, s, 0);
	kv->value = text(doc, s, 1);
	return true;
}

static bool holder_row(struct gpm_report_doc *doc, sqlite3_stmt *s)
{
	struct gpm_report_dholder *h = gpm_vec_push(&doc->holders);
	if (!h)
		return false;
	h->bytes = u64(s, 0);
	h->objects = u64(s, 1);
	h->what = text(doc, s, 2);
	h->path = text(doc, s, 3);
	return true;
}

static bool flame_row(struct gpm_report_doc *doc, sqlite3_stmt *s)
{
	struct gpm_report_fnode *n = gpm_vec_push(&doc->flame);
	if (!n)
		return false;
	int64_t p = sqlite3_column_int64(s, 0);
	n->parent = p < 0 || p > UINT32_MAX ? UINT32_MAX : (uint32_t)p;
	n->func = text(doc, s, 1);
	n->count = u64(s, 2);
	return true;
}

static bool state_row(struct gpm_report_doc *doc, sqlite3_stmt *s)
{
	struct gpm_report_dstate *st = gpm_vec_push(&doc->states);
	if (!st)
		return false;
	st->state = text(doc, s, 0);
	st->count = u64(s, 1);
	return true;
}

// Columns of a group row, the same from report_groups and from an old archive's groups.
static bool group_row(struct gpm_report_doc *doc, sqlite3_stmt *s)
{
	struct gpm_report_dgroup *g = gpm_vec_push(&doc->groups);
	if (!g)
		return false;
	g->count = u64(s, 0);
	g->state = text(doc, s, 1);
	g->min_minutes = sqlite3_column_int64(s, 2);
	g->max_minutes = sqlite3_column_int64(s, 3);
	g->min_id = u64(s, 4);
	g->max_id = u64(s, 5);
	g->ids = text(doc, s, 6);
	g->no_ids = sqlite3_column_int(s, 7);
	g->top = text(doc, s, 8);
	g->rule = text(doc, s, 9);
	g->rule_severity = gpm_report_severity_parse((const char *)sqlite3_column_text(s, 10));
	g->flagged = sqlite3_column_int(s, 11);
	g->wait = text(doc, s, 12);
	g->more_frames = u64(s, 13);
	g->has_creator = sqlite3_column_type(s, 17) != SQLITE_NULL;
	g->creator = text(doc, s, 14);
	g->creator_file = text(doc, s, 15);
	g->creator_line = (uint32_t)sqlite3_column_int64(s, 16);
	g->ncreators = (uint32_t)sqlite3_column_int64(s, 17);
	g->frame = doc->frames.len;
	return true;
}

static bool frame_row(struct gpm_report_doc *doc, sqlite3_stmt *s)
{
	struct gpm_report_dframe *f = gpm_vec_push(&doc->frames);
	if (!f)
		return false;
	f->func = text(doc, s, 0);
	f->file = text(doc, s, 1);
	f->line = (uint32_t)sqlite3_column_int64(s, 2);
	f->flags = (uint32_t)sqlite3_column_int64(s, 3);
	return true;
}

/* Frames of the last group read: sql binds ?1 the incident and ?2 the group. */
static struct gpm_error *group_frames(struct gpm_store *st, struct gpm_report_doc *doc, int64_t id,
                                      int64_t ordinal, const char *sql)
{
	sqlite3_stmt *s;
	struct gpm_error *err = prepare(st, sql, &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, ordinal);
	struct gpm_report_dgroup *g = &doc->groups.v[doc->groups.len - 1];
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!frame_row(doc, s)) {
			err = &gpm_error_nomem;
			break;
		}
		g->nframes++;
	}
	if (!err && rc != SQLITE_DONE)
		err = gpm_store_sqlite_error(st, rc, "stored report");
	sqlite3_finalize(s);
	return err;
}

static const char sql_findings[] =
    "SELECT rule, severity, title, explanation, json_extract(evidence, '$.next'), "
    "json_extract(evidence, '$.confidence') FROM findings WHERE incident_id = ?1 "
    "ORDER BY ordinal";
static const char sql_evidence[] =
    "SELECT json_extract(e.value, '$[0]'), json_extract(e.value, '$[1]') FROM findings f, "
    "json_each(f.evidence, '$.evidence') e WHERE f.incident_id = ?1 AND f.ordinal = ?2 "
    "AND json_valid(f.evidence) ORDER BY e.key";

static struct gpm_error *read_findings(struct gpm_store *st, int64_t id, struct gpm_report_doc *doc)
{
	struct gpm_error *err = each_row(st, doc, id, sql_findings, finding_row);
	sqlite3_stmt *s = NULL;
	if (!err)
		err = prepare(st, sql_evidence, &s);
	for (size_t i = 0; !err && i < doc->findings.len; i++) {
		doc->findings.v[i].evidence = doc->evidence.len;
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, (int64_t)i);
		int rc;
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			struct gpm_report_kv *kv = gpm_vec_push(&doc->evidence);
			if (!kv) {
				err = &gpm_error_nomem;
				break;
			}
			kv->key = text(doc, s, 0);
			kv->value = text(doc, s, 1);
			doc->findings.v[i].nevidence++;
		}
		if (!err && rc != SQLITE_DONE)
			err = gpm_store_sqlite_error(st, rc, "stored report");
	}
	sqlite3_finalize(s);
	return err;
}

static struct gpm_error *read_groups(struct gpm_store *st, int64_t id, struct gpm_report_doc *doc,
                                     const char *groups_sql, const char *frames_sql)
{
	sqlite3_stmt *s;
	struct gpm_error *err = prepare(st, groups_sql, &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, id);
	int rc;
	while (!err && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t ordinal = sqlite3_column_int64(s, 18);
		if (!group_row(doc, s))
			err = &gpm_error_nomem;
		else
			err = group_frames(st, doc, id, ordinal, frames_sql);
	}
	if (!err && rc != SQLITE_DONE)
		err = gpm_store_sqlite_error(st, rc, "stored report");
	sqlite3_finalize(s);
	return err;
}

static struct gpm_error *read_stored(struct gpm_store *st, int64_t id, struct gpm_report_doc *doc)
{
	struct gpm_error *err = read_findings(st, id, doc);
	if (!err)
		err =
		    each_row(st, doc, id,
		             "SELECT key, value FROM report_facts WHERE incident_id = ?1 ORDER BY "
		             "ordinal",
		             fact_row);
	if (!err)
		err = each_row(st, doc, id,
		               "SELECT bytes, objects, what, path FROM report_holders WHERE "
		               "incident_id = ?1 ORDER BY ordinal",
		               holder_row);
	if (!err)
		err = read_groups(
		    st, id, doc,
		    "SELECT count, state, min_minutes, max_minutes, min_id, max_id, ids, no_ids, "
		    "top, "
		    "rule, rule_severity, flagged, wait, more_frames, creator, creator_file, "
		    "creator_line, ncreators, ordinal FROM report_groups WHERE incident_id = ?1 "
		    "ORDER "
		    "BY ordinal",
		    "SELECT func, file, line, flags FROM report_frames WHERE incident_id = ?1 AND "
		    "group_ordinal = ?2 ORDER BY depth");
	if (!err)
		err =
		    each_row(st, doc, id,
		             "SELECT parent, func, count FROM report_flame WHERE incident_id = ?1 "
		             "ORDER BY node",
		             flame_row);
	if (!err && !gpm_report_doc_link_flame(doc))
		err = gpm_error_create(GPM_ERR_FORMAT, "incident %" PRId64 ": a broken flame graph",
		                       id);
	if (!err)
		err = each_row(
		    st, doc, id,
		    "SELECT state, count FROM report_states WHERE incident_id = ?1 ORDER BY "
		    "ordinal",
		    state_row);
	return err;
}

/*
 * An incident without a stored report: its findings, facts from the incidents row, its 12
 * largest groups (as the archive grouped them) with 16 frames each, the states of its
 * goroutines and the heap summary.
 */
static const char sql_old_facts[] =
    "SELECT k, v FROM (SELECT 1 AS o, 'input' AS k, CASE i.kind WHEN 'core' THEN 'core dump' "
    "WHEN 'dump' THEN 'goroutine dump (text)' WHEN 'pprof-debug1' THEN 'goroutine profile "
    "(debug=1)' WHEN 'pprof-debug2' THEN 'goroutine profile (debug=2)' WHEN 'heapdump' THEN "
    "'heap dump' ELSE i.kind END AS v FROM incidents i WHERE i.id = ?1 "
    "UNION ALL SELECT 2, 'file', a.path FROM incidents i JOIN artifacts a ON a.id = "
    "i.artifact_id WHERE i.id = ?1 "
    "UNION ALL SELECT 3, 'go', go_version FROM incidents WHERE id = ?1 "
    "UNION ALL SELECT 4, 'module', module FROM incidents WHERE id = ?1 "
    "UNION ALL SELECT 5, 'executable', exe FROM incidents WHERE id = ?1 "
    "UNION ALL SELECT 6, 'command', cmdline FROM incidents WHERE id = ?1 "
    "UNION ALL SELECT 7, 'pid', CASE WHEN pid >= 0 THEN pid END FROM incidents WHERE id = ?1 "
    "UNION ALL SELECT 8, 'signal', signal FROM incidents WHERE id = ?1 "
    "UNION ALL SELECT 9, 'goroutines', goroutines || ', ' || (SELECT count(*) FROM groups "
    "WHERE incident_id = ?1) || ' groups' FROM incidents WHERE id = ?1) "
    "WHERE v IS NOT NULL ORDER BY o";

static const char sql_old_groups[] =
    "SELECT g.count, g.state, coalesce(g.min_wait, -1), coalesce(g.max_wait, -1), "
    "(SELECT min(goid) FROM goroutines WHERE incident_id = ?1 AND group_ordinal = g.ordinal), "
    "(SELECT max(goid) FROM goroutines WHERE incident_id = ?1 AND group_ordinal = g.ordinal), "
    "CASE WHEN g.count <= 6 THEN (SELECT group_concat(goid, ', ') FROM (SELECT goid FROM "
    "goroutines WHERE incident_id = ?1 AND group_ordinal = g.ordinal ORDER BY goid)) END, 0, "
    "NULL, NULL, NULL, 0, NULL, max(coalesce(st.nframes, 0) - 16, 0), "
    "(SELECT fn.name FROM goroutines x JOIN functions fn ON fn.id = x.created_by WHERE "
    "x.incident_id = ?1 AND x.group_ordinal = g.ordinal LIMIT 1), NULL, 0, "
    "CASE WHEN EXISTS (SELECT 1 FROM goroutines x WHERE x.incident_id = ?1 AND "
    "x.group_ordinal = g.ordinal AND x.created_by IS NOT NULL) THEN 1 END, g.ordinal "
    "FROM groups g LEFT JOIN stacks st ON st.id = g.stack_id WHERE g.incident_id = ?1 "
    "ORDER BY g.ordinal LIMIT 12";

static const char sql_old_frames[] =
    "SELECT fn.name, fl.path, fr.line, fr.flags FROM groups g JOIN frames fr ON "
    "fr.stack_id = g.stack_id JOIN functions fn ON fn.id = fr.function_id LEFT JOIN files fl "
    "ON fl.id = fr.file_id WHERE g.incident_id = ?1 AND g.ordinal = ?2 ORDER BY fr.depth "
    "LIMIT 16";

static bool old_head_row(struct gpm_report_doc *doc, sqlite3_stmt *s)
{
	doc->source_name = text(doc, s, 0);
	doc->goroutines = u64(s, 1);
	doc->ngroups = u64(s, 2);
	doc->heap_known = sqlite3_column_type(s, 3) != SQLITE_NULL;
	doc->heap_bytes = u64(s, 3);
	doc->heap_objects = u64(s, 4);
	return true;
}

static struct gpm_error *read_old(struct gpm_store *st, int64_t id, struct gpm_report_doc *doc)
{
	doc->level = "ignoring argument values";
	struct gpm_error *err = each_row(
	    st, doc, id,
	    "SELECT a.path, i.goroutines, (SELECT count(*) FROM groups WHERE incident_id = ?1), "
	    "h.bytes, h.objects FROM incidents i JOIN artifacts a ON a.id = i.artifact_id LEFT "
	    "JOIN heap_summaries h ON h.incident_id = i.id WHERE i.id = ?1",
	    old_head_row);
	if (!err)
		err = read_findings(st, id, doc);
	if (!err)
		err = each_row(st, doc, id, sql_old_facts, fact_row);
	if (!err)
		err = read_groups(st, id, doc, sql_old_groups, sql_old_frames);
	if (!err)
		err = each_row(st, doc, id,
		               "SELECT coalesce(state, '?'), count(*) FROM goroutines WHERE "
		               "incident_id = ?1 GROUP BY 1 ORDER BY 2 DESC, 1",
		               state_row);
	return err;
}

struct gpm_error *gpm_store_report_read(struct gpm_store *st, int64_t id,
                                        struct gpm_report_doc *doc, const char **missing)
{
	memset(doc, 0, sizeof(*doc));
	*missing = NULL;
	sqlite3_stmt *s;
	bool stored = st->version >= 5;
	struct gpm_error *err = prepare(
	    st,
	    !stored            ? "SELECT (SELECT 1 FROM incidents WHERE id = ?1)"
	    : st->version >= 8 ? "SELECT (SELECT 1 FROM incidents WHERE id = ?1), "
	                         "source_name, goroutines, system, ngroups, level, "
	                         "heap_known, heap_bytes, heap_objects, heap_inuse, "
	                         "flame_capped, shown_groups FROM (SELECT 1) LEFT JOIN reports "
	                         "ON incident_id = ?1"
	                       : "SELECT (SELECT 1 FROM incidents WHERE id = ?1), "
	                         "source_name, goroutines, system, ngroups, level, "
	                         "heap_known, heap_bytes, heap_objects, heap_inuse, "
	                         "flame_capped, NULL FROM (SELECT 1) LEFT JOIN reports "
	                         "ON incident_id = ?1",
	    &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		err = gpm_store_sqlite_error(st, rc, "stored report");
	} else if (sqlite3_column_type(s, 0) == SQLITE_NULL) {
		err = gpm_error_create(GPM_ERR_NOT_FOUND, "no incident %" PRId64, id);
	} else if (stored && sqlite3_column_type(s, 5) != SQLITE_NULL) {
		doc->source_name = text(doc, s, 1);
		doc->goroutines = u64(s, 2);
		doc->system = u64(s, 3);
		doc->ngroups = u64(s, 4);
		doc->level = text(doc, s, 5);
		doc->heap_known = sqlite3_column_int(s, 6);
		doc->heap_bytes = u64(s, 7);
		doc->heap_objects = u64(s, 8);
		doc->heap_inuse = u64(s, 9);
		doc->flame_capped = sqlite3_column_int(s, 10);
		doc->shown_groups = u64(s, 11);
	} else {
		stored = false;
	}
	sqlite3_finalize(s);
	if (err)
		return err;
	if (stored)
		return read_stored(st, id, doc);
	*missing = "the process's signal facts and warnings, the report's group order, creator "
	           "lines, waited-on objects, heap holders and the flame graph";
	return read_old(st, id, doc);
}
