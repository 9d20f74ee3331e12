/*
 * The list engine of the TUI: a pane's rows are SQL pages of a few hundred rows around the
 * cursor, fetched through the pane's ops (one file per view says what a row is); cursor
 * moves, re-counting after a filter or sort, and search over the rows. A page near the end
 * of a list with a total natural order is read from the end (tui_pane_ops.tail), so G on a
 * million rows costs what g does; a list with keys (tui_pane_ops.fetch_key) reads a page in
 * its middle from the nearest row whose key is known, not with an OFFSET; so does a list in
 * any other sort whose order has keys (tui_pane_ops.fetch_sorted, gpm_tui_order_keys), from
 * the cached page's rows and, near the end, from the last row. Text panes
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

// A row's key (tui_pane_ops.key_col) when it is in the page.
static bool page_key(struct tui_pane *p, int64_t row, int64_t *key)
{
	const char *c = tui_pane_cell(p, row, p->ops->key_col);
	if (!c)
		return false;
	*key = strtoll(c, NULL, 10);
	return true;
}

// Whether the pane's sort is read by tui_pane_ops.fetch_sorted (every sort fetch_key,
// which keys the natural order only, does not read).
static bool sorted_keyset(const struct tui_pane *p)
{
	size_t n;
	return p->ops->fetch_sorted && (p->sort != 0 || !p->ops->fetch_key) &&
	       gpm_tui_order_keys(p->ops->sorts[p->sort].order, p->reverse, &n);
}

// The cells of row when it is in the page and holds every key of the pane's sort.
static const char *const *page_keys(struct tui_pane *p, int64_t row)
{
	const char *const *c = tui_pane_cells(p, row);
	size_t n;
	const struct gpm_tui_key *k =
	    gpm_tui_order_keys(p->ops->sorts[p->sort].order, p->reverse, &n);
	for (size_t i = 0; c && k && i < n; i++)
		if (k[i].col >= p->page.ncols || !c[k[i].col])
			return NULL;
	return k ? c : NULL;
}

/*
 * Keyset paging of a sorted list (fetch_sorted): rows [off, end) read from the row of the
 * cached page nearest to them, forwards or backwards as in ensure_by_key.
 */
static struct gpm_error *ensure_sorted(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                       int64_t off, int64_t end, bool *done)
{
	*done = false;
	if (!p->page_ok || !p->page.nrows || end <= off)
		return NULL;
	int64_t best = off < p->n - end ? off : p->n - end;
	int64_t first = p->page_off, last = p->page_off + (int64_t)p->page.nrows - 1;
	int64_t fwd = off < last ? off : last, bwd = end - 1 > first ? end - 1 : first;
	int64_t arow = -1;
	bool back = false;
	if (fwd >= first && off - fwd < best)
		best = off - fwd, arow = fwd;
	if (bwd <= last && bwd - (end - 1) < best)
		best = bwd - (end - 1), arow = bwd, back = true;
	const char *const *anchor = arow >= 0 ? page_keys(p, arow) : NULL;
	if (!anchor)
		return NULL;
	struct gpm_store_table page;
	struct gpm_error *err = p->ops->fetch_sorted(
	    t, v, p, anchor, back, back ? arow - (end - 1) : off - arow, end - off, &page);
	if (err)
		return err;
	gpm_store_table_deinit(&p->page);
	p->page = page;
	if (back) {
		page_reverse(&p->page);
		p->page_off = end - (int64_t)p->page.nrows;
		p->page_end = end >= p->n;
	} else {
		p->page_off = off;
		p->page_end = (int64_t)p->page.nrows < end - off || end >= p->n;
	}
	*done = true;
	return NULL;
}

/*
 * Keyset paging: rows [off, end) read from the known row nearest to them (a row of the
 * cached page or the search's hit), forwards from one at or before off or backwards from
 * one at or after end - 1, when that skips fewer rows than reading from either end of the
 * list would. *done false: not worth it (or no keys), the caller reads by OFFSET.
 */
static struct gpm_error *ensure_by_key(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                       int64_t off, int64_t end, bool *done)
{
	*done = false;
	if (!p->ops->fetch_key || p->sort != 0 || end <= off)
		return NULL;
	int64_t best = off < p->n - end ? off : p->n - end; // what OFFSET from an end skips
	int64_t arow = -1, akey = 0;
	bool back = false;
	struct {
		int64_t first, last;
		bool from_page;
	} known[2] = {{-1, -1, true}, {-1, -1, false}};
	if (p->page_ok && p->page.nrows) {
		known[0].first = p->page_off;
		known[0].last = p->page_off + (int64_t)p->page.nrows - 1;
	}
	if (p->anchored)
		known[1].first = known[1].last = p->anchor_row;
	for (int k = 0; k < 2; k++) {
		if (known[k].first < 0)
			continue;
		// Forwards from the known row nearest off at or before it; backwards from the one
		// nearest end - 1 at or after it.
		int64_t key, fwd = off < known[k].last ? off : known[k].last;
		int64_t bwd = end - 1 > known[k].first ? end - 1 : known[k].first;
		if (fwd >= known[k].first && off - fwd < best &&
		    (known[k].from_page ? page_key(p, fwd, &key) : (key = p->anchor_key, true))) {
			best = off - fwd, arow = fwd, akey = key, back = false;
		}
		if (bwd <= known[k].last && bwd - (end - 1) < best &&
		    (known[k].from_page ? page_key(p, bwd, &key) : (key = p->anchor_key, true))) {
			best = bwd - (end - 1), arow = bwd, akey = key, back = true;
		}
	}
	if (arow < 0)
		return NULL;
	struct gpm_store_table page;
	if (back)
		p->reverse = !p->reverse;
	struct gpm_error *err = p->ops->fetch_key(
	    t, v, p, akey, back ? arow - (end - 1) : off - arow, end - off, &page);
	if (back)
		p->reverse = !p->reverse;
	if (err)
		return err;
	gpm_store_table_deinit(&p->page);
	p->page = page;
	if (back) {
		page_reverse(&p->page);
		p->page_off = end - (int64_t)p->page.nrows;
		p->page_end = end >= p->n;
	} else {
		p->page_off = off;
		p->page_end = (int64_t)p->page.nrows < end - off || end >= p->n;
	}
	p->page_ok = true;
	*done = true;
	return NULL;
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
	bool done, sorted = sorted_keyset(p);
	int64_t kend = off + lim < p->n ? off + lim : p->n;
	struct gpm_error *kerr = sorted ? ensure_sorted(t, v, p, off, kend, &done)
	                                : ensure_by_key(t, v, p, off, kend, &done);
	if (kerr || done)
		return kerr;
	gpm_store_table_deinit(&p->page);
	p->page_ok = false;
	if (sorted && from > p->n / 2) {
		// Near the end of a sorted list: its exact reverse from the last row.
		int64_t last = from + count + PAGE_EXTRA < p->n ? from + count + PAGE_EXTRA : p->n;
		struct gpm_error *err =
		    p->ops->fetch_sorted(t, v, p, NULL, true, p->n - last, last - off, &p->page);
		if (err)
			return err;
		page_reverse(&p->page);
		p->page_off = last - (int64_t)p->page.nrows;
		p->page_ok = true;
		p->page_end = last == p->n;
		return NULL;
	}
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
	p->anchored = false;
	p->drawn = false;
	// Another sort or filter puts other rows under the cursor: the preview follows.
	if (p == &v->panes[0])
		v->preview_of = -1;
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
