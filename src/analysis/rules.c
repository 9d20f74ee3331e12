/* The rule table (rules.def): ids, families, default severities and summaries; the rules
 * reading of argument words. */
#include <string.h>

#include "analysis/analysis.h"
#include "analysis/rules.h"

const struct gpm_rule gpm_rules[GPM_RULE_COUNT] = {
#define GPM_RULE(name, id, family, severity, confidence, summary)                                  \
	[GPM_RULE_##name] = {id, GPM_FAMILY_##family, GPM_SEVERITY_##severity,                     \
	                     GPM_CONFIDENCE_##confidence, summary},
#include "analysis/rules.def"
#undef GPM_RULE
};

const struct gpm_rule *gpm_rule_find(const char *id)
{
	for (size_t i = 0; id && i < GPM_RULE_COUNT; i++)
		if (!strcmp(gpm_rules[i].id, id))
			return &gpm_rules[i];
	return NULL;
}

const char *gpm_rule_family_name(enum gpm_rule_family f)
{
	static const char *const n[] = {"crash",      "locks",   "channels",
	                                "population", "runtime", "snapshot"};
	return (size_t)f < sizeof(n) / sizeof(n[0]) ? n[f] : "?";
}

bool gpm_rule_frame_word(const struct gpm_incident *inc, const struct gpm_goroutine *g, uint32_t i,
                         uint64_t *out)
{
	const uint64_t *v;
	const uint32_t *meta;
	size_t n;
	if (gpm_goroutine_arg_words(inc, g, &v, &meta, &n)) {
		for (size_t k = 0; k < n; k++) {
			uint32_t f = meta[k] >> GPM_ARG_WORD_FRAME_SHIFT;
			if (f > i)
				break;
			if (f == i && (meta[k] & GPM_ARG_WORD_FIRST)) {
				*out = v[k];
				return true;
			}
		}
		return false;
	}
	char abuf[1024];
	return gpm_rule_first_arg(gpm_rule_frame_args(inc, g, i, &abuf), out);
}

void gpm_rule_each_word(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                        uint32_t from, bool own_only, void (*cb)(void *, uint64_t), void *arg)
{
	const uint64_t *v;
	const uint32_t *meta;
	size_t n;
	if (gpm_goroutine_arg_words(inc, g, &v, &meta, &n)) {
		for (size_t k = 0; k < n; k++)
			if ((meta[k] & GPM_ARG_WORD_ANY) &&
			    meta[k] >> GPM_ARG_WORD_FRAME_SHIFT >= from)
				cb(arg, v[k]);
		return;
	}
	const char *a;
	size_t an;
	if (own_only) {
		// One text per frame; the walk does not stop by itself at the goroutine's end.
		struct gpm_args_iter it;
		uint32_t nf;
		gpm_goroutine_frames(inc, g, &nf);
		if (!gpm_goroutine_args_begin(inc, g, &it))
			return;
		for (uint32_t k = 0; k < nf && gpm_args_iter_next(&it, &a, &an); k++)
			if (k >= from)
				gpm_rule_each_arg(a, an < 1024 ? an : 1023, cb, arg);
		return;
	}
	struct gpm_frame_args_iter it;
	gpm_goroutine_frame_args_begin(inc, g, &it);
	while (gpm_frame_args_next(&it, &a, &an))
		if (a && it.i - 1 >= from)
			gpm_rule_each_arg(a, an < 1024 ? an : 1023, cb, arg);
}
