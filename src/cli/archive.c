/*
 * Archive commands: ingest, incidents, show, clusters, search, sql, rm, gc, resign.
 * They open the incident archive (--db, default under the XDG data home) through
 * src/store/ and print its tables sized to the terminal, or as --json / --csv. Queries
 * open the archive read-only; only ingest, rm, gc and resign write.
 */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analysis/analysis.h"
#include "analysis/report_doc.h"
#include "analysis/report_share.h"
#include "base/json.h"
#include "base/strbuf.h"
#include "cli/archive.h"
#include "cli/cli.h"
#include "ingest/ingest.h"
#include "cli/options.h"
#include "elf/exe.h"
#include "goroutines/goroutines.h"
#include "gort/image.h"
#include "heap/heap.h"
#include "store/heap.h"
#include "store/report.h"
#include "store/store.h"
#include "store/workflow.h"

enum format { FORMAT_TABLE, FORMAT_JSON, FORMAT_CSV };

struct common {
	const char *db;
	enum format format;
};

enum {
	OPT_DB = 1,
	OPT_JSON,
	OPT_CSV,
	OPT_KEEP,
	OPT_HOST,
	OPT_BUILD,
	OPT_TREND,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_EXE_MATCH,
	OPT_GO,
	OPT_FINDING,
	OPT_CLUSTER,
	OPT_LIMIT,
	OPT_RAW,
	OPT_REPORT_FORMAT,
	OPT_REPORT_GROUPS,
	OPT_REPORT_WIDTH,
};

// The options most archive commands share, as entries of their tables.
#define OPTION_DB                                                                                  \
	{                                                                                          \
		"db", 0, "PATH", "the archive (default $XDG_DATA_HOME/gopm/archive.db)", OPT_DB,   \
		    "file"                                                                         \
	}
#define OPTION_JSON                                                                                \
	{                                                                                          \
		"json", 0, NULL, "one JSON document (doc/json.md)", OPT_JSON, NULL                 \
	}
#define OPTION_CSV                                                                                 \
	{                                                                                          \
		"csv", 0, NULL, "CSV (RFC 4180) with a header row", OPT_CSV, NULL                  \
	}
#define OPTION_LIMIT(what)                                                                         \
	{                                                                                          \
		"limit", 0, "N", "at most N " what " (default 100, 0 = default, -1 = all)",        \
		    OPT_LIMIT, NULL                                                                \
	}
#define OPTIONS_END                                                                                \
	{                                                                                          \
		NULL, 0, NULL, NULL, 0, NULL                                                       \
	}

// Applies --db, --json, --csv; false when opt is none of them.
static bool common_option(int opt, const char *v, struct common *c)
{
	switch (opt) {
	case OPT_DB:
		c->db = v;
		return true;
	case OPT_JSON:
		c->format = FORMAT_JSON;
		return true;
	case OPT_CSV:
		c->format = FORMAT_CSV;
		return true;
	}
	return false;
}

static int open_store(const struct common *c, bool readonly, struct gpm_store **st)
{
	char *path = NULL;
	struct gpm_error *err = NULL;
	if (!c->db && (err = gpm_store_default_path(!readonly, &path)))
		return gpm_cli_fail(err);
	const char *p = c->db ? c->db : path;
	struct stat sb;
	if (readonly && stat(p, &sb) < 0) {
		fprintf(stderr,
		        "gopm: no archive at %s: store incidents with 'gopm ingest' first\n", p);
		free(path);
		return GPM_EXIT_INPUT;
	}
	struct gpm_store_options o = {.readonly = readonly};
	err = gpm_store_open(p, &o, st);
	free(path);
	return err ? gpm_cli_fail(err) : GPM_EXIT_OK;
}

/* ---- output of tables ---- */

static size_t terminal_width(void)
{
	struct winsize ws;
	if (!isatty(STDOUT_FILENO))
		return 0; // not a terminal: never truncate
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col)
		return ws.ws_col;
	const char *cols = getenv("COLUMNS");
	return cols && atoi(cols) > 20 ? (size_t)atoi(cols) : 80;
}

// Display width of UTF-8 text (code points; wide characters count one).
static size_t text_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

// Appends s padded or cut to width w (code points), never splitting a character.
static void put_cell(struct gpm_strbuf *sb, const char *s, size_t w, bool right, bool last)
{
	size_t tw = text_width(s);
	if (tw > w) {
		size_t n = 0, cps = 0;
		while (s[n] && cps < (w ? w - 1 : 0)) {
			n++;
			while (((unsigned char)s[n] & 0xc0) == 0x80)
				n++;
			cps++;
		}
		gpm_strbuf_append(sb, s, n);
		if (w)
			gpm_strbuf_puts(sb, "…");
		return;
	}
	if (right)
		for (size_t i = tw; i < w; i++)
			gpm_strbuf_putc(sb, ' ');
	gpm_strbuf_puts(sb, s);
	if (!right && !last)
		for (size_t i = tw; i < w; i++)
			gpm_strbuf_putc(sb, ' ');
}

static void print_table(struct gpm_strbuf *out, const struct gpm_store_table *t)
{
	size_t nc = t->ncols, width = terminal_width();
	char **safe = calloc(t->nrows * nc + 1, sizeof(*safe));
	size_t *w = calloc(nc + 1, sizeof(*w));
	if (!safe || !w) {
		out->oom = true;
		goto out;
	}
	for (size_t c = 0; c < nc; c++)
		w[c] = text_width(t->cols[c]);
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < nc; c++) {
			const char *v = gpm_store_cell(t, r, c);
			// One line per row: newlines become spaces before escaping.
			char *flat = strdup(v ? v : "-");
			if (!flat) {
				out->oom = true;
				goto out;
			}
			for (char *p = flat; *p; p++)
				if (*p == '\n' || *p == '\t')
					*p = ' ';
			safe[r * nc + c] = gpm_safe_strndup(flat, strlen(flat));
			free(flat);
			if (!safe[r * nc + c]) {
				out->oom = true;
				goto out;
			}
			size_t tw = text_width(safe[r * nc + c]);
			if (tw > w[c])
				w[c] = tw;
		}
	if (width) {
		// Shrink the widest columns until the row fits (two spaces between columns).
		for (;;) {
			size_t total = 0, widest = 0;
			for (size_t c = 0; c < nc; c++) {
				total += w[c] + (c ? 2 : 0);
				if (w[c] > w[widest])
					widest = c;
			}
			if (total <= width || w[widest] <= 8)
				break;
			size_t over = total - width;
			w[widest] -= over < w[widest] - 8 ? over : w[widest] - 8;
		}
	}
	for (size_t c = 0; c < nc; c++) {
		if (c)
			gpm_strbuf_puts(out, "  ");
		put_cell(out, t->cols[c], w[c], t->numeric[c], c + 1 == nc);
	}
	gpm_strbuf_putc(out, '\n');
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < nc; c++) {
			if (c)
				gpm_strbuf_puts(out, "  ");
			put_cell(out, safe[r * nc + c], w[c], t->numeric[c], c + 1 == nc);
		}
		gpm_strbuf_putc(out, '\n');
	}
