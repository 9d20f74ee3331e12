/*
 * Argument words for the rules (rules.h, gpm_rule_arg_first and gpm_rule_arg_each): the
 * exact hexadecimal words of a goroutine's printed arguments, decoded from its text the
 * first time a rule asks about that goroutine and kept for the rest of the analysis run.
 *
 * Several rules read the same goroutines' arguments: the mutex rule the lockSlow argument
 * of every Lock waiter and every argument of the others (holder candidates), the leak rule
 * the channel of every channel-blocked goroutine (twice) and every argument of every
 * goroutine (who still refers to a channel), the stuck-waits rule the Lock argument again.
 * Each read walked the goroutine's frame lines in the dump with memchr, after the input's
 * pages were released (src/ingest/load.c). Here a goroutine's text is walked once, by the
 * analysis and only for goroutines a rule asks about: the parser records nothing (doing
 * that in the parser cost it 13-20 %, doc/performance.md, ninth round). The cache lives for
 * one analysis run (one snapshot), about 10 bytes per word.
 *
 * Cores keep their argument texts in incident->arg_text, short and already resident, and
 * their rules read the words of a runtime.g (wait_object, held_object) first: they are read
 * directly, as before, and nothing is cached for them.
 */
#include "analysis/analysis.h"
#include "analysis/rules.h"
#include "base/vec.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* A word's frame and kind in 16 bits: the frame index below 8192, then three flags. */
enum {
	WORD_FRAME_MAX = 0x1fff,
	WORD_FIRST = 1u << 13, /* the frame's first argument as gpm_rule_first_arg reads it */
	WORD_EACH = 1u << 14,  /* one of gpm_rule_each_arg's words (exact, above 4096) */
	WORD_OWN = 1u << 15,   /* from the goroutine's own texts, not its frames' args */
};

/* Per goroutine: at 0 = not read yet, AT_DIRECT = read directly (no room, too many
 * frames or words), else 1 + the index of its first word; n its words. */
enum { AT_DIRECT = UINT32_MAX };

struct gpm_arg_words {
	uint32_t *at;
	uint16_t *n;
	bool *has_own; /* the goroutine has its own texts (gpm_goroutine_args_begin) */
	GPM_VEC(uint64_t) v;
	GPM_VEC(uint16_t) meta;
	bool broken; /* out of memory once: every goroutine is read directly */
};

void gpm_arg_words_destroy(struct gpm_arg_words *w)
{
	if (!w)
		return;
	free(w->at);
	free(w->n);
	free(w->has_own);
	gpm_vec_free(&w->v);
	gpm_vec_free(&w->meta);
	free(w);
}

/* The filling of one goroutine's words. */
struct fill {
	struct gpm_arg_words *w;
	uint16_t frame_meta; /* frame | WORD_OWN of the frame being read */
	size_t first;        /* index of that frame's WORD_FIRST word, SIZE_MAX none */
	bool first_merged;   /* its first gpm_rule_each_arg word was merged into it */
	bool failed;
};

static bool push_word(struct gpm_arg_words *w, uint64_t v, uint16_t meta)
{
	if (!gpm_vec_reserve(&w->v, w->v.len + 1) || !gpm_vec_reserve(&w->meta, w->meta.len + 1))
		return false;
	w->v.v[w->v.len++] = v;
	w->meta.v[w->meta.len++] = meta;
	return true;
}

static void fill_cb(void *arg, uint64_t v)
{
	struct fill *f = arg;
	if (f->failed)
		return;
	// The frame's first word read both ways (the common case): one entry, both flags. It is
	// the frame's first entry either way, so the order of the EACH words is kept.
	if (f->first != SIZE_MAX && !f->first_merged && f->w->meta.len == f->first + 1 &&
	    f->w->v.v[f->first] == v) {
		f->w->meta.v[f->first] |= WORD_EACH;
		f->first_merged = true;
		return;
	}
	f->first_merged = true; // only the frame's first EACH word may merge
	if (!push_word(f->w, v, (uint16_t)(f->frame_meta | WORD_EACH)))
		f->failed = true;
}

