/*
 * gopm cluster ACTION ID ...: the triage workflow of one cluster (src/store/workflow.h):
 * resolve [BUILD], reopen, ignore, investigate, assign OWNER, note TEXT, link URL, and
 * show (its state and history). Every change is an event row (who: --by, else $USER).
 * Also the one-line cluster summary `show`, `clusters` and `analyze` print.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/strbuf.h"
#include "cli/archive.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "store/workflow.h"

static void put_time(struct gpm_strbuf *sb, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[32];
	if (gmtime_r(&tt, &tm) && strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		gpm_strbuf_puts(sb, buf);
	else
		gpm_strbuf_puts(sb, "?");
}

static void put_safe(struct gpm_strbuf *sb, const char *s)
{
	gpm_strbuf_append_safe(sb, s, strlen(s));
}

void gpm_cli_cluster_summary_text(const struct gpm_cluster_summary *c, struct gpm_strbuf *sb)
{
	gpm_strbuf_printf(sb, "cluster %lld: seen %lld time%s since ", (long long)c->id,
	                  (long long)c->count, c->count == 1 ? "" : "s");
	put_time(sb, c->first);
	if (c->first_build) {
		gpm_strbuf_puts(sb, ", first in build ");
		put_safe(sb, c->first_build);
	}
	gpm_strbuf_puts(sb, "; ");
	put_safe(sb, c->status);
	if (c->owner) {
		gpm_strbuf_puts(sb, " (");
		put_safe(sb, c->owner);
		gpm_strbuf_putc(sb, ')');
	}
	if (!strcmp(c->status, "resolved")) {
		if (c->resolved_build) {
			gpm_strbuf_puts(sb, " in ");
			put_safe(sb, c->resolved_build);
		}
		gpm_strbuf_puts(sb, " on ");
		put_time(sb, c->resolved_time);
	}
	if (c->regressed) {
		gpm_strbuf_puts(sb, "; **regressed**: seen again in build ");
		put_safe(sb, c->regressed);
		gpm_strbuf_puts(sb, " on ");
		put_time(sb, c->regressed_time);
	}
	if (c->notes || c->links)
		gpm_strbuf_printf(sb, "; %lld note%s, %lld link%s", (long long)c->notes,
		                  c->notes == 1 ? "" : "s", (long long)c->links,
		                  c->links == 1 ? "" : "s");
}

static const struct {
	const char *name;
	enum gpm_cluster_action action;
	int args; /* 0 none, 1 one optional, 2 one required */
} actions[] = {
    {"resolve", GPM_CLUSTER_RESOLVE, 1}, {"reopen", GPM_CLUSTER_REOPEN, 0},
    {"ignore", GPM_CLUSTER_IGNORE, 0},   {"investigate", GPM_CLUSTER_INVESTIGATE, 0},
    {"assign", GPM_CLUSTER_ASSIGN, 2},   {"note", GPM_CLUSTER_NOTE, 2},
    {"link", GPM_CLUSTER_LINK, 2},
};

enum { OPT_DB = 1, OPT_BY };

static const struct gpm_option options[] = {
    {"by", 0, "WHO", "who makes the change (default $USER)", OPT_BY, NULL},
    {"db", 0, "PATH", "the archive (default $XDG_DATA_HOME/gopm/archive.db)", OPT_DB, "file"},
    {0},
};

const struct gpm_command_spec gpm_spec_cluster = {
    .name = "cluster",
    .operands = "ACTION ID [VALUE]",
    .about = "The triage workflow of a cluster; every change is kept as an event.\n\n"
             "  resolve ID [BUILD]  resolved (in BUILD: an incident of a later build is a\n"
             "                      regression; without BUILD, one that crashed later)\n"
             "  reopen ID           back to investigating (new when nobody owns it)\n"
             "  ignore ID           not worth fixing\n"
             "  investigate ID      someone is on it\n"
             "  assign ID OWNER     owner ('' for nobody); a new cluster becomes investigating\n"
             "  note ID TEXT        a note\n"
             "  link ID URL         a link (a ticket)\n"
             "  show ID             state and history",
    .options = options,
};

