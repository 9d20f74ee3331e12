/*
 * Growable arrays. GPM_VEC(type) declares { type *v; size_t len, cap; }; gpm_vec_grow makes
 * room for one more element and returns false on overflow or out of memory.
 */
#ifndef GPM_BASE_VEC_H
#define GPM_BASE_VEC_H

#include <stdbool.h>
#include <stddef.h>

#define GPM_VEC(type)                                                                              \
	struct {                                                                                   \
		type *v;                                                                           \
		size_t len, cap;                                                                   \
	}

/*
 * Prefaulting for arrays filled front to back (100,000s of goroutines): before writing up to
 * byte `upto` of the block base[0..cap), the pages ahead are populated by one system call per
 * 2 MiB (MADV_POPULATE_WRITE) instead of one page fault per 4 KiB, which on a virtual
 * machine is most of the cost of building a big incident. Small pages, not transparent huge
 * pages (see vec.c). Only what is about to be written is populated, so resident memory still
 * follows what is used (to the next 2 MiB). Advice only: where the kernel lacks it nothing
 * changes.
 */
struct gpm_prefault {
	const void *base; /* the block the state is for (it resets when the array moves) */
	size_t ready;     /* bytes from base known populated */
};
void gpm_prefault(struct gpm_prefault *pf, void *base, size_t upto, size_t cap);
/* Populates p[0..n) that is about to be written in full: one system call instead of a page
 * fault per 4 KiB of a fresh block. Advice only; small blocks are left alone. */
void gpm_populate(void *p, size_t n);

/* Ensures *cap >= need elements of elsize bytes in *data; doubles. */
bool gpm_array_reserve(void **data, size_t *cap, size_t need, size_t elsize);

/* The capacity check inline: pushes in hot loops (a word of every argument of 800,000
 * goroutines) call out only to grow. */
#define gpm_vec_reserve(vec, n)                                                                    \
	((n) <= (vec)->cap ||                                                                      \
	 gpm_array_reserve((void **)&(vec)->v, &(vec)->cap, (n), sizeof(*(vec)->v)))
/* Appends and returns a pointer to the new zeroed element, or NULL when out of memory. */
#define gpm_vec_push(vec)                                                                          \
	(gpm_vec_reserve((vec), (vec)->len + 1)                                                    \
	     ? (memset(&(vec)->v[(vec)->len], 0, sizeof(*(vec)->v)), &(vec)->v[(vec)->len++])      \
	     : NULL)
#define gpm_vec_free(vec)                                                                          \
	do {                                                                                       \
		free((vec)->v);                                                                    \
		(vec)->v = NULL;                                                                   \
		(vec)->len = (vec)->cap = 0;                                                       \
	} while (0)

#endif
