/*
 * A cache of the identities (base/identity.h) of big plain inputs, so that analysing the same
 * core again does not read it all again: $XDG_CACHE_HOME/gopm/identity-xxh3-128 (default
 * under ~/.cache/gopm), one line per file, "DEV INO SIZE MTIME_NS CTIME_NS HEX", keyed by what
 * stat says of the file (as git's index is). An entry is written only for a file unchanged while it
 * was hashed and last changed over two seconds before the hash began (a change within the same
 * clock tick would go unseen otherwise). GOPM_HASH_CACHE=0 turns it off.
 */
#ifndef GPM_INGEST_HASH_CACHE_H
#define GPM_INGEST_HASH_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/sha256.h"

enum { GPM_INGEST_HASH_CACHE_MIN_SIZE = 32 << 20 }; /* smaller files are not cached */

struct gpm_ingest_hash_key {
	uint64_t dev, ino, size;
	int64_t mtime_ns, ctime_ns, taken_ns; /* taken: when the key was read (realtime) */
	bool valid;
};

/* The key of path now; valid only for a regular file of at least 32 MiB (smaller ones hash
 * faster than the cache is read) and when the cache is on. */
void gpm_ingest_hash_key(const char *path, struct gpm_ingest_hash_key *key);
/* Whether path's key now is still key (the file was not changed or replaced since). */
bool gpm_ingest_hash_key_same(const char *path, const struct gpm_ingest_hash_key *key);
/* The cached identity for key; false when none. */
bool gpm_ingest_hash_cache_get(const struct gpm_ingest_hash_key *key,
                               char hex[GPM_SHA256_HEX_SIZE]);
/* Records hex for path when its key is still key and old enough (see above); errors are
 * ignored (a cache). */
void gpm_ingest_hash_cache_put(const char *path, const struct gpm_ingest_hash_key *key,
                               const char hex[GPM_SHA256_HEX_SIZE]);

/*
 * Where the build-id index of search directories is kept (core/exe_index.h):
 * $XDG_CACHE_HOME/gopm/exe-index (its directory is made when the index is first written);
 * NULL without a home. Owned by the process.
 */
const char *gpm_ingest_exe_index_path(void);

#endif
