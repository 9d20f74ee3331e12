/*
 * An archive incident as one snapshot of gopm diff (analysis/diff.h), for the CLI and the
 * TUI alike: the incident as the archive rebuilds it, the findings it was stored with (not
 * those an analysis of the rebuilt incident would name), its stored heap types with their
 * retained bytes, and what holds its heap.
 */
#include "ingest/ingest.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/heap.h"

/* The stored findings: rule, title and, for a finding that names a group, one of the
 * group's goroutines (the evidence JSON of gpm_ingest_store_incident). */
static struct gpm_error *stored_findings(struct gpm_ingest_stored *o, struct gpm_store *st,
                                         int64_t id)
{
	struct gpm_error *err = gpm_store_incident_findings(st, id, &o->findings_table);
	if (err)
		return err;
	const struct gpm_store_table *t = &o->findings_table;
	if (!(o->findings = calloc(t->nrows + 1, sizeof(*o->findings))))
		return &gpm_error_nomem;
	for (size_t r = 0; r < t->nrows; r++) {
		struct gpm_diff_given_finding *g = &o->findings[o->nfindings++];
		g->rule = gpm_store_cell(t, r, 0);
		g->title = gpm_store_cell(t, r, 2);
		const char *ev = gpm_store_cell(t, r, 4);
		json_error_t jerr;
		json_t *j = ev ? json_loads(ev, 0, &jerr) : NULL;
		json_t *group = json_object_get(j, "group");
		json_t *first = json_array_get(json_object_get(j, "goroutines"), 0);
		if (json_is_integer(group) && json_integer_value(group) >= 0 &&
		    json_is_integer(first) && json_integer_value(first) > 0)
			g->goroutine = (uint64_t)json_integer_value(first);
		json_decref(j);
	}
	return NULL;
}

/* The heap types the archive stored (analyze or heap --store of a core), and the holders. */
static struct gpm_error *stored_heap(struct gpm_ingest_stored *o, struct gpm_store *st, int64_t id)
{
	bool known;
	struct gpm_error *err = gpm_store_incident_heap_types(st, id, &known, &o->heap_table);
	// A heap summary without types (ingest stores the size only): the types are not known.
	if (err || !known || !o->heap_table.nrows)
		return err;
	const struct gpm_store_table *t = &o->heap_table;
	if (!(o->rows = calloc(t->nrows ? t->nrows : 1, sizeof(*o->rows))))
		return &gpm_error_nomem;
	for (size_t r = 0; r < t->nrows; r++) {
		const char *name = gpm_store_cell(t, r, 0), *c = gpm_store_cell(t, r, 1),
		           *b = gpm_store_cell(t, r, 2), *ret = gpm_store_cell(t, r, 3);
		// Retention known: a stored type has its retained bytes (the untyped row never).
		o->has_retained = o->has_retained || ret;
		o->rows[o->nrows++] = (struct gpm_diff_heap_row){
		    name ? name : "?", c ? strtoull(c, NULL, 10) : 0, b ? strtoull(b, NULL, 10) : 0,
		    ret ? strtoull(ret, NULL, 10) : 0};
	}
	o->has_heap = true;
	if (!o->has_retained)
		return NULL;
	if ((err = gpm_store_incident_heap_holders(st, id, &o->holders_table)))
		return err;
	t = &o->holders_table;
	for (size_t r = 0; r < t->nrows && o->nretainers < GPM_INGEST_RETAINERS; r++) {
		const char *w = gpm_store_cell(t, r, 0), *c = gpm_store_cell(t, r, 1),
		           *b = gpm_store_cell(t, r, 2);
		o->retainers[o->nretainers++] = (struct gpm_diff_retainer){
		    w ? w : "?", c ? strtoull(c, NULL, 10) : 0, b ? strtoull(b, NULL, 10) : 0};
	}
	return NULL;
}

struct gpm_error *gpm_ingest_stored_load(struct gpm_store *st, int64_t id,
                                         struct gpm_ingest_stored *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->label, sizeof(out->label), "#%lld", (long long)id);
	struct gpm_error *err = gpm_store_load_incident(st, id, &out->inc);
	if (!err)
		err = stored_findings(out, st, id);
	if (!err)
		err = stored_heap(out, st, id);
	return err;
}

struct gpm_diff_input gpm_ingest_stored_input(const struct gpm_ingest_stored *s)
{
	return (struct gpm_diff_input){
	    .label = s->label,
	    .inc = s->inc,
	    .heap = s->rows,
	    .nheap = s->nrows,
	    .has_heap = s->has_heap,
	    .has_retained = s->has_retained,
	    .heap_unit = "type",
	    .retainers = s->retainers,
	    .nretainers = s->nretainers,
	    // Never NULL: an incident stored without findings compares as having none.
	    .findings = s->findings,
	    .nfindings = s->nfindings,
	};
}

void gpm_ingest_stored_deinit(struct gpm_ingest_stored *s)
{
	gpm_incident_destroy(s->inc);
	free(s->findings);
	free(s->rows);
	gpm_store_table_deinit(&s->findings_table);
	gpm_store_table_deinit(&s->heap_table);
	gpm_store_table_deinit(&s->holders_table);
	memset(s, 0, sizeof(*s));
}
