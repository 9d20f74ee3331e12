/*
 * One incident: its findings as wrapped text (severity, explanation, evidence, confidence,
 * next step) above its goroutine groups (count, state, wait, top frame), the largest first.
 * Enter on a finding lists the goroutines it names, on a group the group's goroutines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "store/signature.h"
#include "tui/tui.h"

enum {
	MAX_FINDINGS = 64, /* findings shown for one incident */
	MAX_EVIDENCE = 40, /* evidence lines per finding */
};

/* An incident's goroutine groups: count, state, wait, top frame (+ ordinal). */
static const struct tui_col group_cols[] = {
    {"count", 7, TUI_COL_RIGHT, 0},
    {"state", 16, 0, 2},
    {"wait", 9, 0, 1},
    {"top frame", 20, TUI_COL_FLEX, 0},
};
static const struct tui_sort group_sorts[] = {
    {"size", GPM_TUI_ORDER_GROUPS_SIZE, "", ""},
};

static struct gpm_error *groups_count(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                      int64_t *n)
{
	struct tui_bind b[2] = {TUI_INT(v->incident), TUI_TEXT(p->filter)};
	return tui_db_int(&t->db, gpm_tui_sql(GPM_TUI_GROUPS_COUNT), b, 2, 0, n);
}

static struct gpm_error *groups_fetch(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                      int64_t off, int64_t limit, struct gpm_store_table *out)
{
	struct tui_bind b[4] = {TUI_INT(v->incident), TUI_TEXT(p->filter)};
	return tui_sorted_page(t, p, gpm_tui_sql(GPM_TUI_GROUPS_PAGE), b, 2, off, limit, out);
}

static const struct tui_pane_ops groups_ops = {
    group_cols, 4, group_sorts, 1, groups_count, groups_fetch, NULL, true, NULL, NULL, 0, NULL};

// Incident facts: id, time, exe, go, kind, goroutines, headline, cluster, message, fatal,
// signal.
enum { INFO_ID, INFO_TIME, INFO_EXE, INFO_GO, INFO_KIND, INFO_NG, INFO_HEADLINE, INFO_CLUSTER };

// Findings as text lines, wrapped to width: severity and title, explanation, evidence,
// confidence and next step, and how many goroutines Enter lists.
static struct gpm_error *findings_layout(struct tui_view *v, int width)
{
	struct tui_pane *p = &v->panes[0];
	tui_pane_clear(p);
	struct gpm_error *err = NULL;
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	if (!v->findings.nrows)
		err = tui_pane_line(p, "no findings stored for this incident", TUI_C_DIM, 0);
	for (size_t r = 0; r < v->findings.nrows && !err; r++) {
		const struct gpm_store_table *f = &v->findings;
		int64_t id = strtoll(gpm_store_cell(f, r, 0), NULL, 10);
		const char *sev = gpm_store_cell(f, r, 2);
		enum tui_color c = TUI_C_INFO;
		if (sev && (!strcmp(sev, "critical") || !strcmp(sev, "high")))
			c = TUI_C_CRITICAL;
		else if (sev && !strcmp(sev, "medium"))
			c = TUI_C_WARNING;
		gpm_strbuf_reset(&sb);
		char up[16] = "";
		for (size_t i = 0; sev && sev[i] && i < sizeof(up) - 1; i++)
			up[i] = (char)(sev[i] >= 'a' && sev[i] <= 'z' ? sev[i] - 32 : sev[i]);
		gpm_strbuf_printf(&sb, "%s %s", up, gpm_store_cell(f, r, 3));
		if ((err = gpm_strbuf_error(&sb)) ||
		    (err = tui_pane_wrap(p, "", gpm_strbuf_str(&sb), width, c, id)))
			break;
		const char *expl = gpm_store_cell(f, r, 4);
		if (expl && *expl && (err = tui_pane_wrap(p, "  ", expl, width, TUI_C_NORMAL, id)))
			break;
		const struct gpm_store_table *ev = &v->evidence[r];
		for (size_t e = 0; e < ev->nrows && !err; e++) {
			gpm_strbuf_reset(&sb);
			const char *k = gpm_store_cell(ev, e, 0), *val = gpm_store_cell(ev, e, 1);
			if (k && *k)
				gpm_strbuf_printf(&sb, "%s: %s", k, val ? val : "");
			else
				gpm_strbuf_puts(&sb, val ? val : "");
			if (!(err = gpm_strbuf_error(&sb)))
				err = tui_pane_wrap(p, "  · ", gpm_strbuf_str(&sb), width,
				                    TUI_C_NORMAL, id);
		}
		const char *conf = gpm_store_cell(f, r, 5), *next = gpm_store_cell(f, r, 6);
		const char *ng = gpm_store_cell(f, r, 7);
		gpm_strbuf_reset(&sb);
		if (conf)
			gpm_strbuf_printf(&sb, "confidence: %s", conf);
		if (ng && atoll(ng) > 0)
			gpm_strbuf_printf(&sb, "%sgoroutines: %s (Enter lists them)",
			                  conf ? " · " : "", ng);
		if (!err && sb.len && !(err = gpm_strbuf_error(&sb)))
			err = tui_pane_wrap(p, "  ", gpm_strbuf_str(&sb), width, TUI_C_DIM, id);
		if (!err && next && *next) {
			gpm_strbuf_reset(&sb);
			gpm_strbuf_printf(&sb, "next: %s", next);
			if (!(err = gpm_strbuf_error(&sb)))
				err = tui_pane_wrap(p, "  ", gpm_strbuf_str(&sb), width, TUI_C_DIM,
				                    id);
		}
		if (!err && r + 1 < v->findings.nrows)
			err = tui_pane_line(p, "", TUI_C_NORMAL, 0);
	}
	gpm_strbuf_deinit(&sb);
	return err;
}

