/*
 * What the rules need of a core beyond goroutines and their wait objects: the cases of a
 * select (every channel a goroutine blocked in select waits on, with its element type and
 * whether it is the done channel of a context in the goroutine's frames), the runtime's
 * pending timers counted by callback (every P's timer heap), and the scheduler's
 * stop-the-world state (sched.gcwaiting, stopwait, stopnote; the Ps' states), and the
 * name of a mutex goroutines wait for that lies inside an object a method of their stack
 * runs on ("main.(*Cache).mu").
 *
 * Read by field name through gpm_goimage_layout; what cannot be read is left unknown.
 */
#ifndef GPM_GOROUTINES_COREFACTS_H
#define GPM_GOROUTINES_COREFACTS_H

#include "base/error.h"
#include "model/incident.h"
#include "process/process.h"

/* Caps on what a core controls. */
#define GPM_COREFACTS_MAX_CASES   64         /* sudogs of one select followed */
#define GPM_COREFACTS_MAX_SCAN    (32 << 10) /* stack bytes scanned for contexts */
#define GPM_COREFACTS_MAX_CONTEXT 8          /* parents followed from a context */
#define GPM_COREFACTS_MAX_TIMERS  (4u << 20) /* timers read from all the heaps */
#define GPM_COREFACTS_TIMER_FUNCS 32         /* distinct callbacks kept (the rest "?") */
#define GPM_COREFACTS_MAX_PS      (1u << 16) /* len of runtime.allp (GOMAXPROCS) */

/*
 * Fills, in inc (read from p by gpm_goroutines_read and gpm_objects_read): the select
 * cases of the first goroutine of each distinct stack blocked in select
 * (incident->select_cases, gpm_goroutine_extra.first_case), incident->sched,
 * incident->timers and wait_object_name of mutexes inside objects. Only out-of-memory is
 * an error.
 */
struct gpm_error *gpm_corefacts_read(struct gpm_process *p, struct gpm_incident *inc);

/*
 * runtime.allp, the slice of every P: by its symbol, else (a stripped executable) found by
 * content in the module's .bss/.data: the one slice header whose elements are each the p
 * of their index (p.id, a sane p.status, an mcache, a run queue within its 256 slots) and
 * which holds the P of every running goroutine's M. Sets inc->sched.allp and allp_how
 * and the slice's {ptr, len}; false when not found (or ambiguous: a warning in inc).
 * inc holds the goroutines read from p.
 */
bool gpm_corefacts_find_allp(struct gpm_process *p, struct gpm_incident *inc, uint64_t *ptr,
                             uint64_t *len);

#endif
