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
#include "cli/options.h"

enum { OPT_JSON = 1 };

static const struct gpm_option options[] = {
    {"json", 0, NULL,
     "one JSON document whose \"rules\" are {id, family, severity,\n"
     "confidence, summary}",
     OPT_JSON, NULL},
    {NULL, 0, NULL, NULL, 0, NULL},
};

const struct gpm_command_spec gpm_spec_rules = {
    .name = "rules",
    .operands = "[FAMILY]",
    .about = "List the rules findings come from: id, family, default severity and confidence,\n"
             "and what each one finds. doc/findings.md says what evidence each needs and its\n"
             "known false positives. FAMILY is one of crash, locks, channels, population,\n"
             "runtime, snapshot.",
    .options = options,
};

int gpm_cmd_rules(int argc, char **argv)
{
	bool json = false;
	const char *family = NULL;
	struct gpm_opts o;
	const char *v;
	int opt;
	gpm_opts_begin(&o, &gpm_spec_rules, argc, argv);
	while ((opt = gpm_opts_next(&o, &v)) > 0)
		if (opt == OPT_JSON)
			json = true;
	if (opt < 0)
		return o.status;
	if (gpm_opts_noperands(&o) > 1)
		return gpm_cli_usage("rules", "one family only");
	if (gpm_opts_noperands(&o))
		family = gpm_opts_operands(&o)[0];
	bool known = !family;
	for (size_t i = 0; i < GPM_RULE_COUNT && !known; i++)
		known = !strcmp(gpm_rule_family_name(gpm_rules[i].family), family);
	if (!known)
		return gpm_cli_usage("rules", "no family '%s'", family);
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	struct gpm_json j;
	if (json) {
		gpm_json_init(&j, &sb, true);
		gpm_json_document_begin(&j, "rules");
		gpm_json_key(&j, "rules");
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
		gpm_json_object_end(&j);
	}
	struct gpm_error *err = gpm_strbuf_error(&sb);
	if (!err)
		gpm_cli_write(sb.buf ? sb.buf : "", sb.len); // a write error is reported by main
	gpm_strbuf_deinit(&sb);
	return err ? gpm_cli_fail(err) : GPM_EXIT_OK;
}
