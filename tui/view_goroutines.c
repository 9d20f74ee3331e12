/*
 * The goroutines of a group or of a finding, in the dump's order: id, state, wait and top
 * frame. Enter opens the goroutine's stack.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "tui/tui.h"

/* Goroutines of a group or of a finding: id, state, wait, top frame (+ stack, created by). */
static const struct tui_sort goroutine_sorts[] = {{"dump order", GPM_TUI_ORDER_NONE, "", ""}};
static const struct tui_col goroutine_cols[] = {
    {"goroutine", 9, TUI_COL_RIGHT, 0},
    {"state", 16, 0, 2},
    {"wait", 8, 0, 1},
    {"top frame", 20, TUI_COL_FLEX, 0},
};
// A group's goroutines are read from schema 6's goroutines_group index in rowid order: its
// (incident, group, id) prefix gives the order, the key ranges and the count.

static void goroutine_binds(struct tui_bind *b, struct tui_view *v, struct tui_pane *p)
{
	b[0] = TUI_INT(v->incident);
	b[1] = v->group >= 0 ? TUI_INT(v->group) : TUI_NULL;
	b[2] = v->finding > 0 ? TUI_INT(v->finding) : TUI_NULL;
	b[3] = TUI_TEXT(p->filter);
}

static struct gpm_error *goroutines_count(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                          int64_t *n)
{
	struct tui_bind b[4];
	goroutine_binds(b, v, p);
	return tui_db_int(
	    &t->db,
	    gpm_tui_sql(v->group >= 0 ? GPM_TUI_GOROUTINES_COUNT : GPM_TUI_GOROUTINES_COUNT_ANY), b,
	    4, 0, n);
}

// The page is cut first (rowid order: the dump's order, no sort), then described.

enum { GOROUTINES_ROWID = 7 }; /* the row's id: the key of the dump's order */

static struct gpm_error *goroutines_fetch_key(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                              int64_t key, int64_t skip, int64_t limit,
                                              struct gpm_store_table *out)
{
	struct tui_bind b[7];
	goroutine_binds(b, v, p);
	b[4] = TUI_INT(limit);
	b[5] = TUI_INT(skip);
	b[6] = TUI_INT(key);
	bool in = v->group >= 0;
	enum gpm_tui_query q =
	    p->reverse ? (in ? GPM_TUI_GOROUTINES_PAGE_KEY_REVERSE
	                     : GPM_TUI_GOROUTINES_PAGE_KEY_REVERSE_ANY)
	               : (in ? GPM_TUI_GOROUTINES_PAGE_KEY : GPM_TUI_GOROUTINES_PAGE_KEY_ANY);
	return tui_db_query(&t->db, gpm_tui_sql(q), b, 7, -1, out);
}

static struct gpm_error *goroutines_fetch(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                          int64_t off, int64_t limit, struct gpm_store_table *out)
{
	struct tui_bind b[6];
	goroutine_binds(b, v, p);
	b[4] = TUI_INT(limit);
	b[5] = TUI_INT(off);
	enum gpm_tui_query q =
	    v->group >= 0
	        ? (p->reverse ? GPM_TUI_GOROUTINES_PAGE_REVERSE : GPM_TUI_GOROUTINES_PAGE)
	        : (p->reverse ? GPM_TUI_GOROUTINES_PAGE_REVERSE_ANY : GPM_TUI_GOROUTINES_PAGE_ANY);
	return tui_db_query(&t->db, gpm_tui_sql(q), b, 6, -1, out);
}

/*
 * Search by keys (the rowid, the dump's order), not row numbers: the first row past the
 * cursor's that matches (then from the other end up to the cursor itself), and its row
 * number counted over schema 6's goroutines_group index. What a row shows is matched without
 * describing each row: a goroutine id only when the text is digits (?7), the wait cell only
 * when the text could be part of "N min" (?8), and the top frame through the set of stacks
 * whose top frame contains the text (built once from the functions that contain it).
 * ?5 the cursor's rowid, ?6 the lowered text.
 */

