/*
 * The interactive triage program (gpm_tui_run, tui/entry.h; the `gopm tui` command around it,
 * its options and the archive it opens, are src/cli/tui.c). It reads the archive on its own
 * read-only connection, so the screens always read SQLite.
 *
 * The main loop reads an event (a key, a mouse event, a resize), turns it into a request
 * through keys.def, lets a handler change state, and draws what the handler says changed.
 * Tests drive it with --script FILE or GOPM_TUI_SCRIPT (tig's approach): each line a key
 * name or text to type, plus `:save FILE` to write the screen as text, `:resize COLSxROWS`,
 * `:click ROW COL`, `:wheel up|down`; the display then goes to /dev/null at 80x24.
 * The terminal is restored on every exit path, including Ctrl-C and crash signals.
 */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/strbuf.h"
#include "store/workflow.h"
#include "tui/entry.h"
#include "tui/tui.h"

const struct tui_key_info tui_keys[] = {
#define TUI_KEY(req, k1, k2, k3, label, views, help)                                               \
	{TUI_REQ_##req, {k1, k2, k3}, label, help, views},
#include "tui/keys.def"
#undef TUI_KEY
};
const size_t tui_nkeys = sizeof(tui_keys) / sizeof(tui_keys[0]);

const struct tui_command_info tui_commands[] = {
#define TUI_COMMAND(name, args, help) {#name, args, help},
#include "tui/commands.def"
#undef TUI_COMMAND
};
const size_t tui_ncommands = sizeof(tui_commands) / sizeof(tui_commands[0]);

enum tui_request tui_key_request(int key, enum tui_view_kind kind)
{
	for (size_t i = 0; i < tui_nkeys; i++) {
		if (!(tui_keys[i].views & TUI_IN(kind)))
			continue;
		for (int k = 0; k < 3; k++)
			if (tui_keys[i].keys[k] && tui_keys[i].keys[k] == key)
				return tui_keys[i].req;
	}
	return TUI_REQ_NONE;
}

/* ---- terminal state: restored on every exit ---- */

static volatile sig_atomic_t curses_active;

static void restore_terminal(void)
{
	if (curses_active) {
		curses_active = 0;
		endwin();
	}
}

// Ctrl-C, SIGTERM, SIGHUP and crashes: give the terminal back, then die of the same signal
// (so a crash still leaves a core and the shell sees the real status).
static void on_fatal_signal(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_signals(void)
{
	static const int sigs[] = {SIGINT,  SIGTERM, SIGHUP, SIGQUIT, SIGSEGV,
	                           SIGABRT, SIGBUS,  SIGFPE, SIGILL};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_fatal_signal;
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = SA_RESETHAND;
		sigaction(sigs[i], &sa, NULL);
	}
	atexit(restore_terminal);
}

/* ---- events: keys from the terminal or from a script ---- */

struct event {
	int key;      /* a curses key code or a character */
	bool text;    /* key is a (wide) character typed, not a function key */
	MEVENT mouse; /* for KEY_MOUSE */
};

struct script {
	FILE *f;
	char pending[1024]; /* text of the current line still to type */
	size_t pos, len;
	unsigned lineno;
};

static const struct {
	const char *name;
	int key;
} key_names[] = {
    {"Enter", '\n'},     {"Esc", 27},
    {"Tab", '\t'},       {"BackTab", KEY_BTAB},
    {"Up", KEY_UP},      {"Down", KEY_DOWN},
    {"Left", KEY_LEFT},  {"Right", KEY_RIGHT},
    {"PgUp", KEY_PPAGE}, {"PgDn", KEY_NPAGE},
    {"Home", KEY_HOME},  {"End", KEY_END},
    {"Space", ' '},      {"Backspace", KEY_BACKSPACE},
    {"F1", KEY_F(1)},
};

static int save_screen(const char *path)
{
	char *text = tui_screen_text(stdscr);
	FILE *f = text ? fopen(path, "w") : NULL;
	int ok = f && fputs(text, f) >= 0;
	if (f && fclose(f))
		ok = 0;
	free(text);
	return ok ? 0 : -1;
}

// The next event of the script; false at its end. Script commands that act on the screen
// (:save) run here, after the main loop has drawn everything before them.
static bool script_next(struct tui *t, struct script *s, struct event *ev)
{
	memset(ev, 0, sizeof(*ev));
	for (;;) {
		if (s->pos < s->len) {
			// Typed text: one UTF-8 character per event.
			const unsigned char *c = (const unsigned char *)s->pending + s->pos;
			int n = *c < 0x80 ? 1 : *c >= 0xf0 ? 4 : *c >= 0xe0 ? 3 : 2;
			wchar_t wc = 0;
			mbstate_t st;
			memset(&st, 0, sizeof(st));
			size_t r = mbrtowc(&wc, (const char *)c, s->len - s->pos, &st);
			if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
				wc = *c;
				r = 1;
			}
			(void)n;
			s->pos += r;
			ev->key = (int)wc;
			ev->text = true;
			return true;
		}
		char line[1024];
		if (!fgets(line, sizeof(line), s->f))
			return false;
		s->lineno++;
		size_t n = strlen(line);
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		if (!n || line[0] == '#')
			continue;
		if (!strncmp(line, ":save ", 6)) {
			if (save_screen(line + 6))
				snprintf(t->status, sizeof(t->status), "cannot save %.200s",
				         line + 6);
			continue;
		}
		int cols, rows;
		if (sscanf(line, ":resize %dx%d", &cols, &rows) == 2) {
			if (cols < 10 || rows < 3 || cols > 1000 || rows > 1000)
				continue;
			resizeterm(rows, cols);
			ev->key = KEY_RESIZE;
			return true;
		}
		int y, x;
		if (sscanf(line, ":click %d %d", &y, &x) == 2 ||
		    sscanf(line, ":doubleclick %d %d", &y, &x) == 2) {
			ev->key = KEY_MOUSE;
			ev->mouse.y = y;
			ev->mouse.x = x;
			ev->mouse.bstate =
			    line[1] == 'd' ? BUTTON1_DOUBLE_CLICKED : BUTTON1_CLICKED;
			return true;
		}
		if (!strcmp(line, ":wheel up") || !strcmp(line, ":wheel down")) {
			ev->key = KEY_MOUSE;
			ev->mouse.bstate = line[7] == 'u' ? BUTTON4_PRESSED : BUTTON5_PRESSED;
			return true;
		}
		for (size_t i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++)
			if (!strcmp(line, key_names[i].name)) {
				ev->key = key_names[i].key;
				ev->text = ev->key < KEY_MIN;
				return true;
			}
		if (line[0] == 'C' && line[1] == '-' && line[2] && !line[3]) {
			ev->key = TUI_CTRL(line[2]);
			ev->text = true;
			return true;
		}
		memcpy(s->pending, line, n);
		s->len = n;
		s->pos = 0;
	}
}

