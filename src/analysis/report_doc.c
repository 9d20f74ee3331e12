/*
 * The walk from an incident and its analysis to the report document (report_doc.h): the
 * one place that decides which groups a report shows, in which order, how their stacks are
 * cut, which process facts it names and what the flame graph holds. The emitters
 * (report.c, report_md.c, report_html.c) only choose markup.
 */
#include "analysis/report_doc.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLAME_MAX_NODES 50000
#define FLAME_MAX_DEPTH 64

const char *gpm_report_doc_str(struct gpm_report_doc *doc, const char *s)
{
	if (!s)
		return NULL;
	char *c = strdup(s);
	char **slot = c ? gpm_vec_push(&doc->strings) : NULL;
	if (!slot) {
		free(c);
		doc->oom = true;
		return NULL;
	}
	*slot = c;
	return c;
}

void gpm_report_doc_deinit(struct gpm_report_doc *doc)
{
	for (size_t i = 0; i < doc->strings.len; i++)
		free(doc->strings.v[i]);
	gpm_vec_free(&doc->strings);
	gpm_vec_free(&doc->findings);
	gpm_vec_free(&doc->evidence);
	gpm_vec_free(&doc->facts);
	gpm_vec_free(&doc->holders);
	gpm_vec_free(&doc->groups);
	gpm_vec_free(&doc->frames);
	gpm_vec_free(&doc->flame);
	gpm_vec_free(&doc->states);
	memset(doc, 0, sizeof(*doc));
}

enum gpm_severity gpm_report_severity_parse(const char *name)
{
	for (int s = GPM_SEVERITY_INFO; s <= GPM_SEVERITY_CRITICAL; s++)
		if (name && !strcmp(name, gpm_severity_name((enum gpm_severity)s)))
			return (enum gpm_severity)s;
	return GPM_SEVERITY_INFO;
}

const char *gpm_report_doc_quiet(const struct gpm_report_doc *doc)
{
	for (size_t i = 0; i < doc->facts.len; i++)
		if (doc->facts.v[i].key && !strcmp(doc->facts.v[i].key, "warning"))
			return "nothing stands out in what was read (the warnings say what was "
			       "not): "
			       "no crash reported, no large blocked groups, no lock cycles";
	return "nothing stands out: no crash reported, no large blocked groups, no lock cycles";
}

const char *gpm_report_source_words(const char *rule, const char *confidence)
{
	const struct gpm_rule *def = rule ? gpm_rule_find(rule) : NULL;
	struct gpm_finding f = {.kind =
	                            def ? (enum gpm_rule_kind)(def - gpm_rules) : GPM_RULE_COUNT,
	                        .confidence = GPM_CONFIDENCE_HEURISTIC};
	for (int c = GPM_CONFIDENCE_CERTAIN; c <= GPM_CONFIDENCE_HEURISTIC; c++)
		if (confidence && !strcmp(confidence, gpm_confidence_name((enum gpm_confidence)c)))
			f.confidence = (enum gpm_confidence)c;
	return gpm_report_finding_source(&f);
}

static void add_fact(struct gpm_report_doc *doc, const char *key, const char *value)
{
	if (!value)
		return;
	struct gpm_report_kv *kv = gpm_vec_push(&doc->facts);
	if (!kv) {
		doc->oom = true;
		return;
	}
	kv->key = key;
	kv->value = gpm_report_doc_str(doc, value);
}

