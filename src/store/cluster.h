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

#endif
