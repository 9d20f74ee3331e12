/*
 * Private interfaces between the rule files of src/analysis (not for use outside the
 * module): the state of one analysis run and the helpers findings.c keeps for its rules,
 * for the rules that live in their own files (rule_race.c).
 */
#ifndef GPM_ANALYSIS_RULES_H
#define GPM_ANALYSIS_RULES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "analysis/analysis.h"

/* One analysis run, as every rule sees it (gpm_analysis_run in findings.c). */
struct gpm_rule_ctx {
	const struct gpm_incident *inc;
	struct gpm_analysis *a;
	const struct gpm_analysis_options *o;
	bool oom;          /* a helper ran out of memory: the run fails */
	int32_t *group_of; /* goroutine index -> group index, -1 none */
};

/* A new finding to fill (NULL and c->oom on out of memory). */
/* A new finding of rule kind with the table's severity and confidence (rules.def). */
struct gpm_finding *gpm_rule_finding_new(struct gpm_rule_ctx *c, enum gpm_rule_kind kind);
/* Replaces *slot (title, explanation, next) with the formatted text. */
void gpm_rule_text(struct gpm_rule_ctx *c, char **slot, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void gpm_rule_vtext(struct gpm_rule_ctx *c, char **slot, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* Adds an evidence line "key: value" (the value formatted; make dump strings safe first). */
void gpm_rule_evidence(struct gpm_rule_ctx *c, struct gpm_finding *f, const char *key,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void gpm_rule_vevidence(struct gpm_rule_ctx *c, struct gpm_finding *f, const char *key,
                        const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
/* Counts goroutine id in f and lists it once (up to GPM_FINDING_MAX_IDS). */
void gpm_rule_add_id(struct gpm_rule_ctx *c, struct gpm_finding *f, uint64_t id);

/* Runtime and standard-library plumbing a reader skips to find the code at fault (the
 * runtime, sync, time.Sleep, reflect, fmt, os, net ...). */
bool gpm_rule_is_plumbing(const char *func);
/* The index of the first frame of g (elided markers skipped) whose function skip() does
 * not skip, or -1. */
int gpm_rule_first_frame(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                         bool (*skip)(const char *func));
/* "main.(*T).f at file.go:12" of g's frame i ("(no frame)" out of range), malloc'd and
 * terminal-safe; NULL on out of memory. */
char *gpm_rule_frame_text(const struct gpm_incident *inc, const struct gpm_goroutine *g, int i);
/* The same for g's "created by" frame; NULL when it has none (or out of memory). */
char *gpm_rule_creator_text(const struct gpm_incident *inc, const struct gpm_goroutine *g);

/* ---- rules in their own files ---- */

/* Data races from race detector reports (rule_race.c). */
void gpm_rule_race(struct gpm_rule_ctx *c);
/* Goroutines the runtime's leak detection marked leaked (rule_leaked.c). */
void gpm_rule_leaked(struct gpm_rule_ctx *c);
/* A fatal signal in C code, goroutines inside C calls (rule_cgo.c). */
void gpm_rule_cgo(struct gpm_rule_ctx *c);
/* Whether the incident is a fatal signal taken in C code called through cgo. */
bool gpm_rule_cgo_fault(const struct gpm_incident *inc);
/* Potential deadlocks go-deadlock reported (rule_deadlock.c). */
void gpm_rule_deadlock_reports(struct gpm_rule_ctx *c);
/* Requests blocked on network I/O for minutes without a deadline (rule_network.c). */
void gpm_rule_net_deadline(struct gpm_rule_ctx *c);

#endif