struct gpm_error *tui_view_incident(struct tui *t, int64_t id, struct tui_view **out)
{
	struct tui_bind b[2] = {TUI_INT(GPM_SIGNATURE_ALGORITHM), TUI_INT(id)};
	struct gpm_store_table info;
	struct gpm_error *err =
	    tui_db_query(&t->db, gpm_tui_sql(GPM_TUI_INCIDENT_INFO), b, 2, 1, &info);
	if (err)
		return err;
	if (!info.nrows) {
		gpm_store_table_deinit(&info);
		return gpm_error_create(GPM_ERR_NOT_FOUND, "no incident %lld", (long long)id);
	}
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	const char *cl = gpm_store_cell(&info, 0, INFO_CLUSTER);
	gpm_strbuf_printf(&sb, "Incident %lld · %s · %s · %s · %s goroutines", (long long)id,
	                  gpm_store_cell(&info, 0, INFO_EXE), gpm_store_cell(&info, 0, INFO_GO),
	                  gpm_store_cell(&info, 0, INFO_TIME), gpm_store_cell(&info, 0, INFO_NG));
	if (cl)
		gpm_strbuf_printf(&sb, " · cluster %s", cl);
	struct tui_view *v =
	    gpm_strbuf_error(&sb) ? NULL : tui_view_create(TUI_VIEW_INCIDENT, gpm_strbuf_str(&sb));
	gpm_strbuf_deinit(&sb);
	if (!v) {
		gpm_store_table_deinit(&info);
		return &gpm_error_nomem;
	}
	v->info = info;
	v->incident = id;
	v->npanes = 2;
	v->panes[1].ops = &groups_ops;
	struct tui_bind fb[2] = {TUI_INT(id), TUI_INT(MAX_FINDINGS)};
	err = tui_db_query(&t->db, gpm_tui_sql(GPM_TUI_INCIDENT_FINDINGS), fb, 2, -1, &v->findings);
	if (!err && !(v->evidence = calloc(v->findings.nrows + 1, sizeof(*v->evidence))))
		err = &gpm_error_nomem;
	for (size_t r = 0; !err && r < v->findings.nrows; r++) {
		struct tui_bind eb[2] = {
		    TUI_INT(strtoll(gpm_store_cell(&v->findings, r, 0), NULL, 10)),
		    TUI_INT(MAX_EVIDENCE)};
		err = tui_db_query(&t->db, gpm_tui_sql(GPM_TUI_FINDING_EVIDENCE), eb, 2, -1,
		                   &v->evidence[r]);
	}
	if (err) {
		tui_view_destroy(v);
		return err;
	}
	v->panes[0].title = strdup("Findings");
	return tui_view_finish(t, v, out);
}

static struct gpm_error *incident_incident(struct tui *t, struct tui_view *v, int64_t *out)
{
	(void)t;
	*out = v->incident > 0 ? v->incident : 0;
	return NULL;
}

static struct gpm_error *incident_cluster(struct tui *t, struct tui_view *v, int64_t *out)
{
	(void)t;
	const char *id = v->info.nrows ? gpm_store_cell(&v->info, 0, INFO_CLUSTER) : NULL;
	*out = id ? strtoll(id, NULL, 10) : 0;
	return NULL;
}

static struct gpm_error *incident_enter(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                        struct tui_view **out)
{
	const char *id;
	if (v->focus == 0) {
		int64_t ref = (size_t)p->cur < p->nlines ? p->lines[p->cur].ref : 0;
		for (size_t r = 0; ref && r < v->findings.nrows; r++) {
			if (strtoll(gpm_store_cell(&v->findings, r, 0), NULL, 10) != ref)
				continue;
			const char *ng = gpm_store_cell(&v->findings, r, 7);
			if (!ng || atoll(ng) <= 0) {
				snprintf(t->status, sizeof(t->status),
				         "this finding names no goroutines");
				return NULL;
			}
			char what[64];
			snprintf(what, sizeof(what), "of finding %zu (%s)", r + 1,
			         gpm_store_cell(&v->findings, r, 1));
			return tui_view_goroutines(t, v->incident, -1, ref, what, out);
		}
		snprintf(t->status, sizeof(t->status), "Tab: goroutine groups");
	} else if ((id = tui_pane_cell(p, p->cur, 4))) {
		char what[96];
		snprintf(what, sizeof(what), "of group %lld (%s, %s)",
		         (long long)strtoll(id, NULL, 10) + 1, tui_pane_cell(p, p->cur, 1),
		         tui_pane_cell(p, p->cur, 0));
		return tui_view_goroutines(t, v->incident, strtoll(id, NULL, 10), -1, what, out);
	}
	return NULL;
}

// The findings, re-wrapped to the width, above the groups: at most half the rows each.
static void incident_layout(struct tui *t, struct tui_view *v, int body)
{
	findings_layout(v, t->cols - 1);
	v->panes[0].n = (int64_t)v->panes[0].nlines;
	int avail = body - 2; // a header per pane
	int h0 = (int)v->panes[0].nlines;
	if (h0 > avail / 2)
		h0 = avail / 2;
	if (h0 < 1)
		h0 = 1;
	v->panes[0].y = 2;
	v->panes[0].h = h0;
	v->panes[1].y = 2 + h0 + 1;
	v->panes[1].h = avail - h0 > 0 ? avail - h0 : 0;
}

const struct tui_view_ops tui_incident_view = {
    .name = "incident",
    .title_of_focus = true,
    .focus_hint = "  (Tab: groups)",
    .enter = incident_enter,
    .incident = incident_incident,
    .cluster = incident_cluster,
    .layout = incident_layout,
};
