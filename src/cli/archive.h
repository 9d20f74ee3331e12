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

/*
 * What the archive knows about incident id, as analyze's report ends: "stored in the
 * archive as incident N" (or "already in ..."), how often its cluster was seen before and
 * the cluster's workflow; one or two lines into out (analyze.c).
 */
struct gpm_error *gpm_cli_archive_lines(struct gpm_store *st, int64_t id, bool existed,
                                        struct gpm_strbuf *out);
/* The width analyze's text report wraps at: $COLUMNS, the terminal's, else 100. */
unsigned gpm_cli_report_width(void);

#endif
