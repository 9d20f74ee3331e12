/*
 * Text views: help (the keys of the view it was asked from, from keys.def, and the :
 * commands), an incident's report as analyze printed it, and any text (the diff view).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/tui.h"

const struct tui_view_ops tui_text_view = {.name = "text"};

static struct gpm_error *text_view(const char *title, struct tui_view **out)
{
	struct tui_view *v = tui_view_create(TUI_VIEW_TEXT, title);
	if (!v)
		return &gpm_error_nomem;
	*out = v;
	return NULL;
}

struct gpm_error *tui_view_help(struct tui *t, enum tui_view_kind kind, struct tui_view **out)
{
	struct tui_view *v;
	char title[80];
	snprintf(title, sizeof(title), "Help: keys of the %s view", tui_view_name(kind));
	struct gpm_error *err = text_view(title, &v);
	if (err)
		return err;
	v->help_for = kind;
	struct tui_pane *p = &v->panes[0];
	char line[256];
	for (size_t i = 0; i < tui_nkeys && !err; i++) {
		const struct tui_key_info *k = &tui_keys[i];
		if (!*k->label || !(k->views & TUI_IN(kind)))
			continue;
		snprintf(line, sizeof(line), "  %-12s %s", k->label, k->help);
		err = tui_pane_line(p, line, TUI_C_NORMAL, 0);
	}
	if (!err)
		err = tui_pane_line(p, "", TUI_C_NORMAL, 0);
	if (!err)
		err = tui_pane_line(p, "Commands (type : then one of these, Enter runs it)",
		                    TUI_C_BOLD, 0);
	for (size_t i = 0; i < tui_ncommands && !err; i++) {
		snprintf(line, sizeof(line), "  :%s %s", tui_commands[i].name,
		         tui_commands[i].args);
		if (!(err = tui_pane_line(p, line, TUI_C_NORMAL, 0))) {
			snprintf(line, sizeof(line), "      %s", tui_commands[i].help);
			err = tui_pane_line(p, line, TUI_C_DIM, 0);
		}
	}
	if (err) {
		tui_view_destroy(v);
		return err;
	}
	return tui_view_finish(t, v, out);
}

static struct gpm_error *push_text(struct tui_pane *p, const char *text)
{
	struct gpm_error *err = NULL;
	const char *s = text;
	while (*s && !err) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		char *line = strndup(s, n);
		if (!line)
			return &gpm_error_nomem;
		err = tui_pane_line(p, line, TUI_C_NORMAL, 0);
		free(line);
		s += n + (nl ? 1 : 0);
	}
	return err;
}

struct gpm_error *tui_view_text(struct tui *t, const char *title, const char *text,
                                struct tui_view **out)
{
	struct tui_view *v;
	struct gpm_error *err = text_view(title, &v);
	if (err)
		return err;
	if ((err = push_text(&v->panes[0], text))) {
		tui_view_destroy(v);
		return err;
	}
	return tui_view_finish(t, v, out);
}

struct gpm_error *tui_view_report(struct tui *t, int64_t id, struct tui_view **out)
{
	char title[64];
	snprintf(title, sizeof(title), "Report of incident %lld", (long long)id);
	struct tui_view *v;
	struct gpm_error *err = text_view(title, &v);
	if (err)
		return err;
	struct tui_bind b[1] = {TUI_INT(id)};
	struct gpm_store_table r;
	if (!(err = tui_db_query(&t->db, gpm_tui_sql(GPM_TUI_INCIDENT_REPORT), b, 1, 1, &r))) {
		const char *text = r.nrows ? gpm_store_cell(&r, 0, 0) : NULL;
		err = push_text(&v->panes[0], text ? text : "no report stored for this incident");
		gpm_store_table_deinit(&r);
	}
	if (err) {
		tui_view_destroy(v);
		return err;
	}
	return tui_view_finish(t, v, out);
}