/*
 * The numbers in [1, max] whose decimal digits contain the digits d, as ranges: for each
 * position k from the right, n = a·10^(L+k) + D·10^k + b with b < 10^k (a > 0 when d starts
 * with 0: no leading zero is written). A search for "777777" among a million goroutine ids
 * is two ranges; "7" would be too many (false: the caller scans).
 */
enum { DIGIT_RANGES_MAX = 4096, DIGIT_SPAN_MAX = 200000 };
struct digit_ranges {
	int64_t lo[DIGIT_RANGES_MAX], hi[DIGIT_RANGES_MAX];
	size_t n;
};

static bool digit_ranges(const char *d, int64_t max, struct digit_ranges *r)
{
	size_t len = strlen(d);
	r->n = 0;
	if (!len || len > 17 || max > 100000000000000000LL)
		return false;
	int64_t dv = strtoll(d, NULL, 10), span = 0;
	int64_t a0 = d[0] == '0' ? 1 : 0;
	int64_t p10k = 1, unit = 1;
	for (size_t i = 0; i < len; i++)
		unit *= 10;
	for (size_t k = 0; len + k <= 18; k++, p10k *= 10, unit *= 10) {
		bool any = false;
		for (int64_t a = a0;; a++) {
			int64_t lo = a * unit + dv * p10k;
			if (lo > max)
				break;
			int64_t hi = lo + p10k - 1 < max ? lo + p10k - 1 : max;
			if (r->n == DIGIT_RANGES_MAX || (span += hi - lo + 1) > DIGIT_SPAN_MAX)
				return false;
			r->lo[r->n] = lo;
			r->hi[r->n++] = hi;
			any = true;
		}
		// The smallest number with the digits at this position is past max: at every
		// position further left too.
		if (!any)
			break;
	}
	return true;
}

/*
 * A goroutine id search in a group (digits; no finding, no filter): the group's shared
 * cells are asked once (GPM_TUI_GROUP_MATCHES; *found -2: every row matches); the wait
 * cells only when a wait of the group could contain the digits; else the ids that contain
 * them are ranges, each read from schema 11's goroutines_goid, so the cost is the ranges'
 * rows, not the group's. *found is the rowid (-1 none). *done false: not answered here (too
 * many ranges, a wait could match), the caller scans.
 */
static struct gpm_error *goroutines_find_goid(struct tui *t, struct tui_view *v, const char *digits,
                                              int64_t cur, int dir, int64_t *found, bool *done)
{
	*done = false;
	*found = -1;
	struct tui_bind b[5] = {TUI_INT(v->incident), TUI_INT(v->group), TUI_TEXT(digits)};
	int64_t all = 0;
	struct gpm_error *err =
	    tui_db_int(&t->db, gpm_tui_sql(GPM_TUI_GROUP_MATCHES), b, 3, 0, &all);
	if (err)
		return err;
	if (all) {
		*done = true;
		*found = -2;
		return NULL;
	}
	struct digit_ranges *r = malloc(sizeof(*r));
	if (!r)
		return &gpm_error_nomem;
	struct gpm_store_table w;
	if ((err = tui_db_query(&t->db, gpm_tui_sql(GPM_TUI_GROUP_WAITS), b, 2, 1, &w)))
		goto out;
	int64_t wmin = w.nrows ? strtoll(gpm_store_cell(&w, 0, 0), NULL, 10) : 0;
	int64_t wmax = w.nrows ? strtoll(gpm_store_cell(&w, 0, 1), NULL, 10) : 0;
	gpm_store_table_deinit(&w);
	if (wmin < 1)
		wmin = 1;
	if (wmax > 0) {
		if (!digit_ranges(digits, wmax, r))
			goto out;
		for (size_t i = 0; i < r->n; i++)
			if (r->hi[i] >= wmin)
				goto out;
	}
	int64_t max = 0;
	if ((err = tui_db_int(&t->db, gpm_tui_sql(GPM_TUI_GOROUTINES_GOID_MAX), b, 2, 0, &max)) ||
	    !digit_ranges(digits, max, r))
		goto out;
	// The nearest rowid past the cursor's in the direction of the search, else (wrapping)
	// the one furthest from it, the cursor's own row last.
	int64_t best = -1, wrap = -1;
	b[4] = TUI_INT(cur);
	for (size_t i = 0; i < r->n && !err; i++) {
		b[2] = TUI_INT(r->lo[i]);
		b[3] = TUI_INT(r->hi[i]);
		struct gpm_store_table k;
		if ((err = tui_db_query(&t->db, gpm_tui_sql(GPM_TUI_GOROUTINES_GOID_RANGE), b, 5, 1,
		                        &k)))
			break;
		const char *near = k.nrows ? gpm_store_cell(&k, 0, dir > 0 ? 0 : 2) : NULL;
		const char *end = k.nrows ? gpm_store_cell(&k, 0, dir > 0 ? 1 : 3) : NULL;
		if (near) {
			int64_t x = strtoll(near, NULL, 10);
			if (best < 0 || (dir > 0 ? x < best : x > best))
				best = x;
		}
		if (end) {
			int64_t x = strtoll(end, NULL, 10);
			if (wrap < 0 || (dir > 0 ? x < wrap : x > wrap))
				wrap = x;
		}
		gpm_store_table_deinit(&k);
	}
	if (!err) {
		*done = true;
		*found = best >= 0 ? best : wrap;
	}
out:
	free(r);
	return err;
}