static bool parse_cluster_id(const char *s, int64_t *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*end || end == s || v <= 0)
		return false;
	*out = v;
	return true;
}

static int show(struct gpm_store *st, int64_t id)
{
	struct gpm_cluster_summary c;
	struct gpm_error *err = gpm_store_cluster_summary(st, id, &c);
	if (err)
		return gpm_cli_fail(err);
	struct gpm_store_table ev;
	if ((err = gpm_store_cluster_events(st, id, &ev))) {
		gpm_cluster_summary_deinit(&c);
		return gpm_cli_fail(err);
	}
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_cli_cluster_summary_text(&c, &sb);
	gpm_strbuf_putc(&sb, '\n');
	for (size_t r = 0; r < ev.nrows; r++) {
		for (size_t k = 0; k < ev.ncols; k++) {
			const char *v = gpm_store_cell(&ev, r, k);
			gpm_strbuf_puts(&sb, k ? "  " : "");
			put_safe(&sb, v ? v : "-");
		}
		gpm_strbuf_putc(&sb, '\n');
	}
	gpm_store_table_deinit(&ev);
	gpm_cluster_summary_deinit(&c);
	int status = GPM_EXIT_OK;
	if ((err = gpm_strbuf_error(&sb)))
		status = gpm_cli_fail(err);
	else
		gpm_cli_write(sb.buf, sb.len); // main reports a write error
	gpm_strbuf_deinit(&sb);
	return status;
}

int gpm_cmd_cluster(int argc, char **argv)
{
	const char *db = NULL, *by = NULL, *words[4] = {0};
	struct gpm_opts o;
	const char *v;
	int opt;
	gpm_opts_begin(&o, &gpm_spec_cluster, argc, argv);
	while ((opt = gpm_opts_next(&o, &v)) > 0)
		*(opt == OPT_DB ? &db : &by) = v;
	if (opt < 0)
		return o.status;
	size_t nwords = (size_t)gpm_opts_noperands(&o);
	if (nwords > 3)
		return gpm_cli_usage("cluster", "unexpected argument '%s' (quote a note)",
		                     gpm_opts_operands(&o)[3]);
	for (size_t i = 0; i < nwords; i++)
		words[i] = gpm_opts_operands(&o)[i];
	if (nwords < 2)
		return gpm_cli_usage("cluster", "missing ACTION and cluster ID");
	int64_t id;
	if (!parse_cluster_id(words[1], &id))
		return gpm_cli_usage("cluster", "bad cluster id '%s'", words[1]);
	bool is_show = !strcmp(words[0], "show");
	size_t k = 0;
	while (!is_show && k < sizeof(actions) / sizeof(actions[0]) &&
	       strcmp(actions[k].name, words[0]))
		k++;
	if (!is_show && k == sizeof(actions) / sizeof(actions[0]))
		return gpm_cli_usage("cluster", "unknown action '%s'", words[0]);
	if (!is_show && actions[k].args == 2 && nwords < 3)
		return gpm_cli_usage("cluster", "%s needs a value", words[0]);
	if ((is_show || actions[k].args == 0) && nwords > 2)
		return gpm_cli_usage("cluster", "%s takes no value", words[0]);
	struct gpm_store *st;
	struct gpm_error *err = gpm_ingest_store_open(db, is_show, &st);
	if (err)
		return gpm_cli_fail(err);
	int status;
	if (is_show) {
		status = show(st, id);
	} else {
		const char *who = by ? by : getenv("USER");
		err = gpm_store_cluster_change(st, id, actions[k].action, words[2], who,
		                               (int64_t)time(NULL));
		status = err ? gpm_cli_fail(err) : show(st, id);
	}
	gpm_store_close(st);
	return status;
}
