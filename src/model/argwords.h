/*
 * Argument words: the exact hexadecimal values a goroutine's frames were called with, as
 * the rules read them (the mutex a Lock waiter waits for, the channel of a chanrecv frame,
 * any pointer an argument names). A text dump keeps its argument texts in the input,
 * which the analysis would read again goroutine by goroutine long after the parser left
 * them (its pages released, a cache miss per goroutine, a walk to the frame asked for);
 * instead the parser reads the words once, while the goroutine's text is in the cache, into
 * a table of the incident (gpm_incident_arg_words_record). Rules ask gpm_goroutine_arg_words
 * first and read the text only for goroutines the table lacks (cores, whose reader knows
 * wait and held objects already, and anything not recorded).
 *
 * The words are what gpm_arg_text_words and gpm_arg_text_first_word read from the first
 * GPM_ARG_TEXT_MAX bytes of each frame's text: the one definition of "an argument word".
 */
#ifndef GPM_MODEL_ARGWORDS_H
#define GPM_MODEL_ARGWORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gpm_incident;
struct gpm_goroutine;

enum { GPM_ARG_TEXT_MAX = 1023 }; /* bytes of a frame's argument text the words come from */

/*
 * Every exact hexadecimal argument of the n bytes at s (n <= GPM_ARG_TEXT_MAX, no NUL
 * among them), via cb with the offset of its "0x": each "0x" followed by a value as
 * strtoull reads it (saturated when too long) and not by '?', above 4096.
 */
void gpm_arg_text_words(const char *s, size_t n, void (*cb)(void *, uint64_t, size_t), void *arg);
/* The first argument of a NUL-terminated argument text when it is printed exactly in
 * hexadecimal ("0x…", not followed by '?', not 0). */
bool gpm_arg_text_first_word(const char *s, uint64_t *out);

/* A word's frame (index in the goroutine's frames) and what it is, in one uint32_t. */
enum {
	GPM_ARG_WORD_FIRST = 1, /* the frame's first argument (gpm_arg_text_first_word) */
	GPM_ARG_WORD_ANY = 2,   /* one of the frame's words (gpm_arg_text_words) */
	GPM_ARG_WORD_FRAME_SHIFT = 2
};

/* The table: per goroutine index a span of words, words in frame order. */
struct gpm_arg_span {
	uint32_t off, n; /* into v and meta; n UINT32_MAX: not recorded */
};
struct gpm_arg_words {
	uint64_t *v;
	uint32_t *meta; /* frame << GPM_ARG_WORD_FRAME_SHIFT | GPM_ARG_WORD_* */
	size_t len, cap;
	struct gpm_arg_span *at; /* indexed by goroutine index; nat entries */
	size_t nat, atcap;
};
void gpm_arg_words_free(struct gpm_arg_words *w);

/*
 * Records goroutine gi's words from its nframes argument texts, NUL-separated at
 * texts[0..len) (each cut at GPM_ARG_TEXT_MAX bytes as the rules cut them). false when out
 * of memory (the goroutine is then not recorded, and the table stays consistent).
 */
bool gpm_incident_arg_words_record(struct gpm_incident *inc, uint32_t gi, const char *texts,
                                   size_t len, uint32_t nframes);

/* g's recorded words: *v, *meta, *n; false when g is not recorded (read its text). */
bool gpm_goroutine_arg_words(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                             const uint64_t **v, const uint32_t **meta, size_t *n);

#endif