static bool terminal_next(struct event *ev)
{
	memset(ev, 0, sizeof(*ev));
	wint_t wc;
	int r;
	do
		r = wget_wch(stdscr, &wc);
	while (r == ERR && errno == EINTR);
	if (r == ERR)
		return false;
	ev->key = (int)wc;
	ev->text = r == OK;
	if (r == KEY_CODE_YES && wc == KEY_MOUSE && getmouse(&ev->mouse) != OK)
		ev->key = 0;
	return true;
}

/* ---- views stack ---- */

static unsigned push_view(struct tui *t, struct tui_view *v)
{
	if (t->depth == TUI_MAX_DEPTH) {
		// Forget the oldest view rather than refuse to go deeper.
		tui_view_destroy(t->views[0]);
		memmove(t->views, t->views + 1, (TUI_MAX_DEPTH - 1) * sizeof(t->views[0]));
		t->depth--;
	}
	t->views[t->depth++] = v;
	return TUI_REDRAW_ALL;
}

static unsigned pop_view(struct tui *t)
{
	if (t->depth <= 1) {
		t->quit = true;
		return TUI_REDRAW_QUIT;
	}
	tui_view_destroy(t->views[--t->depth]);
	// The terminal may have changed size while the view was hidden.
	tui_view_layout(t, t->views[t->depth - 1]);
	return TUI_REDRAW_ALL;
}

static unsigned fail(struct tui *t, struct gpm_error *err)
{
	snprintf(t->status, sizeof(t->status), "%s", err->message ? err->message : "error");
	t->status_error = true;
	gpm_error_destroy(err);
	return TUI_REDRAW_STATUS;
}

