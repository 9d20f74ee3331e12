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

/* A gRPC client call waiting for the server's response headers: grpc-go's
 * transport.(*Stream).waitOnHeader (Header before v1.21), vendored or not. A server
 * answers with headers when it starts to reply, so a call waiting minutes there has had
 * no answer at all: with a deadline it would have ended. */
static bool is_grpc_header_wait(const char *fn)
{
	const char *p = fn ? strstr(fn, "google.golang.org/grpc/") : NULL;
	if (!p)
		return false;
	size_t n = strlen(fn);
	static const char *const ends[] = {"transport.(*Stream).waitOnHeader",
	                                   "transport.(*Stream).Header"};
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		size_t k = strlen(ends[i]);
		if (n > k && !strcmp(fn + n - k, ends[i]) && fn[n - k - 1] == '/')
			return true;
	}
	return false;
}

static bool is_grpc(const char *fn)
{
	return fn && strstr(fn, "google.golang.org/grpc");
}

/* What the group's stack waits in without a deadline: "response" (an HTTP round trip),
 * "read" (a read of a net.Conn under net/http), "grpc" (a gRPC call waiting for its
 * response headers), NULL none. */
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
		if (i < 4 && is_grpc_header_wait(fn))
			return "grpc";
		conn_read |= !strcmp(fn, "net.(*conn).Read");
		http |= !strncmp(fn, "net/http.", 9);
		user |= gpm_frame_class_is_user(gpm_frame_classify(fn, inc->main_module)) != 0;
	}
	return conn_read && http && user && g->state && !strncmp(g->state, "IO wait", 7) ? "read"
	                                                                                 : NULL;
}

/* The evidence both kinds of finding give: what the group waits for and how long
 * ("waits": WHAT [state, N minutes] in WHERE), what was checked (CHECKED, then why no
 * deadline can show in a text dump) and who created the goroutines. */
static void wait_evidence(struct gpm_rule_ctx *c, struct gpm_finding *f,
                          const struct gpm_group *grp, const struct gpm_goroutine *rep,
                          const char *what, const char *where, const char *checked,
                          const char *creator)
{
	gpm_rule_evidence(
	    c, f, "waits", "%s [%s, %" PRId64 "%s minutes] in %s", what,
	    rep->state ? rep->state : "?", grp->max_minutes,
	    grp->min_minutes >= 0 && grp->min_minutes != grp->max_minutes ? " at most" : "", where);
	gpm_rule_evidence(c, f, "checked",
	                  "%s (no deadline shows in a text dump: the wait has outlasted any "
	                  "timeout under a minute)",
	                  checked);
	if (creator)
		gpm_rule_evidence(c, f, "created by", "%s", creator);
}

static void grpc_finding(struct gpm_rule_ctx *c, struct gpm_finding *f, const struct gpm_group *grp,
                         const struct gpm_goroutine *rep, const char *where, const char *creator)
{
	const char *w = where ? where : "a caller cut from the paste";
	gpm_rule_text(c, &f->title,
	              "%u gRPC call%s blocked %" PRId64 "+ minute%s waiting for the server's "
	              "response headers, without a deadline, in %s",
	              grp->count, grp->count == 1 ? "" : "s", grp->max_minutes,
	              grp->max_minutes == 1 ? "" : "s", w);
	gpm_rule_text(c, &f->explanation,
	              "These goroutines are gRPC client calls waiting in "
	              "transport.(*Stream).waitOnHeader: the server has not even begun to answer "
	              "for minutes. A call whose context has a deadline (context.WithTimeout) "
	              "ends with DeadlineExceeded instead; without one, a server that is stuck, "
	              "overloaded or gone behind a silent connection holds the caller forever.");
	gpm_rule_text(c, &f->next,
	              "Give the call a deadline (a context with a timeout) in %s, and enable "
	              "keepalive on the client connection so a dead peer is noticed; then see "
	              "why the server does not answer.",
	              w);
	wait_evidence(c, f, grp, rep, "for response headers", w,
	              "a client call (grpc-go's waitOnHeader at the top of the stack), not a "
	              "server's stream",
	              creator);
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
		bool grpc = !strcmp(what, "grpc");
		// Only the program's own requests: a user frame must have made the call.
		int uf = gpm_rule_first_frame(inc, rep, gpm_rule_is_plumbing);
		if (uf < 0)
			continue;
		uint32_t n;
		const struct gpm_frame *fr = gpm_goroutine_frames(inc, rep, &n);
		if (grpc) {
			// The caller of the gRPC client: the first frame outside grpc-go (-1: cut
			// from the paste; the call is still the program's).
			int k = 0;
			while ((uint32_t)k < n && (!fr[k].func || is_grpc(fr[k].func) ||
			                           !gpm_frame_class_is_user(gpm_frame_classify(
			                               fr[k].func, inc->main_module))))
				k++;
			uf = (uint32_t)k < n ? k : -1;
		} else if (!gpm_frame_class_is_user(
		               gpm_frame_classify(fr[uf].func, inc->main_module))) {
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
		char *where = uf >= 0 ? gpm_rule_frame_text(inc, rep, uf) : NULL;
		char *creator = gpm_rule_creator_text(inc, rep);
		bool resp = !strcmp(what, "response");
		if (grpc) {
			grpc_finding(c, f, grp, rep, where, creator);
			free(where);
			free(creator);
			continue;
		}
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
		wait_evidence(c, f, grp, rep,
		              resp ? "for the response of a round trip"
		                   : "in net.(*conn).Read under net/http",
		              where ? where : "?",
		              "the caller is the program's code, not an idle keep-alive connection",
		              creator);
		free(where);
		free(creator);
	}
	if (more && nf) {
		struct gpm_finding *f = &c->a->findings.v[c->a->findings.len - 1];
		gpm_rule_evidence(c, f, "more", "%" PRIu64 " goroutines in other groups", more);
	}
}

