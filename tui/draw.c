/*
 * Drawing text from the archive safely, colours, and the screen as text for tests.
 *
 * Everything a dump controls (function names, panic messages, labels, paths) reaches the
 * terminal only through tui_draw_text: it decodes UTF-8 itself and never passes a control
 * character (C0, DEL, C1) to ncurses, so no byte of a dump can start an escape sequence.
 * Colours use the terminal's default background (use_default_colors) so they read on dark
 * and light themes; NO_COLOR leaves only bold, reverse and underline.
 *
 * The screen: views laid out in panes (a list beside or above its preview), column widths
 * by importance, and tui_draw, the main loop's only drawing call, which redraws what the
 * key handlers said changed (htop).
 */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "base/strbuf.h"
#include "tui/tui.h"

bool tui_utf8 = true;
static attr_t attrs[TUI_C__COUNT];

void tui_colors_init(bool color)
{
	attrs[TUI_C_NORMAL] = A_NORMAL;
	attrs[TUI_C_TITLE] = A_REVERSE | A_BOLD;
	attrs[TUI_C_HEADER] = A_BOLD | A_UNDERLINE;
	attrs[TUI_C_CURSOR] = A_REVERSE;
	attrs[TUI_C_CURSOR_DIM] = A_UNDERLINE;
	attrs[TUI_C_STATUS] = A_REVERSE;
	attrs[TUI_C_ERROR] = A_BOLD;
	attrs[TUI_C_CRITICAL] = A_BOLD;
	attrs[TUI_C_WARNING] = A_BOLD;
	attrs[TUI_C_INFO] = A_NORMAL;
	attrs[TUI_C_DIM] = A_DIM;
	attrs[TUI_C_HIGHLIGHT] = A_BOLD | A_UNDERLINE;
	attrs[TUI_C_BOLD] = A_BOLD;
	if (!color || !has_colors() || start_color() == ERR)
		return;
	// Foregrounds only, on the default background: red, magenta, blue and cyan read on
	// both dark and light themes; yellow and white do not, so they are not used.
	use_default_colors();
	init_pair(1, COLOR_BLUE, -1);
	init_pair(2, COLOR_RED, -1);
	init_pair(3, COLOR_MAGENTA, -1);
	init_pair(4, COLOR_CYAN, -1);
	init_pair(5, COLOR_GREEN, -1);
	attrs[TUI_C_TITLE] = A_REVERSE | A_BOLD | COLOR_PAIR(1);
	attrs[TUI_C_ERROR] = A_BOLD | COLOR_PAIR(2);
	attrs[TUI_C_CRITICAL] = A_BOLD | COLOR_PAIR(2);
	attrs[TUI_C_WARNING] = A_BOLD | COLOR_PAIR(3);
	attrs[TUI_C_INFO] = COLOR_PAIR(4);
	attrs[TUI_C_HIGHLIGHT] = A_BOLD | COLOR_PAIR(5);
}

attr_t tui_attr(enum tui_color c)
{
	return attrs[c];
}

// Decodes one UTF-8 character at s (n bytes left); returns its length (>= 1) and the
// code point, or U+FFFD for a malformed, overlong or surrogate sequence (length 1).
static size_t decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		len = 2, v = c & 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3, v = c & 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4, v = c & 0x07, min = 0x10000;
	} else {
		*cp = 0xfffd;
		return 1;
	}
	if (len > n) {
		*cp = 0xfffd;
		return 1;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return 1;
		}
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
		*cp = 0xfffd;
		return 1;
	}
	*cp = v;
	return len;
}

// The character to show for cp, and its width (0 = skip).
static uint32_t visible(uint32_t cp, int *width)
{
	if (cp == '\t' || cp == '\n' || cp == '\r')
		cp = ' ';
	else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
		cp = '?';
	if (cp >= 0x80 && !tui_utf8)
		cp = '?';
	int w = cp < 0x80 ? 1 : wcwidth((wchar_t)cp);
	if (w < 0) {
		cp = tui_utf8 ? 0xfffd : '?';
		w = 1;
	}
	*width = w;
	return cp;
}

