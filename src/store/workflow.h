/*
 * The triage workflow of clusters: a status (new, investigating, resolved, ignored), an
 * owner, notes, links and the build a cluster was resolved in, every change kept as a row
 * of cluster_events (who, when, what). A resolved cluster *regresses* when an incident of
 * a build ordered after the resolved build arrives (builds are ordered by their vcs.time,
 * else by the first incident of the build), or, resolved without a build, when an
 * incident crashed after the resolution. Cluster ids are stable across `gopm resign`
 * (cluster.c), so the workflow stays with its bug. The TUI and the command line both call
 * these; the SQL stays here.
 */
#ifndef GPM_STORE_WORKFLOW_H
#define GPM_STORE_WORKFLOW_H

#include <stdint.h>

#include "base/error.h"
#include "store/store.h"

enum gpm_cluster_action {
	GPM_CLUSTER_RESOLVE,     /* value: the build (NULL: none) */
	GPM_CLUSTER_REOPEN,      /* back to investigating (new when nobody owns it) */
	GPM_CLUSTER_IGNORE,      /* value unused */
	GPM_CLUSTER_INVESTIGATE, /* value unused */
	GPM_CLUSTER_NOTE,        /* value: the text */
	GPM_CLUSTER_LINK,        /* value: a URL or ticket id */
	GPM_CLUSTER_ASSIGN,      /* value: the owner ("" or NULL: nobody) */
};

/* The action's name as stored in cluster_events.action and typed on the command line. */
const char *gpm_cluster_action_name(enum gpm_cluster_action a);

/*
 * Applies one change to cluster id and records it as an event by who at time now (unix
 * seconds), in one transaction. NOT_FOUND when there is no such cluster.
 */
struct gpm_error *gpm_store_cluster_change(struct gpm_store *st, int64_t cluster_id,
                                           enum gpm_cluster_action action, const char *value,
                                           const char *who, int64_t now);

/* What the archive knows of one cluster; strings owned (gpm_cluster_summary_deinit). */
struct gpm_cluster_summary {
	int64_t id, count, first, last; /* incidents; first/last crash times */
	char *status, *owner;
	char *resolved_build; /* NULL: resolved without a build, or not resolved */
	int64_t resolved_time;
	char *first_build; /* the first build the cluster was seen in; NULL unknown */
	char *regressed;   /* the build it came back in ("?" when unknown); NULL: not */
	int64_t regressed_time;
	int64_t notes, links;
};
/* NOT_FOUND when the cluster has no incident under the current signature algorithm. */
struct gpm_error *gpm_store_cluster_summary(struct gpm_store *st, int64_t cluster_id,
                                            struct gpm_cluster_summary *out);
void gpm_cluster_summary_deinit(struct gpm_cluster_summary *s);

/* The history of one cluster, oldest first: time, who, action, value. */
struct gpm_error *gpm_store_cluster_events(struct gpm_store *st, int64_t cluster_id,
                                           struct gpm_store_table *out);

/* Incidents per cluster and day (UTC) or per build: cluster, day|build, count, first.
 * Builds in their order (vcs.time, else first incident). */
struct gpm_error *gpm_store_cluster_trend(struct gpm_store *st, bool per_build,
                                          const struct gpm_store_filter *f,
                                          struct gpm_store_table *out);

#endif