// err and *v come from one constructor call in the arguments; *v is read only here, after it.
static unsigned open_result(struct tui *t, struct gpm_error *err, struct tui_view **v)
{
	if (err)
		return fail(t, err);
	return *v ? push_view(t, *v) : TUI_REDRAW_STATUS;
}

/* ---- the cluster workflow (store/workflow.h, the same events as gopm cluster) ---- */

static const struct {
	const char *name;
	enum gpm_cluster_action action;
	int args; /* 0 none, 1 optional, 2 required */
} triage_actions[] = {
    {"resolve", GPM_CLUSTER_RESOLVE, 1}, {"reopen", GPM_CLUSTER_REOPEN, 0},
    {"ignore", GPM_CLUSTER_IGNORE, 0},   {"investigate", GPM_CLUSTER_INVESTIGATE, 0},
    {"assign", GPM_CLUSTER_ASSIGN, 2},   {"note", GPM_CLUSTER_NOTE, 2},
    {"link", GPM_CLUSTER_LINK, 2},
};

// Applies one change to the cluster the current view is about, then re-reads the views
// below it too (their status cells are stale). value may be NULL.
static unsigned triage(struct tui *t, enum gpm_cluster_action action, const char *value)
{
	struct tui_view *v = t->views[t->depth - 1];
	int64_t id;
	struct gpm_error *err = tui_view_cluster(t, v, &id);
	if (err)
		return fail(t, err);
	if (!id) {
		snprintf(t->status, sizeof(t->status),
		         "no cluster here: open the clusters list (c)");
		t->status_error = true;
		return TUI_REDRAW_STATUS;
	}
	struct gpm_store *st;
	if ((err = tui_store(t, true, &st)))
		return fail(t, err);
	const char *who = getenv("USER");
	err = gpm_store_cluster_change(st, id, action, value, who, t->now);
	gpm_store_close(st);
	if (err)
		return fail(t, err);
	for (int i = 0; i < t->depth; i++)
		if ((err = tui_view_refresh(t, t->views[i])))
			return fail(t, err);
	snprintf(t->status, sizeof(t->status), "cluster %lld: %s%s%.200s", (long long)id,
	         gpm_cluster_action_name(action), value && *value ? " " : "", value ? value : "");
	return TUI_REDRAW_VIEW | TUI_REDRAW_STATUS;
}

// A workflow command typed on the ':' line; false when line is not one.
static bool triage_command(struct tui *t, char **w, int n, const char *line, const char *buf,
                           unsigned *redraw)
{
	size_t k = 0;
	while (k < sizeof(triage_actions) / sizeof(triage_actions[0]) &&
	       strcmp(triage_actions[k].name, w[0]))
		k++;
	if (k == sizeof(triage_actions) / sizeof(triage_actions[0]))
		return false;
	if ((triage_actions[k].args == 2 && n < 2) || (triage_actions[k].args == 0 && n > 1)) {
		snprintf(t->status, sizeof(t->status), ":%s %s", w[0],
		         triage_actions[k].args ? "needs a value" : "takes no value");
		t->status_error = true;
		*redraw = TUI_REDRAW_STATUS;
		return true;
	}
	// The value is the rest of the line as typed (a note keeps its spaces).
	*redraw = triage(t, triage_actions[k].action, n > 1 ? line + (w[1] - buf) : NULL);
	return true;
}

/* ---- the ':' command line ---- */

// Splits a command line into words (quotes group words); returns the count (at most max).
static int split(char *s, char **words, int max)
{
	int n = 0;
	while (*s && n < max) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		char q = (*s == '"' || *s == '\'') ? *s++ : 0;
		words[n++] = s;
		while (*s && (q ? *s != q : *s != ' '))
			s++;
		if (*s)
			*s++ = 0;
	}
	return n;
}

