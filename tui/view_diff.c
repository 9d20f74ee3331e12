/*
 * The compare view: `m` marks an incident, `D` on another (in a list or open) shows what
 * grew between the two, from gopm diff's engine (analysis/diff.h) on the incidents as
 * `gopm diff #A #B` loads them (ingest/diff.c: the rebuilt incidents, the findings they were
 * stored with, their heap types and holders), so findings new and gone are listed too. The
 * older incident is the first snapshot, as `gopm diff` orders them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/diff.h"
#include "base/strbuf.h"
#include "ingest/ingest.h"
#include "tui/tui.h"

enum { DIFF_GROUPS = 30 };

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
	struct gpm_ingest_stored s[2] = {0};
	struct gpm_diff_input in[2];
	for (int i = 0; i < 2 && !err; i++) {
		err = gpm_ingest_stored_load(st, ids[i], &s[i]);
		in[i] = gpm_ingest_stored_input(&s[i]);
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
	gpm_ingest_stored_deinit(&s[0]);
	gpm_ingest_stored_deinit(&s[1]);
	return err;
}
