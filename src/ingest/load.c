/*
 * Loading an input into incident snapshots: the one place that knows input kinds. The kind
 * is detected from the first bytes (gpm_input_detect) and the input is opened once: a dump's
 * text and pprof text go through src/dump/, a core's source is handed over to the core
 * reader (ingest/core.c). A big plain file's identity in the archive (XXH3-128) is taken
 * from the hash cache or computed in a thread while the input is loaded.
 */
#include "ingest/ingest.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/source.h"
#include "ingest/hash_cache.h"
#include "dump/dump.h"
#include "elf/exe.h"

/* The mutex g waits for in sync.(*Mutex).lockSlow as the dump printed it (its first
 * argument, exact), 0 none. */
static uint64_t dump_mutex_wait(const struct gpm_incident *inc, const struct gpm_goroutine *g)
{
	if (g->status != GPM_G_WAITING)
		return 0;
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	for (uint32_t i = 0; i < n && i < 16; i++) {
		if (!f[i].func || (strcmp(f[i].func, "sync.(*Mutex).lockSlow") &&
		                   strcmp(f[i].func, "internal/sync.(*Mutex).lockSlow")))
			continue;
		size_t an;
		const char *a = gpm_goroutine_frame_args(inc, g, i, &an);
		char buf[32];
		if (!a || an < 3 || strncmp(a, "0x", 2))
			return 0;
		if (an >= sizeof(buf))
			an = sizeof(buf) - 1;
		memcpy(buf, a, an);
		buf[an] = 0;
		char *end;
		unsigned long long v = strtoull(buf + 2, &end, 16);
		return end != buf + 2 && *end != '?' ? (uint64_t)v : 0;
	}
	return 0;
}

/*
 * The snapshots of a dump as the parser finishes them. The input's pages the parser read go
 * every RELEASE_GOROUTINES goroutines (a file of several dumps, a log of many): what is
 * resident is the snapshots read and one snapshot's text, not the whole input, and what
 * is read again (argument texts in place) comes back from the page cache.
 */
enum { RELEASE_GOROUTINES = 32768 };

struct collect {
	struct gpm_incident **v;
	size_t n, cap;
	struct gpm_source *src;
	size_t since;                       /* goroutines read since the pages were last released */
	const struct gpm_ingest_options *o; /* with o->parsed: called before the release */
};

static struct gpm_error *collect_one(struct gpm_incident *inc, void *arg)
{
	struct collect *c = arg;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		struct gpm_incident **v = realloc(c->v, cap * sizeof(*v));
		if (!v) {
			gpm_incident_destroy(inc);
			return &gpm_error_nomem;
		}
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = inc;
	if (c->o && c->o->parsed) {
		struct gpm_error *err = c->o->parsed(c->o->parsed_arg, c->n - 1, inc);
		if (err)
			return err;
	}
	// Its text has been read (and analysed): the windows it took may be used again.
	gpm_source_read_done(c->src);
	c->since += inc->goroutines.len;
	if (c->since >= RELEASE_GOROUTINES) {
		gpm_source_release_pages(c->src);
		c->since = 0;
	}
	return NULL;
}

// gpm_dump_options.reading over a source.
static const char *source_reading(void *arg, const char *at)
{
	return (const char *)gpm_source_reading(arg, (const uint8_t *)at);
}

enum { BIAS_FRAMES = 4096, BIAS_CANDIDATES = 8 };

/*
 * The load bias of a PIE executable in a dump: each frame printed with its pc (the
 * "pc=0x…" of GOTRACEBACK=system and crash) and its offset ("+0x…") has its function's
 * run-time entry, pc - offset; less the entry the symbol table gives, that is the bias.
 * The bias most frames agree on, when it is page-aligned and at least two frames (and
 * more than half of those read) agree; false otherwise (a dump without pc=).
 */
static bool dump_bias(const struct gpm_exe *exe, const struct gpm_incident *inc, uint64_t *bias)
{
	struct {
		uint64_t bias;
		uint32_t votes;
	} cand[BIAS_CANDIDATES] = {{0}};
	size_t nc = 0, read = 0;
	for (size_t i = 0; i < inc->frames.len && read < BIAS_FRAMES; i++) {
		const struct gpm_frame *f = &inc->frames.v[i];
		uint64_t entry, size;
		if (!f->pc || !(f->flags & GPM_FRAME_HAS_OFFSET) || !f->func || f->pc < f->offset ||
		    !gpm_exe_symbol(exe, f->func, &entry, &size) || f->pc - f->offset < entry)
			continue;
		uint64_t b = f->pc - f->offset - entry;
		read++;
		size_t k = 0;
		while (k < nc && cand[k].bias != b)
			k++;
		if (k == nc && nc < BIAS_CANDIDATES)
			cand[nc++].bias = b;
		if (k < nc)
			cand[k].votes++;
	}
	size_t best = 0;
	for (size_t k = 1; k < nc; k++)
		if (cand[k].votes > cand[best].votes)
			best = k;
	if (!nc || cand[best].votes < 2 || cand[best].votes * 2 <= read || cand[best].bias % 4096)
		return false;
	*bias = cand[best].bias;
	return true;
}

