/* The build-id index of search directories (see exe_index.h). */
#include "core/exe_index.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	INDEX_MAX_FILE = 64 << 20, // bytes of an index file read; a bigger one is started afresh
	INDEX_MAX_ID = 256,        // characters of a build id kept
	INDEX_MAX_PATH = 4096,
};
static const char INDEX_HEADER[] = "gopm exe-index 1\n";

static uint64_t path_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u; // FNV-1a
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3u;
	return h;
}

// The slot holding path, or the empty slot where it would go.
static size_t slot_of(const struct gpm_exe_index *idx, const char *path)
{
	size_t mask = idx->nslots - 1;
	for (size_t i = (size_t)path_hash(path) & mask;; i = (i + 1) & mask) {
		uint32_t s = idx->slots[i];
		if (!s || strcmp(idx->v[s - 1].path, path) == 0)
			return i;
	}
}

static bool grow(struct gpm_exe_index *idx)
{
	if (idx->n == idx->cap) {
		size_t cap = idx->cap ? idx->cap * 2 : 256;
		struct gpm_exe_index_entry *v = realloc(idx->v, cap * sizeof(*v));
		if (!v)
			return false;
		idx->v = v;
		idx->cap = cap;
	}
	if ((idx->n + 1) * 2 > idx->nslots) {
		size_t nslots = idx->nslots ? idx->nslots * 2 : 512;
		uint32_t *slots = calloc(nslots, sizeof(*slots));
		if (!slots)
			return false;
		free(idx->slots);
		idx->slots = slots;
		idx->nslots = nslots;
		for (size_t i = 0; i < idx->n; i++)
			idx->slots[slot_of(idx, idx->v[i].path)] = (uint32_t)(i + 1);
	}
	return true;
}

// Build ids and paths as the line format carries them: no blanks, no control bytes.
static bool id_ok(const char *id)
{
	if (!id)
		return true;
	size_t n = strlen(id);
	if (!n || n > INDEX_MAX_ID || strcmp(id, "-") == 0)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_/+=.-", *p)))
			return false;
	return true;
}

static bool path_ok(const char *path)
{
	size_t n = strlen(path);
	if (!n || n >= INDEX_MAX_PATH || path[0] == ' ')
		return false;
	for (const char *p = path; *p; p++)
		if (*p == '\n' || *p == '\r')
			return false;
	return true;
}

void gpm_exe_file_key_of(const struct stat *st, uint16_t machine, struct gpm_exe_file_key *out)
{
	*out = (struct gpm_exe_file_key){
	    .dev = (uint64_t)st->st_dev,
	    .ino = (uint64_t)st->st_ino,
	    .size = (uint64_t)st->st_size,
	    .mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec,
	    .ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec,
	    .machine = machine,
	};
}

bool gpm_exe_file_key_equal(const struct gpm_exe_file_key *a, const struct gpm_exe_file_key *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns && a->machine == b->machine;
}

struct gpm_exe_index_entry *gpm_exe_index_get(struct gpm_exe_index *idx, const char *path)
{
	if (!idx || !idx->nslots)
		return NULL;
	uint32_t s = idx->slots[slot_of(idx, path)];
	return s && !idx->v[s - 1].dead ? &idx->v[s - 1] : NULL;
}

// Records an entry without marking the index changed (loading).
static struct gpm_error *put(struct gpm_exe_index *idx, const char *path,
                             const struct gpm_exe_file_key *key, const char *gnu, const char *go,
                             bool seen, bool *stored)
{
	*stored = false;
	if (!path_ok(path) || !id_ok(gnu) || !id_ok(go))
		return NULL;
	char *g = gnu ? strdup(gnu) : NULL, *o = go ? strdup(go) : NULL;
	if ((gnu && !g) || (go && !o)) {
		free(g);
		free(o);
		return &gpm_error_nomem;
	}
	uint32_t s = idx->nslots ? idx->slots[slot_of(idx, path)] : 0;
	struct gpm_exe_index_entry *e;
	if (s) {
		e = &idx->v[s - 1];
		free(e->gnu);
		free(e->go);
	} else {
		if (idx->n >= GPM_EXE_INDEX_MAX) {
			idx->full = true;
			free(g);
			free(o);
			return NULL;
		}
		char *p = strdup(path);
		if (!p || !grow(idx)) {
			free(p);
			free(g);
			free(o);
			return &gpm_error_nomem;
		}
		e = &idx->v[idx->n];
		*e = (struct gpm_exe_index_entry){.path = p};
		idx->slots[slot_of(idx, path)] = (uint32_t)(++idx->n);
	}
	e->key = *key;
	e->gnu = g;
	e->go = o;
	e->dead = false;
	e->seen = seen;
	*stored = true;
	return NULL;
}

struct gpm_error *gpm_exe_index_put(struct gpm_exe_index *idx, const char *path,
                                    const struct gpm_exe_file_key *key, const char *gnu,
                                    const char *go)
{
	bool stored;
	struct gpm_error *err = put(idx, path, key, gnu, go, true, &stored);
	if (stored)
		idx->dirty = true;
	return err;
}

void gpm_exe_index_remove(struct gpm_exe_index *idx, const char *path)
{
	struct gpm_exe_index_entry *e = gpm_exe_index_get(idx, path);
	if (e) {
		e->dead = true;
		idx->dirty = true;
	}
}

