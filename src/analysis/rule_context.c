/*
 * context.not-propagated: request handlers waiting minutes in a select. A select in a
 * request path (under net/http's serving goroutine or a gRPC handler) that has no case for
 * the request's context outlives its request: the client gives up, the handler waits on.
 * A waiting select of the program's own code for a minute or more under such frames is
 * that shape; whether one of its cases is <-ctx.Done() is not visible in a goroutine dump,
 * so from text the finding is LOW and HEURISTIC and says what to check. A core shows the
 * select's cases (src/goroutines/corefacts.c): when none of its channels is a chan
 * struct{} (what ctx.Done() returns) no case can be a context's, and the finding is
 * MEDIUM and LIKELY; when one of them is the done channel of a context in the handler's
 * frames, the select does watch its context and nothing is said. Long polls and watches
 * legitimately wait in a select with ctx.Done().
 * Works over goroutine groups (one stack each): linear in the goroutines.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/rules.h"
#include "base/strbuf.h"
#include "model/frameclass.h"

enum { MAX_SITES = 5 }; /* findings of their own; more are counted in the last */

/* The serving frame of a request path: net/http's connection goroutine or a gRPC
 * handler's; NULL when fn is none. */
static const char *request_path(const char *fn)
{
	static const char *const frames[] = {
	    "net/http.(*conn).serve",
	    "net/http.serverHandler.ServeHTTP",
	    "net/http.(*http2serverConn).runHandler",
	    "golang.org/x/net/http2.(*serverConn).runHandler",
	    "google.golang.org/grpc.(*Server).processUnaryRPC",
	    "google.golang.org/grpc.(*Server).processStreamingRPC",
	    "google.golang.org/grpc.(*Server).handleStream",
	};
	for (size_t i = 0; fn && i < sizeof(frames) / sizeof(frames[0]); i++)
		if (!strcmp(fn, frames[i]))
			return frames[i];
	return NULL;
}

const struct gpm_goroutine_extra *gpm_rule_select_cases(const struct gpm_rule_ctx *c, size_t gi)
{
	const struct gpm_incident *inc = c->inc;
	const struct gpm_grouping *gr = &c->a->grouping;
	const struct gpm_group *grp = &gr->groups[gi];
	// The first members are enough: the core reads one goroutine of each distinct stack.
	for (uint32_t k = 0; k < grp->count && k < 64; k++) {
		uint32_t m = gr->members[grp->first_member + k];
		const struct gpm_goroutine_extra *x =
		    gpm_goroutine_extra(inc, &inc->goroutines.v[m]);
		if (x->ncases && x->first_case + (uint64_t)x->ncases <= inc->select_cases.len)
			return x;
	}
	return NULL;
}

/* Whether a case's channel may be a context's done channel (a chan struct{}, or of an
 * unknown element type). */
static bool maybe_done(const struct gpm_select_case *cs)
{
	return !cs->elem_type || !strcmp(cs->elem_type, "struct {}");
}

char *gpm_rule_cases_text(const struct gpm_incident *inc, const struct gpm_goroutine_extra *x)
{
	struct gpm_strbuf sb = {0};
	for (uint32_t k = 0; k < x->ncases && k < 8; k++) {
		const struct gpm_select_case *cs = &inc->select_cases.v[x->first_case + k];
		char *t = gpm_rule_safe(cs->elem_type ? cs->elem_type : "?");
		char *g = cs->global ? gpm_rule_safe(cs->global) : NULL;
		if (g)
			gpm_strbuf_printf(&sb, "%s%s (chan %s)", k ? ", " : "", g, t ? t : "?");
		else
			gpm_strbuf_printf(&sb, "%schan %s %#" PRIx64, k ? ", " : "", t ? t : "?",
			                  cs->chan);
		if (cs->ctx_done)
			gpm_strbuf_printf(&sb, " = ctx.Done()");
		if (cs->timer)
			gpm_strbuf_printf(&sb, " (a pending timer's)");
		free(t);
		free(g);
	}
	if (x->ncases > 8)
		gpm_strbuf_printf(&sb, ", %" PRIu32 " more", x->ncases - 8);
	if (!x->cases_complete)
		gpm_strbuf_printf(&sb, " (not all read)");
	return gpm_strbuf_detach(&sb);
}