/*
 * --exe beside a goroutine dump: the mutexes goroutines wait for that lie in a global
 * variable are named from the executable's symbol table ("main.mu"), as a core's are. A
 * dump prints run-time addresses: a PIE executable's load bias is inferred from the frames
 * printed with their pc (dump_bias), and without them its mutexes stay unnamed. The dump
 * names no build id, so the user's --exe is trusted. An executable that cannot be read is
 * a warning of each snapshot.
 */
static struct gpm_error *name_dump_mutexes(const char *exe_path, struct gpm_incident **snaps,
                                           size_t n)
{
	struct stat st;
	// A directory is where a core's executable is looked for: nothing to name from.
	if (!exe_path || (!stat(exe_path, &st) && S_ISDIR(st.st_mode)))
		return NULL;
	struct gpm_exe *exe;
	struct gpm_error *err = gpm_exe_open(exe_path, &exe);
	if (err) {
		struct gpm_error *werr = NULL;
		for (size_t k = 0; k < n && !werr; k++)
			werr = gpm_incident_warn(snaps[k], "--exe %s not read: %s", exe_path,
			                         err->message ? err->message : "?");
		gpm_error_destroy(err);
		return werr;
	}
	err = NULL;
	for (size_t k = 0; k < n && !err; k++) {
		struct gpm_incident *inc = snaps[k];
		uint64_t bias = 0;
		if (gpm_exe_is_pie(exe) && !dump_bias(exe, inc, &bias))
			continue;
		for (size_t i = 0; i < inc->goroutines.len && !err; i++) {
			struct gpm_goroutine *g = &inc->goroutines.v[i];
			uint64_t m = dump_mutex_wait(inc, g), start;
			const char *sym;
			if (!m || m < bias || !gpm_exe_data_for_addr(exe, m - bias, &sym, &start))
				continue;
			m -= bias; // the symbol's link-time address: the offset into it below
			char buf[512];
			int len = m > start
			              ? snprintf(buf, sizeof(buf), "%s+%" PRIu64, sym, m - start)
			              : snprintf(buf, sizeof(buf), "%s", sym);
			struct gpm_goroutine_extra *x = gpm_incident_goroutine_extra(inc, g);
			const char *name = len > 0 && (size_t)len < sizeof(buf)
			                       ? gpm_incident_str(inc, buf, (size_t)len)
			                       : NULL;
			if (!x || (len > 0 && (size_t)len < sizeof(buf) && !name)) {
				err = &gpm_error_nomem;
				break;
			}
			x->wait_object_kind = GPM_WAIT_OBJECT_MUTEX;
			x->wait_object = m + bias;
			x->wait_object_name = name;
		}
	}
	gpm_exe_destroy(exe);
	return err;
}

