/*
 * Clusters across incidents: incidents with the same signature are one cluster; a new
 * signature joins the existing cluster of the same kind whose members are nearest on
 * average (average linkage) when that average distance is at most
 * GPM_CLUSTER_THRESHOLD, else it starts a cluster. The distance between two signatures is
 * the Levenshtein distance between their normalised frame sequences (whole frames are the
 * symbols) divided by the longer length: 0 = same frames, 1 = nothing in common.
 */
#ifndef GPM_STORE_CLUSTER_H
#define GPM_STORE_CLUSTER_H

#include <stdint.h>

#include "base/error.h"
#include "store/store.h"

struct gpm_store;

/* Documented in doc/signatures.md: about one frame in three may differ. */
#define GPM_CLUSTER_THRESHOLD 0.34

/* Frame sequences as stored ("a\nb\nc"); at most 64 frames of each are compared. */
double gpm_cluster_distance(const char *frames_a, const char *frames_b);

/* Puts a signature (row of signatures) without a cluster into one. */
struct gpm_error *gpm_cluster_assign(struct gpm_store *st, int64_t signature_id);

/*
 * Re-clusters every signature of an algorithm from scratch: agglomerative average-linkage
 * clustering of distinct signatures per kind, merging while the nearest pair of clusters is
 * within the threshold. Deterministic (ties broken by lowest ids).
 */
struct gpm_error *gpm_cluster_rebuild(struct gpm_store *st, int algorithm);

/*
 * Remembers each incident's cluster (under its newest signature algorithm) in a temporary
 * table, before a re-signing. gpm_cluster_rebuild then gives every new cluster the id of
 * the remembered cluster most of its incidents were in, so ids (and the workflow attached
 * to them) are stable across `gopm resign`; without it every rebuilt cluster gets a new id.
 */
struct gpm_error *gpm_cluster_remember(struct gpm_store *st);
/* Incidents whose cluster differs from the remembered one: incident, from, to. */
struct gpm_error *gpm_cluster_moves(struct gpm_store *st, int algorithm,
                                    struct gpm_store_table *out);

#endif