static struct gpm_error *goroutines_find(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                         const char *text, int dir, int64_t *row)
{
	*row = -1;
	struct gpm_error *err = tui_pane_ensure(t, v, p, p->cur, 1);
	const char *cur = err ? NULL : tui_pane_cell(p, p->cur, GOROUTINES_ROWID);
	if (!cur)
		return err;
	char *lower = strdup(text);
	if (!lower)
		return &gpm_error_nomem;
	bool digits = *text != 0, wait = *text != 0;
	for (char *c = lower; *c; c++) {
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
		digits = digits && *c >= '0' && *c <= '9';
		wait = wait && strchr("0123456789 min", *c);
	}
	if (v->group >= 0 && v->finding <= 0 && !wait) {
		// A group's goroutines share their state and frames (the grouping key,
		// model/group.h): a text that can be neither a goroutine id nor a wait matches
		// every row or none, and the group's own row says which, whatever its size.
		struct tui_bind gb[3] = {TUI_INT(v->incident), TUI_INT(v->group), TUI_TEXT(lower)};
		int64_t all = 0;
		err = tui_db_int(&t->db, gpm_tui_sql(GPM_TUI_GROUP_MATCHES), gb, 3, 0, &all);
		free(lower);
		if (!err && all)
			*row = ((p->cur + dir) % p->n + p->n) % p->n;
		return err;
	}
	struct tui_bind b[8];
	goroutine_binds(b, v, p);
	b[4] = TUI_INT(strtoll(cur, NULL, 10));
	b[5] = TUI_TEXT(lower);
	b[6] = digits ? TUI_TEXT(lower) : TUI_NULL;
	b[7] = wait ? TUI_TEXT(lower) : TUI_NULL;
	int64_t found = -1;
	bool in = v->group >= 0, done = false;
	if (digits && in && v->finding <= 0 && !p->filter) {
		err = goroutines_find_goid(t, v, lower, strtoll(cur, NULL, 10), dir, &found, &done);
		if (err || (done && found < 0)) {
			free(lower);
			if (!err && found == -2)
				*row = ((p->cur + dir) % p->n + p->n) % p->n;
			return err;
		}
	}
	enum gpm_tui_query first, wrap;
	if (dir > 0) {
		first = in ? GPM_TUI_GOROUTINES_FIND_NEXT : GPM_TUI_GOROUTINES_FIND_NEXT_ANY;
		wrap =
		    in ? GPM_TUI_GOROUTINES_FIND_NEXT_WRAP : GPM_TUI_GOROUTINES_FIND_NEXT_WRAP_ANY;
	} else {
		first = in ? GPM_TUI_GOROUTINES_FIND_PREV : GPM_TUI_GOROUTINES_FIND_PREV_ANY;
		wrap =
		    in ? GPM_TUI_GOROUTINES_FIND_PREV_WRAP : GPM_TUI_GOROUTINES_FIND_PREV_WRAP_ANY;
	}
	if (!done)
		err = tui_db_int(&t->db, gpm_tui_sql(first), b, 8, -1, &found);
	if (!done && !err && found < 0)
		err = tui_db_int(&t->db, gpm_tui_sql(wrap), b, 8, -1, &found);
	free(lower);
	if (err || found < 0)
		return err;
	b[4] = TUI_INT(found);
	err = tui_db_int(
	    &t->db,
	    gpm_tui_sql(in ? GPM_TUI_GOROUTINES_ROWS_BEFORE : GPM_TUI_GOROUTINES_ROWS_BEFORE_ANY),
	    b, 5, -1, row);
	// The page around the hit is read from its key (keyset), not by its row number.
	if (!err && *row >= 0) {
		p->anchored = true;
		p->anchor_row = *row;
		p->anchor_key = found;
	}
	return err;
}