static struct gpm_error *load(const char *path, bool hash, const struct gpm_ingest_options *o,
                              struct gpm_ingest_loaded *out)
{
	memset(out, 0, sizeof(*out));
	struct gpm_source *src;
	// A big plain file analysed before: its hash is in the cache, not read again.
	char cached[GPM_SHA256_HEX_SIZE];
	bool hit = false;
	struct gpm_ingest_hash_key key = {0};
	const char *key_path = NULL;
	if (hash && !gpm_ingest_is_stdin(path)) {
		gpm_ingest_hash_key(path, &key);
		key_path = path;
		hit = gpm_ingest_hash_cache_get(&key, cached);
	}
	// The kind is checked from the first bytes before the rest is read or decompressed.
	// A dump is parsed front to back: a big one is copied in ahead of the parser
	// (gpm_source_reading) rather than faulted in through its mapping.
	struct gpm_source_options so = {.hash = hash && !hit,
	                                .hash_async = hash && !hit,
	                                .check_head = gpm_ingest_check_head,
	                                .sequential = true,
	                                .partial = true};
	struct gpm_error *err = gpm_ingest_open(path, &so, &src);
	if (err)
		return err;
	// Changed or replaced between the look-up and the open: hashed after all.
	if (hit && !gpm_ingest_hash_key_same(path, &key)) {
		gpm_source_destroy(src);
		hit = false;
		key.valid = false;
		so.hash = so.hash_async = true;
		if ((err = gpm_ingest_open(path, &so, &src)))
			return err;
	}
	// A big plain file's hash goes on in a thread while the input is loaded.
	out->hash_pending = gpm_source_hash_take(src);
	memcpy(out->sha256, hit ? cached : src->sha256, sizeof(out->sha256));
	if (hit)
		key.valid = false; // nothing new to record
	out->input_size = src->file_size;
	out->mtime = src->mtime;
	path = src->path; // "<stdin>" for standard input
	enum gpm_input_kind kind = gpm_input_detect(src->data, src->size);
	switch (kind) {
	case GPM_INPUT_DUMP:
	case GPM_INPUT_PPROF1:
	case GPM_INPUT_PPROF2:
	case GPM_INPUT_UNKNOWN: { // maybe a dump buried deep in a log: let the parser decide
		// The snapshots read argument texts from the input in place: keep it.
		struct gpm_dump_options dopt = {
		    .borrow_text = true, .reading = source_reading, .reading_arg = src};
		// --exe names mutexes once every snapshot is read: the hook is then not called.
		struct collect c = {.src = src, .o = o && !o->exe_path ? o : NULL};
		err = gpm_dump_parse((const char *)src->data, src->size, path, &dopt, collect_one,
		                     &c);
		if (err) {
			for (size_t k = 0; k < c.n; k++)
				gpm_incident_destroy(c.v[k]);
			free(c.v);
		} else {
			out->snapshots = c.v;
			out->n = c.n;
		}
		if (err && kind == GPM_INPUT_UNKNOWN && err->code == GPM_ERR_FORMAT) {
			gpm_error_destroy(err);
			err = gpm_error_create(GPM_ERR_UNSUPPORTED,
			                       "%s: not a goroutine dump, profile or core", path);
		}
		if (!err && o && (err = name_dump_mutexes(o->exe_path, out->snapshots, out->n))) {
			for (size_t k = 0; k < out->n; k++)
				gpm_incident_destroy(out->snapshots[k]);
			free(out->snapshots);
			out->snapshots = NULL;
			out->n = 0;
		}
		// A compressed dump whose stream stopped early: what came before is read.
		for (size_t k = 0; !err && src->cut && k < out->n; k++)
			err =
			    gpm_incident_warn(out->snapshots[k],
			                      "%s: the dump is read as far as it was decoded (%zu "
			                      "bytes; its end is lost)",
			                      src->cut, src->size);
		if (!err) {
			out->src = src;
			src = NULL;
			// Parsed: only the argument texts rules and reports print are read again.
			gpm_ingest_loaded_release_pages(out);
		}
		break;
	}
	case GPM_INPUT_CORE:
		out->snapshots = calloc(1, sizeof(*out->snapshots));
		if (!out->snapshots) {
			err = &gpm_error_nomem;
			break;
		}
		// The core reader takes the source over: the input is read once.
		err = gpm_ingest_load_core(src, o, &out->snapshots[0]);
		src = NULL;
		if (err) {
			free(out->snapshots);
			out->snapshots = NULL;
		} else {
			out->n = 1;
		}
		break;
	case GPM_INPUT_PPROF0:
		// The snapshot copies what it keeps: the profile's bytes go now.
		if (!(out->snapshots = calloc(1, sizeof(*out->snapshots)))) {
			err = &gpm_error_nomem;
			break;
		}
		err = gpm_goroutine_profile_parse(src->data, src->size, path, NULL,
		                                  &out->snapshots[0]);
		if (err) {
			free(out->snapshots);
			out->snapshots = NULL;
		} else {
			out->n = 1;
		}
		break;
	case GPM_INPUT_HEAPDUMP:
		err = gpm_error_create(GPM_ERR_UNSUPPORTED,
		                       "%s: heap dumps hold no goroutine stacks", path);
		break;
	}
	gpm_source_destroy(src);
	if (err) {
		gpm_source_hash_finish(out->hash_pending, NULL);
		out->hash_pending = NULL;
	} else if (key.valid && out->hash_pending) {
		// Recorded in the cache once the hash is done; without memory, only not cached.
		if ((out->hash_key = malloc(sizeof(*out->hash_key)))) {
			*out->hash_key = key;
			out->hash_path = key_path;
		}
	}
	return err;
}

const char *gpm_ingest_loaded_sha256(struct gpm_ingest_loaded *l)
{
	if (l->hash_pending) {
		gpm_source_hash_finish(l->hash_pending, l->sha256);
		l->hash_pending = NULL;
		if (l->hash_key)
			gpm_ingest_hash_cache_put(l->hash_path, l->hash_key, l->sha256);
	}
	free(l->hash_key);
	l->hash_key = NULL;
	return l->sha256;
}

struct gpm_error *gpm_ingest_load(const char *path, const struct gpm_ingest_options *o,
                                  struct gpm_ingest_loaded *out)
{
	return load(path, false, o, out);
}

struct gpm_error *gpm_ingest_load_hashed(const char *path, const struct gpm_ingest_options *o,
                                         struct gpm_ingest_loaded *out)
{
	return load(path, true, o, out);
}

void gpm_ingest_loaded_release_pages(struct gpm_ingest_loaded *l)
{
	gpm_source_release_pages(l->src);
}

void gpm_ingest_loaded_deinit(struct gpm_ingest_loaded *l)
{
	for (size_t i = 0; i < l->n; i++)
		gpm_incident_destroy(l->snapshots[i]);
	free(l->snapshots);
	gpm_source_destroy(l->src);
	gpm_source_hash_finish(l->hash_pending, NULL);
	l->hash_pending = NULL;
	free(l->hash_key);
	l->hash_key = NULL;
	l->snapshots = NULL;
	l->n = 0;
	l->src = NULL;
}
