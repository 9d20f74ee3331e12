/*
 * context.not-propagated: request handlers waiting minutes in a select. A select in a
 * request path (under net/http's serving goroutine or a gRPC handler) that has no case for
 * the request's context outlives its request: the client gives up, the handler waits on.
 * A waiting select of the program's own code for a minute or more under such frames is
 * that shape; whether one of its cases is <-ctx.Done() is not visible in a goroutine dump
 * (nor read from a core's select cases yet), so the finding is LOW and HEURISTIC and says
 * what to check. Long polls and watches legitimately wait in a select with ctx.Done().
 * Works over goroutine groups (one stack each): linear in the goroutines.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/rules.h"
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
		gpm_rule_text(c, &f->title,
		              "%u request %s waiting %" PRId64 "+ minutes in select in %s: is the "
		              "request's context one of its cases?",
		              grp->count, grp->count == 1 ? "handler" : "handlers",
		              grp->max_minutes, where ? where : "?");
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
		gpm_rule_evidence(
		    c, f, "checked",
		    "the select is the program's code in a request path; its cases "
		    "are not known (%s), so whether one is the context's is not checked",
		    inc->kind == GPM_INPUT_CORE ? "the core's select cases are not read"
		                                : "a goroutine dump does not print them");
		free(where);
	}
	if (more && nf) {
		struct gpm_finding *f = &c->a->findings.v[c->a->findings.len - 1];
		gpm_rule_evidence(c, f, "more", "%" PRIu64 " goroutines in other groups", more);
	}
}