/*
 * gpm_rule_first_arg of the n bytes at a (n < 1024, starting "0x", no NUL among them) as
 * they would read NUL-terminated: 1 with *v, 0 none. The usual "0x" + hex digits is read in
 * place; anything strtoull reads otherwise (spaces, a sign, a second "0x") is -1: the caller
 * copies the text and asks gpm_rule_first_arg, as it always did. Unless -1, *end is where
 * the word ends: gpm_rule_each_arg reads the same word the same way (value, end), and
 * gives it to its callback when 1 and *v > 4096.
 */
static int first_word(const char *a, size_t n, uint64_t *v, const char **end_out)
{
	const char *q = a + 2, *lim = a + n, *end = q;
	if (q >= lim || !gpm_rule_hex1[(uint8_t)*q] ||
	    (*q == '0' && q + 1 < lim && (q[1] | 0x20) == 'x'))
		return -1;
	uint64_t x = gpm_rule_hex_run(q, lim, &end); // strtoull's ERANGE value when too long
	*end_out = end;
	if ((end < lim && *end == '?') || !x)
		return 0;
	*v = x;
	return 1;
}

/* Reads goroutine gi's words; false when it is to be read directly. */
static bool fill(const struct gpm_incident *inc, struct gpm_arg_words *w, size_t gi)
{
	const struct gpm_goroutine *g = &inc->goroutines.v[gi];
	size_t start = w->v.len;
	struct gpm_frame_args_iter it;
	gpm_goroutine_frame_args_begin(inc, g, &it);
	w->has_own[gi] = it.own;
	struct fill f = {w, 0, SIZE_MAX, false, false};
	const char *a;
	size_t an;
	char buf[1024];
	while (!f.failed && gpm_frame_args_next(&it, &a, &an)) {
		uint32_t frame = it.i - 1;
		if (!a)
			continue;
		if (frame > WORD_FRAME_MAX) {
			f.failed = true;
			break;
		}
		f.frame_meta = (uint16_t)(frame | (it.own ? WORD_OWN : 0));
		f.first = SIZE_MAX;
		f.first_merged = false;
		size_t n = an < sizeof(buf) ? an : sizeof(buf) - 1;
		uint64_t v;
		const char *rest = a; // where gpm_rule_each_arg is still to read
		if (n >= 2 && a[0] == '0' && a[1] == 'x') {
			// As gpm_rule_first_arg(gpm_rule_frame_args(...)) reads it.
			int r = first_word(a, n, &v, &rest);
			bool read_here = r >= 0;
			if (!read_here) {
				rest = a;
				memcpy(buf, a, n);
				buf[n] = 0;
				r = gpm_rule_first_arg(buf, &v);
			}
			if (r > 0) {
				if (!push_word(w, v, (uint16_t)(f.frame_meta | WORD_FIRST))) {
					f.failed = true;
					break;
				}
				f.first = w->v.len - 1;
			}
			// The word just read is gpm_rule_each_arg's first too: given as it
			// would give it, and its reading goes on after it.
			if (read_here && r > 0 && v > 4096)
				fill_cb(&f, v);
		}
		gpm_rule_each_arg(rest, n - (size_t)(rest - a), fill_cb, &f);
	}
	if (f.failed || w->v.len - start > UINT16_MAX || w->v.len >= AT_DIRECT - 1) {
		w->v.len = w->meta.len = start;
		w->at[gi] = AT_DIRECT;
		return false;
	}
	w->at[gi] = (uint32_t)start + 1;
	w->n[gi] = (uint16_t)(w->v.len - start);
	return true;
}