int tui_text_width(const char *s)
{
	int total = 0;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		int w;
		i += decode((const unsigned char *)s + i, n - i, &cp);
		visible(cp, &w);
		total += w;
	}
	return total;
}

size_t tui_text_fit(const char *s, int width)
{
	int total = 0;
	size_t n = strlen(s), i = 0;
	while (i < n) {
		uint32_t cp;
		int w;
		size_t len = decode((const unsigned char *)s + i, n - i, &cp);
		visible(cp, &w);
		if (total + w > width)
			break;
		total += w;
		i += len;
	}
	return i;
}

static void put(WINDOW *win, int y, int x, uint32_t cp, attr_t attr)
{
	wchar_t wc[2] = {(wchar_t)cp, 0};
	cchar_t cc;
	setcchar(&cc, wc, attr, (short)PAIR_NUMBER(attr), NULL);
	mvwadd_wch(win, y, x, &cc);
}

int tui_draw_text(WINDOW *win, int y, int x, int width, const char *s, attr_t attr, unsigned flags)
{
	if (width <= 0)
		return 0;
	if (!s)
		s = "";
	int total = tui_text_width(s);
	int used = 0;
	if ((flags & TUI_TEXT_RIGHT) && total < width) {
		for (; used < width - total; used++)
			put(win, y, x + used, ' ', attr);
	}
	bool cut = total > width;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		int w;
		i += decode((const unsigned char *)s + i, n - i, &cp);
		cp = visible(cp, &w);
		if (!w)
			continue;
		if (used + w > width - (cut ? 1 : 0))
			break;
		put(win, y, x + used, cp, attr);
		used += w;
	}
	if (cut) {
		put(win, y, x + used, tui_utf8 ? 0x2026 : '~', attr);
		used++;
	}
	if (flags & TUI_TEXT_PAD)
		for (; used < width; used++)
			put(win, y, x + used, ' ', attr);
	return used;
}

static void utf8_put(struct gpm_strbuf *sb, uint32_t cp)
{
	char b[4];
	size_t n;
	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	gpm_strbuf_append(sb, b, n);
}

char *tui_screen_text(WINDOW *win)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	int rows = getmaxy(win), cols = getmaxx(win);
	for (int y = 0; y < rows; y++) {
		size_t start = sb.len;
		for (int x = 0; x < cols; x++) {
			cchar_t cc;
			wchar_t wc[CCHARW_MAX + 1] = {0};
			attr_t a;
			short pair;
			if (mvwin_wch(win, y, x, &cc) == ERR ||
			    getcchar(&cc, wc, &a, &pair, NULL) == ERR)
				continue;
			// The second cell of a wide character repeats nothing.
			for (int i = 0; i < CCHARW_MAX && wc[i]; i++)
				utf8_put(&sb, (uint32_t)wc[i]);
			if (!wc[0])
				continue;
			int w = wcwidth(wc[0]);
			if (w > 1)
				x += w - 1;
		}
		while (sb.len > start && sb.buf[sb.len - 1] == ' ')
			sb.len--;
		gpm_strbuf_putc(&sb, '\n');
	}
	if (gpm_strbuf_error(&sb)) {
		gpm_strbuf_deinit(&sb);
		return NULL;
	}
	char *out = strdup(gpm_strbuf_str(&sb));
	gpm_strbuf_deinit(&sb);
	return out;
}

/* ---- layout and drawing of views ---- */

