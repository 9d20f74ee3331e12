/*
 * What only a core can tell about goroutines, beyond their stacks: the panic value of the
 * panicking goroutine (g._panic, with nested panics), the signal it took before the runtime
 * aborted (g.sig, g.sigcode0/1, g.sigpc), the fatal error a throw printed (its message
 * string found in the thrower's frame), and the object each blocked goroutine waits on
 * (g.waiting -> sudog -> hchan for channels and selects; for semaphores the sudog found in
 * the goroutine's own semacquire frame -> the semaphore, and for sync.Mutex the mutex).
 *
 * Every runtime structure is read by field name through gpm_goimage_layout (runtime.g,
 * runtime._panic, runtime.sudog); what cannot be read leaves the field unset.
 */
#ifndef GPM_GOROUTINES_OBJECTS_H
#define GPM_GOROUTINES_OBJECTS_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "process/process.h"
#include "model/incident.h"

/* Caps on what a core controls. */
#define GPM_OBJECTS_MAX_PANICS 16         /* nested panics followed through _panic.link */
#define GPM_OBJECTS_MAX_SELECT 64         /* sudogs followed through sudog.waitlink */
#define GPM_OBJECTS_MAX_SCAN   (32 << 10) /* bytes of a stack scanned for a frame's data */
#define GPM_OBJECTS_MAX_STRING 4096       /* bytes of a panic string read */

/*
 * Fills, in inc (read from p by gpm_goroutines_read): crash.panics, panic_goroutine and
 * kind PANIC from the panicking goroutine's g._panic; crash.go_sig* from a goroutine that
 * took a signal; crash.fatal_message and kind THROW when a throw's message is found; and
 * wait_object/wait_object_kind of blocked goroutines. Only out-of-memory is an error; what
 * cannot be read is left unset (warnings go to inc).
 */
struct gpm_error *gpm_objects_read(struct gpm_process *p, struct gpm_incident *inc);

/*
 * The same reads done in part during the goroutine pass, while each stack's bytes are at
 * hand: a million goroutines' stacks are then read from the core once, not three times.
 * Create a scan, give it to gpm_goroutines_read (gpm_goroutines_options.objects), which
 * calls gpm_objects_scan_goroutine for each goroutine it reads, then call
 * gpm_objects_read_scan with it: the result is gpm_objects_read's. A goroutine the scan
 * did not see (or could not keep) is read from the core as gpm_objects_read reads it.
 */
struct gpm_objects_scan;
struct gpm_error *gpm_objects_scan_create(struct gpm_process *p, struct gpm_objects_scan **out);
void gpm_objects_scan_destroy(struct gpm_objects_scan *s);
/* For g, just read into inc (its stack, frame registers, status and gaddr set); [win_lo,
 * win_lo + win_len) of its stack is at win (a copy of the core's bytes; NULL: none). */
struct gpm_error *gpm_objects_scan_goroutine(struct gpm_objects_scan *s, struct gpm_incident *inc,
                                             struct gpm_goroutine *g, uint64_t win_lo,
                                             const uint8_t *win, size_t win_len);
struct gpm_error *gpm_objects_read_scan(struct gpm_process *p, struct gpm_incident *inc,
                                        const struct gpm_objects_scan *s);

/*
 * The name of the Go type whose descriptor is at run-time address type ("*errors.errorString",
 * "runtime.boundsError"), into buf; false when it cannot be read. *kind gets the type kind
 * (enum gpm_go_kind) when kind is not NULL.
 */
bool gpm_objects_type_name(struct gpm_goimage *img, uint64_t type, char *buf, size_t cap,
                           uint8_t *kind);

#endif
