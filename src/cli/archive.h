/*
 * The archive for other commands. Opening the archive and storing an analysed snapshot
 * are the ingest pipeline's (src/ingest/ingest.h: gpm_ingest_store_open and
 * gpm_ingest_store_incident, as `gopm ingest` does).
 */
#ifndef GPM_CLI_ARCHIVE_H
#define GPM_CLI_ARCHIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "analysis/analysis.h"
#include "store/store.h"

struct gpm_cluster_summary;
struct gpm_strbuf;
/* "cluster C: seen N times since T, first in build B; resolved in B on T; **regressed**:
 * seen again in build C on T" (no newline), terminal-safe. */
void gpm_cli_cluster_summary_text(const struct gpm_cluster_summary *c, struct gpm_strbuf *sb);

#endif
