/*
 * gopm rules: the finding rules of src/analysis/rules.def, as a table or JSON. The same
 * list is the catalogue doc/findings.md (tests/cli/rules.sh checks they agree).
 */
#include <stdio.h>
#include <string.h>

#include "analysis/analysis.h"
#include "base/json.h"
#include "base/strbuf.h"
#include "cli/cli.h"

static int rules_usage(void)
{
	printf("usage: gopm rules [--json] [FAMILY]\n\n"
	       "List the rules findings come from: id, family, default severity and confidence,\n"
	       "and what each one finds. doc/findings.md says what evidence each needs and its\n"
	       "known false positives.\n\n"
	       "  --json   one JSON array of {id, family, severity, confidence, summary}\n"
	       "  FAMILY   only that family: crash, locks, channels, population, runtime,\n"
	       "           snapshot\n");
	return GPM_EXIT_OK;
}

int gpm_cmd_rules(int argc, char **argv)
{
	bool json = false;
	const char *family = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return rules_usage();
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (argv[i][0] == '-' && argv[i][1])
			return gpm_cli_usage("rules", "unknown option '%s'", argv[i]);
		else if (!family)
			family = argv[i];
		else
			return gpm_cli_usage("rules", "one family only");
	}
	bool known = !family;
	for (size_t i = 0; i < GPM_RULE_COUNT && !known; i++)
		known = !strcmp(gpm_rule_family_name(gpm_rules[i].family), family);
	if (!known)
		return gpm_cli_usage("rules", "no family '%s'", family);
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	struct gpm_json j;
	if (json) {
		gpm_json_init(&j, &sb, true);
		gpm_json_array_begin(&j);
	}
	for (size_t i = 0; i < GPM_RULE_COUNT; i++) {
		const struct gpm_rule *r = &gpm_rules[i];
		const char *fam = gpm_rule_family_name(r->family);
		if (family && strcmp(fam, family))
			continue;
		if (json) {
			gpm_json_object_begin(&j);
			gpm_json_kv_string(&j, "id", r->id);
			gpm_json_kv_string(&j, "family", fam);
			gpm_json_kv_string(&j, "severity", gpm_severity_name(r->severity));
			gpm_json_kv_string(&j, "confidence", gpm_confidence_name(r->confidence));
			gpm_json_kv_string(&j, "summary", r->summary);
			gpm_json_object_end(&j);
		} else {
			gpm_strbuf_printf(&sb, "%-26s %-10s %-8s %-9s %s\n", r->id, fam,
			                  gpm_severity_name(r->severity),
			                  gpm_confidence_name(r->confidence), r->summary);
		}
	}
	if (json) {
		gpm_json_array_end(&j);
		gpm_strbuf_putc(&sb, '\n');
	}
	bool ok = gpm_cli_write(sb.buf ? sb.buf : "", sb.len);
	gpm_strbuf_deinit(&sb);
	return ok ? GPM_EXIT_OK : GPM_EXIT_INTERNAL;
}
