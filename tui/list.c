/*
 * The list engine of the TUI: a pane's rows are SQL pages of a few hundred rows around the
 * cursor, fetched through the pane's ops (one file per view says what a row is); cursor
 * moves, re-counting after a filter or sort, and search over the rows. A page near the end
 * of a list with a total natural order is read from the end (tui_pane_ops.tail), so G on a
 * million rows costs what g does; the middle of a list still pays its OFFSET. Text panes
 * (findings, help, a report, a source file) are lines in memory, wrapped here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "tui/tui.h"

enum {
	PAGE_MARGIN = 64,        /* rows fetched before the window asked for */
	PAGE_EXTRA = 192,        /* and after it */
	SEARCH_CHUNK = 512,      /* rows per query while searching */
	SEARCH_MAX = 2000000,    /* rows a search looks at before giving up (reported) */
	MAX_TEXT_LINES = 200000, /* lines of a text pane (a report, a source file) */
};

// Turns a page read in the reverse order around.
static void page_reverse(struct gpm_store_table *t)
{
	for (size_t a = 0, b = t->nrows; a + 1 < b; a++, b--)
		for (size_t c = 0; c < t->ncols; c++) {
			char *x = t->cells[a * t->ncols + c];
			t->cells[a * t->ncols + c] = t->cells[(b - 1) * t->ncols + c];
			t->cells[(b - 1) * t->ncols + c] = x;
		}
}

struct gpm_error *tui_pane_ensure(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                  int64_t from, int64_t count)
{
	if (!p->ops->fetch)
		return NULL;
	int64_t end = p->page_off + (int64_t)p->page.nrows;
	if (p->page_ok && from >= p->page_off && (from + count <= end || p->page_end))
		return NULL;
	int64_t off = from > PAGE_MARGIN ? from - PAGE_MARGIN : 0;
	int64_t lim = (from - off) + count + PAGE_EXTRA;
	gpm_store_table_deinit(&p->page);
	p->page_ok = false;
	if (p->ops->tail && p->sort == 0 && from > p->n / 2) {
		// Near the end: read the page from the end in the reverse order, so OFFSET
		// stays small (G on a million rows costs what g does), and turn it around.
		int64_t last = from + count + PAGE_EXTRA < p->n ? from + count + PAGE_EXTRA : p->n;
		p->reverse = !p->reverse;
		struct gpm_error *err = p->ops->fetch(t, v, p, p->n - last, last - off, &p->page);
		p->reverse = !p->reverse;
		if (err)
			return err;
		page_reverse(&p->page);
		p->page_off = last - (int64_t)p->page.nrows;
		p->page_ok = true;
		p->page_end = last == p->n;
		return NULL;
	}
	struct gpm_error *err = p->ops->fetch(t, v, p, off, lim, &p->page);
	if (err)
		return err;
	p->page_off = off;
	p->page_ok = true;
	p->page_end = (int64_t)p->page.nrows < lim;
	return NULL;
}

const char *const *tui_pane_cells(struct tui_pane *p, int64_t i)
{
	if (!p->page_ok || i < p->page_off || i >= p->page_off + (int64_t)p->page.nrows)
		return NULL;
	return (const char *const *)p->page.cells + (size_t)(i - p->page_off) * p->page.ncols;
}

const char *tui_pane_cell(struct tui_pane *p, int64_t i, size_t col)
{
	const char *const *c = tui_pane_cells(p, i);
	return c && col < p->page.ncols ? c[col] : NULL;
}

unsigned tui_pane_move(struct tui_pane *p, int64_t row)
{
	if (row >= p->n)
		row = p->n - 1;
	if (row < 0)
		row = 0;
	unsigned r = row != p->cur ? TUI_REDRAW_CURSOR : TUI_REDRAW_NONE;
	p->cur = row;
	int h = p->h > 0 ? p->h : 1;
	if (p->cur < p->top)
		p->top = p->cur;
	else if (p->cur >= p->top + h)
		p->top = p->cur - h + 1;
	return r | TUI_REDRAW_STATUS;
}

struct gpm_error *tui_pane_reload(struct tui *t, struct tui_view *v, struct tui_pane *p)
{
	gpm_store_table_deinit(&p->page);
	p->page_ok = false;
	p->drawn = false;
	if (p->ops->count) {
		struct gpm_error *err = p->ops->count(t, v, p, &p->n);
		if (err) {
			p->n = 0;
			return err;
		}
	} else {
		p->n = (int64_t)p->nlines;
	}
	if (p->top > p->cur)
		p->top = p->cur;
	tui_pane_move(p, p->cur);
	return NULL;
}

static bool contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	if (!n)
		return true;
	for (; *hay; hay++) {
		size_t i = 0;
		while (i < n && hay[i]) {
			char a = hay[i], b = needle[i];
			if (a >= 'A' && a <= 'Z')
				a = (char)(a - 'A' + 'a');
			if (b >= 'A' && b <= 'Z')
				b = (char)(b - 'A' + 'a');
			if (a != b)
				break;
			i++;
		}
		if (i == n)
			return true;
	}
	return false;
}