out:
	for (size_t i = 0; safe && i < t->nrows * nc; i++)
		free(safe[i]);
	free(safe);
	free(w);
}

static bool is_integer(const char *s)
{
	if (*s == '-')
		s++;
	if (!*s || strlen(s) > 15)
		return false;
	return strspn(s, "0123456789") == strlen(s);
}

// The archive's tables print times as "YYYY-MM-DD HH:MM:SS" in UTC (SQLite's strftime of
// unix seconds); JSON has them in RFC 3339 with the zone: "YYYY-MM-DDTHH:MM:SSZ".
static bool is_time_column(const char *name)
{
	static const char *const names[] = {"time", "first", "last", "ingested", "added"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

static bool json_time(struct gpm_json *j, const char *v)
{
	static const char shape[] = "dddd-dd-dd dd:dd:dd";
	if (strlen(v) != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? v[i] < '0' || v[i] > '9' : v[i] != shape[i])
			return false;
	char buf[sizeof(shape) + 1];
	memcpy(buf, v, sizeof(shape) - 1);
	buf[10] = 'T';
	buf[sizeof(shape) - 1] = 'Z';
	buf[sizeof(shape)] = 0;
	gpm_json_string(j, buf);
	return true;
}

/* One member per column; times of the archive's own tables in RFC 3339 (times). */
static void json_row(struct gpm_json *j, const struct gpm_store_table *t, size_t r, bool times)
{
	gpm_json_object_begin(j);
	for (size_t c = 0; c < t->ncols; c++) {
		const char *v = gpm_store_cell(t, r, c);
		gpm_json_key(j, t->cols[c]);
		if (!v)
			gpm_json_null(j);
		else if (times && is_time_column(t->cols[c]) && json_time(j, v))
			;
		else if (t->numeric[c] && is_integer(v))
			gpm_json_int(j, strtoll(v, NULL, 10));
		else
			gpm_json_string(j, v);
	}
	gpm_json_object_end(j);
}

static void json_rows(struct gpm_json *j, const struct gpm_store_table *t, bool times)
{
	gpm_json_array_begin(j);
	for (size_t r = 0; r < t->nrows; r++)
		json_row(j, t, r, times);
	gpm_json_array_end(j);
}

/* One CSV field: terminal-safe, formulas defused, quoted as RFC 4180 says (strbuf.h). */
static void csv_field(struct gpm_strbuf *out, const char *v)
{
	if (v)
		gpm_strbuf_append_field(out, v, strlen(v), ',');
}

static void print_csv(struct gpm_strbuf *out, const struct gpm_store_table *t)
{
	for (size_t c = 0; c < t->ncols; c++) {
		if (c)
			gpm_strbuf_putc(out, ',');
		csv_field(out, t->cols[c]);
	}
	gpm_strbuf_puts(out, "\r\n");
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			if (c)
				gpm_strbuf_putc(out, ',');
			csv_field(out, gpm_store_cell(t, r, c));
		}
		gpm_strbuf_puts(out, "\r\n");
	}
}

static int emit(struct gpm_strbuf *sb)
{
	struct gpm_error *err = gpm_strbuf_error(sb);
	int status = GPM_EXIT_OK;
	if (err)
		status = gpm_cli_fail(err);
	else
		gpm_cli_write(sb->buf ? sb->buf : "", sb->len); // a write error is reported by main
	gpm_strbuf_deinit(sb);
	return status;
}

/* A table as text, CSV, or the JSON document {"schema", "command": cmd, "rows": [...]}. */
static int print_result(const char *cmd, const struct gpm_store_table *t, enum format f)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	if (f == FORMAT_JSON) {
		struct gpm_json j;
		gpm_json_init(&j, &sb, true);
		gpm_json_document_begin(&j, cmd);
		gpm_json_key(&j, "rows");
		// sql's columns are the query's: their text is given as is.
		json_rows(&j, t, strcmp(cmd, "sql") != 0);
		gpm_json_object_end(&j);
	} else if (f == FORMAT_CSV) {
		print_csv(&sb, t);
	} else {
		print_table(&sb, t);
	}
	return emit(&sb);
}

/* ---- ingest ---- */

struct ingest_state {
	struct gpm_store *st;
	struct gpm_ingest_options *load; /* how inputs are loaded (--exe etc.) */
	bool keep;
	const char *host, *build;
	size_t done, total, stored, present, skipped, failed, busy;
};

// Counts an input that could not be stored: failed, or busy when the archive stayed locked
// by another writer (retriable: nothing is wrong with the input).
static void count_failure(struct ingest_state *s, const struct gpm_error *err)
{
	if (err && err->code == GPM_ERR_BUSY)
		s->busy++;
	else
		s->failed++;
}

// Whether art is stored: by its identity, else (an archive written by an older gopm) by
// its SHA-256 identities, each computed only when an artifact of its size was identified
// that way; such an artifact takes the new identity.
static struct gpm_error *artifact_known(struct gpm_store *st, const char *path,
                                        struct gpm_store_artifact *art, bool *known)
{
	struct gpm_error *err = gpm_store_artifact_known(st, art, known);
	if (!err && !*known && !(err = gpm_store_artifact_old(st, path, art)) &&
	    gpm_store_artifact_has_old(art) && !(err = gpm_store_artifact_known(st, art, known)) &&
	    *known)
		err = gpm_store_artifact_adopt(st, art);
	return err;
}

