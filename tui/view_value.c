/*
 * Values of an incident's core, as `gopm print` prints them (src/ingest/values.h): a
 * frame's arguments and locals (v on a frame of a stack), the panic value (P on an
 * incident), the value a finding links to (v on a finding: its panic value, the mutex or
 * channel it waits on). Each line is one value in Go syntax with its type, wrapped to the
 * width; Enter on a line marked "+" (a variable, a field, an element that has parts) opens
 * it one level further, Backspace or q goes back. The core is found where the archive says
 * (its kept copy beside the archive, else the path it was ingested from) and kept open
 * while values of the same incident are browsed; when it or its executable is gone, the
 * view says so in one line.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/strbuf.h"
#include "ingest/ingest.h"
#include "ingest/values.h"
#include "tui/tui.h"

// Lines of a value view: the items wrapped to the width, each line's ref its item + 1.
static struct gpm_error *value_lines(struct tui_view *v, int width)
{
	struct tui_pane *p = &v->panes[0];
	int64_t item = (size_t)p->cur < p->nlines ? p->lines[p->cur].ref : 0;
	tui_pane_clear(p);
	const struct gpm_values_list *l = v->values;
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	struct gpm_error *err = NULL;
	// What was opened, in full (the title line may cut it): a frame with its arguments as
	// the runtime prints them, a heap object, an expression.
	if (l && l->title)
		err = tui_pane_wrap(p, "", l->title, width, TUI_C_BOLD, 0);
	for (size_t i = 0; l && i < l->len && !err; i++) {
		const struct gpm_values_item *it = &l->v[i];
		gpm_strbuf_reset(&sb);
		if (*it->label)
			gpm_strbuf_printf(&sb, "%s = %s", it->label, it->text);
		else
			gpm_strbuf_puts(&sb, it->text);
		if (!(err = gpm_strbuf_error(&sb)))
			err = tui_pane_wrap(p, it->expr ? "+ " : "  ", gpm_strbuf_str(&sb), width,
			                    it->expr ? TUI_C_NORMAL : TUI_C_DIM, (int64_t)i + 1);
	}
	gpm_strbuf_deinit(&sb);
	// The cursor stays on its item.
	p->cur = 0;
	while ((size_t)p->cur + 1 < p->nlines && !p->lines[p->cur].ref)
		p->cur++;
	for (size_t k = 0; item && k < p->nlines; k++)
		if (p->lines[k].ref == item) {
			p->cur = (int64_t)k;
			break;
		}
	return err;
}

static void value_layout(struct tui *t, struct tui_view *v, int body)
{
	if (v->values) {
		struct gpm_error *err = value_lines(v, t->cols - 1);
		if (err) {
			snprintf(t->status, sizeof(t->status), "%s", err->message);
			gpm_error_destroy(err);
		}
	}
	v->panes[0].y = 2;
	v->panes[0].h = body - 1 > 0 ? body - 1 : 0;
}

static struct gpm_error *value_enter(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                     struct tui_view **out)
{
	int64_t ref = (size_t)p->cur < p->nlines ? p->lines[p->cur].ref : 0;
	if (!v->values || ref <= 0 || (size_t)ref > v->values->len)
		return NULL;
	const char *expr = v->values->v[ref - 1].expr;
	if (!expr) {
		snprintf(t->status, sizeof(t->status), "nothing to open here");
		return NULL;
	}
	return tui_view_value(t, v->incident, expr, out);
}

static struct gpm_error *value_incident(struct tui *t, struct tui_view *v, int64_t *out)
{
	(void)t;
	*out = v->incident > 0 ? v->incident : 0;
	return NULL;
}

const struct tui_view_ops tui_value_view = {
    .name = "value",
    .enter = value_enter,
    .incident = value_incident,
    .layout = value_layout,
};

void tui_values_close(struct tui *t)
{
	gpm_values_destroy(t->values);
	t->values = NULL;
	t->values_incident = 0;
}

static bool is_file(const char *path)
{
	struct stat st;
	return path && *path && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * The core of incident id opened (kept in t->values), or why not in *why (a line for the
 * view; NULL when opened). The kept copy beside the archive first (content-addressed: it is
 * the very input), then the path the input was ingested as; the executable the options name,
 * else the one read at ingest when it is still there, else found as gopm print finds it.
 */