/* g's words, *first its first and *n how many; false: read g directly. */
static bool words_of(struct gpm_rule_ctx *c, const struct gpm_goroutine *g, size_t *first,
                     size_t *n)
{
	const struct gpm_incident *inc = c->inc;
	if (inc->kind == GPM_INPUT_CORE || g < inc->goroutines.v ||
	    g >= inc->goroutines.v + inc->goroutines.len)
		return false;
	struct gpm_arg_words *w = c->words;
	if (!w) {
		if (!(w = calloc(1, sizeof(*w))))
			return false;
		size_t ng = inc->goroutines.len;
		w->at = calloc(ng, sizeof(*w->at));
		w->n = malloc(ng * sizeof(*w->n));
		w->has_own = malloc(ng * sizeof(*w->has_own));
		// Room for a few words a goroutine up front: no copying while it grows.
		w->broken = !w->at || !w->n || !w->has_own || !gpm_vec_reserve(&w->v, ng * 4) ||
		            !gpm_vec_reserve(&w->meta, ng * 4);
		c->words = w;
	}
	if (w->broken)
		return false;
	size_t gi = (size_t)(g - inc->goroutines.v);
	uint32_t at = w->at[gi];
	if (at == AT_DIRECT || (!at && !fill(inc, w, gi)))
		return false;
	*first = w->at[gi] - 1;
	*n = w->n[gi];
	return true;
}

bool gpm_rule_arg_first(struct gpm_rule_ctx *c, const struct gpm_goroutine *g, uint32_t frame,
                        uint64_t *out)
{
	size_t s, n;
	if (!words_of(c, g, &s, &n)) {
		char abuf[1024];
		return gpm_rule_first_arg(gpm_rule_frame_args(c->inc, g, frame, &abuf), out);
	}
	// gpm_goroutine_frame_args: a goroutine with its own texts has none past their end.
	uint16_t want =
	    (uint16_t)(WORD_FIRST | (c->words->has_own[g - c->inc->goroutines.v] ? WORD_OWN : 0));
	const struct gpm_arg_words *w = c->words;
	for (size_t k = s; k < s + n; k++) {
		uint16_t m = w->meta.v[k];
		if ((m & WORD_FRAME_MAX) == frame && (m & (WORD_FIRST | WORD_OWN)) == want) {
			*out = w->v.v[k];
			return true;
		}
		if ((m & WORD_FRAME_MAX) > frame)
			break;
	}
	return false;
}

void gpm_rule_arg_each(struct gpm_rule_ctx *c, const struct gpm_goroutine *g, uint32_t from,
                       bool own_only, void (*cb)(void *, uint64_t), void *arg)
{
	const struct gpm_incident *inc = c->inc;
	size_t s, n;
	if (!words_of(c, g, &s, &n)) {
		if (own_only) {
			// The goroutine's own texts only, one per frame.
			struct gpm_args_iter it;
			const char *a;
			size_t an;
			uint32_t nf;
			gpm_goroutine_frames(inc, g, &nf);
			if (!gpm_goroutine_args_begin(inc, g, &it))
				return;
			for (uint32_t k = 0; k < nf && gpm_args_iter_next(&it, &a, &an); k++)
				if (k >= from)
					gpm_rule_each_arg(a, an < 1024 ? an : 1023, cb, arg);
			return;
		}
		struct gpm_frame_args_iter it;
		gpm_goroutine_frame_args_begin(inc, g, &it);
		const char *a;
		size_t an;
		while (gpm_frame_args_next(&it, &a, &an))
			if (a && it.i - 1 >= from)
				gpm_rule_each_arg(a, an < 1024 ? an : 1023, cb, arg);
		return;
	}
	const struct gpm_arg_words *w = c->words;
	if (own_only && !w->has_own[g - inc->goroutines.v])
		return;
	for (size_t k = s; k < s + n; k++) {
		uint16_t m = w->meta.v[k];
		if (!(m & WORD_EACH) || (m & WORD_FRAME_MAX) < from ||
		    (own_only && !(m & WORD_OWN)))
			continue;
		cb(arg, w->v.v[k]);
	}
}