static unsigned run_command(struct tui *t, const char *line)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", line);
	char *w[32];
	int n = split(buf, w, 32);
	if (!n)
		return TUI_REDRAW_STATUS;
	struct tui_view *v = NULL;
	if (!strcmp(w[0], "q") || !strcmp(w[0], "quit")) {
		t->quit = true;
		return TUI_REDRAW_QUIT;
	}
	if (!strcmp(w[0], "help"))
		return open_result(t, tui_view_help(t, t->views[t->depth - 1]->kind, &v), &v);
	if (!strcmp(w[0], "open")) {
		char *end;
		long long id = n == 2 ? strtoll(w[1], &end, 10) : 0;
		if (n != 2 || *end || id <= 0) {
			snprintf(t->status, sizeof(t->status), ":open needs an incident id");
			t->status_error = true;
			return TUI_REDRAW_STATUS;
		}
		return open_result(t, tui_view_incident(t, id, &v), &v);
	}
	if (!strcmp(w[0], "diff")) {
		char *end1 = NULL, *end2 = NULL;
		long long a = n >= 2 ? strtoll(w[1], &end1, 10) : 0;
		long long b = n == 3 ? strtoll(w[2], &end2, 10) : t->marked;
		if (n < 2 || n > 3 || *end1 || a <= 0 || b <= 0 || (end2 && *end2) || a == b) {
			snprintf(t->status, sizeof(t->status),
			         ":diff needs two incident ids (or one and a marked incident)");
			t->status_error = true;
			return TUI_REDRAW_STATUS;
		}
		return open_result(t, tui_view_diff(t, b, a, &v), &v);
	}
	if (!strcmp(w[0], "search")) {
		if (n < 2) {
			snprintf(t->status, sizeof(t->status), ":search needs text");
			t->status_error = true;
			return TUI_REDRAW_STATUS;
		}
		// The words after the command, as typed.
		const char *text = line + (w[1] - buf);
		return open_result(t, tui_view_search(t, text, &v), &v);
	}
	unsigned redraw;
	if (triage_command(t, w, n, line, buf, &redraw))
		return redraw;
	if (strcmp(w[0], "incidents") && strcmp(w[0], "clusters")) {
		snprintf(t->status, sizeof(t->status), "unknown command '%.40s' (? lists them)",
		         w[0]);
		t->status_error = true;
		return TUI_REDRAW_STATUS;
	}
	struct tui_query q = {0};
	struct gpm_error *err = NULL;
	for (int i = 1; i < n && !err; i++) {
		const char *o = w[i], *val = i + 1 < n ? w[i + 1] : NULL;
		if (!val) {
			err = gpm_error_create(GPM_ERR_USAGE, "%s needs a value", o);
			break;
		}
		i++;
		if (!strcmp(o, "--since"))
			err = gpm_store_parse_time(val, t->now, &q.since);
		else if (!strcmp(o, "--until"))
			err = gpm_store_parse_time(val, t->now, &q.until);
		else if (!strcmp(o, "--exe"))
			err = (free(q.exe), q.exe = strdup(val)) ? NULL : &gpm_error_nomem;
		else if (!strcmp(o, "--go"))
			err = (free(q.go), q.go = strdup(val)) ? NULL : &gpm_error_nomem;
		else if (!strcmp(o, "--finding"))
			err = (free(q.finding), q.finding = strdup(val)) ? NULL : &gpm_error_nomem;
		else if (!strcmp(o, "--cluster"))
			q.cluster = strtoll(val, NULL, 10);
		else
			err = gpm_error_create(GPM_ERR_USAGE, "unknown option '%.40s'", o);
	}
	if (!err)
		err = w[0][0] == 'i' ? tui_view_incidents(t, &q, &v) : tui_view_clusters(t, &q, &v);
	tui_query_deinit(&q);
	return open_result(t, err, &v);
}

/* ---- requests ---- */