void tui_view_layout(struct tui *t, struct tui_view *v)
{
	int body = t->rows - 2; // title and status lines
	for (int i = 0; i < 2; i++) {
		v->panes[i].x = 0;
		v->panes[i].w = t->cols;
	}
	if (v->ops->layout) {
		v->ops->layout(t, v, body);
	} else if (v->npanes == 2 && t->cols >= TUI_WIDE && !v->maximized) {
		// Wide (tig, lazygit): the list left, the preview right of a rule; the list
		// gets 55%, as its columns need more room than the preview's wrapped text.
		int w0 = (t->cols - 1) * 11 / 20;
		v->panes[0].y = v->panes[1].y = 2;
		v->panes[0].h = v->panes[1].h = body - 1 > 0 ? body - 1 : 0;
		v->panes[0].w = w0;
		v->panes[1].x = w0 + 1;
		v->panes[1].w = t->cols - w0 - 1;
	} else if (v->npanes == 2) {
		// A list and the preview of its selected row below; Enter on the preview
		// maximises it (the list keeps one row).
		int avail = body - 2;
		int h0 = v->maximized ? 1 : avail / 2;
		if (h0 < 1)
			h0 = 1;
		v->panes[0].y = 2;
		v->panes[0].h = h0;
		v->panes[1].y = 2 + h0 + 1;
		v->panes[1].h = avail - h0 > 0 ? avail - h0 : 0;
	} else {
		v->panes[0].y = 2;
		v->panes[0].h = body - 1 > 0 ? body - 1 : 0;
	}
	for (int i = 0; i < v->npanes; i++) {
		struct tui_pane *p = &v->panes[i];
		p->drawn = false;
		if (p->n > 0 && p->cur >= p->n)
			p->cur = p->n - 1;
		// Keep the cursor in view, a little above the middle for a jump (source line).
		if (p->cur >= p->top + p->h || p->cur < p->top)
			p->top = p->cur - p->h / 3 > 0 ? p->cur - p->h / 3 : 0;
		tui_pane_move(p, p->cur);
	}
}

/*
 * Column widths for the screen width (0: not shown). Columns are sized by importance: when
 * the minimum widths don't fit, the column with the highest drop goes first (a narrow
 * terminal keeps the headline and loses the cluster id); what is left over goes to the
 * flex columns in proportion to their minimum, so the headline takes the room.
 */
static void widths(const struct tui_pane_ops *ops, int cols, int *w)
{
	bool shown[16];
	for (size_t c = 0; c < ops->ncols; c++)
		shown[c] = true;
	int need, flexmin;
	for (;;) {
		need = 0;
		flexmin = 0;
		int ncols = 0;
		for (size_t c = 0; c < ops->ncols; c++) {
			if (!shown[c])
				continue;
			need += (ncols++ ? 1 : 0) + ops->cols[c].width;
			if (ops->cols[c].flags & TUI_COL_FLEX)
				flexmin += ops->cols[c].width;
		}
		size_t worst = ops->ncols;
		for (size_t c = 0; c < ops->ncols; c++)
			if (shown[c] && ops->cols[c].drop &&
			    (worst == ops->ncols || ops->cols[c].drop > ops->cols[worst].drop))
				worst = c;
		if (need <= cols || worst == ops->ncols)
			break;
		shown[worst] = false;
	}
	int rest = cols > need ? cols - need : 0, given = 0;
	size_t last_flex = ops->ncols;
	for (size_t c = 0; c < ops->ncols; c++) {
		w[c] = shown[c] ? ops->cols[c].width : 0;
		if (!shown[c] || !(ops->cols[c].flags & TUI_COL_FLEX))
			continue;
		int share = flexmin ? (int)((int64_t)rest * ops->cols[c].width / flexmin) : 0;
		w[c] += share;
		given += share;
		last_flex = c;
	}
	if (last_flex < ops->ncols)
		w[last_flex] += rest - given;
}

