/* The rule table (rules.def): ids, families, default severities and summaries. */
#include <string.h>

#include "analysis/analysis.h"

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