/*
 * net.client-conns: an http.Transport keeps one readLoop and one writeLoop goroutine per
 * open connection. A readLoop of an idle connection (or one awaiting its response) reads
 * the network (bufio Peek down to the poller); one whose response body was handed to the
 * program waits in a select until the body is read to the end or closed. Hundreds of
 * those, more than the requests in flight (goroutines in roundTrip), are response bodies
 * never closed: the connections never go back to a pool. From 200; MEDIUM, HEURISTIC (a
 * program streaming hundreds of long responses at once looks the same). Works on
 * goroutine profiles (debug=1), which print no states. One pass over the groups.
 */
static bool has_func(const struct gpm_incident *inc, const struct gpm_goroutine *g, const char *fn)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	for (uint32_t i = 0; i < n && i < 16; i++)
		if (f[i].func && !strcmp(f[i].func, fn))
			return true;
	return false;
}

void gpm_rule_net_client_conns(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	const struct gpm_grouping *gr = &c->a->grouping;
	uint64_t readers = 0, writers = 0, trips = 0;
	int64_t rgi = -1;
	for (size_t gi = 0; gi < gr->ngroups; gi++) {
		const struct gpm_group *grp = &gr->groups[gi];
		const struct gpm_goroutine *rep = &inc->goroutines.v[grp->representative];
		if (!gpm_rule_counted(rep))
			continue;
		// A readLoop reading the network (bufio Peek down to the poller) is an idle
		// connection in a pool or one awaiting its response: healthy. One in a select
		// waits for its response body to be read or closed: busy.
		if (has_func(inc, rep, "net/http.(*persistConn).readLoop") &&
		    !has_func(inc, rep, "bufio.(*Reader).Peek") &&
		    !has_func(inc, rep, "net.(*conn).Read")) {
			readers += grp->count;
			if (rgi < 0 || grp->count > gr->groups[rgi].count)
				rgi = (int64_t)gi;
		} else if (has_func(inc, rep, "net/http.(*persistConn).writeLoop")) {
			writers += grp->count;
		} else if (has_func(inc, rep, "net/http.(*persistConn).roundTrip")) {
			trips += grp->count;
		}
	}
	if (readers < 200 || readers - (trips < readers ? trips : readers) < 200)
		return;
	struct gpm_finding *f = gpm_rule_finding_new(c, GPM_RULE_NET_CLIENT_CONNS);
	if (!f)
		return;
	gpm_rule_text(c, &f->title,
	              "%" PRIu64 " HTTP client connections held by response bodies not closed "
	              "(%" PRIu64 " requests in flight)",
	              readers, trips);
	gpm_rule_text(
	    c, &f->explanation,
	    "net/http keeps a readLoop and a writeLoop goroutine per open client connection. "
	    "The readLoop of an idle connection reads the network; these wait in a select "
	    "for their response body to be read to the end or closed, with few requests "
	    "in flight: response bodies the program never closed, so the connections never "
	    "go back to a pool and pile up. Heuristic: a program streaming hundreds of long "
	    "responses at once looks the same.");
	gpm_rule_text(c, &f->next,
	              "Check that every resp.Body is closed (defer resp.Body.Close() after the "
	              "error check, also on error status codes); compare with a later "
	              "snapshot: a leak grows.");
	gpm_rule_evidence(c, f, "connections",
	                  "%" PRIu64 " goroutines in persistConn.readLoop waiting for the "
	                  "body, not reading the network; %" PRIu64 " in writeLoop",
	                  readers, writers);
	gpm_rule_evidence(c, f, "in flight",
	                  "%" PRIu64 " goroutines waiting in persistConn.roundTrip", trips);
	f->count = readers + writers;
	if (rgi >= 0)
		f->group = (int32_t)rgi;
}