static unsigned prompt_key(struct tui *t, const struct event *ev)
{
	struct tui_view *v = t->views[t->depth - 1];
	struct tui_pane *p = &v->panes[v->focus];
	int k = ev->key;
	if (k == 27 || (k == KEY_BACKSPACE && !t->input_len) || (k == 127 && !t->input_len)) {
		t->prompt = 0;
		return TUI_REDRAW_STATUS;
	}
	if (k == KEY_BACKSPACE || k == 127 || k == 8) {
		// Remove one UTF-8 character.
		while (t->input_len && ((unsigned char)t->input[t->input_len - 1] & 0xc0) == 0x80)
			t->input_len--;
		if (t->input_len)
			t->input_len--;
		return TUI_REDRAW_STATUS;
	}
	if (k == TUI_CTRL('u')) {
		t->input_len = 0;
		return TUI_REDRAW_STATUS;
	}
	if (k == '\n' || k == '\r' || k == KEY_ENTER) {
		int which = t->prompt;
		t->prompt = 0;
		t->input[t->input_len] = 0;
		unsigned r = TUI_REDRAW_STATUS;
		if (which == ':')
			return run_command(t, t->input);
		if (which == '/') {
			free(t->search);
			t->search = t->input_len ? strdup(t->input) : NULL;
			if (!t->search)
				return r;
			bool found;
			struct gpm_error *err = tui_pane_search(t, v, p, t->search, +1, &found);
			if (err)
				return fail(t, err);
			if (!found && !t->status[0])
				snprintf(t->status, sizeof(t->status), "no match for '%s'",
				         t->search);
			return r | TUI_REDRAW_CURSOR;
		}
		// '\': filter; an empty filter shows everything again.
		if (!p->ops->count) {
			snprintf(t->status, sizeof(t->status), "no filter in this pane");
			return r;
		}
		free(p->filter);
		p->filter = t->input_len ? strdup(t->input) : NULL;
		p->cur = p->top = 0;
		struct gpm_error *err = tui_pane_reload(t, v, p);
		if (err)
			return fail(t, err);
		return TUI_REDRAW_VIEW;
	}
	if (ev->text && k >= 0x20 && k != 0x7f) {
		char mb[8];
		mbstate_t st;
		memset(&st, 0, sizeof(st));
		size_t n = wcrtomb(mb, (wchar_t)k, &st);
		if (n != (size_t)-1 && t->input_len + n < sizeof(t->input) - 1) {
			memcpy(t->input + t->input_len, mb, n);
			t->input_len += n;
		}
	}
	return TUI_REDRAW_STATUS;
}

static unsigned mouse(struct tui *t, const MEVENT *m)
{
	struct tui_view *v = t->views[t->depth - 1];
	struct tui_pane *p = &v->panes[v->focus];
	if (m->bstate & BUTTON4_PRESSED)
		return tui_pane_move(p, p->cur - 3);
	if (m->bstate & BUTTON5_PRESSED)
		return tui_pane_move(p, p->cur + 3);
	if (!(m->bstate & (BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON1_PRESSED)))
		return TUI_REDRAW_NONE;
	for (int i = 0; i < v->npanes; i++) {
		struct tui_pane *q = &v->panes[i];
		if (m->y < q->y || m->y >= q->y + q->h || m->x < q->x || m->x >= q->x + q->w ||
		    q->top + (m->y - q->y) >= q->n)
			continue;
		unsigned r = v->focus != i ? TUI_REDRAW_VIEW : TUI_REDRAW_NONE;
		v->focus = i;
		r |= tui_pane_move(q, q->top + (m->y - q->y));
		if (m->bstate & BUTTON1_DOUBLE_CLICKED) {
			struct tui_view *n = NULL;
			struct gpm_error *err = tui_view_enter(t, v, &n);
			return r | open_result(t, err, &n);
		}
		return r;
	}
	return TUI_REDRAW_NONE;
}

/* v on a frame of a stack (its variables) or on a finding of an incident (its value). */
static struct gpm_error *values(struct tui *t, struct tui_view *v, struct tui_view **out)
{
	*out = NULL;
	struct tui_pane *p = &v->panes[v->focus];
	if (v->kind == TUI_VIEW_INCIDENT) {
		int64_t ref =
		    v->focus == 0 && (size_t)p->cur < p->nlines ? p->lines[p->cur].ref : 0;
		if (!ref) {
			snprintf(t->status, sizeof(t->status),
			         "v on a finding opens its value; P the panic value");
			return NULL;
		}
		return tui_view_finding_value(t, v->incident, ref, out);
	}
	struct gpm_error *err = p->n > 0 ? tui_pane_ensure(t, v, p, p->cur, 1) : NULL;
	if (err)
		return err;
	const char *depth = p->n > 0 ? tui_pane_cell(p, p->cur, 0) : NULL;
	const char *flags = p->n > 0 ? tui_pane_cell(p, p->cur, 5) : NULL;
	if (!depth || v->goid <= 0 || (flags && (atoi(flags) & 4))) {
		snprintf(t->status, sizeof(t->status), "no frame here to read values of");
		return NULL;
	}
	char expr[96];
	snprintf(expr, sizeof(expr), "goroutine %lld frame %lld", (long long)v->goid,
	         strtoll(depth, NULL, 10));
	return tui_view_value(t, v->incident, expr, out);
}

