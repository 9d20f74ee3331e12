/*
 * Findings: what went wrong in a snapshot, named with its evidence. The rules read only the
 * incident model, so they work the same on a core and on goroutine-dump text; what only a
 * core knows (the object a goroutine waits on, the panic value, the fault address read from
 * the goroutine) is used when the incident has it, and the text's printed arguments (the
 * mutex in sync.(*Mutex).lockSlow(0x…), the channel in runtime.chansend1(0x…)) stand in
 * for it otherwise.
 *
 * Each finding has a rule id ("deadlock.lock-order"), a severity, a confidence (what the
 * runtime itself said is CERTAIN; inferences are LIKELY or HEURISTIC and say so), a one-line
 * title, a plain-words explanation, evidence lines and what to look at next. Findings are
 * ordered headline first. See doc/reports/ for what the report looks like.
 */
#ifndef GPM_ANALYSIS_ANALYSIS_H
#define GPM_ANALYSIS_ANALYSIS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "base/strbuf.h"
#include "base/vec.h"
#include "model/group.h"
#include "model/incident.h"

enum gpm_severity {
	GPM_SEVERITY_INFO = 0,
	GPM_SEVERITY_LOW,
	GPM_SEVERITY_MEDIUM,
	GPM_SEVERITY_HIGH,
	GPM_SEVERITY_CRITICAL,
};

enum gpm_confidence {
	GPM_CONFIDENCE_CERTAIN,   /* the runtime said so (panic, fatal error, signal) */
	GPM_CONFIDENCE_LIKELY,    /* read from the process state, one step of inference */
	GPM_CONFIDENCE_HEURISTIC, /* inferred from patterns; may be wrong */
};

/* The rule families (doc/findings.md has one section each). */
enum gpm_rule_family {
	GPM_FAMILY_CRASH,      /* what the runtime reported as it died */
	GPM_FAMILY_LOCKS,      /* mutexes: deadlocks, lock order, contention */
	GPM_FAMILY_CHANNELS,   /* channels: leaks, undrained results */
	GPM_FAMILY_POPULATION, /* how many goroutines and of what kind */
	GPM_FAMILY_RUNTIME,    /* threads, system calls, runtime health */
	GPM_FAMILY_SNAPSHOT,   /* how the snapshot was taken */
};

/* Every rule, from src/analysis/rules.def: GPM_RULE_PANIC, GPM_RULE_LEAK_CHAN... */
enum gpm_rule_kind {
#define GPM_RULE(name, id, family, severity, confidence, summary) GPM_RULE_##name,
#include "analysis/rules.def"
#undef GPM_RULE
	GPM_RULE_COUNT
};

struct gpm_rule {
	const char *id; /* stable; what reports, JSON and the archive store */
	enum gpm_rule_family family;
	enum gpm_severity severity;     /* default */
	enum gpm_confidence confidence; /* default */
	const char *summary;            /* one line */
};

/* The table of all rules, GPM_RULE_COUNT entries in rules.def order (static). */
extern const struct gpm_rule gpm_rules[GPM_RULE_COUNT];
/* The rule with this id, NULL when there is none. */
const struct gpm_rule *gpm_rule_find(const char *id);
const char *gpm_rule_family_name(enum gpm_rule_family f);

struct gpm_evidence {
	char *key;   /* owned; "goroutine 18", "frame", "channel" */
	char *value; /* owned; untrusted parts already made terminal-safe */
};

struct gpm_finding {
	const char *rule; /* static (gpm_rules[kind].id); stable id, e.g. "leak.chan" */
	enum gpm_rule_kind kind;
	enum gpm_severity severity;
	enum gpm_confidence confidence;
	char *title;       /* owned; one line */
	char *explanation; /* owned; plain words, no line breaks */
	char *next;        /* owned; what to look at next */
	GPM_VEC(struct gpm_evidence) evidence;
	GPM_VEC(uint64_t) goroutines; /* ids involved (capped at GPM_FINDING_MAX_IDS) */
	uint64_t count;               /* goroutines involved (uncapped) */
	/* Objects this one finding stands for when near-identical findings were rolled up
	 * (contention on 13,000 mutexes locked in one function: 13,000), 0 when one. */
	uint64_t instances;
	uint64_t address; /* the object involved (mutex, channel, fault), 0 none */
	char *print;      /* owned: a `gopm print` expression of the value involved (cores), NULL */
	int32_t group;    /* index into gpm_analysis.grouping.groups, -1 none */
};

