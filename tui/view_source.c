/*
 * A frame's source file, numbered, the frame's line highlighted and under the cursor. Where
 * the file is looked for, each lookup confined to its root, is source_find's comment.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/srcpath.h"
#include "base/strbuf.h"
#include "tui/tui.h"

enum {
	MAX_SOURCE_BYTES = 16 << 20,
	MAX_SOURCE_LINES = 200000,
};

const struct tui_view_ops tui_source_view = {.name = "source"};

/*
 * The file of a frame: under --source-root, then the module cache (a dependency's
 * module@version/... path; $GOMODCACHE, else $GOPATH/pkg/mod, else ~/go/pkg/mod), then the
 * standard library of $GOROOT/src and of ~/sdk/GOVERSION/src (the incident's Go version, as
 * golang.org/dl installs it). Each lookup is confined to its root (base/srcpath.h).
 */
static struct gpm_error *source_find(struct tui *t, int64_t incident, const char *path, char **out)
{
	*out = NULL;
	const char *home = getenv("HOME"), *env;
	char mod[PATH_MAX] = "", goroot[PATH_MAX] = "", sdk[PATH_MAX] = "";
	if ((env = getenv("GOMODCACHE")) && *env)
		snprintf(mod, sizeof(mod), "%s", env);
	else if ((env = getenv("GOPATH")) && *env)
		snprintf(mod, sizeof(mod), "%.*s/pkg/mod", (int)strcspn(env, ":"), env);
	else if (home && *home)
		snprintf(mod, sizeof(mod), "%s/go/pkg/mod", home);
	if ((env = getenv("GOROOT")) && *env)
		snprintf(goroot, sizeof(goroot), "%s/src", env);
	struct tui_bind b[1] = {TUI_INT(incident)};
	struct gpm_store_table ver;
	if (home && *home && incident > 0 &&
	    !tui_db_query(&t->db, gpm_tui_sql(GPM_TUI_INCIDENT_GO_VERSION), b, 1, 1, &ver)) {
		const char *v = ver.nrows ? gpm_store_cell(&ver, 0, 0) : NULL;
		if (v && !strncmp(v, "go", 2) && !strchr(v, '/'))
			snprintf(sdk, sizeof(sdk), "%s/sdk/%s/src", home, v);
		gpm_store_table_deinit(&ver);
	}
	const char *roots[] = {t->source_root, mod, goroot, sdk};
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]) && !*out; i++) {
		struct gpm_error *err = gpm_srcpath_find(roots[i], path, out);
		if (err)
			return err;
	}
	return NULL;
}

struct gpm_error *tui_view_source(struct tui *t, int64_t incident, const char *path, int64_t line,
                                  const char *func, struct tui_view **out)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_strbuf_printf(&sb, "Source %s:%lld · %s", path, (long long)line, func);
	struct tui_view *v =
	    gpm_strbuf_error(&sb) ? NULL : tui_view_create(TUI_VIEW_SOURCE, gpm_strbuf_str(&sb));
	gpm_strbuf_deinit(&sb);
	if (!v)
		return &gpm_error_nomem;
	struct tui_pane *p = &v->panes[0];
	struct gpm_error *err = NULL;
	char *found = NULL;
	v->incident = incident;
	err = source_find(t, incident, path, &found);
	FILE *f = found ? fopen(found, "r") : NULL;
	char buf[4096];
	if (!err && !f) {
		err = tui_pane_line(p,
		                    t->source_root
		                        ? "source not found under --source-root, the module "
		                          "cache or GOROOT:"
		                        : "source not found in the module cache or GOROOT (no "
		                          "--source-root given):",
		                    TUI_C_DIM, 0);
		if (!err && t->source_root)
			err = tui_pane_line(p, t->source_root, TUI_C_DIM, 0);
		if (!err)
			err = tui_pane_line(p, "", TUI_C_NORMAL, 0);
		snprintf(buf, sizeof(buf), "location: %s:%lld", path, (long long)line);
		if (!err)
			err = tui_pane_line(p, buf, TUI_C_NORMAL, 0);
		snprintf(buf, sizeof(buf), "function: %s", func);
		if (!err)
			err = tui_pane_line(p, buf, TUI_C_NORMAL, 0);
	} else if (!err) {
		// Lines numbered; the frame's line highlighted and the cursor on it.
		struct gpm_strbuf ln = GPM_STRBUF_INIT;
		int64_t no = 0;
		size_t bytes = 0;
		int c = 0;
		while (!err && c != EOF && bytes < MAX_SOURCE_BYTES &&
		       p->nlines < MAX_SOURCE_LINES) {
			gpm_strbuf_reset(&ln);
			gpm_strbuf_printf(&ln, "%5lld  ", (long long)++no);
			size_t col = 0;
			while ((c = getc(f)) != EOF && c != '\n' && bytes++ < MAX_SOURCE_BYTES) {
				// Tabs to stops of 4 columns; other bytes as they are (drawn
				// safely).
				if (c == '\t') {
					do
						gpm_strbuf_putc(&ln, ' ');
					while (++col % 4);
					continue;
				}
				gpm_strbuf_putc(&ln, (char)c);
				col++;
			}
			if (c == EOF && ln.len == 7)
				break;
			if (!(err = gpm_strbuf_error(&ln)))
				err = tui_pane_line(p, gpm_strbuf_str(&ln),
				                    no == line ? TUI_C_HIGHLIGHT : TUI_C_NORMAL, 0);
		}
		gpm_strbuf_deinit(&ln);
		fclose(f);
		p->cur = line > 0 ? line - 1 : 0;
	}
	free(found);
	if (err) {
		tui_view_destroy(v);
		return err;
	}
	return tui_view_finish(t, v, out);
}