static unsigned handle(struct tui *t, const struct event *ev)
{
	if (t->prompt && ev->key != KEY_RESIZE)
		return prompt_key(t, ev);
	struct tui_view *v = t->views[t->depth - 1];
	struct tui_pane *p = &v->panes[v->focus];
	int page = p->h > 1 ? p->h - 1 : 1;
	struct tui_view *n = NULL;
	struct gpm_error *err;
	bool found;
	enum tui_request req = tui_key_request(ev->key, v->kind);
	switch (req) {
	case TUI_REQ_DOWN:
		return tui_pane_move(p, p->cur + 1);
	case TUI_REQ_UP:
		return tui_pane_move(p, p->cur - 1);
	case TUI_REQ_PAGE_DOWN:
		p->top += page;
		if (p->top > p->n - p->h)
			p->top = p->n - p->h > 0 ? p->n - p->h : 0;
		return tui_pane_move(p, p->cur + page) | TUI_REDRAW_PANE;
	case TUI_REQ_PAGE_UP:
		p->top = p->top > page ? p->top - page : 0;
		return tui_pane_move(p, p->cur - page) | TUI_REDRAW_PANE;
	case TUI_REQ_FIRST:
		return tui_pane_move(p, 0);
	case TUI_REQ_LAST:
		return tui_pane_move(p, p->n - 1);
	case TUI_REQ_ENTER:
		if (v->ops->preview && v->npanes == 2 && (v->focus == 1 || !v->ops->enter)) {
			// Enter on a preview maximises it; again gives the list its room back. In a
			// list whose rows open nothing (heap types) Enter on the list does too.
			v->maximized = !v->maximized;
			tui_view_layout(t, v);
			return TUI_REDRAW_ALL;
		}
		err = tui_view_enter(t, v, &n);
		return open_result(t, err, &n);
	case TUI_REQ_BACK:
	case TUI_REQ_VALUE_BACK:
		return pop_view(t);
	case TUI_REQ_VALUES:
		return open_result(t, values(t, v, &n), &n);
	case TUI_REQ_PANIC:
		return open_result(t, tui_view_value(t, v->incident, NULL, &n), &n);
	case TUI_REQ_QUIT:
		t->quit = true;
		return TUI_REDRAW_QUIT;
	case TUI_REQ_TAB:
		if (v->npanes < 2)
			return TUI_REDRAW_NONE;
		v->focus = (v->focus + 1) % v->npanes;
		return TUI_REDRAW_VIEW;
	case TUI_REQ_MARK:
	case TUI_REQ_DIFF: {
		int64_t id;
		if ((err = tui_view_row_id(t, v, &id)))
			return fail(t, err);
		if (!id)
			return TUI_REDRAW_NONE;
		if (req == TUI_REQ_MARK || !t->marked) {
			t->marked = id;
			snprintf(t->status, sizeof(t->status),
			         "incident %lld marked: D on another compares them", (long long)id);
			return TUI_REDRAW_STATUS;
		}
		if (id == t->marked) {
			snprintf(t->status, sizeof(t->status),
			         "incident %lld is the marked one: D on another", (long long)id);
			return TUI_REDRAW_STATUS;
		}
		return open_result(t, tui_view_diff(t, t->marked, id, &n), &n);
	}
	case TUI_REQ_RESOLVE:
		return triage(t, GPM_CLUSTER_RESOLVE, NULL);
	case TUI_REQ_REOPEN:
		return triage(t, GPM_CLUSTER_REOPEN, NULL);
	case TUI_REQ_IGNORE:
		return triage(t, GPM_CLUSTER_IGNORE, NULL);
	case TUI_REQ_ASSIGN:
	case TUI_REQ_NOTE:
	case TUI_REQ_LINK: {
		// The command line, started: the value is typed there (Esc cancels).
		const char *start = req == TUI_REQ_ASSIGN ? "assign "
		                    : req == TUI_REQ_NOTE ? "note "
		                                          : "link ";
		t->prompt = ':';
		t->input_len = strlen(start);
		memcpy(t->input, start, t->input_len);
		return TUI_REDRAW_STATUS;
	}
	case TUI_REQ_SEARCH:
	case TUI_REQ_FILTER:
	case TUI_REQ_COMMAND:
		t->prompt = req == TUI_REQ_SEARCH ? '/' : req == TUI_REQ_FILTER ? '\\' : ':';
		t->input_len = 0;
		if (req == TUI_REQ_FILTER && p->filter) {
			// Start from the current filter, to refine it.
			size_t l = strlen(p->filter);
			if (l < sizeof(t->input) - 1) {
				memcpy(t->input, p->filter, l);
				t->input_len = l;
			}
		}
		return TUI_REDRAW_STATUS;
	case TUI_REQ_SEARCH_NEXT:
	case TUI_REQ_SEARCH_PREV:
		if (!t->search) {
			snprintf(t->status, sizeof(t->status), "no search yet: / searches");
			return TUI_REDRAW_STATUS;
		}
		if ((err = tui_pane_search(t, v, p, t->search, req == TUI_REQ_SEARCH_NEXT ? 1 : -1,
		                           &found)))
			return fail(t, err);
		if (!found && !t->status[0])
			snprintf(t->status, sizeof(t->status), "no match for '%s'", t->search);
		return TUI_REDRAW_CURSOR | TUI_REDRAW_STATUS;
	case TUI_REQ_SORT:
	case TUI_REQ_SORT_REVERSE:
		if (p->ops->nsorts < 2)
			return TUI_REDRAW_NONE;
		if (req == TUI_REQ_SORT) {
			p->sort = (p->sort + 1) % p->ops->nsorts;
			p->reverse = false;
		} else {
			p->reverse = !p->reverse;
		}
		p->cur = p->top = 0;
		if ((err = tui_pane_reload(t, v, p)))
			return fail(t, err);
		return TUI_REDRAW_VIEW;
	case TUI_REQ_INCIDENTS:
		return open_result(t, tui_view_incidents(t, NULL, &n), &n);
	case TUI_REQ_CLUSTERS:
		return open_result(t, tui_view_clusters(t, NULL, &n), &n);
	case TUI_REQ_SIMILAR: {
		const char *cl = v->info.nrows ? gpm_store_cell(&v->info, 0, 7) : NULL;
		if (!cl) {
			snprintf(t->status, sizeof(t->status), "this incident has no cluster");
			return TUI_REDRAW_STATUS;
		}
		struct tui_query q = {.cluster = strtoll(cl, NULL, 10)};
		return open_result(t, tui_view_incidents(t, &q, &n), &n);
	}
	case TUI_REQ_REPORT:
		return open_result(t, tui_view_report(t, v->incident, &n), &n);
	case TUI_REQ_HEAP:
		return open_result(t, tui_view_heap(t, v->incident, &n), &n);
	case TUI_REQ_RETAINERS:
		return open_result(t, tui_view_retainers(t, v->incident, &n), &n);
	case TUI_REQ_HELP:
		if (v->kind == TUI_VIEW_TEXT && v->title && !strncmp(v->title, "Help", 4))
			return TUI_REDRAW_NONE;
		return open_result(t, tui_view_help(t, v->kind, &n), &n);
	case TUI_REQ_REDRAW:
		clearok(curscr, TRUE);
		return TUI_REDRAW_ALL;
	case TUI_REQ_MOUSE:
		return mouse(t, &ev->mouse);
	case TUI_REQ_RESIZE:
		getmaxyx(stdscr, t->rows, t->cols);
		tui_view_layout(t, v);
		return TUI_REDRAW_ALL;
	case TUI_REQ_NONE:
	case TUI_REQ__COUNT:
		break;
	}
	return TUI_REDRAW_NONE;
}

