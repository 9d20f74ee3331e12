/*
 * String interning: equal strings become the same pointer, stored once. Function names,
 * file names and wait reasons repeat across 100,000s of goroutines; interning keeps memory
 * proportional to distinct strings and makes comparison a pointer test.
 */
#ifndef GPM_BASE_INTERN_H
#define GPM_BASE_INTERN_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct gpm_intern;

struct gpm_intern *gpm_intern_create(void);
void gpm_intern_destroy(struct gpm_intern *in);
/* Returns the interned copy of s[0..n) (NUL-terminated), or NULL when out of memory.
 * The pointer is owned by the table and valid until gpm_intern_destroy. */
const char *gpm_intern_n(struct gpm_intern *in, const char *s, size_t n);
const char *gpm_intern(struct gpm_intern *in, const char *s);
size_t gpm_intern_count(const struct gpm_intern *in);
/* 64-bit FNV-1a, used for interning and signatures. */
uint64_t gpm_hash_bytes(const void *p, size_t n, uint64_t seed);
#define GPM_HASH_SEED 0xcbf29ce484222325ULL

#endif