static int ingest_file(struct ingest_state *s, const char *path)
{
	s->done++;
	// Looked up before it is loaded, so a stored input is not analysed again: a file whose
	// identity is cached, or a small one hashed here. A big one not in the cache is hashed
	// while it loads (read once: gpm_ingest_load_hashed) and looked up after.
	struct gpm_store_artifact art = {0};
	struct gpm_error *err = NULL;
	bool hash_later = false, known = false;
	if (!gpm_ingest_artifact_cached(path, &art)) {
		if (gpm_ingest_hash_while_loading(path))
			hash_later = true;
		else
			err = gpm_ingest_artifact_from_file(path, &art);
	}
	if (!err && !hash_later)
		err = artifact_known(s->st, path, &art, &known);
	if (err) {
		fprintf(stderr, "[%zu/%zu] ", s->done, s->total);
		count_failure(s, err);
		return gpm_cli_fail(err);
	}
	art.keep = s->keep;
	art.host = s->host;
	art.build = s->build;
	struct gpm_strbuf name = GPM_STRBUF_INIT;
	gpm_strbuf_append_safe(&name, path, strlen(path));
	if (known && !s->keep) {
		fprintf(stderr, "[%zu/%zu] %s: already stored\n", s->done, s->total,
		        gpm_strbuf_str(&name));
		s->present++;
		gpm_strbuf_deinit(&name);
		return GPM_EXIT_OK;
	}
	struct gpm_ingest_loaded l;
	// Analyse cores as `gopm analyze` does, with panic values and waited-on objects, so
	// an ingested incident has the same findings and signature.
	s->load->objects = true;
	struct stat sb;
	if (!stat(path, &sb) && S_ISREG(sb.st_mode) && !sb.st_size) {
		fprintf(stderr, "[%zu/%zu] skipped: %s: empty file\n", s->done, s->total,
		        gpm_strbuf_str(&name));
		s->skipped++;
		gpm_strbuf_deinit(&name);
		return GPM_EXIT_OK;
	}
	// A core's heap types and paths go with it, as analyze stores them (the tui's heap view).
	struct gpm_heap *heap = NULL;
	s->load->keep_heap = &heap;
	err = hash_later ? gpm_ingest_load_hashed(path, s->load, &l)
	                 : gpm_ingest_load(path, s->load, &l);
	s->load->keep_heap = NULL;
	if (err) {
		gpm_heap_destroy(heap);
		if (gpm_ingest_error_no_kind(err)) {
			fprintf(stderr,
			        "[%zu/%zu] skipped: %s: no goroutine dump, core or profile\n",
			        s->done, s->total, gpm_strbuf_str(&name));
			s->skipped++;
			gpm_error_destroy(err);
			gpm_strbuf_deinit(&name);
			return GPM_EXIT_OK;
		}
		fprintf(stderr, "[%zu/%zu] ", s->done, s->total);
		s->failed++;
		gpm_strbuf_deinit(&name);
		return gpm_cli_fail(err);
	}
	if ((err = gpm_ingest_dump_exe_facts(&l, s->load))) {
		fprintf(stderr, "[%zu/%zu] ", s->done, s->total);
		s->failed++;
		gpm_strbuf_deinit(&name);
		gpm_ingest_loaded_deinit(&l);
		gpm_heap_destroy(heap);
		return gpm_cli_fail(gpm_error_wrap(err, "--exe for a dump"));
	}
	if (hash_later) {
		art.path = path;
		art.size = l.input_size;
		art.mtime = l.mtime;
		memcpy(art.sha256, gpm_ingest_loaded_sha256(&l), sizeof(art.sha256));
		err = art.sha256[0]
		          ? artifact_known(s->st, path, &art, &known)
		          : gpm_error_create(GPM_ERR_OS, "%s: changed while it was read", path);
		if (err) {
			fprintf(stderr, "[%zu/%zu] ", s->done, s->total);
			count_failure(s, err);
			gpm_strbuf_deinit(&name);
			gpm_ingest_loaded_deinit(&l);
			gpm_heap_destroy(heap);
			return gpm_cli_fail(err);
		}
		if (known && !s->keep) {
			fprintf(stderr, "[%zu/%zu] %s: already stored\n", s->done, s->total,
			        gpm_strbuf_str(&name));
			s->present++;
			gpm_strbuf_deinit(&name);
			gpm_ingest_loaded_deinit(&l);
			gpm_heap_destroy(heap);
			return GPM_EXIT_OK;
		}
	}
	int status = GPM_EXIT_OK;
	size_t incidents = 0;
	for (size_t i = 0; i < l.n; i++) {
		int64_t id;
		const char *why = gpm_ingest_not_an_incident(l.snapshots[i]);
		if (why) {
			fprintf(stderr, "[%zu/%zu] skipped: %s%s: %s\n", s->done, s->total,
			        gpm_strbuf_str(&name), l.n > 1 ? " (snapshot)" : "", why);
			continue;
		}
		incidents++;
		if ((err = gpm_ingest_store_incident(
		         s->st, l.snapshots[i], NULL, &art, NULL,
		         l.snapshots[i]->kind == GPM_INPUT_CORE ? heap : NULL, &id))) {
			fprintf(stderr, "[%zu/%zu] ", s->done, s->total);
			count_failure(s, err);
			status = gpm_cli_fail(err);
			break;
		}
		bool existed = gpm_store_ingest_existed(s->st);
		if (existed)
			s->present++;
		else
			s->stored++;
		fprintf(stderr, "[%zu/%zu] %s%s: %s incident %lld\n", s->done, s->total,
		        gpm_strbuf_str(&name), l.n > 1 ? " (snapshot)" : "",
		        existed ? "already stored as" : "stored", (long long)id);
	}
	if (!incidents)
		s->skipped++;
	gpm_strbuf_deinit(&name);
	gpm_ingest_loaded_deinit(&l);
	gpm_heap_destroy(heap);
	return status;
}

enum { MAX_WALK_DEPTH = 16, MAX_WALK_FILES = 1000000 };

// Regular files under path (sorted per directory, hidden entries and symlinked
// directories skipped), appended to files.
static void walk(const char *path, int depth, char ***files, size_t *n, size_t *cap)
{
	struct stat sb;
	if (stat(path, &sb) < 0 || *n >= MAX_WALK_FILES)
		return;
	if (!S_ISDIR(sb.st_mode) && !S_ISREG(sb.st_mode)) {
		// A FIFO would block the whole batch, a device never ends: skip, say so, go on.
		struct gpm_strbuf name = GPM_STRBUF_INIT;
		gpm_strbuf_append_safe(&name, path, strlen(path));
		fprintf(stderr, "gopm: warning: %s: skipped: not a regular file\n",
		        gpm_strbuf_str(&name));
		gpm_strbuf_deinit(&name);
		return;
	}
	if (!S_ISDIR(sb.st_mode)) {
		if (*n == *cap) {
			size_t nc = *cap ? 2 * *cap : 64;
			char **f = realloc(*files, nc * sizeof(*f));
			if (!f)
				return;
			*files = f;
			*cap = nc;
		}
		char *dup = strdup(path);
		if (dup)
			(*files)[(*n)++] = dup;
		return;
	}
	if (depth >= MAX_WALK_DEPTH)
		return;
	struct dirent **ents;
	int ne = scandir(path, &ents, NULL, alphasort);
	if (ne < 0)
		return;
	for (int i = 0; i < ne; i++) {
		const char *e = ents[i]->d_name;
		if (e[0] != '.') {
			size_t len = strlen(path) + strlen(e) + 2;
			char *child = malloc(len);
			if (child) {
				snprintf(child, len, "%s/%s", path, e);
				struct stat ls;
				if (!(lstat(child, &ls) == 0 && S_ISLNK(ls.st_mode) &&
				      stat(child, &ls) == 0 && S_ISDIR(ls.st_mode)))
					walk(child, depth + 1, files, n, cap);
				free(child);
			}
		}
		free(ents[i]);
	}
	free(ents);
}

static const struct gpm_option ingest_options[] = {
    OPTION_DB,
    {"keep", 0, NULL, "copy each input into the archive's zstd artifact store", OPT_KEEP, NULL},
    {"host", 0, "NAME", "record the host the inputs came from", OPT_HOST, NULL},
    {"build", 0, "B",
     "the build of inputs that do not say (a dump's text has no build id;\na core's executable has "
     "one)",
     OPT_BUILD, NULL},
    OPTIONS_END,
};

