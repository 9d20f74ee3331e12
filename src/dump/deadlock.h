/*
 * go-deadlock reports in text: what github.com/sasha-s/go-deadlock (and forks such as
 * github.com/linkdata/deadlock) print when their drop-in sync.Mutex replacements see a
 * potential deadlock. Three shapes, all opened by a "POTENTIAL DEADLOCK:" line:
 *
 *	POTENTIAL DEADLOCK: Inconsistent locking. saw this ordering in one goroutine:
 *	happened before
 *	inmem.go:623 bttest.(*server).ReadModifyWriteRow { r.mu.Lock() } <<<<<
 *	inmem_test.go:118 bttest.TestConcurrent.func4 { _, _ = s.ReadModifyWriteRow(ctx) }
 *
 *	happened after
 *	...
 *	in another goroutine: happened before
 *	...
 *	happened after
 *	...
 *
 *	POTENTIAL DEADLOCK: Recursive locking:
 *	current goroutine 12 lock 0xc000010000
 *	<stack>
 *	Previous place where the lock was grabbed (same goroutine)
 *	<stack>
 *
 *	POTENTIAL DEADLOCK:
 *	Previous place where the lock was grabbed
 *	goroutine 240 lock 0xc420a6a6a0
 *	<stack>
 *	Have been trying to lock it again for more than 30s
 *	goroutine 279 lock 0xc420a6a6a0
 *	<stack>
 *	Here is what goroutine 240 doing now
 *	goroutine 240 [select]:          <- the runtime's own traceback, read by dump.c
 *	...
 *	Other goroutines holding locks:
 *	goroutine 12 lock 0xc420a6a6b0
 *	<stack>
 *
 * A stack is go-deadlock's one line per frame ("file:line pkg.func { source } <<<<<") or,
 * in the forks, the runtime's two lines per frame. Each report becomes a gpm_lock_report of
 * the incident (src/model/incident.h) whose stacks are incident stacks; the goroutine block
 * after "Here is what goroutine N doing now" and an "All current goroutines:" dump are left
 * to the goroutine-dump reader, which hands "Other goroutines holding locks:" back here.
 */
#ifndef GPM_DUMP_DEADLOCK_H
#define GPM_DUMP_DEADLOCK_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "model/incident.h"

/* Whether line[0..n) starts a report ("POTENTIAL DEADLOCK:") or continues the last one
 * ("Other goroutines holding locks:", "All current goroutines:"), after any blanks. */
bool gpm_lock_report_is_start(const char *line, size_t n);

/*
 * Parses from text[0..len), which starts at a line gpm_lock_report_is_start accepted, up
 * to the first line that is not part of the report (or the goroutine block the report
 * introduces). *consumed gets the bytes read. Lines inside the report it could not place
 * are counted in a warning on inc. Errors: out of memory.
 */
struct gpm_error *gpm_lock_report_parse(struct gpm_incident *inc, const char *text, size_t len,
                                        size_t *consumed);

#endif