void gpm_exe_index_prune(struct gpm_exe_index *idx, const char *dir)
{
	size_t n = strlen(dir);
	for (size_t i = 0; i < idx->n; i++) {
		struct gpm_exe_index_entry *e = &idx->v[i];
		if (e->dead || e->seen || strncmp(e->path, dir, n) != 0 || e->path[n] != '/' ||
		    strchr(e->path + n + 1, '/'))
			continue;
		e->dead = true;
		idx->dirty = true;
	}
}

// One line: DEV INO SIZE MTIME_NS CTIME_NS MACHINE GNU|- GO|- PATH
static struct gpm_error *load_line(struct gpm_exe_index *idx, char *line)
{
	struct gpm_exe_file_key k;
	unsigned machine;
	char gnu[INDEX_MAX_ID + 1], go[INDEX_MAX_ID + 1];
	int at = -1;
	if (sscanf(line,
	           "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNd64 " %" SCNd64 " %u %256s %256s %n",
	           &k.dev, &k.ino, &k.size, &k.mtime_ns, &k.ctime_ns, &machine, gnu, go,
	           &at) != 8 ||
	    at < 0 || machine > UINT16_MAX)
		return NULL; // a damaged line is dropped
	k.machine = (uint16_t)machine;
	bool stored;
	return put(idx, line + at, &k, strcmp(gnu, "-") ? gnu : NULL, strcmp(go, "-") ? go : NULL,
	           false, &stored);
}

static struct gpm_error *load(struct gpm_exe_index *idx)
{
	int fd = open(idx->file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	struct gpm_error *err = NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    st.st_size <= INDEX_MAX_FILE) {
		if (!(buf = malloc((size_t)st.st_size + 1)))
			err = &gpm_error_nomem;
		while (buf && len < (size_t)st.st_size) {
			ssize_t got = read(fd, buf + len, (size_t)st.st_size - len);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0)
				break;
			len += (size_t)got;
		}
	}
	close(fd);
	if (buf && len > sizeof(INDEX_HEADER) - 1 &&
	    memcmp(buf, INDEX_HEADER, sizeof(INDEX_HEADER) - 1) == 0) {
		buf[len] = 0;
		char *line = buf + sizeof(INDEX_HEADER) - 1;
		while (!err && *line) {
			char *nl = strchr(line, '\n');
			if (!nl)
				break; // a last line cut short is dropped
			*nl = 0;
			// Lines are unique by path; a repeated one replaces the first.
			err = load_line(idx, line);
			line = nl + 1;
		}
	}
	free(buf);
	return err;
}

struct gpm_error *gpm_exe_index_create(const char *file, struct gpm_exe_index **out)
{
	struct gpm_exe_index *idx = calloc(1, sizeof(*idx));
	if (!idx || (file && !(idx->file = strdup(file)))) {
		free(idx);
		return &gpm_error_nomem;
	}
	struct gpm_error *err = file ? load(idx) : NULL;
	if (err) {
		gpm_exe_index_destroy(idx);
		return err;
	}
	*out = idx;
	return NULL;
}

struct gpm_error *gpm_exe_index_save(struct gpm_exe_index *idx)
{
	if (!idx || !idx->file || !(idx->dirty || idx->full))
		return NULL;
	char *tmp;
	if (asprintf(&tmp, "%s.tmp-%ld", idx->file, (long)getpid()) < 0)
		return &gpm_error_nomem;
	// Private: it names where a user keeps programs.
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 && errno == ENOENT) {
		// The cache directory and its parent (~/.cache) may not exist yet.
		char *dir = strdup(idx->file);
		char *slash = dir ? strrchr(dir, '/') : NULL;
		if (slash && slash != dir) {
			*slash = 0;
			char *up = strrchr(dir, '/');
			if (up && up != dir) {
				*up = 0;
				mkdir(dir, 0700);
				*up = '/';
			}
			mkdir(dir, 0700);
		}
		free(dir);
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	}
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		struct gpm_error *err = gpm_error_os(e, "%s", tmp);
		free(tmp);
		return err;
	}
	fputs(INDEX_HEADER, f);
	for (size_t i = 0; i < idx->n; i++) {
		const struct gpm_exe_index_entry *e = &idx->v[i];
		// Full: what this process did not look at goes (files of directories long gone).
		if (e->dead || (idx->full && !e->seen))
			continue;
		fprintf(
		    f, "%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRId64 " %" PRId64 " %u %s %s %s\n",
		    e->key.dev, e->key.ino, e->key.size, e->key.mtime_ns, e->key.ctime_ns,
		    (unsigned)e->key.machine, e->gnu ? e->gnu : "-", e->go ? e->go : "-", e->path);
	}
	bool ok = !ferror(f);
	int e = ok ? 0 : EIO;
	if (fclose(f) != 0 && ok) {
		ok = false;
		e = errno;
	}
	if (ok && rename(tmp, idx->file) != 0) {
		ok = false;
		e = errno;
	}
	struct gpm_error *err = NULL;
	if (!ok) {
		err = gpm_error_os(e, "%s", idx->file);
		unlink(tmp);
	} else {
		idx->dirty = false;
	}
	free(tmp);
	return err;
}

void gpm_exe_index_destroy(struct gpm_exe_index *idx)
{
	if (!idx)
		return;
	for (size_t i = 0; i < idx->n; i++) {
		free(idx->v[i].path);
		free(idx->v[i].gnu);
		free(idx->v[i].go);
	}
	free(idx->v);
	free(idx->slots);
	free(idx->file);
	free(idx);
}
