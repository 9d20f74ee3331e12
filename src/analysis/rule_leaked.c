/*
 * leak.detected: goroutines the Go runtime itself found leaked. From Go 1.26 (an
 * experiment; on by default in 1.27) the garbage collector's goroutine leak detection marks
 * a goroutine _Gleaked when it is blocked on a channel, mutex or condition that no running
 * goroutine can reach any more: it can never continue. A dump prints them as
 * "[chan receive (leaked)]", a core records the status, and the goroutineleak profile
 * (/debug/pprof/goroutineleak, text or protobuf) lists only them. That is proof, not a
 * heuristic: the rule reports each group of leaked goroutines, largest first, with the
 * code where they wait and who started them.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/rules.h"

enum { MAX_GROUPS = 5 }; /* findings of their own; the rest are summed in the last */

static bool is_leaked(const struct gpm_goroutine *g)
{
	return g->status == GPM_G_LEAKED &&
	       !(g->flags & (GPM_GOROUTINE_REPEAT | GPM_GOROUTINE_RUNTIME_STACK)) &&
	       gpm_goroutine_is_real(g);
}

void gpm_rule_leaked(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	const struct gpm_grouping *gr = &c->a->grouping;
	// Leaked members per group, then the largest groups first.
	uint64_t *leaked = calloc(gr->ngroups ? gr->ngroups : 1, sizeof(*leaked));
	uint32_t *order = malloc((gr->ngroups ? gr->ngroups : 1) * sizeof(*order));
	if (!leaked || !order) {
		c->oom = true;
		goto out;
	}
	uint64_t total = 0;
	size_t ngroups = 0;
	for (size_t gi = 0; gi < gr->ngroups; gi++) {
		const struct gpm_group *grp = &gr->groups[gi];
		for (uint32_t k = 0; k < grp->count; k++)
			leaked[gi] +=
			    is_leaked(&inc->goroutines.v[gr->members[grp->first_member + k]]);
		if (leaked[gi]) {
			total += leaked[gi];
			order[ngroups++] = (uint32_t)gi;
		}
	}
	if (!total)
		goto out;
	// Few groups: insertion sort by leaked count, largest first.
	for (size_t i = 1; i < ngroups; i++)
		for (size_t j = i; j > 0 && leaked[order[j]] > leaked[order[j - 1]]; j--) {
			uint32_t t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (size_t i = 0; i < ngroups && i < MAX_GROUPS; i++) {
		uint32_t gi = order[i];
		const struct gpm_group *grp = &gr->groups[gi];
		const struct gpm_goroutine *rep = NULL;
		for (uint32_t k = 0; k < grp->count && !rep; k++) {
			const struct gpm_goroutine *g =
			    &inc->goroutines.v[gr->members[grp->first_member + k]];
			if (is_leaked(g))
				rep = g;
		}
		struct gpm_finding *f = gpm_rule_finding_new(c, GPM_RULE_LEAK_DETECTED);
		if (!f)
			goto out;
		f->group = (int32_t)gi;
		for (uint32_t k = 0; k < grp->count; k++) {
			const struct gpm_goroutine *g =
			    &inc->goroutines.v[gr->members[grp->first_member + k]];
			if (is_leaked(g) && g->id)
				gpm_rule_add_id(c, f, g->id);
		}
		f->count = leaked[gi]; // profiles' records have no ids to count

		int uf = gpm_rule_first_frame(inc, rep, gpm_rule_is_plumbing);
		char *where = gpm_rule_frame_text(inc, rep, uf);
		char *creator = gpm_rule_creator_text(inc, rep);
		// The wait as the runtime names it, without the " (leaked)" a dump adds; none
		// when the input does not say (a debug=1 profile).
		const char *st = grp->state ? grp->state : "unknown";
		size_t stn = strlen(st);
		if (stn > 9 && !strcmp(st + stn - 9, " (leaked)"))
			stn -= 9;
		bool known = strcmp(st, "unknown") != 0;
		char *state = gpm_safe_strndup(st, stn);
		gpm_rule_text(c, &f->title, "%" PRIu64 " goroutine%s leaked in %s%s%s%s",
		              leaked[gi], leaked[gi] == 1 ? "" : "s", where ? where : "?",
		              known ? " (" : "", known && state ? state : "", known ? ")" : "");
		gpm_rule_text(c, &f->explanation,
		              "The Go runtime's leak detection found %s blocked on something no "
		              "running goroutine can reach any more: %s can never continue, and "
		              "%s memory is never freed.",
		              leaked[gi] == 1 ? "this goroutine" : "these goroutines",
		              leaked[gi] == 1 ? "it" : "they", leaked[gi] == 1 ? "its" : "their");
		gpm_rule_text(c, &f->next,
		              "Find who should have sent, closed or unlocked what %s waits on "
		              "(usually the creator returned early on an error or a timeout).",
		              where ? where : "the top user frame");
		gpm_rule_evidence(c, f, "runtime",
		                  "%" PRIu64 " of %u goroutine%s of this stack "
		                  "in status leaked%s",
		                  leaked[gi], grp->count, grp->count == 1 ? "" : "s",
		                  inc->leak_profile ? " (a goroutineleak profile)" : "");
		if (known)
			gpm_rule_evidence(c, f, "waits", "%s in %s", state ? state : "?",
			                  where ? where : "?");
		else
			gpm_rule_evidence(c, f, "waits", "in %s (the profile does not say on what)",
			                  where ? where : "?");
		if (creator)
			gpm_rule_evidence(c, f, "created by", "%s", creator);
		free(where);
		free(creator);
		free(state);
	}
	if (ngroups > MAX_GROUPS) {
		uint64_t rest = 0;
		for (size_t i = MAX_GROUPS; i < ngroups; i++)
			rest += leaked[order[i]];
		struct gpm_finding *f = &c->a->findings.v[c->a->findings.len - 1];
		gpm_rule_evidence(c, f, "more", "%" PRIu64 " leaked goroutines in %zu other groups",
		                  rest, ngroups - MAX_GROUPS);
	}
out:
	free(leaked);
	free(order);
}