#define GPM_FINDING_MAX_IDS 64

struct gpm_state_count {
	const char *state; /* interned in the incident */
	uint64_t count;
};

struct gpm_analysis {
	GPM_VEC(struct gpm_finding) findings; /* headline first */
	struct gpm_grouping grouping;
	uint32_t *order;        /* owned: group indices, most suspicious first */
	uint8_t *group_flagged; /* owned: per group, nonzero when a finding names it */
	GPM_VEC(struct gpm_state_count) states; /* most goroutines first */
	uint64_t goroutines; /* goroutines counted (no repeats, no runtime stacks) */
	uint64_t system;     /* of them, runtime-internal */
};

struct gpm_analysis_options {
	enum gpm_group_level level; /* grouping similarity */
	uint32_t leak_min;          /* smallest blocked-channel group called a leak (0: 10) */
	uint32_t contention_min;    /* waiters on one mutex called contention (0: 3) */
	uint64_t too_many;          /* goroutines called too many (0: 10000) */
};

/* Analyses inc (borrowed; must outlive *out). */
struct gpm_error *gpm_analysis_run(const struct gpm_incident *inc,
                                   const struct gpm_analysis_options *o, struct gpm_analysis **out);
void gpm_analysis_destroy(struct gpm_analysis *a);

const char *gpm_severity_name(enum gpm_severity s);
const char *gpm_confidence_name(enum gpm_confidence c);

/* ---- reports (report.c) ---- */

struct gpm_report_options {
	unsigned width;      /* columns to wrap at (0: 100) */
	bool color;          /* ANSI colours */
	unsigned max_groups; /* goroutine groups shown in full (0: 12) */
	unsigned max_frames; /* frames shown per group (0: 16) */
};

/* The person-readable report: findings, process facts, groups, states. */
/* Who says a finding, in words for reports: "reported by the runtime", "reported by the
 * race detector", "inferred from the process state", "heuristic". */
const char *gpm_report_finding_source(const struct gpm_finding *f);
/* The executable in words for reports: the path the process ran from; *read the file gopm
 * read for it when that was another path, else NULL. */
const char *gpm_report_executable(const struct gpm_incident *inc, const char **read);
/* What an input is, in words for reports ("core dump", "goroutine profile (debug=1)"). */
const char *gpm_report_input_kind(enum gpm_input_kind k);
/* The same for one incident: also how a profile was given (`go tool pprof -traces`). */
const char *gpm_report_incident_input(const struct gpm_incident *inc);

void gpm_report_text(const struct gpm_incident *inc, const struct gpm_analysis *a,
                     const struct gpm_report_options *o, struct gpm_strbuf *out);
/*
 * The threads running code that is not Go (cores with C threads or threads in C calls), the
 * report's "THREADS IN C" section (nothing without them): each with how it was unwound and
 * its native frames, as the report prints a group's frames. analyze prints it after the
 * report, show after the stored one.
 */
void gpm_report_threads_text(const struct gpm_incident *inc, struct gpm_strbuf *out);
/* The same as one JSON object (an analysis snapshot of doc/json.md). */
void gpm_report_json(const struct gpm_incident *inc, const struct gpm_analysis *a,
                     const struct gpm_report_options *o, struct gpm_strbuf *out);
struct gpm_json;
/* The same object written into j; snapshot is its index in the input (< 0: not written). */
void gpm_report_json_snapshot(struct gpm_json *j, const struct gpm_incident *inc,
                              const struct gpm_analysis *a, const struct gpm_report_options *o,
                              int64_t snapshot);
/* The members of that object after "findings": process, ngroups, groups, states, threads
 * (when there are any), warnings. */
void gpm_report_json_facts(struct gpm_json *j, const struct gpm_incident *inc,
                           const struct gpm_analysis *a, const struct gpm_report_options *o);
struct gpm_frame;
/* The "threads" member: the threads in code that is not Go (tid, m, goroutine, how unwound,
 * why the stack ends) with their native frames written by frame; NULL writes them as the
 * archive keeps them (function, file, line: no pc), so that `show` writes what `analyze`
 * wrote. */
void gpm_report_json_threads(struct gpm_json *j, const struct gpm_incident *inc,
                             void (*frame)(struct gpm_json *j, const struct gpm_frame *f));
struct gpm_finding;
/* One finding as an object of the "findings" array (also what the archive stores). */
void gpm_report_json_finding(struct gpm_json *j, const struct gpm_finding *f);

#endif