static const struct tui_pane_ops goroutines_ops = {
    .cols = goroutine_cols,
    .ncols = 4,
    .sorts = goroutine_sorts,
    .nsorts = 1,
    .count = goroutines_count,
    .fetch = goroutines_fetch,
    .tail = true,
    .find = goroutines_find,
    .fetch_key = goroutines_fetch_key,
    .key_col = GOROUTINES_ROWID,
};

static struct gpm_error *goroutines_enter(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                          struct tui_view **out)
{
	const char *stack = tui_pane_cell(p, p->cur, 4);
	if (!stack) {
		snprintf(t->status, sizeof(t->status), "this goroutine has no stored stack");
		return NULL;
	}
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	const char *cb = tui_pane_cell(p, p->cur, 5), *wait = tui_pane_cell(p, p->cur, 2);
	gpm_strbuf_printf(&sb, "Goroutine %s [%s%s%s]", tui_pane_cell(p, p->cur, 0),
	                  tui_pane_cell(p, p->cur, 1), wait && *wait ? ", " : "", wait ? wait : "");
	if (cb && *cb)
		gpm_strbuf_printf(&sb, " · created by %s", cb);
	struct gpm_error *err = gpm_strbuf_error(&sb);
	if (!err)
		err = tui_view_stack(t, gpm_strbuf_str(&sb), v->incident, strtoll(stack, NULL, 10),
		                     strtoll(tui_pane_cell(p, p->cur, 0), NULL, 10), out);
	gpm_strbuf_deinit(&sb);
	return err;
}

static struct gpm_error *goroutines_incident(struct tui *t, struct tui_view *v, int64_t *out)
{
	(void)t;
	*out = v->incident > 0 ? v->incident : 0;
	return NULL;
}

const struct tui_view_ops tui_goroutines_view = {
    .name = "goroutines",
    .counted = true,
    .enter = goroutines_enter,
    .incident = goroutines_incident,
};

struct gpm_error *tui_view_goroutines(struct tui *t, int64_t incident, int64_t group,
                                      int64_t finding, const char *what, struct tui_view **out)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_strbuf_printf(&sb, "Incident %lld · goroutines %s", (long long)incident, what);
	struct tui_view *v = gpm_strbuf_error(&sb)
	                         ? NULL
	                         : tui_view_create(TUI_VIEW_GOROUTINES, gpm_strbuf_str(&sb));
	gpm_strbuf_deinit(&sb);
	if (!v)
		return &gpm_error_nomem;
	v->incident = incident;
	v->group = group;
	v->finding = finding;
	v->panes[0].ops = &goroutines_ops;
	return tui_view_finish(t, v, out);
}
