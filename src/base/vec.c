/* Growable arrays: the one growth routine. */
#include "base/vec.h"

#include <stdint.h>
#include <stdlib.h>

bool gpm_array_reserve(void **data, size_t *cap, size_t need, size_t elsize)
{
	if (need <= *cap)
		return true;
	size_t ncap = *cap ? *cap : 8;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return false;
		ncap *= 2;
	}
	size_t bytes;
	if (__builtin_mul_overflow(ncap, elsize, &bytes))
		return false;
	void *p = realloc(*data, bytes);
	if (!p)
		return false;
	*data = p;
	*cap = ncap;
	return true;
}
