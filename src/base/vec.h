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

/* Ensures *cap >= need elements of elsize bytes in *data; doubles. */
bool gpm_array_reserve(void **data, size_t *cap, size_t need, size_t elsize);

#define gpm_vec_reserve(vec, n)                                                                    \
	gpm_array_reserve((void **)&(vec)->v, &(vec)->cap, (n), sizeof(*(vec)->v))
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