static double clock_ms(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}
static double now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}
static double cpu_ms(void)
{
	return clock_ms(CLOCK_PROCESS_CPUTIME_ID);
}

// GOPM_TUI_TIMING=FILE: one line per event, "key K: handle+draw W ms (C ms of CPU), Q
// queries", for the figures in doc/performance.md (how long each key takes on a big archive
// or incident; the CPU time is what a loaded machine does not inflate).
static void run(struct tui *t, struct script *script)
{
	const char *tpath = getenv("GOPM_TUI_TIMING");
	FILE *timing = tpath && *tpath ? fopen(tpath, "w") : NULL;
	double t0 = now_ms(), c0 = cpu_ms();
	tui_view_preview(t, t->views[t->depth - 1]);
	tui_draw(t, TUI_REDRAW_ALL);
	if (timing)
		fprintf(timing, "start: %.2f ms (%.2f ms of CPU), %u queries\n", now_ms() - t0,
		        cpu_ms() - c0, t->db.queries);
	while (!t->quit) {
		struct event ev;
		if (script ? !script_next(t, script, &ev) : !terminal_next(&ev))
			break;
		t0 = now_ms();
		c0 = cpu_ms();
		unsigned q0 = t->db.queries;
		// A message stays until the next key.
		bool had_status = t->status[0];
		t->status[0] = 0;
		t->status_error = false;
		unsigned r = handle(t, &ev);
		if (r & TUI_REDRAW_QUIT)
			break;
		if (had_status)
			r |= TUI_REDRAW_STATUS;
		r |= tui_view_preview(t, t->views[t->depth - 1]);
		tui_draw(t, r);
		if (timing)
			fprintf(timing, "key %d: %.2f ms (%.2f ms of CPU), %u queries\n", ev.key,
			        now_ms() - t0, cpu_ms() - c0, t->db.queries - q0);
	}
	if (timing)
		fclose(timing);
}

