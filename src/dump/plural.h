/*
 * Counted words in the readers' warnings: "1 line", "2 lines" — one helper so that no
 * warning says "1 lines" (dump.c, race.c, deadlock.c, profile.c).
 */
#ifndef GPM_DUMP_PLURAL_H
#define GPM_DUMP_PLURAL_H

#include <stdint.h>

/* one when n is 1, else many: "%" PRIu64 " %s", n, gpm_plural(n, "line", "lines"). */
static inline const char *gpm_plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

#endif