static void process_facts(struct gpm_report_doc *doc, const struct gpm_incident *inc,
                          const struct gpm_analysis *a)
{
	char buf[256];
	add_fact(doc, "input", gpm_report_incident_input(inc));
	add_fact(doc, "file", inc->source_name);
	add_fact(doc, "go", inc->go_version);
	// gccgo's libgo prints frames without arguments or pc offsets (GPM_FRAME_GCCGO):
	// the reader of the report should know why there are none.
	for (size_t i = 0; i < inc->frames.len; i++)
		if (inc->frames.v[i].flags & GPM_FRAME_GCCGO) {
			add_fact(doc, "runtime",
			         "gccgo (libgo traceback: no arguments, no pc offsets)");
			break;
		}
	add_fact(doc, "module", inc->main_module);
	const char *exe_read;
	add_fact(doc, "executable", gpm_report_executable(inc, &exe_read));
	add_fact(doc, "read from", exe_read);
	add_fact(doc, "command", inc->cmdline);
	if (inc->pid >= 0) {
		snprintf(buf, sizeof(buf), "%" PRId64, inc->pid);
		add_fact(doc, "pid", buf);
	}
	const struct gpm_crash *c = &inc->crash;
	if (inc->kind == GPM_INPUT_CORE && c->live_snapshot) {
		int n =
		    snprintf(buf, sizeof(buf), "a snapshot of a live process, not of its death");
		// The signals a snapshot records (a debugger's attach, a breakpoint, job
		// control), by name: "signal 19" says nothing to most readers.
		const char *stop = c->stop_signo == SIGSTOP   ? "SIGSTOP"
		                   : c->stop_signo == SIGTRAP ? "SIGTRAP"
		                   : c->stop_signo == SIGTSTP ? "SIGTSTP"
		                   : c->stop_signo == SIGTTIN ? "SIGTTIN"
		                   : c->stop_signo == SIGTTOU ? "SIGTTOU"
		                                              : NULL;
		const char *why = c->stop_signo == SIGSTOP
		                      ? ": a debugger's attach (gcore) or kill -STOP"
		                  : c->stop_signo == SIGTRAP ? ": a debugger's breakpoint"
		                                             : "";
		if (c->stop_signo && stop)
			snprintf(buf + n, sizeof(buf) - (size_t)n,
			         "; stopped with %s (signal %d%s)", stop, c->stop_signo, why);
		else if (c->stop_signo)
			snprintf(buf + n, sizeof(buf) - (size_t)n, "; stopped with signal %d",
			         c->stop_signo);
		add_fact(doc, "snapshot", buf);
	} else if (inc->kind == GPM_INPUT_CORE && c->signo) {
		snprintf(buf, sizeof(buf), "%d (the signal the process died of%s)", c->signo,
		         c->signo == 6 ? "; SIGABRT is how the runtime crashes with "
		                         "GOTRACEBACK=crash"
		                       : "");
		add_fact(doc, "signal", buf);
	} else if (c->signame) {
		struct gpm_strbuf sb = GPM_STRBUF_INIT;
		gpm_strbuf_puts(&sb, c->signame);
		if (c->has_fault_addr)
			gpm_strbuf_printf(&sb, " addr=%#" PRIx64, c->fault_addr);
		add_fact(doc, "signal", gpm_strbuf_str(&sb));
		gpm_strbuf_deinit(&sb);
	}
	snprintf(buf, sizeof(buf), "%" PRIu64 " (%" PRIu64 " of them runtime-internal), %zu groups",
	         a->goroutines, a->system, a->grouping.ngroups);
	add_fact(doc, "goroutines", buf);
	for (size_t i = 0; i < inc->warnings.len && i < 5; i++)
		add_fact(doc, "warning", inc->warnings.v[i].text);
}

static void findings(struct gpm_report_doc *doc, const struct gpm_analysis *a)
{
	for (size_t i = 0; i < a->findings.len; i++) {
		const struct gpm_finding *f = &a->findings.v[i];
		struct gpm_report_dfinding *d = gpm_vec_push(&doc->findings);
		if (!d) {
			doc->oom = true;
			return;
		}
		d->rule = gpm_report_doc_str(doc, f->rule);
		d->severity = f->severity;
		d->source = gpm_report_finding_source(f);
		d->title = gpm_report_doc_str(doc, f->title);
		d->explanation = gpm_report_doc_str(doc, f->explanation);
		d->next = gpm_report_doc_str(doc, f->next);
		d->evidence = doc->evidence.len;
		for (size_t e = 0; e < f->evidence.len; e++) {
			struct gpm_report_kv *kv = gpm_vec_push(&doc->evidence);
			if (!kv) {
				doc->oom = true;
				return;
			}
			kv->key = gpm_report_doc_str(doc, f->evidence.v[e].key);
			kv->value = gpm_report_doc_str(doc, f->evidence.v[e].value);
			d->nevidence++;
		}
	}
}

/* Whether the report shows group gi: no g0 stacks, no goroutine 0 (profiles' records are
 * goroutines without ids). */
static bool shown_group(const struct gpm_incident *inc, const struct gpm_analysis *a, size_t gi)
{
	const struct gpm_goroutine *rep = &inc->goroutines.v[a->grouping.groups[gi].representative];
	return !(rep->flags & GPM_GOROUTINE_RUNTIME_STACK) && gpm_goroutine_is_real(rep);
}

static const char *wait_line(struct gpm_report_doc *doc, const struct gpm_incident *inc,
                             const struct gpm_analysis *a, const struct gpm_group *g)
{
	const struct gpm_goroutine *rep = &inc->goroutines.v[g->representative];
	const struct gpm_goroutine_extra *rx = gpm_goroutine_extra(inc, rep);
	if (!rx->wait_object)
		return NULL;
	uint64_t same = 0;
	for (uint32_t k = 0; k < g->count; k++)
		same += gpm_goroutine_extra(
		            inc, &inc->goroutines.v[a->grouping.members[g->first_member + k]])
		            ->wait_object == rx->wait_object;
	static const char *const kinds[] = {"", "channel", "select on channel", "mutex",
	                                    "semaphore"};
	const char *kn = rx->wait_object_kind < 5 ? kinds[rx->wait_object_kind] : "object";
	char buf[160];
	if (same == g->count)
		snprintf(buf, sizeof(buf), "waiting on %s %#" PRIx64, kn, rx->wait_object);
	else
		snprintf(buf, sizeof(buf),
		         "waiting on %s %#" PRIx64 " (%" PRIu64 " of them; the others on other "
		         "objects)",
		         kn, rx->wait_object, same);
	return gpm_report_doc_str(doc, buf);
}