const struct gpm_command_spec gpm_spec_ingest = {
    .name = "ingest",
    .operands = "FILE|DIR...",
    .about = "Analyse cores and goroutine dumps and store them in the incident archive\n"
             "(directories are walked, e.g. /var/lib/systemd/coredump). Progress goes to\n"
             "stderr. Inputs already stored (same identity) are skipped. With --exe DIR, each\n"
             "core's own executable is looked for by build id in DIR (also $GOPM_EXE_PATH); a\n"
             "dump's build facts (build info, build id) come from --exe EXE. Files that are\n"
             "no core, dump, heap dump or profile are listed as skipped, with the reason.",
    .options = ingest_options,
    .core = true,
    .operand_complete = "file",
};

int gpm_cmd_ingest(int argc, char **argv)
{
	struct common c = {0};
	struct ingest_state s = {0};
	int status = GPM_EXIT_OK;
	struct gpm_opts o;
	const char *v;
	int opt;
	gpm_opts_begin(&o, &gpm_spec_ingest, argc, argv);
	while ((opt = gpm_opts_next(&o, &v)) > 0) {
		if (opt == OPT_KEEP)
			s.keep = true;
		else if (opt == OPT_HOST)
			s.host = v;
		else if (opt == OPT_BUILD)
			s.build = v;
		else
			common_option(opt, v, &c);
	}
	if (opt < 0)
		return o.status;
	s.load = &o.ingest;
	char **inputs = gpm_opts_operands(&o);
	size_t ninputs = (size_t)gpm_opts_noperands(&o);
	if (!ninputs)
		return gpm_cli_usage("ingest", "missing FILE or DIR");
	char **files = NULL;
	size_t nfiles = 0, cap = 0;
	for (size_t i = 0; i < ninputs; i++) {
		struct stat sb;
		if (stat(inputs[i], &sb) < 0) {
			status = gpm_cli_fail(gpm_error_os(errno, "%s", inputs[i]));
			continue;
		}
		if (!S_ISDIR(sb.st_mode) && !S_ISREG(sb.st_mode)) {
			status = gpm_cli_fail(gpm_error_create(
			    GPM_ERR_OS, "%s: not a regular file or directory", inputs[i]));
			continue;
		}
		walk(inputs[i], 0, &files, &nfiles, &cap);
	}
	if ((status = status ? status : open_store(&c, false, &s.st)))
		goto out;
	s.total = nfiles;
	// Worst first: an internal error, then a busy archive (retriable), then a partial batch.
	// Once the archive stayed busy past the wait, the rest of the batch is left for the
	// retry rather than waiting again per input.
	int worst = GPM_EXIT_OK;
	for (size_t i = 0; i < nfiles && !s.busy; i++) {
		int r = ingest_file(&s, files[i]);
		if (r == GPM_EXIT_INTERNAL || (r == GPM_EXIT_BUSY && worst != GPM_EXIT_INTERNAL))
			worst = r;
		else if (r && worst == GPM_EXIT_OK)
			worst = GPM_EXIT_PARTIAL;
	}
	fprintf(stderr, "gopm ingest: %zu stored, %zu already stored, %zu skipped, %zu failed\n",
	        s.stored, s.present, s.skipped, s.failed);
	if (s.busy)
		fprintf(
		    stderr,
		    "gopm ingest: the archive stayed busy: %zu of %zu inputs not stored; run the "
		    "same command again (stored inputs are skipped)\n",
		    nfiles - s.done + s.busy, nfiles);
	status = worst;
	gpm_store_close(s.st);
out:
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	return status;
}

/* ---- queries ---- */

static bool parse_id(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || end == s || v <= 0)
		return false;
	*out = v;
	return true;
}

// incidents takes the options of clusters but --trend, the first.
static const struct gpm_option cluster_list_options[] = {
    {"trend", 0, "[=day|build]", "incidents per cluster and day (UTC, the default) or build",
     OPT_TREND, NULL},
    {"since", 0, "T", "from time T: 7d, 12h, 30m, YYYY-MM-DD[THH:MM[:SS]] (UTC), unix seconds",
     OPT_SINCE, NULL},
    {"until", 0, "T", "up to time T (as --since)", OPT_UNTIL, NULL},
    {"exe", 0, "S", "executable path contains S", OPT_EXE_MATCH, NULL},
    {"go", 0, "V", "Go version starts with V (go1.22)", OPT_GO, NULL},
    {"finding", 0, "R", "a finding with rule id R, or R in the headline", OPT_FINDING, NULL},
    {"cluster", 0, "ID", "incidents of one cluster", OPT_CLUSTER, NULL},
    OPTION_LIMIT("rows"),
    OPTION_JSON,
    OPTION_CSV,
    OPTION_DB,
    OPTIONS_END,
};

const struct gpm_command_spec gpm_spec_incidents = {
    .name = "incidents",
    .operands = "",
    .about = "List stored incidents, newest first.",
    .options = cluster_list_options + 1,
};

const struct gpm_command_spec gpm_spec_clusters = {
    .name = "clusters",
    .operands = "",
    .about = "List clusters of incidents (same bug across incidents): count, first and last\n"
             "seen, distinct builds, Go versions, workflow status and owner, the first build,\n"
             "the build a resolved cluster regressed in, headline.",
    .options = cluster_list_options,
};

static int run_filtered(const struct gpm_command_spec *spec, int argc, char **argv, bool clusters)
{
	const char *cmd = spec->name;
	struct common c = {0};
	const char *trend = NULL;
	struct gpm_store_filter f = {0};
	int64_t now = (int64_t)time(NULL);
	struct gpm_opts o;
	const char *v;
	int opt;
	gpm_opts_begin(&o, spec, argc, argv);
	while ((opt = gpm_opts_next(&o, &v)) > 0) {
		struct gpm_error *err = NULL;
		switch (opt) {
		case OPT_SINCE:
			err = gpm_store_parse_time(v, now, &f.since);
			break;
		case OPT_UNTIL:
			err = gpm_store_parse_time(v, now, &f.until);
			break;
		case OPT_EXE_MATCH:
			f.exe = v;
			break;
		case OPT_GO:
			f.go = v;
			break;
		case OPT_FINDING:
			f.finding = v;
			// A rule id is checked against the table; other text matches headlines.
			if (strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789.-") == strlen(v) &&
			    strchr(v, '.') && !gpm_rule_find(v))
				fprintf(
				    stderr,
				    "gopm %s: note: '%s' is no rule id ('gopm rules' lists them); "
				    "matching it in headlines\n",
				    cmd, v);
			break;
		case OPT_TREND:
			trend = v ? v : "day";
			if (strcmp(trend, "day") && strcmp(trend, "build"))
				return gpm_cli_usage(cmd, "--trend=day or --trend=build");
			break;
		case OPT_CLUSTER:
			if (!parse_id(v, &f.cluster))
				return gpm_cli_usage(cmd, "--cluster needs a cluster id");
			break;
		case OPT_LIMIT: {
			char *end;
			errno = 0;
			f.limit = strtoll(v, &end, 10);
			if (errno || *end || end == v || f.limit < -1)
				return gpm_cli_usage(cmd, "--limit needs a number (-1 = all)");
			break;
		}
		default:
			common_option(opt, v, &c);
		}
		if (err) {
			gpm_cli_usage(cmd, "%s", err->message);
			gpm_error_destroy(err);
			return GPM_EXIT_USAGE;
		}
	}
	if (opt < 0)
		return o.status;
	if (gpm_opts_noperands(&o))
		return gpm_cli_usage(cmd, "unexpected argument '%s'", gpm_opts_operands(&o)[0]);
	struct gpm_store *st;
	int status = open_store(&c, true, &st);
	if (status)
		return status;
	struct gpm_store_table t;
	struct gpm_error *err = trend ? gpm_store_cluster_trend(st, !strcmp(trend, "build"), &f, &t)
	                        : clusters ? gpm_store_clusters(st, &f, &t)
	                                   : gpm_store_incidents(st, &f, &t);
	gpm_store_close(st);
	if (err)
		return gpm_cli_fail(err);
	status = print_result(cmd, &t, c.format);
	gpm_store_table_deinit(&t);
	return status;
}

