/*
 * Native threads of a core: the threads whose registers show code that is not Go (C code of
 * a cgo program, a C library, a thread C code created), each with its native stack unwound
 * by src/process/native.c and named as the runtime's cgo symbolizer would print it (C
 * frames without parentheses). The goroutines of those threads are in the goroutine list;
 * this is what the threads themselves are doing.
 */
#include "goroutines/threads.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "process/native.h"

struct walk {
	struct gpm_pclntab *tab;
};

/* Go code: the walk stops at the first Go frame (where C was entered; Go's unwinder and the
 * goroutine list take it from there). */
static bool is_go(void *arg, uint64_t pc)
{
	struct walk *w = arg;
	struct gpm_func fn;
	return gpm_pclntab_func_for_pc(w->tab, pc - 1, &fn);
}

static struct gpm_error *push_frame(struct gpm_incident *inc, struct gpm_pclntab *tab,
                                    struct gpm_process *p, const struct gpm_native_frame *nf)
{
	struct gpm_frame *f = gpm_incident_frame_push(inc);
	if (!f)
		return &gpm_error_nomem;
	*f = (struct gpm_frame){.pc = nf->pc, .flags = GPM_FRAME_C};
	uint64_t look = nf->exact || !nf->pc ? nf->pc : nf->pc - 1;
	struct gpm_func fn;
	const char *name = nf->symbol, *file = nf->file;
	uint32_t line = nf->line;
	if (tab && gpm_pclntab_func_for_pc(tab, look, &fn)) {
		int32_t l = 0;
		const char *gf = NULL;
		gpm_error_destroy(gpm_pclntab_file_line(tab, &fn, look, &gf, &l));
		f->flags = GPM_FRAME_HAS_OFFSET | GPM_FRAME_NO_ARGS;
		f->offset = (uint32_t)(nf->pc - fn.entry);
		name = fn.name;
		file = gf;
		line = l > 0 ? (uint32_t)l : 0;
	} else if (!name && p->exe) {
		// The executable's own symbols (what libdwfl had no module for).
		uint64_t start, lpc;
		const char *s;
		if (!__builtin_sub_overflow(look, p->bias, &lpc) &&
		    gpm_exe_func_for_addr(p->exe, lpc, &s, &start))
			name = s;
		if (name && !file) {
			const char *sf;
			uint32_t sl;
			if (gpm_exe_source_line(p->exe, lpc, &sf, &sl)) {
				file = sf;
				line = sl;
			}
		}
	}
	char modname[160];
	if (!name && nf->module) {
		// A library with no symbol here (missing on this machine, another build): the
		// module and the offset in it, as a debugger prints them.
		snprintf(modname, sizeof(modname), "%s+0x%" PRIx64, nf->module, nf->modoff);
		name = modname;
	}
	if (!file && nf->module) {
		file = nf->module;
		line = 0;
	}
	if (!name)
		name = "?";
	f->func = gpm_incident_str(inc, name, strlen(name));
	f->file = file ? gpm_incident_str(inc, file, strlen(file)) : NULL;
	f->line = line;
	return f->func && (!file || f->file) ? NULL : &gpm_error_nomem;
}

struct gpm_error *gpm_goroutines_read_threads(struct gpm_process *p,
                                              const struct gpm_thread_hint *hints, size_t nhints,
                                              struct gpm_incident *inc)
{
	struct gpm_pclntab *tab = p->img ? p->img->pclntab : NULL;
	struct walk w = {tab};
	const struct gpm_arch_ops *arch = gpm_core_arch(p->core);
	struct gpm_native *n = NULL;
	struct gpm_native_frame *frames = NULL;
	struct gpm_error *err = NULL;
	size_t nt = gpm_core_thread_count(p->core);
	char first_unread[200] = "";
	for (size_t i = 0; i < nt; i++) {
		const struct gpm_core_thread *t = gpm_core_thread_at(p->core, i);
		uint64_t pc = t->regs.v[arch->pc_reg];
		struct gpm_func fn;
		if (tab && pc && gpm_pclntab_func_for_pc(tab, pc, &fn))
			continue; // in Go code: the goroutine list (and --system) shows it
		if (!n) {
			if ((err = gpm_native_create(p, &n)))
				goto out;
			if (!(frames = calloc(GPM_NATIVE_MAX_FRAMES, sizeof(*frames)))) {
				err = &gpm_error_nomem;
				goto out;
			}
			// A library missing on this machine or of another build
			// (gpm_native_note_at) is not a warning: the core is read whole, only names
			// are missing (its frames show the module), and a core from another machine
			// is the rule.
		}
		enum gpm_native_how how;
		const char *problem;
		size_t nf = gpm_native_unwind(n, t, tab ? is_go : NULL, &w, frames,
		                              GPM_NATIVE_MAX_FRAMES, &how, &problem);
		struct gpm_thread *th = gpm_vec_push(&inc->threads);
		if (!th) {
			err = &gpm_error_nomem;
			goto out;
		}
		*th = (struct gpm_thread){.tid = t->tid, .m_id = -1, .stack = UINT32_MAX};
		th->how = how == GPM_NATIVE_FP         ? GPM_THREAD_UNWIND_FP
		          : how == GPM_NATIVE_CFI_SCAN ? GPM_THREAD_UNWIND_CFI_SCAN
		                                       : GPM_THREAD_UNWIND_CFI;
		for (size_t k = 0; k < nhints; k++) {
			if (hints[k].tid == t->tid) {
				th->m_id = hints[k].m_id;
				th->goroutine = hints[k].goroutine;
			}
		}
		if (problem && !(th->problem = gpm_incident_str(inc, problem, strlen(problem)))) {
			err = &gpm_error_nomem;
			goto out;
		}
		if (nf == 0 || (nf == 1 && problem)) {
			// Not even a frame to show beyond the registers: counted and told.
			if (!inc->threads_unread++)
				snprintf(first_unread, sizeof(first_unread),
				         "thread %" PRIu32 ": %s", t->tid,
				         problem ? problem : "no registers");
		}
		struct gpm_stack_builder b;
		gpm_incident_stack_begin(inc, &b);
		for (size_t k = 0; k < nf; k++)
			if ((err = push_frame(inc, tab, p, &frames[k])))
				goto out;
		if ((err = gpm_incident_stack_commit(inc, &b, &th->stack)))
			goto out;
	}
	if (inc->threads_unread)
		gpm_incident_warn(inc,
		                  "%" PRIu32 " of %zu threads in code that is not Go could not be "
		                  "unwound; first: %s",
		                  inc->threads_unread, inc->threads.len, first_unread);
out:
	free(frames);
	gpm_native_destroy(n);
	return err;
}