static void draw_cells(const struct tui_pane *p, int y, const char *const *cells, attr_t attr)
{
	const struct tui_pane_ops *ops = p->ops;
	int w[16], x = p->x, end = p->x + p->w;
	widths(ops, p->w, w);
	bool first = true;
	for (size_t c = 0; c < ops->ncols && x < end; c++) {
		if (!w[c])
			continue;
		if (!first) {
			tui_draw_text(stdscr, y, x, 1, " ", attr, TUI_TEXT_PAD);
			x++;
		}
		first = false;
		int cw = w[c] < end - x ? w[c] : end - x;
		const char *s = cells[c] ? cells[c] : "";
		unsigned fl =
		    TUI_TEXT_PAD | ((ops->cols[c].flags & TUI_COL_RIGHT) ? TUI_TEXT_RIGHT : 0);
		if ((ops->cols[c].flags & TUI_COL_CUT_LEFT) && tui_text_width(s) > cw && cw > 1) {
			// Keep the end of a long path (its file name and line).
			int drop = tui_text_width(s) - (cw - 1);
			size_t skip = tui_text_fit(s, drop);
			while (tui_text_width(s + skip) > cw - 1 && s[skip])
				skip++;
			tui_draw_text(stdscr, y, x, 1, tui_utf8 ? "…" : "~", attr, 0);
			tui_draw_text(stdscr, y, x + 1, cw - 1, s + skip, attr, fl);
		} else {
			tui_draw_text(stdscr, y, x, cw, s, attr, fl);
		}
		x += cw;
	}
	if (x < end)
		tui_draw_text(stdscr, y, x, end - x, "", attr, TUI_TEXT_PAD);
}

// The rule left of a pane beside another (wide layout).
static void draw_rule(const struct tui_pane *p, int y)
{
	if (p->x > 0)
		tui_draw_text(stdscr, y, p->x - 1, 1, tui_utf8 ? "│" : "|", tui_attr(TUI_C_DIM), 0);
}

static void draw_row(struct tui *t, struct tui_view *v, struct tui_pane *p, int64_t i)
{
	int y = p->y + (int)(i - p->top);
	if (i < p->top || y >= p->y + p->h || y >= t->rows - 1)
		return;
	bool focused = &v->panes[v->focus] == p;
	attr_t cursor = tui_attr(focused ? TUI_C_CURSOR : TUI_C_CURSOR_DIM);
	draw_rule(p, y);
	if (i >= p->n) {
		tui_draw_text(stdscr, y, p->x, p->w, "", A_NORMAL, TUI_TEXT_PAD);
		return;
	}
	if (!p->ops->fetch) {
		const struct tui_line *l = &p->lines[i];
		attr_t a = i == p->cur && (focused || v->npanes > 1) ? cursor : tui_attr(l->color);
		tui_draw_text(stdscr, y, p->x, p->w, l->text, a, TUI_TEXT_PAD);
		return;
	}
	const char *const *cells = tui_pane_cells(p, i);
	if (!cells) {
		tui_draw_text(stdscr, y, p->x, p->w, "…", A_NORMAL, TUI_TEXT_PAD);
		return;
	}
	attr_t a = tui_attr(TUI_C_NORMAL);
	if (p->ops->color)
		a = tui_attr(p->ops->color(&p->page, (size_t)(i - p->page_off)));
	draw_cells(p, y, cells, i == p->cur ? cursor : a);
}

static void draw_pane_body(struct tui *t, struct tui_view *v, struct tui_pane *p)
{
	struct gpm_error *err = tui_pane_ensure(t, v, p, p->top, p->h);
	if (err) {
		snprintf(t->status, sizeof(t->status), "%s", err->message ? err->message : "error");
		t->status_error = true;
		gpm_error_destroy(err);
	}
	for (int64_t i = p->top; i < p->top + p->h; i++)
		draw_row(t, v, p, i);
	p->drawn = true;
	p->drawn_top = p->top;
	p->drawn_cur = p->cur;
}

static void draw_pane_header(struct tui *t, struct tui_view *v, struct tui_pane *p)
{
	int y = p->y - 1;
	if (y < 1 || y >= t->rows - 1)
		return;
	draw_rule(p, y);
	if (!p->ops->fetch && p->title) {
		char buf[160];
		snprintf(buf, sizeof(buf), "%s%s", p->title,
		         v->ops->focus_hint && &v->panes[v->focus] == p ? v->ops->focus_hint : "");
		tui_draw_text(stdscr, y, p->x, p->w, buf, tui_attr(TUI_C_HEADER), TUI_TEXT_PAD);
		return;
	}
	if (!p->ops->fetch) {
		tui_draw_text(stdscr, y, p->x, p->w, "", A_NORMAL, TUI_TEXT_PAD);
		return;
	}
	const char *titles[16];
	for (size_t c = 0; c < p->ops->ncols && c < 16; c++)
		titles[c] = p->ops->cols[c].title;
	draw_cells(p, y, titles, tui_attr(TUI_C_HEADER));
}