int gpm_cmd_incidents(int argc, char **argv)
{
	return run_filtered(&gpm_spec_incidents, argc, argv, false);
}

int gpm_cmd_clusters(int argc, char **argv)
{
	return run_filtered(&gpm_spec_clusters, argc, argv, true);
}

static const struct gpm_option search_options[] = {
    {"raw", 0, NULL, "TEXT is an SQLite FTS5 query ('nil AND Config', 'retr*')", OPT_RAW, NULL},
    OPTION_LIMIT("results"),
    OPTION_JSON,
    OPTION_CSV,
    OPTION_DB,
    OPTIONS_END,
};

const struct gpm_command_spec gpm_spec_search = {
    .name = "search",
    .operands = "TEXT",
    .about = "Full-text search over panic messages, findings and function names. TEXT is a\n"
             "phrase (after '--' it may start with '-').",
    .options = search_options,
};

int gpm_cmd_search(int argc, char **argv)
{
	struct common c = {0};
	const char *text = NULL;
	bool raw = false;
	int64_t limit = 0;
	struct gpm_opts o;
	const char *v;
	int opt;
	gpm_opts_begin(&o, &gpm_spec_search, argc, argv);
	while ((opt = gpm_opts_next(&o, &v)) > 0) {
		if (opt == OPT_RAW) {
			raw = true;
		} else if (opt == OPT_LIMIT) {
			char *end;
			limit = strtoll(v, &end, 10);
			if (*end || limit < -1)
				return gpm_cli_usage("search", "--limit needs a number");
		} else {
			common_option(opt, v, &c);
		}
	}
	if (opt < 0)
		return o.status;
	if (gpm_opts_noperands(&o) > 1)
		return gpm_cli_usage("search", "one TEXT only (quote it)");
	if (gpm_opts_noperands(&o))
		text = gpm_opts_operands(&o)[0];
	if (!text || !*text)
		return gpm_cli_usage("search", "missing TEXT");
	struct gpm_store *st;
	int status = open_store(&c, true, &st);
	if (status)
		return status;
	struct gpm_store_table t;
	struct gpm_error *err = gpm_store_search(st, text, raw, limit, &t);
	gpm_store_close(st);
	if (err)
		return gpm_cli_fail(err);
	status = print_result("search", &t, c.format);
	gpm_store_table_deinit(&t);
	return status;
}

static const struct gpm_option sql_options[] = {
    OPTION_JSON,
    OPTION_CSV,
    OPTION_DB,
    OPTIONS_END,
};

const struct gpm_command_spec gpm_spec_sql = {
    .name = "sql",
    .operands = "QUERY",
    .about = "Run one read-only SQL statement on the archive (opened with\n"
             "SQLITE_OPEN_READONLY; ATTACH and PRAGMA assignments are refused).\n"
             "Tables: incidents, artifacts, findings, goroutines, groups, stacks,\n"
             "frames, functions, files, signatures, incident_signatures, clusters,\n"
             "heap_summaries, heap_types, incident_fts.",
    .options = sql_options,
};

int gpm_cmd_sql(int argc, char **argv)
{
	struct common c = {0};
	const char *query = NULL;
	struct gpm_opts o;
	const char *v;
	int opt;
	gpm_opts_begin(&o, &gpm_spec_sql, argc, argv);
	while ((opt = gpm_opts_next(&o, &v)) > 0)
		common_option(opt, v, &c);
	if (opt < 0)
		return o.status;
	if (gpm_opts_noperands(&o) > 1)
		return gpm_cli_usage("sql", "one QUERY only (quote it)");
	if (gpm_opts_noperands(&o))
		query = gpm_opts_operands(&o)[0];
	if (!query)
		return gpm_cli_usage("sql", "missing QUERY");
	struct gpm_store *st;
	int status = open_store(&c, true, &st);
	if (status)
		return status;
	struct gpm_store_table t;
	enum { MAX_SQL_ROWS = 1000000 };
	struct gpm_error *err = gpm_store_sql(st, query, MAX_SQL_ROWS, &t);
	gpm_store_close(st);
	if (err)
		return gpm_cli_fail(err);
	status = print_result("sql", &t, c.format);
	if (t.nrows == MAX_SQL_ROWS)
		fprintf(stderr, "gopm sql: stopped after %d rows\n", MAX_SQL_ROWS);
	gpm_store_table_deinit(&t);
	return status;
}

static const struct gpm_option show_options[] = {
    OPTION_JSON,
    {"format", 0, "F",
     "the report as analyze rendered it: text, markdown or html (default:\nthe archive's "
     "facts, findings and stored report)",
     OPT_REPORT_FORMAT, "text markdown html"},
    {"groups", 0, "N",
     "with --format: show at most N goroutine groups, as analyze --groups N\ndid (the archive "
     "keeps 32)",
     OPT_REPORT_GROUPS, NULL},
    {"width", 0, "N", "with --format text: wrap at N columns, as analyze --width N",
     OPT_REPORT_WIDTH, NULL},
    OPTION_DB,
    OPTIONS_END,
};

const struct gpm_command_spec gpm_spec_show = {
    .name = "show",
    .operands = "ID",
    .about = "Show a stored incident: its facts, signature and cluster, findings, and the\n"
             "stored report (or its largest goroutine groups). --json has the shapes of\n"
             "'gopm analyze --json' (doc/json.md).",
    .options = show_options,
};

// Facts of the archive that are numbers in JSON.
static bool numeric_fact(const char *k)
{
	static const char *const keys[] = {"id",  "size",       "snapshot",
	                                   "pid", "goroutines", "cluster"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(k, keys[i]))
			return true;
	return false;
}

/* One stored finding (rule, severity, title, explanation, evidence JSON as written by
 * gpm_ingest_store_incident) in the shape of analyze's "findings" (gpm_report_json_finding). */
