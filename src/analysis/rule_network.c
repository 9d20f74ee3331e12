/*
 * net.no-deadline: requests blocked on network I/O for minutes without a deadline. From
 * text: a goroutine of the program's own code waiting a minute or more for an HTTP
 * response (net/http.(*persistConn).roundTrip or HTTP/2's RoundTrip: the http.Client has no
 * Timeout, as the default client) or in IO wait in net.(*conn).Read under net/http (a
 * handler reading a request body with no ReadTimeout). Idle keep-alive connections (a
 * server's readRequest, a client's readLoop) carry no frame of the program and are not
 * requests: they stay quiet, and so do the per-connection readers of other protocols.
 * Works over goroutine groups (one stack each): linear in the goroutines.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/rules.h"
#include "model/frameclass.h"

enum { MAX_SITES = 5 }; /* findings of their own; more are counted in the last */

static bool is_round_trip(const char *fn)
{
	return fn && (!strcmp(fn, "net/http.(*persistConn).roundTrip") ||
	              !strcmp(fn, "net/http.(*http2ClientConn).RoundTrip") ||
	              !strcmp(fn, "golang.org/x/net/http2.(*ClientConn).RoundTrip"));
}

/* What the group's stack waits in without a deadline: "response" (an HTTP round trip),
 * "read" (a read of a net.Conn under net/http), NULL neither. */
static const char *no_deadline_wait(const struct gpm_incident *inc, const struct gpm_group *grp,
                                    const struct gpm_goroutine *g)
{
	if (g->status != GPM_G_WAITING || grp->max_minutes < 1)
		return NULL;
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	bool conn_read = false, http = false, user = false;
	for (uint32_t i = 0; i < n; i++) {
		const char *fn = f[i].func;
		if (!fn)
			continue;
		if (is_round_trip(fn))
			return "response";
		conn_read |= !strcmp(fn, "net.(*conn).Read");
		http |= !strncmp(fn, "net/http.", 9);
		user |= gpm_frame_class_is_user(gpm_frame_classify(fn, inc->main_module)) != 0;
	}
	return conn_read && http && user && g->state && !strncmp(g->state, "IO wait", 7) ? "read"
	                                                                                 : NULL;
}

void gpm_rule_net_deadline(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	const struct gpm_grouping *gr = &c->a->grouping;
	size_t nf = 0;
	uint64_t more = 0;
	for (size_t gi = 0; gi < gr->ngroups; gi++) {
		const struct gpm_group *grp = &gr->groups[gi];
		const struct gpm_goroutine *rep = &inc->goroutines.v[grp->representative];
		const char *what = no_deadline_wait(inc, grp, rep);
		if (!what)
			continue;
		// Only the program's own requests: a user frame must have made the call.
		int uf = gpm_rule_first_frame(inc, rep, gpm_rule_is_plumbing);
		if (uf < 0)
			continue;
		uint32_t n;
		const struct gpm_frame *fr = gpm_goroutine_frames(inc, rep, &n);
		if (!gpm_frame_class_is_user(gpm_frame_classify(fr[uf].func, inc->main_module))) {
			// net/http's own frames (a server's connection loop) are not the caller.
			int k = uf;
			while ((uint32_t)k < n && !gpm_frame_class_is_user(gpm_frame_classify(
			                              fr[k].func, inc->main_module)))
				k++;
			if ((uint32_t)k >= n)
				continue;
			uf = k;
		}
		if (nf == MAX_SITES) {
			more += grp->count;
			continue;
		}
		struct gpm_finding *f = gpm_rule_group_finding(c, GPM_RULE_NET_NO_DEADLINE, gi);
		if (!f)
			return;
		nf++;
		char *where = gpm_rule_frame_text(inc, rep, uf);
		char *creator = gpm_rule_creator_text(inc, rep);
		bool resp = !strcmp(what, "response");
		gpm_rule_text(c, &f->title,
		              "%u %s blocked %" PRId64
		              "+ minutes on the network without a deadline "
		              "in %s",
		              grp->count,
		              resp ? (grp->count == 1 ? "HTTP request" : "HTTP requests")
		                   : (grp->count == 1 ? "request body read" : "request body reads"),
		              grp->max_minutes, where ? where : "?");
		gpm_rule_text(c, &f->explanation,
		              resp
		                  ? "These goroutines wait for an HTTP response that has not come "
		                    "for minutes: the http.Client has no Timeout (the default "
		                    "client has none) and the request's context no deadline, so a "
		                    "peer that never answers holds them forever."
		                  : "These goroutines read from a connection for minutes inside an "
		                    "HTTP handler: the server has no ReadTimeout and the read no "
		                    "deadline, so a slow or silent peer holds them forever.");
		gpm_rule_text(
		    c, &f->next,
		    resp ? "Give the client a Timeout (or the request a context with a "
		           "deadline) in %s."
		         : "Set the http.Server's ReadTimeout/ReadHeaderTimeout, or a read "
		           "deadline on the connection, for %s.",
		    where ? where : "the caller");
		gpm_rule_evidence(
		    c, f, "waits", "%s [%s, %" PRId64 "%s minutes] in %s",
		    resp ? "for the response of a round trip"
		         : "in net.(*conn).Read under net/http",
		    rep->state ? rep->state : "?", grp->max_minutes,
		    grp->min_minutes >= 0 && grp->min_minutes != grp->max_minutes ? " at most" : "",
		    where ? where : "?");
		gpm_rule_evidence(c, f, "checked",
		                  "the caller is the program's code, not an idle keep-alive "
		                  "connection (no deadline shows in a text dump: the wait has "
		                  "outlasted any timeout under a minute)");
		if (creator)
			gpm_rule_evidence(c, f, "created by", "%s", creator);
		free(where);
		free(creator);
	}
	if (more && nf) {
		struct gpm_finding *f = &c->a->findings.v[c->a->findings.len - 1];
		gpm_rule_evidence(c, f, "more", "%" PRIu64 " goroutines in other groups", more);
	}
}
