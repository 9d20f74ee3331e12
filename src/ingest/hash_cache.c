/* The cache of big inputs' identities (see hash_cache.h). */
#include "ingest/hash_cache.h"

#include "base/identity.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
	HASH_CACHE_MAX_BYTES = 1 << 20, // past this the file is started afresh
};
// Named after the kind of identity it holds: the SHA-256s of the files "sha256" and
// "identity-sha256-4m" that older gopm wrote are never taken for identities of this kind.
static const char CACHE_NAME[] = "identity-" GPM_IDENTITY_KIND;
static const int64_t HASH_CACHE_SETTLE_NS = 2000000000; // a change older than this is seen

// $XDG_CACHE_HOME/gopm/NAME (default ~/.cache/gopm/NAME), malloc'd; NULL when no home.
static char *cache_file(const char *name, bool make_dir)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	char *dir = NULL, *path = NULL;
	if (xdg && *xdg) {
		if (asprintf(&dir, "%s/gopm", xdg) < 0)
			return NULL;
	} else if (home && *home) {
		if (asprintf(&dir, "%s/.cache/gopm", home) < 0)
			return NULL;
	} else {
		return NULL;
	}
	if (make_dir) {
		// The parent first (~/.cache may not exist yet).
		char *slash = strrchr(dir, '/');
		*slash = 0;
		mkdir(dir, 0700);
		*slash = '/';
		mkdir(dir, 0700);
	}
	if (asprintf(&path, "%s/%s", dir, name) < 0)
		path = NULL;
	free(dir);
	return path;
}

static int64_t ns(struct timespec t)
{
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

void gpm_ingest_hash_key(const char *path, struct gpm_ingest_hash_key *key)
{
	memset(key, 0, sizeof(*key));
	const char *off = getenv("GOPM_HASH_CACHE");
	struct stat st;
	struct timespec now;
	if ((off && strcmp(off, "0") == 0) || stat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size < GPM_INGEST_HASH_CACHE_MIN_SIZE)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	*key = (struct gpm_ingest_hash_key){
	    .dev = (uint64_t)st.st_dev,
	    .ino = (uint64_t)st.st_ino,
	    .size = (uint64_t)st.st_size,
	    .mtime_ns = ns(st.st_mtim),
	    .ctime_ns = ns(st.st_ctim),
	    .taken_ns = ns(now),
	    .valid = true,
	};
}

static bool key_equal(const struct gpm_ingest_hash_key *a, const struct gpm_ingest_hash_key *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

bool gpm_ingest_hash_key_same(const char *path, const struct gpm_ingest_hash_key *key)
{
	struct gpm_ingest_hash_key now;
	gpm_ingest_hash_key(path, &now);
	return key->valid && now.valid && key_equal(key, &now);
}

bool gpm_ingest_hash_cache_get(const struct gpm_ingest_hash_key *key, char hex[GPM_SHA256_HEX_SIZE])
{
	if (!key->valid)
		return false;
	char *path = cache_file(CACHE_NAME, false);
	FILE *f = path ? fopen(path, "re") : NULL;
	free(path);
	if (!f)
		return false;
	char line[256], h[GPM_SHA256_HEX_SIZE];
	const size_t hex_len = GPM_IDENTITY_HEX_LEN;
	bool found = false;
	// The last matching line wins (a file rewritten in place gets a new line).
	while (fgets(line, sizeof(line), f)) {
		struct gpm_ingest_hash_key k = {.valid = true};
		if (sscanf(line, "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNd64 " %" SCNd64 " %64s",
		           &k.dev, &k.ino, &k.size, &k.mtime_ns, &k.ctime_ns, h) != 6 ||
		    strlen(h) != hex_len || strspn(h, "0123456789abcdef") != hex_len)
			continue;
		if (key_equal(&k, key)) {
			memcpy(hex, h, GPM_SHA256_HEX_SIZE);
			found = true;
		}
	}
	fclose(f);
	return found;
}

void gpm_ingest_hash_cache_put(const char *path, const struct gpm_ingest_hash_key *key,
                               const char hex[GPM_SHA256_HEX_SIZE])
{
	if (!key->valid || strlen(hex) != GPM_IDENTITY_HEX_LEN)
		return;
	if (!gpm_ingest_hash_key_same(path, key) ||
	    key->taken_ns - key->mtime_ns < HASH_CACHE_SETTLE_NS ||
	    key->taken_ns - key->ctime_ns < HASH_CACHE_SETTLE_NS)
		return;
	char *cp = cache_file(CACHE_NAME, true);
	if (!cp)
		return;
	struct stat st;
	int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC;
	if (stat(cp, &st) == 0 && st.st_size > HASH_CACHE_MAX_BYTES)
		flags |= O_TRUNC;
	int fd = open(cp, flags, 0600);
	free(cp);
	if (fd < 0)
		return;
	char line[256];
	int n = snprintf(line, sizeof(line),
	                 "%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRId64 " %" PRId64 " %s\n",
	                 key->dev, key->ino, key->size, key->mtime_ns, key->ctime_ns, hex);
	// One write of one line: concurrent gopm runs append whole lines.
	if (n > 0 && (size_t)n < sizeof(line) && write(fd, line, (size_t)n) != n)
		errno = 0;
	close(fd);
}

const char *gpm_ingest_exe_index_path(void)
{
	// One path for the process's lifetime (the options hold it borrowed).
	static char *path;
	static bool done;
	if (!done) {
		done = true;
		path = cache_file("exe-index", false);
	}
	return path;
}
