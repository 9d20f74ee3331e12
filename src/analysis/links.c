/*
 * Links from findings to the values behind them, for cores (whose memory gopm print reads):
 * the panic value of a panic finding (its interface words, read from g._panic by
 * src/goroutines/objects.c) and the object a lock or channel finding is about get a
 * `gopm print` expression, in the finding's `print` (JSON) and as an evidence line
 * "inspect: gopm print CORE 'EXPR'" to copy. A mutex prints as *(*sync.Mutex)(0xADDR) (it
 * may live in a global or inside another object); a channel by its address alone, the heap
 * object holding it as the heap walk types it (doc/print.md).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/rules.h"
#include "base/strbuf.h"

/* Characters a shell leaves alone in a word. */
static bool shell_plain(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr(
		        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-+,:@%=",
		        *s))
			return false;
	return true;
}

static void shell_word(struct gpm_strbuf *sb, const char *s)
{
	if (shell_plain(s)) {
		gpm_strbuf_puts(sb, s);
		return;
	}
	gpm_strbuf_putc(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			gpm_strbuf_puts(sb, "'\\''");
		else
			gpm_strbuf_append_safe(sb, s, 1);
	}
	gpm_strbuf_putc(sb, '\'');
}

/* The expression for finding f, into buf ("" none). */
static void expression(const struct gpm_incident *inc, const struct gpm_finding *f, char *buf,
                       size_t cap)
{
	buf[0] = 0;
	switch (f->kind) {
	case GPM_RULE_PANIC:
	case GPM_RULE_PANIC_NIL_MAP:
	case GPM_RULE_PANIC_MASKED:
		// The first panic, the one the finding names.
		if (inc->crash.panics.len && inc->crash.panics.v[0].print)
			snprintf(buf, cap, "%s", inc->crash.panics.v[0].print);
		break;
	case GPM_RULE_DEADLOCK_LOCK_ORDER:
	case GPM_RULE_CONTENTION:
		if (f->address)
			snprintf(buf, cap, "*(*sync.Mutex)(%#" PRIx64 ")", f->address);
		break;
	case GPM_RULE_DEADLOCK_UNDRAINED:
	case GPM_RULE_LEAK_CHAN:
		if (f->address)
			snprintf(buf, cap, "%#" PRIx64, f->address);
		break;
	default:
		break;
	}
}

void gpm_rule_links(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	if (inc->kind != GPM_INPUT_CORE)
		return;
	const char *core = inc->source_name && *inc->source_name ? inc->source_name : "CORE";
	for (size_t i = 0; i < c->a->findings.len; i++) {
		struct gpm_finding *f = &c->a->findings.v[i];
		char expr[640];
		expression(inc, f, expr, sizeof(expr));
		if (!expr[0] || f->print)
			continue;
		struct gpm_strbuf sb = GPM_STRBUF_INIT;
		gpm_strbuf_puts(&sb, "gopm print ");
		shell_word(&sb, core);
		gpm_strbuf_puts(&sb, " '");
		gpm_strbuf_append_safe(&sb, expr, strlen(expr));
		gpm_strbuf_putc(&sb, '\'');
		f->print = strdup(expr);
		if (sb.oom || !f->print) {
			gpm_strbuf_deinit(&sb);
			c->oom = true;
			return;
		}
		gpm_rule_evidence(c, f, "inspect", "%s", gpm_strbuf_str(&sb));
		gpm_strbuf_deinit(&sb);
	}
}
