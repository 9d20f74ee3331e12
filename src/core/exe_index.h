/*
 * The build-id index of search directories: for each file looked at while searching for a
 * core's executable, the build ids its ELF notes carry (or that it carries none), keyed by
 * path and checked against what stat says of the file now (device, inode, size, mtime,
 * ctime). Kept in a text file (the cli puts it at $XDG_CACHE_HOME/gopm/exe-index) so that a
 * directory of thousands of files is opened once, not at every lookup: an entry whose file
 * changed is stale and the file is probed again. A cache only: a missing, unreadable or
 * damaged index file is an empty index, and a failure to write it loses nothing.
 */
#ifndef GPM_CORE_EXE_INDEX_H
#define GPM_CORE_EXE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "base/error.h"

/* What stat says of a file; an entry is used only while this is unchanged. */
struct gpm_exe_file_key {
	uint64_t dev, ino, size;
	int64_t mtime_ns, ctime_ns;
	uint16_t machine; /* the ELF machine the file was probed for */
};

struct gpm_exe_index_entry {
	char *path; /* owned by the index */
	struct gpm_exe_file_key key;
	char *gnu, *go; /* the file's build ids; NULL when it carries none (owned) */
	bool dead;      /* removed: ignored by lookups, not written */
	bool seen;      /* looked at by this process (see gpm_exe_index_prune) */
};

struct gpm_exe_index {
	char *file; /* where it is kept; NULL: in memory only */
	struct gpm_exe_index_entry *v;
	size_t n, cap;
	uint32_t *slots; /* open addressing over v by path: index + 1, 0 empty */
	size_t nslots;
	bool dirty;
	bool full; /* an entry was refused: the next save keeps only the entries seen */
};

/*
 * At most this many entries are kept: past it, files are probed every time until the index
 * is saved, which keeps only the entries this process looked at.
 */
enum { GPM_EXE_INDEX_MAX = 200000 };

/*
 * Loads the index kept in file (NULL: an empty index kept nowhere). A missing or damaged
 * file gives an empty index; only running out of memory is an error.
 */
struct gpm_error *gpm_exe_index_create(const char *file, struct gpm_exe_index **out);
void gpm_exe_index_destroy(struct gpm_exe_index *idx);
/* Writes the index back when it changed (a temporary file renamed over the old one). */
struct gpm_error *gpm_exe_index_save(struct gpm_exe_index *idx);

/* The key of st probed for machine. */
void gpm_exe_file_key_of(const struct stat *st, uint16_t machine, struct gpm_exe_file_key *out);
bool gpm_exe_file_key_equal(const struct gpm_exe_file_key *a, const struct gpm_exe_file_key *b);

/* The live entry of path, or NULL (borrowed until the index changes). */
struct gpm_exe_index_entry *gpm_exe_index_get(struct gpm_exe_index *idx, const char *path);
/*
 * Records path's build ids (either may be NULL) under key, replacing any entry. Ids or paths
 * that would not survive the file's line format, and entries past GPM_EXE_INDEX_MAX, are not
 * recorded (not an error). Errors: out of memory.
 */
struct gpm_error *gpm_exe_index_put(struct gpm_exe_index *idx, const char *path,
                                    const struct gpm_exe_file_key *key, const char *gnu,
                                    const char *go);
void gpm_exe_index_remove(struct gpm_exe_index *idx, const char *path);
/* Removes the entries of files directly in dir not marked seen (dir was listed whole). */
void gpm_exe_index_prune(struct gpm_exe_index *idx, const char *dir);

#endif