static void draw_title(struct tui *t, struct tui_view *v)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	// A list with a preview is titled by the list.
	struct tui_pane *p = &v->panes[v->ops->title_of_focus ? v->focus : 0];
	gpm_strbuf_printf(&sb, "%s", v->title);
	if (v->ops->counted)
		gpm_strbuf_printf(&sb, " (%lld)", (long long)p->n);
	if (p->ops->nsorts > 1) {
		const struct tui_sort *s = &p->ops->sorts[p->sort];
		gpm_strbuf_printf(&sb, " · sort: %s %s", s->label,
		                  p->reverse ? s->arrow_reverse : s->arrow);
	}
	if (p->filter)
		gpm_strbuf_printf(&sb, " · filter: %s", p->filter);
	tui_draw_text(stdscr, 0, 0, t->cols, gpm_strbuf_str(&sb), tui_attr(TUI_C_TITLE),
	              TUI_TEXT_PAD);
	gpm_strbuf_deinit(&sb);
}

static void draw_status(struct tui *t)
{
	int y = t->rows - 1;
	if (y < 1)
		return;
	char left[600];
	if (t->prompt) {
		snprintf(left, sizeof(left), "%c%.*s", t->prompt, (int)t->input_len, t->input);
		tui_draw_text(stdscr, y, 0, t->cols, left, A_NORMAL, TUI_TEXT_PAD);
		int x = tui_text_width(left);
		move(y, x < t->cols ? x : t->cols - 1);
		return;
	}
	struct tui_view *v = t->views[t->depth - 1];
	struct tui_pane *p = &v->panes[v->focus];
	if (t->status[0]) {
		tui_draw_text(stdscr, y, 0, t->cols, t->status,
		              tui_attr(t->status_error ? TUI_C_ERROR : TUI_C_STATUS), TUI_TEXT_PAD);
		return;
	}
	snprintf(left, sizeof(left), "[%s] %lld/%lld", v->name, (long long)(p->n ? p->cur + 1 : 0),
	         (long long)p->n);
	const char *right = "? help  : command  q back";
	int rw = tui_text_width(right);
	int lw = t->cols - rw - 1 > 0 ? t->cols - rw - 1 : t->cols;
	tui_draw_text(stdscr, y, 0, lw, left, tui_attr(TUI_C_STATUS), TUI_TEXT_PAD);
	if (lw < t->cols)
		tui_draw_text(stdscr, y, lw, t->cols - lw, right, tui_attr(TUI_C_STATUS),
		              TUI_TEXT_PAD | TUI_TEXT_RIGHT);
}

void tui_draw(struct tui *t, unsigned flags)
{
	if (!flags || t->depth <= 0)
		return;
	struct tui_view *v = t->views[t->depth - 1];
	struct tui_pane *p = &v->panes[v->focus];
	if (flags & TUI_REDRAW_ALL) {
		werase(stdscr);
		flags |= TUI_REDRAW_VIEW;
	}
	if (flags & TUI_REDRAW_VIEW) {
		draw_title(t, v);
		for (int i = 0; i < v->npanes; i++) {
			draw_pane_header(t, v, &v->panes[i]);
			draw_pane_body(t, v, &v->panes[i]);
		}
	} else if ((flags & TUI_REDRAW_PANE) || !p->drawn || p->drawn_top != p->top) {
		draw_title(t, v);
		draw_pane_body(t, v, p);
	} else if (flags & TUI_REDRAW_CURSOR) {
		// Only the rows that changed: the old cursor row and the new one.
		int64_t old = p->drawn_cur;
		p->drawn_cur = p->cur;
		draw_row(t, v, p, old);
		draw_row(t, v, p, p->cur);
	}
	curs_set(t->prompt ? 1 : 0);
	draw_status(t);
	wnoutrefresh(stdscr);
	doupdate();
}