static void json_stored_finding(struct gpm_json *j, const struct gpm_store_table *t, size_t r)
{
	const char *rule = gpm_store_cell(t, r, 0);
	json_error_t jerr;
	const char *evtext = gpm_store_cell(t, r, 4);
	json_t *ev = evtext ? json_loads(evtext, 0, &jerr) : NULL;
	const struct gpm_rule *def = rule ? gpm_rule_find(rule) : NULL;
	gpm_json_object_begin(j);
	gpm_json_kv_string(j, "rule", rule);
	gpm_json_kv_string(j, "family", def ? gpm_rule_family_name(def->family) : NULL);
	gpm_json_kv_string(j, "severity", gpm_store_cell(t, r, 1));
	gpm_json_kv_string(j, "confidence", json_string_value(json_object_get(ev, "confidence")));
	gpm_json_kv_string(j, "title", gpm_store_cell(t, r, 2));
	gpm_json_kv_string(j, "explanation", gpm_store_cell(t, r, 3));
	gpm_json_kv_string(j, "next", json_string_value(json_object_get(ev, "next")));
	gpm_json_key(j, "evidence");
	gpm_json_array_begin(j);
	size_t i;
	json_t *pair;
	json_array_foreach(json_object_get(ev, "evidence"), i, pair)
	{
		gpm_json_object_begin(j);
		gpm_json_kv_string(j, "key", json_string_value(json_array_get(pair, 0)));
		gpm_json_kv_string(j, "value", json_string_value(json_array_get(pair, 1)));
		gpm_json_object_end(j);
	}
	gpm_json_array_end(j);
	gpm_json_key(j, "goroutines");
	gpm_json_array_begin(j);
	json_t *g;
	json_array_foreach(json_object_get(ev, "goroutines"), i, g)
	    gpm_json_uint(j, (uint64_t)json_integer_value(g));
	gpm_json_array_end(j);
	gpm_json_kv_uint(j, "count", (uint64_t)json_integer_value(json_object_get(ev, "count")));
	json_t *instances = json_object_get(ev, "instances");
	if (json_is_integer(instances))
		gpm_json_kv_uint(j, "instances", (uint64_t)json_integer_value(instances));
	const char *addr = json_string_value(json_object_get(ev, "address"));
	if (addr)
		gpm_json_kv_string(j, "address", addr);
	json_t *group = json_object_get(ev, "group");
	if (json_is_integer(group))
		gpm_json_kv_int(j, "group", json_integer_value(group));
	gpm_json_object_end(j);
	json_decref(ev);
}

/*
 * show --json: {"schema", "command", "incident": what only the archive knows (id, times,
 * artifact, signature, cluster), "snapshots": [the analysis snapshot], "report"}. The
 * snapshot has analyze --json's shapes: the stored findings, and process facts, groups and
 * states of the incident as the archive rebuilds it.
 */
static struct gpm_error *show_json(struct gpm_store *st, int64_t id,
                                   const struct gpm_store_table *facts,
                                   const struct gpm_store_table *findings, const char *report,
                                   const struct gpm_cluster_summary *cs, struct gpm_strbuf *sb)
{
	struct gpm_incident *inc;
	struct gpm_error *err = gpm_store_load_incident(st, id, &inc);
	if (err)
		return err;
	int64_t snapshot = 0;
	for (size_t r = 0; r < facts->nrows; r++) {
		const char *k = gpm_store_cell(facts, r, 0), *v = gpm_store_cell(facts, r, 1);
		if (!strcmp(k, "input"))
			inc->source_name = gpm_incident_str(inc, v, strlen(v));
		else if (!strcmp(k, "snapshot"))
			snapshot = strtoll(v, NULL, 10);
	}
	struct gpm_analysis_options ao = {.level = GPM_GROUP_NO_ARGS};
	struct gpm_analysis *a;
	if ((err = gpm_analysis_run(inc, &ao, &a))) {
		gpm_incident_destroy(inc);
		return err;
	}
	struct gpm_json j;
	gpm_json_init(&j, sb, true);
	gpm_json_document_begin(&j, "show");
	gpm_json_key(&j, "incident");
	gpm_json_object_begin(&j);
	for (size_t r = 0; r < facts->nrows; r++) {
		const char *k = gpm_store_cell(facts, r, 0), *v = gpm_store_cell(facts, r, 1);
		gpm_json_key(&j, k);
		if (is_time_column(k) && json_time(&j, v))
			continue;
		if (!strcmp(k, "signature_frames")) {
			// Innermost first, as the table prints them joined by " < ".
			gpm_json_array_begin(&j);
			for (const char *p = v; *p;) {
				const char *e = strstr(p, " < ");
				size_t n = e ? (size_t)(e - p) : strlen(p);
				gpm_json_string_n(&j, p, n);
				p += n + (e ? 3 : 0);
			}
			gpm_json_array_end(&j);
		} else if (numeric_fact(k) && is_integer(v)) {
			gpm_json_int(&j, strtoll(v, NULL, 10));
		} else {
			gpm_json_string(&j, v);
		}
	}
	gpm_json_object_end(&j);
	if (cs->status) {
		gpm_json_key(&j, "cluster_workflow");
		gpm_json_object_begin(&j);
		gpm_json_kv_string(&j, "status", cs->status);
		gpm_json_key(&j, "owner");
		cs->owner ? gpm_json_string(&j, cs->owner) : gpm_json_null(&j);
		gpm_json_key(&j, "first_build");
		cs->first_build ? gpm_json_string(&j, cs->first_build) : gpm_json_null(&j);
		gpm_json_key(&j, "resolved_build");
		cs->resolved_build ? gpm_json_string(&j, cs->resolved_build) : gpm_json_null(&j);
		gpm_json_key(&j, "regressed_build");
		cs->regressed ? gpm_json_string(&j, cs->regressed) : gpm_json_null(&j);
		gpm_json_object_end(&j);
	}
	gpm_json_key(&j, "snapshots");
	gpm_json_array_begin(&j);
	gpm_json_object_begin(&j);
	gpm_json_kv_int(&j, "snapshot", snapshot);
	gpm_json_key(&j, "findings");
	gpm_json_array_begin(&j);
	for (size_t r = 0; r < findings->nrows; r++)
		json_stored_finding(&j, findings, r);
	gpm_json_array_end(&j);
	gpm_report_json_facts(&j, inc, a, NULL);
	gpm_json_object_end(&j);
	gpm_json_array_end(&j);
	gpm_json_kv_string(&j, "report", report);
	gpm_json_object_end(&j);
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	return NULL;
}

enum report_format { REPORT_NONE, REPORT_TEXT, REPORT_MARKDOWN, REPORT_HTML };

/* The stored threads running code that is not Go, as analyze printed them after its report
 * (nothing for an incident without them or stored before archive schema 9). */
static struct gpm_error *stored_threads_text(struct gpm_store *st, int64_t id,
                                             struct gpm_strbuf *out)
{
	struct gpm_incident *inc = gpm_incident_create(GPM_INPUT_CORE);
	if (!inc)
		return &gpm_error_nomem;
	struct gpm_error *err = gpm_store_load_threads(st, id, inc);
	if (!err)
		gpm_report_threads_text(inc, out);
	gpm_incident_destroy(inc);
	return err;
}

/*
 * show --format: the stored report rendered as analyze rendered it, ending with the
 * archive's line as analyze writes it for an input already stored. An incident stored
 * before schema 5 gives what the archive keeps, and a warning naming what it lacks.
 * Closes st.
 */
