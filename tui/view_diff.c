/*
 * The compare view: `m` marks an incident, `D` on another (in a list or open) shows what
 * grew between the two, from gopm diff's engine (analysis/diff.h) on the incidents as the
 * archive rebuilds them (store module) and their stored heap types. The older incident is
 * the first snapshot, as `gopm diff` orders them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/diff.h"
#include "base/strbuf.h"
#include "tui/tui.h"

enum { DIFF_GROUPS = 30 };

struct side {
	struct gpm_incident *inc;
	struct gpm_store_table heap;
	struct gpm_diff_heap_row *rows;
	char label[32];
};

static struct gpm_error *side_load(struct tui *t, struct gpm_store *st, int64_t id, struct side *s)
{
	snprintf(s->label, sizeof(s->label), "#%lld", (long long)id);
	struct gpm_error *err = gpm_store_load_incident(st, id, &s->inc);
	if (err)
		return err;
	struct tui_bind b[1] = {TUI_INT(id)};
	if ((err = tui_db_query(&t->db,
	                        "SELECT type, count, bytes FROM heap_types WHERE incident_id = ?1",
	                        b, 1, -1, &s->heap)))
		return err;
	s->rows = calloc(s->heap.nrows ? s->heap.nrows : 1, sizeof(*s->rows));
	if (!s->rows)
		return &gpm_error_nomem;
	for (size_t r = 0; r < s->heap.nrows; r++) {
		const char *name = gpm_store_cell(&s->heap, r, 0);
		const char *n = gpm_store_cell(&s->heap, r, 1),
		           *bytes = gpm_store_cell(&s->heap, r, 2);
		s->rows[r] =
		    (struct gpm_diff_heap_row){name ? name : "?", n ? strtoull(n, NULL, 10) : 0,
		                               bytes ? strtoull(bytes, NULL, 10) : 0};
	}
	return NULL;
}

static void side_deinit(struct side *s)
{
	gpm_incident_destroy(s->inc);
	gpm_store_table_deinit(&s->heap);
	free(s->rows);
}

struct gpm_error *tui_view_diff(struct tui *t, int64_t a, int64_t b, struct tui_view **out)
{
	*out = NULL;
	struct gpm_store *st;
	struct gpm_error *err = tui_store(t, false, &st);
	if (err)
		return err;
	// Older first: by time, then id.
	struct tui_bind bb[2] = {TUI_INT(a), TUI_INT(b)};
	int64_t older = a;
	if ((err = tui_db_int(
	         &t->db, "SELECT id FROM incidents WHERE id IN (?1, ?2) ORDER BY time, id LIMIT 1",
	         bb, 2, a, &older)))
		return err;
	int64_t ids[2] = {older, older == a ? b : a};
	struct side s[2] = {0};
	struct gpm_diff_input in[2];
	for (int i = 0; i < 2 && !err; i++) {
		err = side_load(t, st, ids[i], &s[i]);
		in[i] = (struct gpm_diff_input){
		    s[i].label,          s[i].inc, NULL, s[i].rows, s[i].heap.nrows,
		    s[i].heap.nrows > 0, "type",   NULL, 0};
	}
	struct gpm_diff *d = NULL;
	if (!err)
		err = gpm_diff_run(in, 2, &d);
	if (!err) {
		struct gpm_strbuf sb = GPM_STRBUF_INIT;
		gpm_diff_format_text(d, DIFF_GROUPS, &sb);
		char title[96];
		snprintf(title, sizeof(title), "Diff of incidents %lld → %lld (what grew)",
		         (long long)ids[0], (long long)ids[1]);
		if (!(err = gpm_strbuf_error(&sb)))
			err = tui_view_text(t, title, gpm_strbuf_str(&sb), out);
		gpm_strbuf_deinit(&sb);
	}
	gpm_diff_destroy(d);
	side_deinit(&s[0]);
	side_deinit(&s[1]);
	return err;
}
