/*
 * The stored report of an incident (tables reports, report_* of schema 005, and the
 * findings of schema 001): the report document of src/analysis/report_doc.h written at
 * ingest and read back by `gopm show --format text|markdown|html`, which renders it as
 * analyze did. An incident stored before schema 5 (or without an analysis) has no stored
 * report: reading it gives what the archive keeps (facts, findings, its largest groups and
 * their stacks, states) and says what is missing.
 */
#ifndef GPM_STORE_REPORT_H
#define GPM_STORE_REPORT_H

#include <stdint.h>

#include "analysis/report_doc.h"
#include "base/error.h"
#include "store/store.h"

/* Writes doc's rows for incident_id; inside the caller's transaction (gpm_store_ingest). */
struct gpm_error *gpm_store_report_write(struct gpm_store *st, int64_t incident_id,
                                         const struct gpm_report_doc *doc);

/*
 * Reads the report of incident id into doc (caller storage, deinit'ed by the caller even on
 * error). *missing is NULL when the whole report was stored, else a static phrase naming
 * what an older archive lacks. NOT_FOUND when there is no such incident.
 */
struct gpm_error *gpm_store_report_read(struct gpm_store *st, int64_t id,
                                        struct gpm_report_doc *doc, const char **missing);

#endif