static struct gpm_error *values_for(struct tui *t, int64_t id, char **why)
{
	*why = NULL;
	if (t->values && t->values_incident == id)
		return NULL;
	tui_values_close(t);
	struct tui_bind b[1] = {TUI_INT(id)};
	struct gpm_store_table r;
	struct gpm_error *err =
	    tui_db_query(&t->db, gpm_tui_sql(GPM_TUI_INCIDENT_FILES), b, 1, 1, &r);
	if (err)
		return err;
	struct gpm_strbuf sb = GPM_STRBUF_INIT, kept = GPM_STRBUF_INIT;
	const char *kind = r.nrows ? gpm_store_cell(&r, 0, 0) : NULL;
	const char *path = r.nrows ? gpm_store_cell(&r, 0, 1) : NULL;
	const char *keep = r.nrows ? gpm_store_cell(&r, 0, 2) : NULL;
	const char *exe_read = r.nrows ? gpm_store_cell(&r, 0, 3) : NULL;
	if (keep && *keep)
		gpm_strbuf_printf(&kept, "%s.artifacts/%s", t->db_path, keep);
	const char *core = NULL;
	if (!r.nrows)
		gpm_strbuf_printf(&sb, "no incident %lld", (long long)id);
	else if (!kind || strcmp(kind, "core"))
		gpm_strbuf_printf(&sb,
		                  "no core: incident %lld came from a %s, values need a core and "
		                  "its executable",
		                  (long long)id, kind ? kind : "?");
	else if (kept.len && is_file(gpm_strbuf_str(&kept)))
		core = gpm_strbuf_str(&kept);
	else if (is_file(path))
		core = path;
	else
		gpm_strbuf_printf(&sb, "the core is gone: %s not found, %s",
		                  path ? path : "(no path)",
		                  keep ? "nor its kept copy" : "no copy kept (gopm ingest --keep)");
	if (core) {
		struct gpm_ingest_options o = {0};
		if (t->ingest)
			o = *t->ingest;
		if (!o.exe_path && is_file(exe_read))
			o.exe_path = exe_read;
		struct gpm_error *e = gpm_values_open(core, &o, &t->values);
		if (e && e->code == GPM_ERR_NOMEM) {
			err = e;
		} else if (e) {
			gpm_strbuf_printf(&sb, "cannot read the core's values: %s", e->message);
			gpm_error_destroy(e);
		} else {
			t->values_incident = id;
		}
	}
	if (!err && sb.len && !(err = gpm_strbuf_error(&sb)) && !(*why = gpm_strbuf_detach(&sb)))
		err = &gpm_error_nomem;
	gpm_strbuf_deinit(&sb);
	gpm_strbuf_deinit(&kept);
	gpm_store_table_deinit(&r);
	return err;
}

struct gpm_error *tui_view_value(struct tui *t, int64_t incident, const char *expr,
                                 struct tui_view **out)
{
	char *why = NULL, *panic = NULL;
	struct gpm_error *err = values_for(t, incident, &why);
	if (err)
		return err;
	struct gpm_values_list *l = calloc(1, sizeof(*l));
	if (!l) {
		free(why);
		return &gpm_error_nomem;
	}
	struct gpm_value_options vo = {GPM_VALUE_DEFAULT_DEPTH, GPM_VALUE_DEFAULT_MAX_LEN};
	if (!why && !expr) {
		err = gpm_values_panic_expr(t->values, &panic);
		if (!err && !panic && !(why = strdup("no panic value in this core")))
			err = &gpm_error_nomem;
		expr = panic;
	}
	if (!err && !why) {
		struct gpm_error *e = gpm_values_open_expr(t->values, expr, &vo, l);
		if (e && e->code == GPM_ERR_NOMEM) {
			err = e;
		} else if (e) {
			// What cannot be evaluated is said in the view, as gopm print says it.
			struct gpm_strbuf sb = GPM_STRBUF_INIT;
			gpm_strbuf_puts(&sb, e->message);
			gpm_error_destroy(e);
			if (!(err = gpm_strbuf_error(&sb)) && !(why = gpm_strbuf_detach(&sb)))
				err = &gpm_error_nomem;
			gpm_strbuf_deinit(&sb);
		}
	}
	struct gpm_strbuf title = GPM_STRBUF_INIT;
	gpm_strbuf_printf(&title, "Value · incident %lld · %s", (long long)incident,
	                  expr ? expr : "panic value");
	if (l->unreadable)
		gpm_strbuf_printf(&title, " · %zu unreadable", l->unreadable);
	struct tui_view *v = NULL;
	if (!err && !(err = gpm_strbuf_error(&title)) &&
	    !(v = tui_view_create(TUI_VIEW_VALUE, gpm_strbuf_str(&title))))
		err = &gpm_error_nomem;
	gpm_strbuf_deinit(&title);
	free(panic);
	if (err) {
		gpm_values_list_deinit(l);
		free(l);
		free(why);
		return err;
	}
	v->incident = incident;
	if (!(v->panes[0].title = strdup("+ Enter opens a line one level · Backspace back"))) {
		tui_view_destroy(v);
		free(why);
		gpm_values_list_deinit(l);
		free(l);
		return &gpm_error_nomem;
	}
	if (why) {
		gpm_values_list_deinit(l);
		free(l);
		err = tui_pane_wrap(&v->panes[0], "", why, t->cols - 1, TUI_C_ERROR, 0);
		free(why);
	} else {
		v->values = l;
	}
	if (err) {
		tui_view_destroy(v);
		return err;
	}
	return tui_view_finish(t, v, out);
}

/* The expression in an "inspect" evidence line: gopm print CORE 'EXPR' (owned; NULL). */
static char *inspect_expr(const char *line)
{
	const char *e = line ? strrchr(line, '\'') : NULL;
	const char *s = e;
	while (s && s > line && s[-1] != '\'')
		s--;
	if (!s || s == line || s == e)
		return NULL;
	return strndup(s, (size_t)(e - s));
}

struct gpm_error *tui_view_finding_value(struct tui *t, int64_t incident, int64_t finding,
                                         struct tui_view **out)
{
	*out = NULL;
	struct tui_bind b[1] = {TUI_INT(finding)};
	struct gpm_store_table r;
	struct gpm_error *err =
	    tui_db_query(&t->db, gpm_tui_sql(GPM_TUI_FINDING_PRINT), b, 1, 1, &r);
	if (err)
		return err;
	const char *print = r.nrows ? gpm_store_cell(&r, 0, 0) : NULL;
	char *expr = print && *print ? strdup(print)
	                             : inspect_expr(r.nrows ? gpm_store_cell(&r, 0, 1) : NULL);
	gpm_store_table_deinit(&r);
	if (!expr) {
		snprintf(t->status, sizeof(t->status),
		         "this finding names no value (panic value, mutex or channel)");
		return NULL;
	}
	err = tui_view_value(t, incident, expr, out);
	free(expr);
	return err;
}