void gpm_rule_context(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	const struct gpm_grouping *gr = &c->a->grouping;
	size_t nf = 0;
	uint64_t more = 0;
	for (size_t gi = 0; gi < gr->ngroups && !c->oom; gi++) {
		const struct gpm_group *grp = &gr->groups[gi];
		const struct gpm_goroutine *rep = &inc->goroutines.v[grp->representative];
		if (rep->status != GPM_G_WAITING || grp->max_minutes < 1 || !rep->state ||
		    strcmp(rep->state, "select") || !gpm_rule_counted(rep))
			continue;
		uint32_t n;
		const struct gpm_frame *fr = gpm_goroutine_frames(inc, rep, &n);
		const char *path = NULL;
		for (uint32_t i = 0; i < n && !path; i++)
			path = request_path(fr[i].func);
		// The select is the program's own: its first frame past the runtime's.
		int uf = gpm_rule_first_frame(inc, rep, gpm_rule_is_plumbing);
		if (!path || uf < 0 ||
		    !gpm_frame_class_is_user(gpm_frame_classify(fr[uf].func, inc->main_module)))
			continue;
		// The core's cases: a case on a context's done channel is the healthy shape; no
		// chan struct{} among all of them is proof none is a context's.
		const struct gpm_goroutine_extra *x = gpm_rule_select_cases(c, gi);
		bool watched = false, proof = x && x->cases_complete;
		for (uint32_t k = 0; x && k < x->ncases; k++) {
			const struct gpm_select_case *cs = &inc->select_cases.v[x->first_case + k];
			watched |= cs->ctx_done;
			proof &= !maybe_done(cs);
		}
		if (watched)
			continue;
		if (nf == MAX_SITES) {
			more += grp->count;
			continue;
		}
		struct gpm_finding *f =
		    gpm_rule_group_finding(c, GPM_RULE_CONTEXT_NOT_PROPAGATED, gi);
		if (!f)
			return;
		nf++;
		char *where = gpm_rule_frame_text(inc, rep, uf);
		if (proof) {
			f->severity = GPM_SEVERITY_MEDIUM;
			f->confidence = GPM_CONFIDENCE_LIKELY;
			gpm_rule_text(c, &f->title,
			              "%u request %s waiting %" PRId64 "+ minutes in select in %s "
			              "with no ctx.Done() case",
			              grp->count, grp->count == 1 ? "handler" : "handlers",
			              grp->max_minutes, where ? where : "?");
		} else {
			gpm_rule_text(c, &f->title,
			              "%u request %s waiting %" PRId64 "+ minutes in select in %s: "
			              "is the request's context one of its cases?",
			              grp->count, grp->count == 1 ? "handler" : "handlers",
			              grp->max_minutes, where ? where : "?");
		}
		gpm_rule_text(c, &f->explanation,
		              "These goroutines serve requests and have waited in a select for "
		              "minutes. A select in a request path without a <-ctx.Done() case "
		              "(the request's context) keeps waiting after the client has gone: "
		              "each abandoned request leaves a goroutine and what it holds. A long "
		              "poll or watch that does select on the context is healthy.");
		gpm_rule_text(c, &f->next,
		              "Check the select in %s: add a case <-r.Context().Done() (or the "
		              "handler's ctx) and return when it fires; pass the context down to "
		              "what it waits for.",
		              where ? where : "the handler");
		gpm_rule_evidence(
		    c, f, "waits", "[select, %" PRId64 "%s minutes] in %s", grp->max_minutes,
		    grp->min_minutes >= 0 && grp->min_minutes != grp->max_minutes ? " at most" : "",
		    where ? where : "?");
		gpm_rule_evidence(c, f, "request path", "under %s", path);
		if (x) {
			char *cases = gpm_rule_cases_text(inc, x);
			gpm_rule_evidence(c, f, "select cases", "%s", cases ? cases : "?");
			free(cases);
			if (x->contexts)
				gpm_rule_evidence(
				    c, f, "contexts",
				    "%u in its frames (%u of them with no done channel yet: "
				    "Done() never called); no done channel of theirs is a case",
				    x->contexts, x->contexts_without_done);
		}
		if (proof)
			gpm_rule_evidence(
			    c, f, "checked",
			    "every case of the select was read from the core; none is a "
			    "chan struct{} (what ctx.Done() returns), so none is a "
			    "context's done channel");
		else if (x)
			gpm_rule_evidence(
			    c, f, "checked",
			    "the select's cases were read from the core; a chan struct{} "
			    "among them may be a context's done channel (not one of a "
			    "context found in its frames)%s",
			    x->cases_complete ? "" : "; not every case was read");
		else
			gpm_rule_evidence(
			    c, f, "checked",
			    "the select is the program's code in a request path; its cases "
			    "are not known (%s), so whether one is the context's is not checked",
			    inc->kind == GPM_INPUT_CORE ? "the core did not show them"
			                                : "a goroutine dump does not print them");
		free(where);
	}
	if (more && nf) {
		struct gpm_finding *f = &c->a->findings.v[c->a->findings.len - 1];
		gpm_rule_evidence(c, f, "more", "%" PRIu64 " goroutines in other groups", more);
	}
}