static int show_report(struct gpm_store *st, int64_t id, enum report_format f,
                       const struct gpm_report_options *cuts)
{
	struct gpm_report_doc doc;
	const char *missing = NULL;
	struct gpm_strbuf line = GPM_STRBUF_INIT, sb = GPM_STRBUF_INIT, threads = GPM_STRBUF_INIT;
	struct gpm_error *err = gpm_store_report_read(st, id, &doc, &missing);
	if (!err)
		err = gpm_cli_archive_lines(st, id, true, &line);
	// Only the text report lists them, as analyze's does.
	if (!err && f == REPORT_TEXT)
		err = stored_threads_text(st, id, &threads);
	gpm_store_close(st);
	if (!err)
		err = gpm_strbuf_error(&line);
	if (!err)
		err = gpm_strbuf_error(&threads);
	if (err) {
		gpm_report_doc_deinit(&doc);
		gpm_strbuf_deinit(&line);
		gpm_strbuf_deinit(&threads);
		return gpm_cli_fail(err);
	}
	if (missing)
		fprintf(stderr,
		        "gopm: warning: incident %lld was stored before archive schema 5: its "
		        "report lacks %s\n",
		        (long long)id, missing);
	if (line.len && line.buf[line.len - 1] == '\n')
		line.buf[--line.len] = 0;
	// More groups asked for than the archive kept (32, 12 before schema 8) while the report
	// had more: said, not hidden. A report stored before schema 8 does not say how many it
	// had: one that kept exactly 12 of more groups is warned about.
	int status = GPM_EXIT_OK;
	unsigned want = cuts->max_groups ? cuts->max_groups : 12;
	size_t had = gpm_report_doc_cut(&doc, want);
	bool more = doc.shown_groups ? doc.shown_groups > had : had == 12 && doc.ngroups > had;
	if (want > had && more) {
		fprintf(stderr,
		        "gopm: warning: the archive keeps %zu goroutine groups of incident %lld's "
		        "report: %zu shown, not %u\n",
		        had, (long long)id, had, want);
		status = GPM_EXIT_PARTIAL;
	}
	if (f == REPORT_TEXT) {
		struct gpm_report_options ro = {.width = cuts->width ? cuts->width
		                                                     : gpm_cli_report_width(),
		                                .color = gpm_cli_color()};
		gpm_report_doc_text(&doc, &ro, &sb);
		if (threads.len)
			gpm_strbuf_append(&sb, threads.buf, threads.len);
		if (sb.len && sb.buf[sb.len - 1] != '\n')
			gpm_strbuf_putc(&sb, '\n');
		gpm_strbuf_putc(&sb, '\n');
		gpm_strbuf_append(&sb, line.buf, line.len);
		gpm_strbuf_putc(&sb, '\n');
	} else if (f == REPORT_MARKDOWN) {
		gpm_report_doc_markdown(&doc, line.buf, &sb);
	} else {
		char title[48];
		snprintf(title, sizeof(title), "incident %lld", (long long)id);
		gpm_report_html_begin(doc.source_name ? doc.source_name : title, &sb);
		gpm_report_doc_html(&doc, line.buf, &sb);
		gpm_report_html_end(&sb);
	}
	int wrote = emit(&sb);
	gpm_strbuf_deinit(&sb);
	gpm_strbuf_deinit(&threads);
	gpm_strbuf_deinit(&line);
	gpm_report_doc_deinit(&doc);
	return wrote ? wrote : status;
}

int gpm_cmd_show(int argc, char **argv)
{
	struct common c = {0};
	int64_t id = 0;
	struct gpm_opts o;
	const char *optval;
	int opt;
	enum report_format rformat = REPORT_NONE;
	struct gpm_report_options cuts = {0};
	gpm_opts_begin(&o, &gpm_spec_show, argc, argv);
	while ((opt = gpm_opts_next(&o, &optval)) > 0) {
		if (common_option(opt, optval, &c))
			continue;
		if (opt == OPT_REPORT_GROUPS || opt == OPT_REPORT_WIDTH) {
			char *end;
			errno = 0;
			unsigned long n = strtoul(optval, &end, 10);
			if (errno || *end || !n || n > 100000)
				return gpm_cli_usage("show", "--%s needs a positive number",
				                     opt == OPT_REPORT_GROUPS ? "groups" : "width");
			if (opt == OPT_REPORT_GROUPS)
				cuts.max_groups = (unsigned)n;
			else
				cuts.width = (unsigned)n;
		}
		if (opt == OPT_REPORT_FORMAT) {
			if (!strcmp(optval, "text"))
				rformat = REPORT_TEXT;
			else if (!strcmp(optval, "markdown") || !strcmp(optval, "md"))
				rformat = REPORT_MARKDOWN;
			else if (!strcmp(optval, "html"))
				rformat = REPORT_HTML;
			else
				return gpm_cli_usage("show", "--format is text, markdown or html");
		}
	}
	if (opt < 0)
		return o.status;
	if (gpm_opts_noperands(&o) > 1 ||
	    (gpm_opts_noperands(&o) == 1 && !parse_id(gpm_opts_operands(&o)[0], &id)))
		return gpm_cli_usage("show", "bad argument '%s': one incident ID",
		                     gpm_opts_operands(&o)[gpm_opts_noperands(&o) - 1]);
	if (!id)
		return gpm_cli_usage("show", "missing incident ID");
	if (rformat != REPORT_NONE && c.format == FORMAT_JSON)
		return gpm_cli_usage("show", "--json cannot go with --format");
	if (rformat == REPORT_NONE && (cuts.max_groups || cuts.width))
		return gpm_cli_usage("show", "--groups and --width go with --format");
	struct gpm_store *st;
	int status = open_store(&c, true, &st);
	if (status)
		return status;
	if (rformat != REPORT_NONE)
		return show_report(st, id, rformat, &cuts);
	struct gpm_store_table facts = {0}, findings = {0}, groups = {0};
	char *report = NULL;
	struct gpm_error *err = gpm_store_incident_facts(st, id, &facts);
	if (!err)
		err = gpm_store_incident_findings(st, id, &findings);
	if (!err)
		err = gpm_store_incident_groups(st, id, 10, &groups);
	if (!err)
		err = gpm_store_incident_report(st, id, &report);
	struct gpm_cluster_summary cs = {0};
	for (size_t r = 0; !err && r < facts.nrows; r++) {
		const char *v = gpm_store_cell(&facts, r, 1);
		if (!strcmp(gpm_store_cell(&facts, r, 0), "cluster") && v) {
			err = gpm_store_cluster_summary(st, strtoll(v, NULL, 10), &cs);
			if (err && err->code == GPM_ERR_NOT_FOUND) {
				gpm_error_destroy(err);
				err = NULL;
			}
		}
	}
	struct gpm_strbuf sb = GPM_STRBUF_INIT, threads = GPM_STRBUF_INIT;
	if (!err && c.format == FORMAT_JSON)
		err = show_json(st, id, &facts, &findings, report, &cs, &sb);
	else if (!err)
		err = stored_threads_text(st, id, &threads);
	if (!err)
		err = gpm_strbuf_error(&threads);
	gpm_store_close(st);
	if (err) {
		status = gpm_cli_fail(err);
		goto out;
	}
	if (c.format != FORMAT_JSON) {
		for (size_t r = 0; r < facts.nrows; r++) {
			const char *k = gpm_store_cell(&facts, r, 0),
			           *v = gpm_store_cell(&facts, r, 1);
			gpm_strbuf_printf(&sb, "%-17s ", k);
			gpm_strbuf_append_safe(&sb, v, strlen(v));
			gpm_strbuf_putc(&sb, '\n');
		}
		if (cs.status) {
			gpm_cli_cluster_summary_text(&cs, &sb);
			gpm_strbuf_putc(&sb, '\n');
		}
		if (findings.nrows) {
			gpm_strbuf_puts(&sb, "\nfindings:\n");
			print_table(&sb, &findings);
		}
		if (report) {
			gpm_strbuf_puts(&sb, "\nreport:\n");
			gpm_strbuf_append_safe(&sb, report, strlen(report));
			if (sb.len && sb.buf[sb.len - 1] != '\n')
				gpm_strbuf_putc(&sb, '\n');
		} else if (groups.nrows) {
			gpm_strbuf_puts(&sb, "\nlargest goroutine groups:\n");
			print_table(&sb, &groups);
		}
		if (threads.len)
			gpm_strbuf_append(&sb, threads.buf, threads.len);
	}
	status = emit(&sb);
out:
	gpm_strbuf_deinit(&threads);
	gpm_strbuf_deinit(&sb);
	gpm_cluster_summary_deinit(&cs);
	free(report);
	gpm_store_table_deinit(&facts);
	gpm_store_table_deinit(&findings);
	gpm_store_table_deinit(&groups);
	return status;
}