static void group(struct gpm_report_doc *doc, const struct gpm_incident *inc,
                  const struct gpm_analysis *a, uint32_t gi, unsigned maxf)
{
	const struct gpm_group *g = &a->grouping.groups[gi];
	const struct gpm_goroutine *rep = &inc->goroutines.v[g->representative];
	struct gpm_report_dgroup *d = gpm_vec_push(&doc->groups);
	if (!d) {
		doc->oom = true;
		return;
	}
	d->count = g->count;
	d->state = gpm_report_doc_str(doc, g->state);
	d->min_minutes = g->min_minutes;
	d->max_minutes = g->max_minutes;
	d->min_id = g->min_id;
	d->max_id = g->max_id;
	d->no_ids = rep->flags &
	            (GPM_GOROUTINE_PPROF_RECORD | GPM_GOROUTINE_NO_ID | GPM_GOROUTINE_NO_HEADER);
	if (!d->no_ids && g->count <= 6) {
		struct gpm_strbuf sb = GPM_STRBUF_INIT;
		for (uint32_t k = 0; k < g->count; k++)
			gpm_strbuf_printf(
			    &sb, "%s%" PRIu64, k ? ", " : "",
			    inc->goroutines.v[a->grouping.members[g->first_member + k]].id);
		d->ids = gpm_report_doc_str(doc, gpm_strbuf_str(&sb));
		gpm_strbuf_deinit(&sb);
	}
	const struct gpm_frame *top = gpm_goroutine_user_frame(inc, rep);
	d->top = top ? gpm_report_doc_str(doc, top->func) : NULL;
	for (size_t i = 0; i < a->findings.len; i++)
		if (a->findings.v[i].group == (int32_t)gi) {
			d->rule = gpm_report_doc_str(doc, a->findings.v[i].rule);
			d->rule_severity = a->findings.v[i].severity;
			break;
		}
	d->flagged = a->group_flagged && a->group_flagged[gi];
	d->wait = wait_line(doc, inc, a, g);
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, rep, &n);
	d->frame = doc->frames.len;
	for (uint32_t i = 0; i < n && i < maxf; i++) {
		struct gpm_report_dframe *df = gpm_vec_push(&doc->frames);
		if (!df) {
			doc->oom = true;
			return;
		}
		df->func = gpm_report_doc_str(doc, f[i].func);
		df->file = gpm_report_doc_str(doc, f[i].file);
		df->line = f[i].line;
		df->flags = f[i].flags & (GPM_FRAME_ELIDED | GPM_FRAME_INLINED);
		d->nframes++;
	}
	d->more_frames = n > maxf ? n - maxf : 0;
	if (rep->created_by != UINT32_MAX && rep->created_by < inc->frames.len) {
		const struct gpm_frame *cb = &inc->frames.v[rep->created_by];
		d->has_creator = true;
		d->creator = gpm_report_doc_str(doc, cb->func);
		d->creator_file = gpm_report_doc_str(doc, cb->file);
		d->creator_line = cb->line;
		d->ncreators = g->ncreators;
	}
}

/* The child of parent for func (interned in the incident, so pointer-comparable); 0 when
 * the tree is full. */
static uint32_t flame_child(struct gpm_report_doc *doc, uint32_t parent, const char *func)
{
	for (uint32_t c = doc->flame.v[parent].child; c; c = doc->flame.v[c].sibling)
		if (doc->flame.v[c].func == func)
			return c;
	if (doc->flame.len >= FLAME_MAX_NODES ||
	    !gpm_vec_reserve(&doc->flame, doc->flame.len + 1)) {
		doc->flame_capped = true;
		return 0;
	}
	uint32_t c = (uint32_t)doc->flame.len++;
	doc->flame.v[c] = (struct gpm_report_fnode){
	    func, 0, parent, 0, doc->flame.v[parent].child, doc->flame.v[parent].depth + 1};
	doc->flame.v[parent].child = c;
	return c;
}