static bool row_matches(struct tui_pane *p, int64_t i, const char *text)
{
	if (!p->ops->fetch)
		return i >= 0 && (size_t)i < p->nlines && contains_ci(p->lines[i].text, text);
	for (size_t c = 0; c < p->ops->ncols; c++) {
		const char *cell = tui_pane_cell(p, i, c);
		if (cell && contains_ci(cell, text))
			return true;
	}
	return false;
}

struct gpm_error *tui_pane_search(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                  const char *text, int dir, bool *found)
{
	*found = false;
	if (p->n <= 0)
		return NULL;
	if (p->ops->find) {
		int64_t row = -1;
		struct gpm_error *err = p->ops->find(t, v, p, text, dir, &row);
		if (err)
			return err;
		if (row >= 0 && row < p->n) {
			*found = true;
			tui_pane_move(p, row);
		}
		return NULL;
	}
	int64_t limit = p->n < SEARCH_MAX ? p->n : SEARCH_MAX;
	int64_t i = p->cur;
	for (int64_t k = 0; k < limit; k++) {
		i += dir;
		if (i >= p->n)
			i = 0;
		if (i < 0)
			i = p->n - 1;
		if (p->ops->fetch && !tui_pane_cells(p, i)) {
			int64_t from = dir > 0 ? i : (i >= SEARCH_CHUNK ? i - SEARCH_CHUNK + 1 : 0);
			struct gpm_error *err = tui_pane_ensure(t, v, p, from, SEARCH_CHUNK);
			if (err)
				return err;
			if (!tui_pane_cells(p, i))
				return NULL;
		}
		if (row_matches(p, i, text)) {
			*found = true;
			tui_pane_move(p, i);
			return NULL;
		}
	}
	if (limit < p->n)
		snprintf(t->status, sizeof(t->status), "search stopped after %lld rows (cap %d)",
		         (long long)limit, SEARCH_MAX);
	return NULL;
}

/* ---- text panes: lines in memory ---- */

struct gpm_error *tui_pane_line(struct tui_pane *p, const char *text, enum tui_color color,
                                int64_t ref)
{
	if (p->nlines >= MAX_TEXT_LINES)
		return NULL;
	if (!(p->nlines & (p->nlines + 1))) { // grow at 0, 1, 3, 7, ...
		struct tui_line *n = realloc(p->lines, (2 * p->nlines + 2) * sizeof(*n));
		if (!n)
			return &gpm_error_nomem;
		p->lines = n;
	}
	char *dup = strdup(text ? text : "");
	if (!dup)
		return &gpm_error_nomem;
	p->lines[p->nlines++] = (struct tui_line){dup, color, ref};
	p->n = (int64_t)p->nlines;
	return NULL;
}

void tui_pane_clear(struct tui_pane *p)
{
	for (size_t i = 0; i < p->nlines; i++)
		free(p->lines[i].text);
	free(p->lines);
	p->lines = NULL;
	p->nlines = 0;
	p->n = 0;
}

// Wraps text to width columns into lines, each with the given indent.
struct gpm_error *tui_pane_wrap(struct tui_pane *p, const char *indent, const char *text, int width,
                                enum tui_color color, int64_t ref)
{
	// Continuation lines line up under the text: the indent's width in spaces.
	char cont[32];
	int iw = tui_text_width(indent);
	if (iw > (int)sizeof(cont) - 1)
		iw = (int)sizeof(cont) - 1;
	memset(cont, ' ', (size_t)iw);
	cont[iw] = 0;
	int w = width - tui_text_width(indent);
	if (w < 10)
		w = 10;
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	struct gpm_error *err = NULL;
	const char *s = text;
	do {
		// Hard newlines first, then fit to the width at a space when there is one.
		const char *nl = strchr(s, '\n');
		size_t seg = nl ? (size_t)(nl - s) : strlen(s);
		char *piece = strndup(s, seg);
		if (!piece)
			return &gpm_error_nomem;
		size_t fit = tui_text_fit(piece, w);
		if (fit < seg) {
			size_t sp = fit;
			while (sp > 0 && piece[sp] != ' ')
				sp--;
			if (sp > 0)
				fit = sp;
			if (!fit)
				fit = 1;
			seg = fit;
			piece[fit] = 0;
		}
		gpm_strbuf_reset(&sb);
		gpm_strbuf_puts(&sb, s == text ? indent : cont);
		gpm_strbuf_puts(&sb, piece);
		free(piece);
		if ((err = gpm_strbuf_error(&sb)) ||
		    (err = tui_pane_line(p, gpm_strbuf_str(&sb), color, ref)))
			break;
		s += seg;
		if (*s == '\n' || (*s == ' ' && !nl) || (*s == ' ' && s < nl))
			s++;
	} while (*s);
	gpm_strbuf_deinit(&sb);
	return err;
}

struct gpm_error *tui_pane_push(struct tui_pane *p, const char *indent, const char *text, int width,
                                enum tui_color color)
{
	return tui_pane_wrap(p, indent, text ? text : "", width, color, 0);
}
