/*
 * Private interfaces between the rule files of src/analysis (not for use outside the
 * module): the state of one analysis run and the helpers findings.c keeps for the rules,
 * which live one family per file (rule_*.c).
 */
#ifndef GPM_ANALYSIS_RULES_H
#define GPM_ANALYSIS_RULES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "analysis/analysis.h"
#include "model/frameclass.h"

/* One analysis run, as every rule sees it (gpm_analysis_run in findings.c). */
struct gpm_rule_ctx {
	const struct gpm_incident *inc;
	struct gpm_analysis *a;
	const struct gpm_analysis_options *o;
	bool oom;                    /* a helper ran out of memory: the run fails */
	int32_t *group_of;           /* goroutine index -> group index, -1 none */
	struct gpm_arg_words *words; /* argument words read so far (argwords.c); NULL none */
};

/* A new finding of rule kind with the table's severity and confidence (rules.def); NULL
 * and c->oom on out of memory. */
struct gpm_finding *gpm_rule_finding_new(struct gpm_rule_ctx *c, enum gpm_rule_kind kind);
/* A finding of kind with another severity or confidence than its default. */
struct gpm_finding *gpm_rule_finding_new_as(struct gpm_rule_ctx *c, enum gpm_rule_kind kind,
                                            enum gpm_severity sev, enum gpm_confidence conf);
