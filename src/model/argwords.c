/* Argument words (argwords.h): one reader of a printed argument's value, and the table. */
#include "model/argwords.h"
#include "model/incident.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch |= 0x20;
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/*
 * The usual "0x" + hex digits is read in place (this runs over every printed argument of
 * every goroutine); anything else (a second "0x", a sign, spaces) goes to strtoull over a
 * copy.
 */
void gpm_arg_text_words(const char *s, size_t n, void (*cb)(void *, uint64_t, size_t), void *arg)
{
	const char *lim = s + n;
	for (const char *p = s; p < lim;) {
		const char *x = memchr(p, '0', (size_t)(lim - p));
		if (!x || lim - x < 2)
			break;
		if (x[1] != 'x') {
			p = x + 1;
			continue;
		}
		const char *q = x + 2, *end = q;
		unsigned long long v = 0;
		if (q < lim && hex_digit(*q) >= 0 &&
		    !(*q == '0' && q + 1 < lim && (q[1] | 0x20) == 'x')) {
			bool over = false;
			for (int d; end < lim && (d = hex_digit(*end)) >= 0; end++) {
				over |= v > (ULLONG_MAX >> 4);
				v = v << 4 | (unsigned)d;
			}
			if (over)
				v = ULLONG_MAX;
		} else if (q < lim) {
			char buf[GPM_ARG_TEXT_MAX + 1];
			memcpy(buf, q, (size_t)(lim - q));
			buf[lim - q] = 0;
			char *e;
			v = strtoull(buf, &e, 16);
			end = q + (e - buf);
		}
		if (end != q && !(end < lim && *end == '?') && v > 4096)
			cb(arg, v, (size_t)(x - s));
		p = end > q ? end : q;
	}
}

bool gpm_arg_text_first_word(const char *s, uint64_t *out)
{
	if (!s || strncmp(s, "0x", 2))
		return false;
	char *end;
	unsigned long long v = strtoull(s + 2, &end, 16);
	if (end == s + 2 || *end == '?' || v == 0)
		return false;
	*out = v;
	return true;
}

void gpm_arg_words_free(struct gpm_arg_words *w)
{
	free(w->v);
	free(w->meta);
	free(w->at);
	*w = (struct gpm_arg_words){0};
}

static bool words_reserve(struct gpm_arg_words *w, size_t need)
{
	if (need <= w->cap)
		return true;
	size_t cap = w->cap ? w->cap : 1024;
	while (cap < need)
		cap *= 2;
	if (cap > UINT32_MAX)
		return false;
	uint64_t *v = realloc(w->v, cap * sizeof(*v));
	if (!v)
		return false;
	w->v = v;
	uint32_t *m = realloc(w->meta, cap * sizeof(*m));
	if (!m)
		return false;
	w->meta = m;
	w->cap = cap;
	return true;
}

/* gpm_arg_text_first_word of the n bytes at s (starting "0x"), 0 none: the usual hex
 * digits read in place, anything else by strtoull over a copy. */
static uint64_t first_word(const char *s, size_t n)
{
	const char *q = s + 2, *lim = s + n, *end = q;
	if (q < lim && hex_digit(*q) >= 0 && !(*q == '0' && q + 1 < lim && (q[1] | 0x20) == 'x')) {
		unsigned long long v = 0;
		bool over = false;
		for (int d; end < lim && (d = hex_digit(*end)) >= 0; end++) {
			over |= v > (ULLONG_MAX >> 4);
			v = v << 4 | (unsigned)d;
		}
		if (end < lim && *end == '?')
			return 0;
		return over ? ULLONG_MAX : v;
	}
	char buf[GPM_ARG_TEXT_MAX + 1];
	memcpy(buf, s, n);
	buf[n] = 0;
	uint64_t v = 0;
	return gpm_arg_text_first_word(buf, &v) ? v : 0;
}

struct record {
	struct gpm_arg_words *w;
	uint32_t frame;
	uint64_t first; /* the frame's first word, 0 none */
};

static void record_word(void *arg, uint64_t v, size_t at)
{
	struct record *r = arg;
	uint32_t flags = GPM_ARG_WORD_ANY;
	if (at == 0 && r->first == v) {
		flags |= GPM_ARG_WORD_FIRST; // one entry for both
		r->first = 0;
	}
	r->w->v[r->w->len] = v;
	r->w->meta[r->w->len++] = r->frame << GPM_ARG_WORD_FRAME_SHIFT | flags;
}

bool gpm_incident_arg_words_record(struct gpm_incident *inc, uint32_t gi, const char *texts,
                                   size_t len, uint32_t nframes)
{
	struct gpm_arg_words *w = &inc->arg_words;
	if (nframes > (UINT32_MAX >> GPM_ARG_WORD_FRAME_SHIFT))
		return true; // not recorded: read from the text
	if (gi >= w->atcap) {
		size_t cap = w->atcap ? w->atcap : 1024;
		while (cap <= gi)
			cap *= 2;
		struct gpm_arg_span *at = realloc(w->at, cap * sizeof(*at));
		if (!at)
			return false;
		w->at = at;
		w->atcap = cap;
	}
	while (w->nat <= gi)
		w->at[w->nat++] = (struct gpm_arg_span){0, UINT32_MAX};
	size_t start = w->len;
	// Room for every word the texts can hold ("0x" and a digit each, and a first word per
	// frame), reserved once.
	size_t room = w->len + len / 3 + nframes + 1;
	if (room > UINT32_MAX)
		return true; // not recorded: the table's offsets are 32-bit
	if (!words_reserve(w, room))
		return false;
	struct record r = {w, 0, 0};
	const char *p = texts, *end = texts + len;
	uint32_t k = 0;
	for (; k < nframes && p < end; k++) {
		const char *z = memchr(p, 0, (size_t)(end - p));
		size_t n = z ? (size_t)(z - p) : (size_t)(end - p);
		size_t cut = n < GPM_ARG_TEXT_MAX ? n : GPM_ARG_TEXT_MAX;
		r.frame = k;
		r.first = 0;
		if (cut >= 2 && p[0] == '0' && p[1] == 'x')
			r.first = first_word(p, cut);
		gpm_arg_text_words(p, cut, record_word, &r);
		if (r.first) {
			// A first word that is no other word (4096 or below): an entry of its own.
			w->v[w->len] = r.first;
			w->meta[w->len++] = k << GPM_ARG_WORD_FRAME_SHIFT | GPM_ARG_WORD_FIRST;
		}
		p = z ? z + 1 : end;
	}
	// Fewer texts than frames: the rest would be the frames' own, read from the model.
	if (k < nframes) {
		w->len = start;
		return true;
	}
	w->at[gi] = (struct gpm_arg_span){(uint32_t)start, (uint32_t)(w->len - start)};
	return true;
}

bool gpm_goroutine_arg_words(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                             const uint64_t **v, const uint32_t **meta, size_t *n)
{
	const struct gpm_arg_words *w = &inc->arg_words;
	if (g < inc->goroutines.v || g >= inc->goroutines.v + inc->goroutines.len)
		return false;
	size_t gi = (size_t)(g - inc->goroutines.v);
	if (gi >= w->nat || w->at[gi].n == UINT32_MAX)
		return false;
	*v = w->v + w->at[gi].off;
	*meta = w->meta + w->at[gi].off;
	*n = w->at[gi].n;
	return true;
}