/* ---- setup ---- */

static SCREEN *script_screen;
static FILE *script_out, *script_in;

static bool start_curses(bool scripted)
{
	if (scripted) {
		// Tests: a fixed 80x24 terminal whose output goes nowhere.
		setenv("LINES", "24", 1);
		setenv("COLUMNS", "80", 1);
		script_out = fopen("/dev/null", "w");
		script_in = fopen("/dev/null", "r");
		const char *terms[] = {getenv("TERM"), "xterm", "vt100", "ansi"};
		for (size_t i = 0; i < 4 && script_out && script_in && !script_screen; i++)
			if (terms[i] && *terms[i] && strcmp(terms[i], "dumb"))
				script_screen = newterm(terms[i], script_out, script_in);
		if (!script_screen)
			return false;
		set_term(script_screen);
	} else if (!initscr()) {
		return false;
	}
	curses_active = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	if (!scripted) {
		mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED |
		              BUTTON5_PRESSED,
		          NULL);
		mouseinterval(200);
	}
	const char *nc = getenv("NO_COLOR");
	tui_colors_init(!scripted && !(nc && *nc));
	return true;
}

struct gpm_error *gpm_tui_run(const struct gpm_tui_args *a)
{
	struct tui t;
	memset(&t, 0, sizeof(t));
	t.source_root = a->source_root;
	t.ingest = a->ingest;
	setlocale(LC_ALL, "");
	tui_utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	t.now = (int64_t)time(NULL);
	// A scripted run can fix the clock (the times of workflow events it records), for
	// screens that are the same on every run: SOURCE_DATE_EPOCH, as reproducible builds do.
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	if (a->script && epoch && *epoch) {
		char *end;
		long long e = strtoll(epoch, &end, 10);
		if (!*end && e > 0)
			t.now = e;
	}
	struct gpm_error *err = tui_db_open(a->db_path, &t.db);
	if (err)
		goto out;
	t.db_path = a->db_path;

	install_signals();
	if (!start_curses(a->script != NULL)) {
		err = gpm_error_create(GPM_ERR_OS, "cannot start the terminal (TERM=%s)",
		                       getenv("TERM") ? getenv("TERM") : "");
		goto out;
	}
	getmaxyx(stdscr, t.rows, t.cols);
	struct tui_view *v = NULL;
	err = tui_view_incidents(&t, NULL, &v);
	if (!err) {
		push_view(&t, v);
		if (a->open_id > 0 && !(err = tui_view_incident(&t, a->open_id, &v)))
			push_view(&t, v);
	}
	if (!err) {
		struct script s = {.f = a->script};
		run(&t, a->script ? &s : NULL);
	}
	restore_terminal();
out:
	if (script_screen)
		delscreen(script_screen);
	if (script_out)
		fclose(script_out);
	if (script_in)
		fclose(script_in);
	script_screen = NULL;
	script_out = script_in = NULL;
	while (t.depth > 0)
		tui_view_destroy(t.views[--t.depth]);
	free(t.search);
	tui_values_close(&t);
	tui_db_close(&t.db);
	gpm_store_close(t.store);
	return err;
}
