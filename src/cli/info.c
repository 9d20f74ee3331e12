/*
 * gopm info CORE [--exe EXE] [--force] [--json]
 *
 * What process a core is from: the executable and how it was verified, the Go version and
 * main module, the command line, the signal that ended it, every thread with its pc
 * symbolised and the goroutine it ran, and a summary of the memory mappings.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/strbuf.h"
#include "cli/cli.h"
#include "ingest/ingest.h"
#include "cli/options.h"
#include "goroutines/corefacts.h"
#include "goroutines/goroutines.h"
#include "core/exe_locate.h"
#include "process/process.h"

/* Linux signal names (asm-generic numbering, as on x86-64 and arm64). */
static const char *signal_name(int sig)
{
	static const char *const names[] = {
	    [SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",       [SIGQUIT] = "SIGQUIT",
	    [SIGILL] = "SIGILL",   [SIGTRAP] = "SIGTRAP",     [SIGABRT] = "SIGABRT",
	    [SIGBUS] = "SIGBUS",   [SIGFPE] = "SIGFPE",       [SIGKILL] = "SIGKILL",
	    [SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV",     [SIGUSR2] = "SIGUSR2",
	    [SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM",     [SIGTERM] = "SIGTERM",
	    [SIGCHLD] = "SIGCHLD", [SIGXCPU] = "SIGXCPU",     [SIGXFSZ] = "SIGXFSZ",
	    [SIGSYS] = "SIGSYS",   [SIGSTKFLT] = "SIGSTKFLT", [SIGSTOP] = "SIGSTOP",
	    [SIGTSTP] = "SIGTSTP", [SIGCONT] = "SIGCONT",     [SIGTTIN] = "SIGTTIN",
	    [SIGTTOU] = "SIGTTOU",
	};
	if (sig > 0 && (size_t)sig < sizeof(names) / sizeof(names[0]) && names[sig])
		return names[sig];
	return NULL;
}

/* The meaning of si_code (siginfo.h), for the signals whose codes gopm explains. */
static const char *signal_code(int sig, int code)
{
	switch (code) {
	case SI_USER:
		return "sent by kill";
	case SI_TKILL:
		return "sent by tkill (the process raised it itself)";
	case SI_QUEUE:
		return "sent by sigqueue";
	case SI_KERNEL:
		return "sent by the kernel";
	}
	if (sig == SIGSEGV && code == SEGV_MAPERR)
		return "address not mapped";
	if (sig == SIGSEGV && code == SEGV_ACCERR)
		return "invalid permissions for mapped object";
	if (sig == SIGBUS && code == BUS_ADRALN)
		return "invalid address alignment";
	if (sig == SIGBUS && code == BUS_ADRERR)
		return "nonexistent physical address";
	if (sig == SIGFPE && code == FPE_INTDIV)
		return "integer divide by zero";
	return NULL;
}

struct thread_row {
	uint32_t tid;
	int signal;
	uint64_t pc, sp;
	char func[512];
	char file[512];
	int32_t line;
	uint64_t offset;
	bool in_go;
	const struct gpm_goroutine *g; /* the goroutine it runs, NULL none */
};

static void symbolize(struct gpm_process *p, struct thread_row *r)
{
	struct gpm_func fn;
	struct gpm_pclntab *tab = p->img ? p->img->pclntab : NULL;
	if (!tab || !gpm_pclntab_func_for_pc(tab, r->pc, &fn)) {
		snprintf(r->func, sizeof(r->func), "?");
		return;
	}
	r->in_go = true;
	r->offset = r->pc - fn.entry;
	struct gpm_inline_frame inl[8];
	size_t n = 0;
	struct gpm_error *err = gpm_pclntab_frames(tab, &fn, r->pc, inl, 8, &n);
	gpm_error_destroy(err);
	const char *name = n ? inl[0].name : fn.name;
	const char *file = n ? inl[0].file : NULL;
	r->line = n ? inl[0].line : 0;
	char buf[512];
	gpm_func_print_name(name, true, buf, sizeof(buf));
	char *safe = gpm_safe_strndup(buf, strlen(buf));
	snprintf(r->func, sizeof(r->func), "%s", safe ? safe : "?");
	free(safe);
	safe = file ? gpm_safe_strndup(file, strlen(file)) : NULL;
	snprintf(r->file, sizeof(r->file), "%s", safe ? safe : "?");
	free(safe);
}

struct mapping_summary {
	uint64_t segments, dumped, virt, exe_bytes, file_maps, anon_bytes;
};

static void summarize(const struct gpm_core *core, struct mapping_summary *m)
{
	memset(m, 0, sizeof(*m));
	size_t n = gpm_core_segment_count(core);
	for (size_t i = 0; i < n; i++) {
		const struct gpm_core_segment *s = gpm_core_segment_at(core, i);
		m->segments++;
		m->dumped += s->present;
		m->virt += s->memsz;
		if (!gpm_core_file_for_addr(core, s->vaddr))
			m->anon_bytes += s->memsz;
	}
	m->file_maps = gpm_core_file_count(core);
}

static const char *safe_copy(char *buf, size_t cap, const char *s)
{
	char *safe = s ? gpm_safe_strndup(s, strlen(s)) : NULL;
	snprintf(buf, cap, "%s", safe ? safe : "");
	free(safe);
	return buf;
}

static void print_text(struct gpm_strbuf *sb, struct gpm_process *p, const struct gpm_incident *inc,
                       struct thread_row *rows, size_t nrows, const struct mapping_summary *ms)
{
	char b1[1024], b2[1024];
	const struct gpm_goimage *img = p->img;
	gpm_strbuf_printf(sb, "core:        %s\n",
	                  safe_copy(b1, sizeof(b1), gpm_core_path(p->core)));
	if (!p->exe) {
		// No executable: what the core alone says, and what to look for.
		gpm_strbuf_printf(sb, "executable:  not found: %s\n",
		                  safe_copy(b1, sizeof(b1), p->exe_why));
		const char *mapped = gpm_core_exe_mapping(p->core, NULL);
		if (mapped)
			gpm_strbuf_printf(sb, "mapped as:   %s\n",
			                  safe_copy(b1, sizeof(b1), mapped));
		char *gnu = NULL, *go = NULL;
		struct gpm_error *e = gpm_core_build_ids(p->core, &gnu, &go);
		gpm_error_destroy(e);
		gpm_strbuf_printf(sb, "build id:    %s\n", gnu ? gnu : "none in the core");
		gpm_strbuf_printf(sb, "go build id: %s\n",
		                  go ? safe_copy(b1, sizeof(b1), go) : "none in the core");
		gpm_strbuf_puts(sb,
		                "             (look for the executable with these build ids; give "
		                "it with --exe FILE|DIR or GOPM_EXE_PATH)\n");
		free(gnu);
		free(go);
		goto process;
	}
	gpm_strbuf_printf(sb, "executable:  %s\n", safe_copy(b1, sizeof(b1), gpm_exe_path(p->exe)));
	if (p->exe_why)
		gpm_strbuf_printf(sb, "             %s\n", safe_copy(b1, sizeof(b1), p->exe_why));
	const char *bid = gpm_exe_gnu_build_id(p->exe);
	const char *goid = gpm_exe_go_build_id(p->exe);
	if (bid)
		gpm_strbuf_printf(sb, "build id:    %s\n", bid);
	if (goid)
		gpm_strbuf_printf(sb, "go build id: %s\n", safe_copy(b1, sizeof(b1), goid));
	gpm_strbuf_printf(sb, "arch:        %s\n", gpm_core_arch(p->core)->name);
	gpm_strbuf_printf(
	    sb, "go:          %s%s%s\n", img->go_version[0] ? img->go_version : "unknown",
	    gpm_exe_is_pie(p->exe) ? ", PIE" : "", gpm_exe_has_symbols(p->exe) ? "" : ", stripped");
	if (img->has_buildinfo) {
		const struct gpm_buildinfo *bi = &img->buildinfo;
		if (bi->path)
			gpm_strbuf_printf(sb, "main:        %s\n",
			                  safe_copy(b1, sizeof(b1), bi->path));
		if (bi->main.path)
			gpm_strbuf_printf(sb, "module:      %s %s\n",
			                  safe_copy(b1, sizeof(b1), bi->main.path),
			                  safe_copy(b2, sizeof(b2), bi->main.version));
	}
process:;
	const struct gpm_core_psinfo *ps = gpm_core_psinfo(p->core);
	if (ps) {
		gpm_strbuf_printf(
		    sb, "process:     pid %" PRIu32 ", parent %" PRIu32 ", uid %" PRIu32 "\n",
		    ps->pid, ps->ppid, ps->uid);
		gpm_strbuf_printf(sb, "command:     %s\n", safe_copy(b1, sizeof(b1), ps->psargs));
	}
	const struct gpm_core_siginfo *si = gpm_core_siginfo(p->core);
	int stop;
	if (gpm_core_is_snapshot(p->core, &stop)) {
		const char *name = signal_name(stop);
		gpm_strbuf_puts(
		    sb, "signal:      none: a snapshot of a live process, not of its death");
		if (stop && name)
			gpm_strbuf_printf(sb, " (stopped with %s)", name);
		else if (stop)
			gpm_strbuf_printf(sb, " (stopped with signal %d)", stop);
		gpm_strbuf_putc(sb, '\n');
		if (gpm_core_by_gdb(p->core))
			gpm_strbuf_puts(
			    sb, "             (written by gdb: gcore or generate-core-file)\n");
	} else if (si && si->signo) {
		const char *name = signal_name(si->signo);
		const char *code = signal_code(si->signo, si->code);
		gpm_strbuf_printf(sb, "signal:      %s", name ? name : "?");
		if (!name)
			gpm_strbuf_printf(sb, " %d", si->signo);
		gpm_strbuf_printf(sb, " (code %d%s%s)", si->code, code ? ": " : "",
		                  code ? code : "");
		if (si->has_addr)
			gpm_strbuf_printf(sb, " at 0x%" PRIx64 "%s", si->addr,
			                  si->addr < 4096 ? " (nil pointer dereference)" : "");
		if (si->has_sender && si->sender_pid == (ps ? ps->pid : 0))
			gpm_strbuf_puts(sb, ", raised by the process itself");
		else if (si->has_sender)
			gpm_strbuf_printf(sb, ", sent by pid %" PRIu32, si->sender_pid);
		gpm_strbuf_putc(sb, '\n');
		if (si->signo == SIGABRT && si->code == SI_TKILL)
			gpm_strbuf_puts(
			    sb, "             (the Go runtime aborts like this after a fatal "
			        "error or panic when GOTRACEBACK=crash)\n");
	} else {
		gpm_strbuf_puts(sb, "signal:      none recorded\n");
	}
	if (inc) {
		gpm_strbuf_printf(sb, "goroutines:  %zu\n", inc->goroutines.len);
		if (inc->sched.allp)
			gpm_strbuf_printf(
			    sb, "allp:        %" PRIu32 " Ps, runtime.allp at 0x%" PRIx64 " (%s)\n",
			    inc->sched.nprocs, inc->sched.allp, inc->sched.allp_how);
		const struct gpm_goroutine *cur = NULL;
		for (size_t i = 0; i < inc->goroutines.len && !cur; i++)
			if (inc->goroutines.v[i].flags & GPM_GOROUTINE_CURRENT)
				cur = &inc->goroutines.v[i];
		const struct gpm_frame *f = cur ? gpm_goroutine_user_frame(inc, cur) : NULL;
		if (cur)
			gpm_strbuf_printf(
			    sb, "crashed:     goroutine %" PRIu64 "%s%s%s%s:%" PRIu32 "\n", cur->id,
			    f ? " in " : "", f ? safe_copy(b1, sizeof(b1), f->func) : "",
			    f ? " at " : "", f ? safe_copy(b2, sizeof(b2), f->file) : "",
			    f ? f->line : 0);
	}
	gpm_strbuf_printf(sb, "\nthreads: %zu\n", nrows);
	for (size_t i = 0; i < nrows; i++) {
		const struct thread_row *r = &rows[i];
		gpm_strbuf_printf(sb, "  %s%-7" PRIu32 " pc=0x%" PRIx64 " %s",
		                  r->signal ? "*" : " ", r->tid, r->pc, r->func);
		if (r->in_go)
			gpm_strbuf_printf(sb, " +0x%" PRIx64 " %s:%" PRId32, r->offset, r->file,
			                  r->line);
		if (r->g)
			gpm_strbuf_printf(sb, "  [goroutine %" PRIu64 ", %s]", r->g->id,
			                  r->g->state);
		if (r->signal) {
			const char *n = signal_name(r->signal);
			gpm_strbuf_printf(sb, "  <- %s", n ? n : "signal");
		}
		gpm_strbuf_putc(sb, '\n');
	}
	gpm_strbuf_printf(
	    sb,
	    "\nmappings: %" PRIu64 " segments, %" PRIu64 " MiB mapped, %" PRIu64
	    " MiB in the core, %" PRIu64 " file mappings, %" PRIu64 " MiB anonymous\n",
	    ms->segments, ms->virt >> 20, ms->dumped >> 20, ms->file_maps, ms->anon_bytes >> 20);
	size_t nw = gpm_core_warning_count(p->core);
	for (size_t i = 0; i < nw; i++)
		gpm_strbuf_printf(sb, "warning: %s\n",
		                  safe_copy(b1, sizeof(b1), gpm_core_warning_at(p->core, i)));
	for (size_t i = 0; img && i < gpm_goimage_warning_count(img); i++)
		gpm_strbuf_printf(sb, "warning: %s\n",
		                  safe_copy(b1, sizeof(b1), gpm_goimage_warning(img, i)));
	if (!p->exe) {
		// Without the executable, the mapped files say what the process was made of.
		size_t nf = gpm_core_file_count(p->core);
		for (size_t i = 0; i < nf && i < 32; i++) {
			const struct gpm_core_file *f = gpm_core_file_at(p->core, i);
			gpm_strbuf_printf(sb, "  %016" PRIx64 "-%016" PRIx64 " %s\n", f->start,
			                  f->end, safe_copy(b1, sizeof(b1), f->path));
		}
		if (nf > 32)
			gpm_strbuf_printf(sb, "  ... %zu more file mappings\n", nf - 32);
	}
}

static void print_json(struct gpm_strbuf *sb, struct gpm_process *p, const struct gpm_incident *inc,
                       struct thread_row *rows, size_t nrows, const struct mapping_summary *ms)
{
	struct gpm_json j;
	gpm_json_init(&j, sb, true);
	const struct gpm_goimage *img = p->img;
	gpm_json_document_begin(&j, "info");
	gpm_json_kv_string(&j, "core", gpm_core_path(p->core));
	gpm_json_key(&j, "executable");
	if (!p->exe) {
		gpm_json_null(&j);
		gpm_json_kv_string(&j, "executable_error", p->exe_why);
		char *gnu = NULL, *go = NULL;
		struct gpm_error *e = gpm_core_build_ids(p->core, &gnu, &go);
		gpm_error_destroy(e);
		gpm_json_kv_string(&j, "core_build_id", gnu);
		gpm_json_kv_string(&j, "core_go_build_id", go);
		free(gnu);
		free(go);
		goto process;
	}
	gpm_json_object_begin(&j);
	gpm_json_kv_string(&j, "path", gpm_exe_path(p->exe));
	gpm_json_kv_string(&j, "found", p->exe_why);
	gpm_json_kv_string(&j, "build_id", gpm_exe_gnu_build_id(p->exe));
	gpm_json_kv_string(&j, "go_build_id", gpm_exe_go_build_id(p->exe));
	gpm_json_kv_bool(&j, "pie", gpm_exe_is_pie(p->exe));
	gpm_json_kv_bool(&j, "symbols", gpm_exe_has_symbols(p->exe));
	gpm_json_kv_bool(&j, "dwarf", img->has_dwarf);
	gpm_json_kv_hex(&j, "load_bias", p->bias);
	gpm_json_object_end(&j);
	gpm_json_kv_string(&j, "arch", gpm_core_arch(p->core)->name);
	gpm_json_kv_string(&j, "go_version", img->go_version[0] ? img->go_version : NULL);
	if (img->has_buildinfo) {
		gpm_json_kv_string(&j, "main_package", img->buildinfo.path);
		gpm_json_kv_string(&j, "module", img->buildinfo.main.path);
		gpm_json_kv_string(&j, "module_version", img->buildinfo.main.version);
		gpm_json_key(&j, "build_settings");
		gpm_json_object_begin(&j);
		for (size_t i = 0; i < img->buildinfo.nsettings; i++)
			gpm_json_kv_string(&j, img->buildinfo.settings[i].key,
			                   img->buildinfo.settings[i].value);
		gpm_json_object_end(&j);
	}
process:;
	const struct gpm_core_psinfo *ps = gpm_core_psinfo(p->core);
	if (ps) {
		gpm_json_kv_uint(&j, "pid", ps->pid);
		gpm_json_kv_uint(&j, "ppid", ps->ppid);
		gpm_json_kv_uint(&j, "uid", ps->uid);
		gpm_json_kv_string(&j, "cmdline", ps->psargs);
	}
	const struct gpm_core_siginfo *si = gpm_core_siginfo(p->core);
	int stop;
	bool live = gpm_core_is_snapshot(p->core, &stop);
	gpm_json_kv_bool(&j, "live_snapshot", live);
	if (live) {
		gpm_json_kv_int(&j, "stop_signal", stop);
		gpm_json_kv_bool(&j, "written_by_gdb", gpm_core_by_gdb(p->core));
	}
	gpm_json_key(&j, "signal");
	if (si && si->signo && !live) {
		gpm_json_object_begin(&j);
		gpm_json_kv_int(&j, "number", si->signo);
		gpm_json_kv_string(&j, "name", signal_name(si->signo));
		gpm_json_kv_int(&j, "code", si->code);
		gpm_json_kv_string(&j, "code_meaning", signal_code(si->signo, si->code));
		if (si->has_addr)
			gpm_json_kv_hex(&j, "fault_address", si->addr);
		if (si->has_sender)
			gpm_json_kv_uint(&j, "sender_pid", si->sender_pid);
		gpm_json_object_end(&j);
	} else {
		gpm_json_null(&j);
	}
	if (inc)
		gpm_json_kv_uint(&j, "goroutines", inc->goroutines.len);
	if (inc && inc->sched.allp) {
		gpm_json_key(&j, "allp");
		gpm_json_object_begin(&j);
		gpm_json_kv_hex(&j, "address", inc->sched.allp);
		gpm_json_kv_uint(&j, "ps", inc->sched.nprocs);
		gpm_json_kv_string(&j, "found_by", inc->sched.allp_how);
		gpm_json_object_end(&j);
	}
	gpm_json_key(&j, "threads");
	gpm_json_array_begin(&j);
	for (size_t i = 0; i < nrows; i++) {
		const struct thread_row *r = &rows[i];
		gpm_json_object_begin(&j);
		gpm_json_kv_uint(&j, "tid", r->tid);
		gpm_json_kv_int(&j, "signal", r->signal);
		gpm_json_kv_hex(&j, "pc", r->pc);
		gpm_json_kv_hex(&j, "sp", r->sp);
		if (r->in_go) {
			gpm_json_kv_string(&j, "function", r->func);
			gpm_json_kv_string(&j, "file", r->file);
			gpm_json_kv_int(&j, "line", r->line);
			gpm_json_kv_hex(&j, "offset", r->offset);
		}
		if (r->g) {
			gpm_json_kv_uint(&j, "goroutine", r->g->id);
			gpm_json_kv_string(&j, "goroutine_state", r->g->state);
		}
		gpm_json_object_end(&j);
	}
	gpm_json_array_end(&j);
	gpm_json_key(&j, "mappings");
	gpm_json_object_begin(&j);
	gpm_json_kv_uint(&j, "segments", ms->segments);
	gpm_json_kv_uint(&j, "mapped_bytes", ms->virt);
	gpm_json_kv_uint(&j, "dumped_bytes", ms->dumped);
	gpm_json_kv_uint(&j, "file_mappings", ms->file_maps);
	gpm_json_kv_uint(&j, "anonymous_bytes", ms->anon_bytes);
	gpm_json_object_end(&j);
	gpm_json_key(&j, "warnings");
	gpm_json_array_begin(&j);
	for (size_t i = 0; i < gpm_core_warning_count(p->core); i++)
		gpm_json_string(&j, gpm_core_warning_at(p->core, i));
	for (size_t i = 0; img && i < gpm_goimage_warning_count(img); i++)
		gpm_json_string(&j, gpm_goimage_warning(img, i));
	if (inc)
		for (size_t i = 0; i < inc->warnings.len; i++)
			gpm_json_string(&j, inc->warnings.v[i].text);
	gpm_json_array_end(&j);
	gpm_json_object_end(&j);
}

enum { OPT_JSON = 1 };

static const struct gpm_option options[] = {
    {"json", 0, NULL, "the same facts as one JSON document", OPT_JSON, NULL},
    {NULL, 0, NULL, NULL, 0, NULL},
};

const struct gpm_command_spec gpm_spec_info = {
    .name = "info",
    .operands = "[CORE]",
    .about = "What process a core is from: executable and build-id match, Go version and\n"
             "module, command line, the fatal signal, the goroutines and Ps (runtime.allp,\n"
             "by symbol or found by content when stripped), each thread with its pc\n"
             "symbolised, and a summary of the mappings. CORE '-' (or none, from a pipe)\n"
             "is standard input.",
    .options = options,
    .core = true,
    .operand_complete = "file",
};

int gpm_cmd_info(int argc, char **argv)
{
	const char *input = NULL;
	bool json = false;
	struct gpm_opts o;
	const char *v;
	int opt;
	gpm_opts_begin(&o, &gpm_spec_info, argc, argv);
	while ((opt = gpm_opts_next(&o, &v)) > 0)
		if (opt == OPT_JSON)
			json = true;
	if (opt < 0)
		return o.status;
	if (gpm_opts_noperands(&o) > 1)
		return gpm_cli_usage("info", "one core only");
	if (gpm_opts_noperands(&o))
		input = gpm_opts_operands(&o)[0];
	if (!input && !(input = gpm_ingest_default_input()))
		return gpm_cli_usage("info", "missing CORE (or '-' for standard input)");
	struct gpm_process_options po = gpm_ingest_process_options(&o.ingest);
	struct gpm_process *p;
	struct gpm_source *src;
	struct gpm_core *core;
	struct gpm_core *left = NULL; // the core, when its executable is what failed
	struct gpm_error *err = gpm_ingest_open(input, NULL, &src);
	if (!err)
		err = gpm_core_from_source(src, &core);
	if (!err)
		err = gpm_process_from_core_keep(core, &po, &p, &left);
	int status = GPM_EXIT_OK;
	struct gpm_process bare = {0};
	if (err && err->code == GPM_ERR_MISMATCH && left && !gpm_ingest_is_stdin(input)) {
		// No (matching) executable: the core alone still says a lot. Exit 5 all the same.
		bare.exe_why = strdup(err->message);
		status = gpm_cli_fail(err);
		if (!bare.exe_why) {
			gpm_core_destroy(left);
			return status;
		}
		bare.core = left;
		p = &bare;
	} else if (err) {
		gpm_core_destroy(left);
		return gpm_cli_fail(err);
	}
	// Goroutines tell which goroutine each thread ran; info still works without them.
	struct gpm_incident *inc = NULL;
	err = p->img ? gpm_goroutines_read(p, NULL, &inc) : NULL;
	uint64_t allp_ptr, allp_len;
	// The Ps (runtime.allp, found by content in a stripped core): how many, and how found.
	if (inc && gpm_corefacts_find_allp(p, inc, &allp_ptr, &allp_len))
		inc->sched.nprocs = (uint32_t)allp_len;
	if (err) {
		fprintf(stderr, "gopm: warning: %s\n", err->message);
		gpm_error_destroy(err);
		status = GPM_EXIT_PARTIAL;
	}
	size_t nrows = gpm_core_thread_count(p->core);
	struct thread_row *rows = calloc(nrows ? nrows : 1, sizeof(*rows));
	if (!rows) {
		gpm_incident_destroy(inc);
		if (p == &bare) {
			gpm_core_destroy(bare.core);
			free(bare.exe_why);
		} else {
			gpm_process_destroy(p);
		}
		return gpm_cli_fail(&gpm_error_nomem);
	}
	for (size_t i = 0; i < nrows; i++) {
		const struct gpm_core_thread *t = gpm_core_thread_at(p->core, i);
		rows[i].tid = t->tid;
		// A snapshot's stop signal is no signal the thread took.
		rows[i].signal =
		    t == gpm_core_signal_thread(p->core) && !gpm_core_is_snapshot(p->core, NULL)
		        ? t->signal
		        : 0;
		rows[i].pc = t->pc;
		rows[i].sp = t->sp;
		symbolize(p, &rows[i]);
		for (size_t k = 0; inc && k < inc->goroutines.len; k++)
			if (gpm_goroutine_extra(inc, &inc->goroutines.v[k])->thread_id ==
			        (int64_t)t->tid &&
			    inc->goroutines.v[k].status == GPM_G_RUNNING)
				rows[i].g = &inc->goroutines.v[k];
	}
	struct mapping_summary ms;
	summarize(p->core, &ms);
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	if (json)
		print_json(&sb, p, inc, rows, nrows, &ms);
	else
		print_text(&sb, p, inc, rows, nrows, &ms);
	if ((err = gpm_strbuf_error(&sb)))
		status = gpm_cli_fail(err);
	else
		gpm_cli_write(gpm_strbuf_str(&sb), sb.len); // a write error is reported by main
	if (status == GPM_EXIT_OK &&
	    (gpm_core_warning_count(p->core) || (inc && inc->warnings.len)))
		status = GPM_EXIT_PARTIAL;
	gpm_strbuf_deinit(&sb);
	free(rows);
	gpm_incident_destroy(inc);
	if (p == &bare) {
		gpm_core_destroy(bare.core);
		free(bare.exe_why);
	} else {
		gpm_process_destroy(p);
	}
	return status;
}
