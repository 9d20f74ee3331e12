/* Growable arrays: the one growth routine. */
#include "base/vec.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#ifndef MADV_HUGEPAGE
#define MADV_HUGEPAGE 14
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

enum { PAGE = 4096, PREFAULT_STEP = 2 << 20 };

void gpm_prefault(struct gpm_prefault *pf, void *base, size_t upto, size_t cap)
{
	if (pf->base != base) {
		// A new block: what realloc copied is resident already.
		pf->base = base;
		pf->ready = upto;
		if (cap >= 4 * PREFAULT_STEP) {
			// Transparent huge pages for its aligned 2 MiB windows: populating one
			// costs a fraction of populating 512 small pages (64 MiB: 4 ms instead
			// of 45-65 ms on the 2-core VM). The advice covers every page of the
			// block, not only the aligned windows: advising part of a mapping splits
			// it, and realloc can then no longer move the block with mremap(2)
			// (EFAULT) but copies it (a million goroutines' 128 MiB of argument
			// texts were copied at each doubling: 5 % of reading their core).
			uintptr_t hs = (uintptr_t)base & ~(uintptr_t)(PAGE - 1);
			uintptr_t he = ((uintptr_t)base + cap + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
			madvise((void *)hs, he - hs, MADV_HUGEPAGE);
		}
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