/* The groups' stacks merged root first (width = goroutines), for the flame graph. */
static void flame(struct gpm_report_doc *doc, const struct gpm_incident *inc,
                  const struct gpm_analysis *a)
{
	if (!gpm_vec_reserve(&doc->flame, 1)) {
		doc->oom = true;
		return;
	}
	doc->flame.v[0] = (struct gpm_report_fnode){0};
	doc->flame.len = 1;
	for (size_t gi = 0; gi < a->grouping.ngroups; gi++) {
		if (!shown_group(inc, a, gi))
			continue;
		const struct gpm_group *g = &a->grouping.groups[gi];
		uint32_t n;
		const struct gpm_frame *f =
		    gpm_goroutine_frames(inc, &inc->goroutines.v[g->representative], &n);
		uint32_t node = 0;
		doc->flame.v[0].count += g->count;
		// Root first: the outermost frame is the last.
		for (uint32_t i = n; i-- > 0;) {
			if (f[i].flags & GPM_FRAME_ELIDED || !f[i].func)
				continue;
			if (doc->flame.v[node].depth >= FLAME_MAX_DEPTH) {
				doc->flame_capped = true;
				break;
			}
			uint32_t c = flame_child(doc, node, f[i].func);
			if (!c)
				break;
			doc->flame.v[c].count += g->count;
			node = c;
		}
	}
	if (!doc->flame.v[0].count) {
		doc->flame.len = 0;
		return;
	}
	// The tree is whole: the names become the document's own.
	for (size_t i = 1; i < doc->flame.len; i++)
		doc->flame.v[i].func = gpm_report_doc_str(doc, doc->flame.v[i].func);
}

bool gpm_report_doc_link_flame(struct gpm_report_doc *doc)
{
	for (size_t i = 0; i < doc->flame.len; i++)
		doc->flame.v[i].child = doc->flame.v[i].sibling = 0;
	for (uint32_t i = 1; i < doc->flame.len; i++) {
		uint32_t p = doc->flame.v[i].parent;
		if (p >= i)
			return false;
		doc->flame.v[i].sibling = doc->flame.v[p].child;
		doc->flame.v[p].child = i;
		doc->flame.v[i].depth = doc->flame.v[p].depth + 1;
	}
	if (doc->flame.len)
		doc->flame.v[0].depth = 0;
	return true;
}

static const char *level_name(enum gpm_group_level l)
{
	return l == GPM_GROUP_EXACT     ? "exact"
	       : l == GPM_GROUP_NO_ARGS ? "ignoring argument values"
	                                : "ignoring arguments and line numbers";
}

struct gpm_error *gpm_report_doc_build(struct gpm_report_doc *doc, const struct gpm_incident *inc,
                                       const struct gpm_analysis *a,
                                       const struct gpm_report_options *o)
{
	static const struct gpm_report_options defaults;
	o = o ? o : &defaults;
	memset(doc, 0, sizeof(*doc));
	doc->source_name = gpm_report_doc_str(doc, inc->source_name);
	findings(doc, a);
	process_facts(doc, inc, a);
	doc->goroutines = a->goroutines;
	doc->system = a->system;
	doc->ngroups = a->grouping.ngroups;
	doc->level = level_name(a->grouping.level);
	doc->heap_known = inc->heap_known;
	doc->heap_bytes = inc->heap_bytes;
	doc->heap_objects = inc->heap_objects;
	doc->heap_inuse = inc->heap_inuse;
	for (unsigned i = 0; inc->heap_known && i < inc->nheap_holders; i++) {
		struct gpm_report_dholder *h = gpm_vec_push(&doc->holders);
		if (!h) {
			doc->oom = true;
			break;
		}
		h->bytes = inc->heap_holders[i].bytes;
		h->objects = inc->heap_holders[i].objects;
		h->what = gpm_report_doc_str(doc, inc->heap_holders[i].what);
		h->path = gpm_report_doc_str(doc, inc->heap_holders[i].path);
	}
	unsigned maxg = o->max_groups ? o->max_groups : 12;
	unsigned maxf = o->max_frames ? o->max_frames : 16;
	for (size_t i = 0; i < a->grouping.ngroups; i++) {
		if (!shown_group(inc, a, a->order[i]))
			continue;
		doc->shown_groups++;
		if (doc->groups.len < maxg)
			group(doc, inc, a, a->order[i], maxf);
	}
	flame(doc, inc, a);
	for (size_t i = 0; i < a->states.len; i++) {
		struct gpm_report_dstate *s = gpm_vec_push(&doc->states);
		if (!s) {
			doc->oom = true;
			break;
		}
		s->state = gpm_report_doc_str(doc, a->states.v[i].state);
		s->count = a->states.v[i].count;
	}
	return doc->oom ? &gpm_error_nomem : NULL;
}

size_t gpm_report_doc_cut(struct gpm_report_doc *doc, unsigned max_groups)
{
	size_t had = doc->groups.len;
	size_t maxg = max_groups ? max_groups : 12;
	if (doc->groups.len > maxg)
		doc->groups.len = maxg;
	return had;
}
