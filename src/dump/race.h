/*
 * Race detector reports in text: what a program built with -race prints when it finds a
 * data race. The goroutine-dump reader (dump.c) hands each report here after its
 * "WARNING: DATA RACE" line, and the lines a test run prints after reports ("Found N data
 * race(s)", "--- FAIL: TestX", "testing.go:N: race detected during execution of test").
 *
 * A report's accesses become goroutines of the incident (GPM_GOROUTINE_RACE_ACCESS) and
 * one gpm_race record (src/model/incident.h); doc/goroutines.md shows the format.
 */
#ifndef GPM_DUMP_RACE_H
#define GPM_DUMP_RACE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "model/incident.h"

/* Whether line[0..n) starts a report: "WARNING: DATA RACE" after any blanks. */
bool gpm_race_is_start(const char *line, size_t n);

/*
 * Parses the body of one report: text[0..len) starts after its "WARNING: DATA RACE" line.
 * Reads up to and including the closing "==================" line; without one, stops
 * before the first line that starts something else (another report, a goroutine header,
 * a panic, a test's result line) or at the end. Indentation does not matter. Lines it
 * could not place are counted in a warning on inc. *consumed gets the bytes read.
 * Errors: out of memory.
 */
struct gpm_error *gpm_race_parse(struct gpm_incident *inc, const char *text, size_t len,
                                 size_t *consumed);

/*
 * A line printed after race reports, at text[0..len): "Found N data race(s)",
 * "--- FAIL: TestX (0.01s)" followed or preceded by "testing.go:N: race detected during
 * execution of test" (go test prints them in either order). Records what they say in inc
 * and sets *consumed to the bytes read; *consumed is 0 when the line is none of these.
 * Errors: out of memory.
 */
struct gpm_error *gpm_race_trailer(struct gpm_incident *inc, const char *text, size_t len,
                                   size_t *consumed);

#endif