/* Gives f the rule kind, its id and its default severity and confidence. */
void gpm_rule_set_rule(struct gpm_finding *f, enum gpm_rule_kind kind);
/* Frees what finding f owns (not f itself). */
void gpm_rule_finding_deinit(struct gpm_finding *f);
/* Removes the finding added last (a rule that found a healthy shape after all). */
void gpm_rule_finding_drop(struct gpm_rule_ctx *c);
/* Replaces *slot (title, explanation, next) with the formatted text. */
void gpm_rule_text(struct gpm_rule_ctx *c, char **slot, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void gpm_rule_vtext(struct gpm_rule_ctx *c, char **slot, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* Adds an evidence line "key: value" (the value formatted; make dump strings safe first). */
void gpm_rule_evidence(struct gpm_rule_ctx *c, struct gpm_finding *f, const char *key,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void gpm_rule_vevidence(struct gpm_rule_ctx *c, struct gpm_finding *f, const char *key,
                        const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
/* Counts goroutine id in f and lists it once (up to GPM_FINDING_MAX_IDS). */
void gpm_rule_add_id(struct gpm_rule_ctx *c, struct gpm_finding *f, uint64_t id);
/* A finding of kind about group gi: the group marked, all its goroutines counted. */
struct gpm_finding *gpm_rule_group_finding(struct gpm_rule_ctx *c, enum gpm_rule_kind kind,
                                           size_t gi);

/* A string from the dump, made terminal-safe and bounded (malloc'd; NULL on out of memory). */
char *gpm_rule_safe(const char *s);
bool gpm_rule_starts(const char *s, const char *prefix);
/* Whose code fn is (model/frameclass.h, the one classifier). */
enum gpm_frame_class gpm_rule_frame_class(const char *fn);
bool gpm_rule_is_runtime(const char *fn);
/* The first frame of g that is not runtime/std plumbing (only not runtime when
 * runtime_only), or -1. */
int gpm_rule_user_frame(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                        bool runtime_only);
/* Frame i's function, malloc'd and safe ("?" out of range). */
char *gpm_rule_func_text(const struct gpm_incident *inc, const struct gpm_goroutine *g, int i);
/* Whether g counts as one of the program's goroutines (not a repeat, not a runtime stack). */
bool gpm_rule_counted(const struct gpm_goroutine *g);
/* g's printed wait state, else its status name. */
const char *gpm_rule_state_of(const struct gpm_goroutine *g);
/* Frame i's argument text as a C string in buf (cut at its size), NULL when none. */
const char *gpm_rule_frame_args(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                                uint32_t i, char (*buf)[1024]);
/* The first hexadecimal argument of an argument text, when printed exactly (no '?'). */
bool gpm_rule_first_arg(const char *args, uint64_t *out);
/* A hexadecimal digit's value + 1 by its byte, 0 for any other byte: the argument readers'
 * one table (a lookup per digit of every printed argument, not two range tests). */
extern const uint8_t gpm_rule_hex1[256];
/*
 * The hex digits from q (before lim) as strtoull reads them: the value, saturated at
 * ULLONG_MAX past 16 significant digits, and *end after the last digit. One shift and or
 * a digit; the saturation is decided once at the end, from how many digits there were.
 */
static inline uint64_t gpm_rule_hex_run(const char *q, const char *lim, const char **end)
{
	uint64_t v = 0;
	const char *e = q;
	for (unsigned d; e < lim && (d = gpm_rule_hex1[(uint8_t)*e]); e++)
		v = v << 4 | (d - 1);
	if (e - q > 16) {
		const char *z = q; // leading zeros do not count
		while (z < e && *z == '0')
			z++;
		if (e - z > 16)
			v = UINT64_MAX;
	}
	*end = e;
	return v;
}
/* The word after "0x" at q (before lim) that gpm_rule_hex_run does not read (a space, a
 * sign or a second "0x" strtoull takes): strtoull's value, *end after it (q when none). */
uint64_t gpm_rule_odd_word(const char *q, const char *lim, const char **end);
/*
 * Every exact hexadecimal argument of the n bytes at args (n < 1024, no NUL among them),
 * via cb: each "0x" followed by a value as strtoull reads it (saturated when too long) and
 * not by '?', above 4096. The usual "0x" + hex digits is read in place (this runs over
 * every printed argument of every goroutine); anything else goes to gpm_rule_odd_word.
 * Inline: argwords.c's walk of every goroutine's arguments calls it with its own callback,
 * which is then called directly (a call a word, not two).
 */
static inline void gpm_rule_each_arg(const char *args, size_t n, void (*cb)(void *, uint64_t),
                                     void *arg)
{
	const char *lim = args + n;
	for (const char *p = args; p < lim;) {
		const char *x = memchr(p, '0', (size_t)(lim - p));
		if (!x || lim - x < 2)
			break;
		if (x[1] != 'x') {
			p = x + 1;
			continue;
		}
		const char *q = x + 2, *end = q;
		uint64_t v = 0;
		if (q < lim && gpm_rule_hex1[(uint8_t)*q] &&
		    !(*q == '0' && q + 1 < lim && (q[1] | 0x20) == 'x'))
			v = gpm_rule_hex_run(q, lim, &end);
		else if (q < lim)
			v = gpm_rule_odd_word(q, lim, &end);
		if (end != q && !(end < lim && *end == '?') && v > 4096)
			cb(arg, v);
		p = end > q ? end : q;
	}
}

/*
 * A goroutine's argument words, read from its text at most once per run (argwords.c):
 * every rule that reads arguments asks here rather than walking the text again.
 */
/* Frame `frame`'s first argument: gpm_rule_first_arg(gpm_rule_frame_args(...)). */
bool gpm_rule_arg_first(struct gpm_rule_ctx *c, const struct gpm_goroutine *g, uint32_t frame,
                        uint64_t *out);
/* gpm_rule_each_arg over the argument text of each of g's frames from `from` on: its own
 * texts while they last, then its frames' args; own_only: its own texts only (none when it
 * has none). */
void gpm_rule_arg_each(struct gpm_rule_ctx *c, const struct gpm_goroutine *g, uint32_t from,
                       bool own_only, void (*cb)(void *, uint64_t), void *arg);
/* Frees the words of a run (NULL: nothing). */
void gpm_arg_words_destroy(struct gpm_arg_words *w);
/* qsort comparison of uint64_t. */
int gpm_rule_cmp_u64(const void *a, const void *b);
/* An index ordered by a 64-bit key (gpm_rule_keyed_sort). */
struct gpm_rule_keyed {
	uint64_t key;
	uint32_t w;
};
/* Sorts kv[0..n) by key, stably (equal keys keep their order): a radix sort, for the large
 * arrays of a snapshot in place of qsort and its callback. False (kv untouched) when it is
 * not worth it (n < 256) or there is no memory: the caller sorts otherwise. */
bool gpm_rule_keyed_sort(struct gpm_rule_keyed *kv, size_t n);

/* Runtime and standard-library plumbing a reader skips to find the code at fault (the
 * runtime, sync, time.Sleep, reflect, fmt, os, net ...). */
bool gpm_rule_is_plumbing(const char *func);
/* The index of the first frame of g (elided markers skipped) whose function skip() does
 * not skip, or -1. */
int gpm_rule_first_frame(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                         bool (*skip)(const char *func));
/* "main.(*T).f at file.go:12" of g's frame i ("(no frame)" out of range), malloc'd and
 * terminal-safe; NULL on out of memory. */
char *gpm_rule_frame_text(const struct gpm_incident *inc, const struct gpm_goroutine *g, int i);
/* The same for g's "created by" frame; NULL when it has none (or out of memory). */
char *gpm_rule_creator_text(const struct gpm_incident *inc, const struct gpm_goroutine *g);

/* ---- the rules, one family per file ---- */

/* Panics, fatal errors, signals, test timeouts, pasted stacks (rule_crash.c). */
void gpm_rule_crash(struct gpm_rule_ctx *c);
/* Lock-order inversion and contention with holder candidates (rule_mutex.c). */
void gpm_rule_mutexes(struct gpm_rule_ctx *c);
/* Channel leaks, undrained channels, healthy groups ruled out (rule_leaks.c). */
void gpm_rule_leaks(struct gpm_rule_ctx *c);
/* Goroutine count, unavailable stacks, locked threads, long syscalls (rule_population.c). */
void gpm_rule_population(struct gpm_rule_ctx *c);
/* How the snapshot was taken (rule_population.c). */
void gpm_rule_snapshot(struct gpm_rule_ctx *c);

/* Data races from race detector reports (rule_race.c). */
void gpm_rule_race(struct gpm_rule_ctx *c);
/* Goroutines the runtime's leak detection marked leaked (rule_leaked.c). */
void gpm_rule_leaked(struct gpm_rule_ctx *c);
/* A fatal signal in C code, goroutines inside C calls (rule_cgo.c). */
void gpm_rule_cgo(struct gpm_rule_ctx *c);
/* Whether the incident is a fatal signal taken in C code called through cgo. */
bool gpm_rule_cgo_fault(const struct gpm_incident *inc);
/* Potential deadlocks go-deadlock reported (rule_deadlock.c). */
void gpm_rule_deadlock_reports(struct gpm_rule_ctx *c);
/* Goroutines waiting minutes to lock a mutex, or in a WaitGroup or Cond (rule_deadlock.c). */
void gpm_rule_stuck_waits(struct gpm_rule_ctx *c);
/* Requests blocked on network I/O for minutes without a deadline (rule_network.c). */
void gpm_rule_net_deadline(struct gpm_rule_ctx *c);
/* Hundreds of HTTP client connections with few requests in flight (rule_network.c). */
void gpm_rule_net_client_conns(struct gpm_rule_ctx *c);
/* Links from panic, lock and channel findings of a core to `gopm print` (links.c); runs
 * after the rules. */
void gpm_rule_links(struct gpm_rule_ctx *c);

/* Timer callbacks that pile up (rule_timers.c). */
void gpm_rule_timers(struct gpm_rule_ctx *c);
/* Request handlers waiting minutes in a select (rule_context.c). */
void gpm_rule_context(struct gpm_rule_ctx *c);
/* The extra record of a goroutine of group gi whose select cases a core showed, NULL
 * none (rule_context.c). */
const struct gpm_goroutine_extra *gpm_rule_select_cases(const struct gpm_rule_ctx *c, size_t gi);
/* Its cases in words ("main.upstream (chan string), chan time.Time 0xc000…"), malloc'd
 * and terminal-safe; NULL on out of memory. */
char *gpm_rule_cases_text(const struct gpm_incident *inc, const struct gpm_goroutine_extra *x);
/* A stop-the-world that does not complete and who prevents it (rule_gc.c). */
void gpm_rule_gc_stall(struct gpm_rule_ctx *c);
/* A sync.Once re-entered, a recursive read lock, a Cond nobody signals, a limited resource
 * whose holders are stuck (rule_sync.c). */
void gpm_rule_sync(struct gpm_rule_ctx *c);

#endif
