/*
 * gopm tui [INPUT] [--db PATH] [--source-root DIR] [--no-store] [--script FILE]
 *
 * The command around the TUI (tui/): its options, the archive it opens (with INPUT, the
 * input analysed exactly as `gopm analyze` does and stored first, in the archive or with
 * --no-store in a temporary one removed at exit) and the check of its schema through the
 * store. The TUI itself (gpm_tui_run) reads no options and includes nothing of cli/.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "heap/heap.h"
#include "ingest/ingest.h"
#include "store/store.h"
#include "tui/entry.h"

// Analyses and stores input; *id is its (last snapshot's) incident, loaded as `gopm analyze`
// loads it (cores with their wait objects and panic values). The input is read once: its
// identity is hashed while it loads.
static struct gpm_error *store_input(const char *db, const char *input,
                                     const struct gpm_ingest_options *lo, int64_t *id)
{
	struct gpm_ingest_options o = *lo;
	o.objects = true;
	// A core's heap walked goes with it: the heap view shows its types and paths.
	struct gpm_heap *heap = NULL;
	o.keep_heap = &heap;
	struct gpm_ingest_loaded l;
	struct gpm_error *err = gpm_ingest_load_hashed(input, &o, &l);
	if (err) {
		gpm_heap_destroy(heap);
		return err;
	}
	struct gpm_store_artifact art = {.path = input, .size = l.input_size, .mtime = l.mtime};
	memcpy(art.sha256, gpm_ingest_loaded_sha256(&l), sizeof(art.sha256));
	if (!art.sha256[0]) {
		gpm_ingest_loaded_deinit(&l);
		gpm_heap_destroy(heap);
		return gpm_error_create(GPM_ERR_OS, "%s: changed while it was read", input);
	}
	struct gpm_store *st;
	if (!(err = gpm_ingest_store_open(db, false, &st))) {
		for (size_t i = 0; i < l.n && !err; i++)
			err = gpm_ingest_store_incident(
			    st, l.snapshots[i], NULL, &art, NULL,
			    l.snapshots[i]->kind == GPM_INPUT_CORE ? heap : NULL, id);
		gpm_store_close(st);
	}
	gpm_ingest_loaded_deinit(&l);
	gpm_heap_destroy(heap);
	return err;
}

enum { OPT_DB = 1, OPT_SOURCE_ROOT, OPT_NO_STORE, OPT_SCRIPT };

static const struct gpm_option options[] = {
    {"db", 0, "PATH", "the archive (default $XDG_DATA_HOME/gopm/archive.db)", OPT_DB, "file"},
    {"source-root", 0, "DIR", "show source lines of frames whose files are found under DIR",
     OPT_SOURCE_ROOT, "dir"},
    {"no-store", 0, NULL, "with INPUT: store it in a temporary archive, not in --db", OPT_NO_STORE,
     NULL},
    {"script", 0, "FILE",
     "read keys from FILE instead of the terminal (tests; also $GOPM_TUI_SCRIPT)", OPT_SCRIPT,
     "file"},
    {NULL, 0, NULL, NULL, 0, NULL},
};

const struct gpm_command_spec gpm_spec_tui = {
    .name = "tui",
    .operands = "[INPUT]",
    .about = "Interactive triage over the incident archive. With INPUT (a core or a goroutine\n"
             "dump), analyses it, stores it (--no-store: in a temporary archive) and opens it.\n"
             "Press ? in any view for its keys. NO_COLOR turns colours off. Values (v on a\n"
             "frame or a finding, P the panic value) are read from the incident's core: its\n"
             "kept copy, else the path it was stored from, with --exe or the executable found\n"
             "as gopm print finds it.\n\n"
             "Commands typed after ':' (filters as for 'gopm incidents'; times 7d, 12h,\n"
             "2024-05-01, @unix), and '\\' to show only the rows of a list containing a text:\n"
#define TUI_COMMAND(name, args, help) "  :" #name "  " help "\n     " args "\n"
#include "tui/commands.def"
#undef TUI_COMMAND
    ,
    .options = options,
    .core = true,
    .operand_complete = "file",
};

static char *tmpdir_path;

static void remove_temporary(void)
{
	if (!tmpdir_path)
		return;
	static const char *const files[] = {"archive.db", "archive.db-wal", "archive.db-shm",
	                                    "archive.db-journal"};
	char path[4096];
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir_path, files[i]);
		unlink(path);
	}
	rmdir(tmpdir_path);
	free(tmpdir_path);
	tmpdir_path = NULL;
}

int gpm_cmd_tui(int argc, char **argv)
{
	const char *db = NULL, *input = NULL, *script_path = getenv("GOPM_TUI_SCRIPT");
	bool no_store = false;
	int status = GPM_EXIT_OK;
	struct gpm_tui_args a = {0};
	struct gpm_opts o;
	const char *val;
	int opt;
	gpm_opts_begin(&o, &gpm_spec_tui, argc, argv);
	while ((opt = gpm_opts_next(&o, &val)) > 0) {
		if (opt == OPT_DB)
			db = val;
		else if (opt == OPT_SOURCE_ROOT)
			a.source_root = val;
		else if (opt == OPT_SCRIPT)
			script_path = val;
		else if (opt == OPT_NO_STORE)
			no_store = true;
	}
	if (opt < 0)
		return o.status;
	// --source-root, else the config file's source-root.
	if (!a.source_root)
		a.source_root = gpm_cli_config()->source_root;
	if (gpm_opts_noperands(&o) > 1)
		return gpm_cli_usage("tui", "one input only");
	if (gpm_opts_noperands(&o)) {
		input = gpm_opts_operands(&o)[0];
		// The keys come from the terminal on standard input.
		if (!strcmp(input, "-"))
			return gpm_cli_usage("tui", "standard input is the terminal's: save the "
			                            "input to a file first");
	}
	if (no_store && !input)
		return gpm_cli_usage("tui", "--no-store needs an INPUT");
	if (script_path && *script_path && !(a.script = fopen(script_path, "r")))
		return gpm_cli_fail(gpm_error_os(errno, "%s", script_path));
	if (!a.script && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		fprintf(stderr, "gopm tui: needs a terminal (use gopm incidents, show, analyze)\n");
		return GPM_EXIT_USAGE;
	}

	char *path = NULL;
	struct gpm_error *err = NULL;
	if (no_store) {
		const char *tmp = getenv("TMPDIR");
		char tmpl[4096];
		snprintf(tmpl, sizeof(tmpl), "%s/gopm-tui-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(tmpl) || !(tmpdir_path = strdup(tmpl))) {
			err = gpm_error_os(errno, "temporary archive");
			goto out;
		}
		atexit(remove_temporary);
		size_t n = strlen(tmpl) + 16;
		if (!(path = malloc(n))) {
			err = &gpm_error_nomem;
			goto out;
		}
		snprintf(path, n, "%s/archive.db", tmpl);
	} else if (db) {
		if (!(path = strdup(db))) {
			err = &gpm_error_nomem;
			goto out;
		}
	} else if ((err = gpm_store_default_path(input != NULL, &path))) {
		goto out;
	}
	if (input) {
		fprintf(stderr, "gopm tui: analysing %s\n", input);
		if ((err = store_input(path, input, &o.ingest, &a.open_id)))
			goto out;
	}
	struct stat sb;
	if (stat(path, &sb) < 0) {
		fprintf(stderr,
		        "gopm: no archive at %s: store incidents with 'gopm ingest' first\n", path);
		status = GPM_EXIT_INPUT;
		goto out;
	}
	// Check the schema through the store (refusing a newer one); the TUI then reads on its
	// own read-only connection.
	struct gpm_store *st;
	struct gpm_store_options so = {.readonly = true};
	if ((err = gpm_store_open(path, &so, &st)))
		goto out;
	gpm_store_close(st);
	a.db_path = path;
	a.ingest = &o.ingest;
	err = gpm_tui_run(&a);
out:
	free(path);
	if (a.script)
		fclose(a.script);
	remove_temporary();
	if (err)
		return gpm_cli_fail(err);
	return status;
}
