/*
 * Previews (tig's and lazygit's split): the lower pane of the incidents and clusters lists
 * shows the selected row's detail and follows the cursor. An incident: its headline, facts,
 * findings and the stack of its largest goroutine group; a cluster: its workflow summary
 * (status, owner, first and last seen, first build, regressed), incidents per day as a
 * sparkline, the representative stack and the history of changes. The workflow facts come
 * from the store module (store/workflow.h), as `gopm cluster show` prints them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/strbuf.h"
#include "store/signature.h"
#include "store/workflow.h"
#include "tui/tui.h"

enum { PREVIEW_FRAMES = 12, SPARK_DAYS = 30 };

// The stack of an incident's largest group, innermost first, as "function  file:line".
static struct gpm_error *push_stack(struct tui *t, struct tui_pane *p, int64_t incident, int width)
{
	struct tui_bind b[2] = {TUI_INT(incident), TUI_INT(PREVIEW_FRAMES)};
	struct gpm_store_table st;
	struct gpm_error *err =
	    tui_db_query(&t->db, gpm_tui_sql(GPM_TUI_PREVIEW_STACK), b, 2, -1, &st);
	if (err)
		return err;
	if (st.nrows) {
		char head[160];
		snprintf(head, sizeof(head), "largest group: %s goroutines [%s]",
		         gpm_store_cell(&st, 0, 2), gpm_store_cell(&st, 0, 3));
		err = tui_pane_push(p, "", head, width, TUI_C_HEADER);
	}
	for (size_t r = 0; r < st.nrows && !err; r++) {
		const char *rank = gpm_store_cell(&st, r, 4);
		enum tui_color c = rank && !strcmp(rank, "0") ? TUI_C_BOLD : TUI_C_DIM;
		struct gpm_strbuf sb = GPM_STRBUF_INIT;
		gpm_strbuf_printf(&sb, "%s  %s", gpm_store_cell(&st, r, 0),
		                  gpm_store_cell(&st, r, 1));
		if (!(err = gpm_strbuf_error(&sb)))
			err = tui_pane_push(p, "  ", gpm_strbuf_str(&sb), width, c);
		gpm_strbuf_deinit(&sb);
	}
	gpm_store_table_deinit(&st);
	return err;
}

struct gpm_error *tui_preview_incident(struct tui *t, struct tui_pane *p, int64_t id, int width)
{
	struct tui_bind b[1] = {TUI_INT(id)};
	struct gpm_store_table inc;
	struct gpm_error *err =
	    tui_db_query(&t->db, gpm_tui_sql(GPM_TUI_PREVIEW_INCIDENT), b, 1, 1, &inc);
	if (err)
		return err;
	if (inc.nrows) {
		struct gpm_strbuf sb = GPM_STRBUF_INIT;
		gpm_strbuf_printf(&sb, "incident %lld · %s · %s · %s · %s · %s goroutines",
		                  (long long)id, gpm_store_cell(&inc, 0, 1),
		                  gpm_store_cell(&inc, 0, 2), gpm_store_cell(&inc, 0, 3),
		                  gpm_store_cell(&inc, 0, 4), gpm_store_cell(&inc, 0, 5));
		if (!(err = gpm_strbuf_error(&sb)))
			err = tui_pane_push(p, "", gpm_store_cell(&inc, 0, 0), width, TUI_C_BOLD);
		if (!err)
			err = tui_pane_push(p, "", gpm_strbuf_str(&sb), width, TUI_C_DIM);
		gpm_strbuf_deinit(&sb);
	}
	gpm_store_table_deinit(&inc);
	struct gpm_store_table f;
	if (!err &&
	    !(err = tui_db_query(&t->db, gpm_tui_sql(GPM_TUI_PREVIEW_FINDINGS), b, 1, -1, &f))) {
		for (size_t r = 0; r < f.nrows && !err; r++) {
			struct gpm_strbuf sb = GPM_STRBUF_INIT;
			gpm_strbuf_printf(&sb, "%-8s %s  (%s)", gpm_store_cell(&f, r, 0),
			                  gpm_store_cell(&f, r, 1), gpm_store_cell(&f, r, 2));
			const char *sev = gpm_store_cell(&f, r, 0);
			enum tui_color c = sev && !strcmp(sev, "CRITICAL") ? TUI_C_CRITICAL
			                   : sev && !strcmp(sev, "ERROR")  ? TUI_C_ERROR
			                                                   : TUI_C_WARNING;
			if (!(err = gpm_strbuf_error(&sb)))
				err = tui_pane_push(p, "", gpm_strbuf_str(&sb), width, c);
			gpm_strbuf_deinit(&sb);
		}
		gpm_store_table_deinit(&f);
	}
	return err ? err : push_stack(t, p, id, width);
}

// One character per day of the last SPARK_DAYS days up to the cluster's last incident.
static struct gpm_error *push_sparkline(struct gpm_store *st, struct tui_pane *p, int64_t id,
                                        int64_t last, int width)
{
	// Only the days drawn: a cluster's whole history is tens of thousands of incidents.
	struct gpm_store_filter f = {
	    .cluster = id, .limit = -1, .since = (last / 86400 - SPARK_DAYS + 1) * 86400};
	struct gpm_store_table tr;
	struct gpm_error *err = gpm_store_cluster_trend(st, false, &f, &tr);
	if (err)
		return err;
	int64_t counts[SPARK_DAYS] = {0}, max = 0;
	int64_t last_day = last / 86400;
	for (size_t r = 0; r < tr.nrows; r++) {
		const char *c = gpm_store_cell(&tr, r, 0), *day = gpm_store_cell(&tr, r, 1);
		int y, m, d;
		if (!c || strtoll(c, NULL, 10) != id || !day ||
		    sscanf(day, "%d-%d-%d", &y, &m, &d) != 3)
			continue;
		// Days from civil (the trend's day is UTC).
		int64_t yy = y - (m <= 2);
		int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
		int64_t yoe = yy - era * 400;
		int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
		int64_t days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
		int64_t k = SPARK_DAYS - 1 - (last_day - days);
		if (k < 0 || k >= SPARK_DAYS)
			continue;
		counts[k] += strtoll(gpm_store_cell(&tr, r, 2), NULL, 10);
		if (counts[k] > max)
			max = counts[k];
	}
	gpm_store_table_deinit(&tr);
	static const char *const bars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
	static const char ascii[] = "_.-=+*#@";
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_strbuf_printf(&sb, "last %d days: ", SPARK_DAYS);
	for (int k = 0; k < SPARK_DAYS; k++) {
		if (!counts[k]) {
			gpm_strbuf_putc(&sb, ' ');
			continue;
		}
		int level = max ? (int)((counts[k] * 7 + max - 1) / max) : 0;
		if (level > 7)
			level = 7;
		if (tui_utf8)
			gpm_strbuf_puts(&sb, bars[level]);
		else
			gpm_strbuf_putc(&sb, ascii[level]);
	}
	gpm_strbuf_printf(&sb, " (max %lld a day)", (long long)max);
	if (!(err = gpm_strbuf_error(&sb)))
		err = tui_pane_push(p, "", gpm_strbuf_str(&sb), width, TUI_C_NORMAL);
	gpm_strbuf_deinit(&sb);
	return err;
}

struct gpm_error *tui_preview_cluster(struct tui *t, struct tui_pane *p, int64_t id, int width)
{
	struct gpm_store *st;
	struct gpm_error *err = tui_store(t, false, &st);
	if (err)
		return err;
	struct gpm_cluster_summary c;
	if ((err = gpm_store_cluster_summary(st, id, &c)))
		return err;
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_strbuf_printf(&sb, "cluster %lld · %s", (long long)c.id, c.status ? c.status : "new");
	if (c.owner)
		gpm_strbuf_printf(&sb, " · owner %s", c.owner);
	gpm_strbuf_printf(&sb, " · %lld incidents · %lld notes, %lld links", (long long)c.count,
	                  (long long)c.notes, (long long)c.links);
	if (!(err = gpm_strbuf_error(&sb)))
		err = tui_pane_push(p, "", gpm_strbuf_str(&sb), width, TUI_C_BOLD);
	gpm_strbuf_reset(&sb);
	char first[32], last[32];
	time_t tf = (time_t)c.first, tl = (time_t)c.last;
	struct tm tm;
	strftime(first, sizeof(first), "%Y-%m-%d %H:%M", gmtime_r(&tf, &tm));
	strftime(last, sizeof(last), "%Y-%m-%d %H:%M", gmtime_r(&tl, &tm));
	gpm_strbuf_printf(&sb, "first seen %s%s%s · last seen %s", first,
	                  c.first_build ? " in build " : "", c.first_build ? c.first_build : "",
	                  last);
	if (!err && !(err = gpm_strbuf_error(&sb)))
		err = tui_pane_push(p, "", gpm_strbuf_str(&sb), width, TUI_C_NORMAL);
	if (!err && c.regressed) {
		gpm_strbuf_reset(&sb);
		gpm_strbuf_printf(&sb, "REGRESSED: resolved%s%s, back in build %s",
		                  c.resolved_build ? " in " : "",
		                  c.resolved_build ? c.resolved_build : "", c.regressed);
		if (!(err = gpm_strbuf_error(&sb)))
			err = tui_pane_push(p, "", gpm_strbuf_str(&sb), width, TUI_C_CRITICAL);
	}
	gpm_strbuf_deinit(&sb);
	int64_t last_time = c.last;
	gpm_cluster_summary_deinit(&c);
	if (!err)
		err = push_sparkline(st, p, id, last_time, width);
	// The representative: the cluster's newest incident.
	int64_t rep = 0;
	struct tui_bind b[2] = {TUI_INT(GPM_SIGNATURE_ALGORITHM), TUI_INT(id)};
	if (!err)
		err = tui_db_int(&t->db, gpm_tui_sql(GPM_TUI_CLUSTER_LAST_INCIDENT), b, 2, 0, &rep);
	if (!err && rep)
		err = push_stack(t, p, rep, width);
	struct gpm_store_table ev;
	if (!err && !(err = gpm_store_cluster_events(st, id, &ev))) {
		if (ev.nrows)
			err = tui_pane_push(p, "", "history", width, TUI_C_HEADER);
		for (size_t r = 0; r < ev.nrows && !err; r++) {
			struct gpm_strbuf line = GPM_STRBUF_INIT;
			for (size_t k = 0; k < ev.ncols; k++) {
				const char *v = gpm_store_cell(&ev, r, k);
				gpm_strbuf_printf(&line, "%s%s", k ? "  " : "", v ? v : "-");
			}
			if (!(err = gpm_strbuf_error(&line)))
				err = tui_pane_push(p, "  ", gpm_strbuf_str(&line), width,
				                    TUI_C_NORMAL);
			gpm_strbuf_deinit(&line);
		}
		gpm_store_table_deinit(&ev);
	}
	return err;
}

unsigned tui_view_preview(struct tui *t, struct tui_view *v)
{
	if (v->npanes != 2 || !v->ops->preview)
		return TUI_REDRAW_NONE;
	struct tui_pane *list = &v->panes[0], *p = &v->panes[1];
	int64_t row = list->n > 0 ? list->cur : -1;
	// Filled again when the row changes or the layout gives it another width.
	if (row == v->preview_of && v->preview_w == p->w)
		return TUI_REDRAW_NONE;
	v->preview_of = row;
	v->preview_w = p->w;
	int width = p->w > 1 ? p->w - 1 : 1;
	tui_pane_clear(p);
	p->cur = p->top = 0;
	struct gpm_error *err = row >= 0 ? v->ops->preview(t, v, p, width) : NULL;
	if (err) {
		tui_pane_push(p, "", err->message ? err->message : "error", width, TUI_C_ERROR);
		gpm_error_destroy(err);
	}
	p->n = (int64_t)p->nlines;
	p->drawn = false;
	return TUI_REDRAW_VIEW;
}
