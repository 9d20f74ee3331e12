/*
 * Native threads of a core (threads.c): the threads running code that is not Go, listed in
 * the incident (incident->threads) with their native stacks.
 */
#ifndef GPM_GOROUTINES_THREADS_H
#define GPM_GOROUTINES_THREADS_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "model/incident.h"
#include "process/process.h"

/* What the goroutine reader knows of a thread: its m and the goroutine the m runs. */
struct gpm_thread_hint {
	uint32_t tid;
	int64_t m_id;       /* -1 none */
	uint64_t goroutine; /* 0 none */
};

/*
 * Appends to inc->threads every thread of p's core whose pc is not in Go code, with its
 * native stack; a thread that cannot be unwound at all is counted (inc->threads_unread) and
 * warned about. Errors: out of memory only.
 */
struct gpm_error *gpm_goroutines_read_threads(struct gpm_process *p,
                                              const struct gpm_thread_hint *hints, size_t nhints,
                                              struct gpm_incident *inc);

#endif