static const struct gpm_option db_options[] = {
    OPTION_DB,
    OPTIONS_END,
};

const struct gpm_command_spec gpm_spec_rm = {
    .name = "rm",
    .operands = "ID...",
    .about = "Remove incidents from the archive ('gopm gc' then reclaims space).",
    .options = db_options,
};

int gpm_cmd_rm(int argc, char **argv)
{
	struct common c = {0};
	struct gpm_opts o;
	const char *v;
	int opt;
	gpm_opts_begin(&o, &gpm_spec_rm, argc, argv);
	while ((opt = gpm_opts_next(&o, &v)) > 0)
		common_option(opt, v, &c);
	if (opt < 0)
		return o.status;
	int64_t *ids = calloc((size_t)gpm_opts_noperands(&o) + 1, sizeof(*ids));
	size_t n = 0;
	if (!ids)
		return gpm_cli_fail(&gpm_error_nomem);
	for (int i = 0; i < gpm_opts_noperands(&o); i++, n++) {
		const char *a = gpm_opts_operands(&o)[i];
		if (!parse_id(a, &ids[n])) {
			free(ids);
			return gpm_cli_usage("rm", "bad incident id '%s'", a);
		}
	}
	if (!n) {
		free(ids);
		return gpm_cli_usage("rm", "missing incident ID");
	}
	struct gpm_store *st;
	int status = open_store(&c, false, &st);
	if (status) {
		free(ids);
		return status;
	}
	for (size_t i = 0; i < n; i++) {
		struct gpm_error *err = gpm_store_remove(st, ids[i]);
		if (err)
			status = gpm_cli_fail(err);
		else
			printf("removed incident %lld\n", (long long)ids[i]);
	}
	gpm_store_close(st);
	free(ids);
	return status;
}

// gc and resign: --db only, no operand. False when the command is over (--help, a usage
// error) with *status its exit status.
static bool simple_write(const struct gpm_command_spec *spec, int argc, char **argv,
                         struct common *c, int *status)
{
	struct gpm_opts o;
	const char *v;
	int opt;
	gpm_opts_begin(&o, spec, argc, argv);
	while ((opt = gpm_opts_next(&o, &v)) > 0)
		common_option(opt, v, c);
	if (opt < 0) {
		*status = o.status;
		return false;
	}
	if (gpm_opts_noperands(&o)) {
		*status =
		    gpm_cli_usage(spec->name, "unknown argument '%s'", gpm_opts_operands(&o)[0]);
		return false;
	}
	*status = GPM_EXIT_OK;
	return true;
}

const struct gpm_command_spec gpm_spec_gc = {
    .name = "gc",
    .operands = "",
    .about = "Delete stacks, names, signatures, clusters and kept artifacts no incident uses,\n"
             "then compact the archive.",
    .options = db_options,
};

const struct gpm_command_spec gpm_spec_resign = {
    .name = "resign",
    .operands = "",
    .about = "Recompute every incident's signature with this gopm's algorithm and rebuild the\n"
             "clusters (after an upgrade).",
    .options = db_options,
};

int gpm_cmd_gc(int argc, char **argv)
{
	struct common c = {0};
	int status;
	struct gpm_store *st;
	if (!simple_write(&gpm_spec_gc, argc, argv, &c, &status) ||
	    (status = open_store(&c, false, &st)))
		return status;
	struct gpm_store_gc_stats s;
	struct gpm_error *err = gpm_store_gc(st, &s);
	gpm_store_close(st);
	if (err)
		return gpm_cli_fail(err);
	printf("removed %llu artifacts, %llu stacks, %llu functions, %llu files, %llu signatures, "
	       "%llu clusters, %llu kept files\n",
	       (unsigned long long)s.artifacts, (unsigned long long)s.stacks,
	       (unsigned long long)s.functions, (unsigned long long)s.files,
	       (unsigned long long)s.signatures, (unsigned long long)s.clusters,
	       (unsigned long long)s.kept_files);
	return GPM_EXIT_OK;
}

int gpm_cmd_resign(int argc, char **argv)
{
	struct common c = {0};
	int status;
	struct gpm_store *st;
	if (!simple_write(&gpm_spec_resign, argc, argv, &c, &status) ||
	    (status = open_store(&c, false, &st)))
		return status;
	uint64_t n;
	struct gpm_store_table moves;
	struct gpm_error *err = gpm_store_resign(st, &n, &moves);
	gpm_store_close(st);
	if (err)
		return gpm_cli_fail(err);
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_strbuf_printf(&sb, "%llu incidents re-signed, %zu moved cluster%s",
	                  (unsigned long long)n, moves.nrows, moves.nrows ? ":" : "");
	for (size_t r = 0; r < moves.nrows; r++) {
		const char *from = gpm_store_cell(&moves, r, 1);
		gpm_strbuf_printf(&sb, "%s incident %s %s%s -> %s", r ? "," : "",
		                  gpm_store_cell(&moves, r, 0), from ? "cluster " : "(new)",
		                  from ? from : "", gpm_store_cell(&moves, r, 2));
	}
	gpm_strbuf_putc(&sb, '\n');
	gpm_store_table_deinit(&moves);
	return emit(&sb);
}
