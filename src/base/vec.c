/* Growable arrays: the one growth routine. */
#include "base/vec.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

enum { PAGE = 4096, PREFAULT_STEP = 2 << 20 };

/*
 * No MADV_HUGEPAGE: the blocks were advised as transparent huge pages until the 10^6-goroutine
 * core showed that on a virtual machine whose balloon reports free memory to the host, a huge
 * page comes from a free 2 MiB block the host has taken back, and populating it waits for the
 * host: 256 MiB populated in 0.4-1.0 s as huge pages against 0.08-0.16 s as small pages (the
 * huge pages were fast, 0.04 s, only when the same process had just freed them). The model's
 * ~300 MB cost `gopm goroutines` 0.5 s of system time in the kernel's page zeroing.
 */

void gpm_prefault(struct gpm_prefault *pf, void *base, size_t upto, size_t cap)
{
	if (pf->base != base) {
		// A new block: what realloc copied is resident already.
		pf->base = base;
		pf->ready = upto;
	}
	if (upto <= pf->ready || cap < 4 * PREFAULT_STEP)
		return;
	uintptr_t start = ((uintptr_t)base + pf->ready + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
	uintptr_t end = ((uintptr_t)base + upto + PREFAULT_STEP) & ~(uintptr_t)(PAGE - 1);
	uintptr_t limit = ((uintptr_t)base + cap) & ~(uintptr_t)(PAGE - 1);
	if (end > limit)
		end = limit;
	if (end > start)
		madvise((void *)start, end - start, MADV_POPULATE_WRITE);
	pf->ready = end > (uintptr_t)base + upto ? end - (uintptr_t)base : upto;
}

void gpm_populate(void *p, size_t n)
{
	if (n < 16 * PAGE)
		return;
	uintptr_t start = ((uintptr_t)p + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
	uintptr_t end = ((uintptr_t)p + n) & ~(uintptr_t)(PAGE - 1);
	if (end > start)
		madvise((void *)start, end - start, MADV_POPULATE_WRITE);
}

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
