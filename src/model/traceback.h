/*
 * Printing goroutines in the Go runtime's own traceback format (runtime/traceback.go,
 * Go 1.27: goroutineheader, traceback2, printcreatedby1, printAncestorTraceback), from
 * the incident model alone, so text dumps and cores print the same way. A goroutine read
 * from a runtime dump prints back byte for byte.
 */
#ifndef GPM_MODEL_TRACEBACK_H
#define GPM_MODEL_TRACEBACK_H

#include <stdbool.h>

#include "base/strbuf.h"
#include "model/incident.h"

struct gpm_traceback_options {
	bool preamble; /* panic / fatal error / signal lines before the goroutines */
	bool sections; /* per-thread signal sections: "-----", "SIGQUIT: quit", registers */
	bool safe;     /* make dump strings terminal-safe (gpm_strbuf_append_safe) */
	/* When set, called between goroutines once the buffer holds 1 MiB, so a large incident
	 * streams out instead of being built whole; it should empty sb. False stops printing. */
	bool (*flush)(struct gpm_strbuf *sb, void *arg);
	void *flush_arg;
};

/* "goroutine N [state, N minutes, locked to thread]:\n" (or "runtime stack:\n"). */
void gpm_traceback_header(struct gpm_strbuf *sb, const struct gpm_incident *inc,
                          const struct gpm_goroutine *g, const struct gpm_traceback_options *o);
/* Header, frames, "created by", ancestors; no blank line around it. */
void gpm_traceback_goroutine(struct gpm_strbuf *sb, const struct gpm_incident *inc,
                             const struct gpm_goroutine *g, const struct gpm_traceback_options *o);
/* The whole snapshot as the runtime prints it: preamble, goroutines separated by blank
 * lines, signal sections and register dumps as options say. */
void gpm_traceback_incident(struct gpm_strbuf *sb, const struct gpm_incident *inc,
                            const struct gpm_traceback_options *o);
/* Appends s as runtime printquoted does (Go 1.26+ label keys and values). */
/* A native thread (incident->threads): "thread TID [m=N] [goroutine G] [what, unwound by
 * how]:", its frames, and why it ends early when it does. */
void gpm_traceback_thread(struct gpm_strbuf *sb, const struct gpm_incident *inc,
                          const struct gpm_thread *t, const struct gpm_traceback_options *o);
void gpm_traceback_quote(struct gpm_strbuf *sb, const char *s);

#endif
