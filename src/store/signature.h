/*
 * Incident signatures: a Go-aware normalisation of the stack that characterises an
 * incident (the crashing goroutine, else the largest group of waiting user goroutines)
 * plus the headline kind, hashed. Deterministic, versioned by an algorithm number stored
 * with every signature so `gopm resign` can recompute them after an upgrade. The rules
 * are documented in doc/signatures.md; change them only together with a new algorithm id.
 */
#ifndef GPM_STORE_SIGNATURE_H
#define GPM_STORE_SIGNATURE_H

#include <stddef.h>

#include "base/error.h"
#include "model/incident.h"

/* The algorithm new signatures are computed with. */
#define GPM_SIGNATURE_ALGORITHM 2
/* Normalised frames kept (innermost first). */
#define GPM_SIGNATURE_MAX_FRAMES 12

struct gpm_signature {
	int algorithm;
	char hash[17]; /* 16 lowercase hex digits */
	char *kind;    /* owned: headline kind, e.g. "panic:nil-deref", "wait:chan receive" */
	char *frames;  /* owned: normalised functions, one per line, innermost first */
	unsigned nframes;
};

/*
 * Computes inc's signature. headline_rule (the headline finding's rule id, may be NULL)
 * replaces the crash-derived kind when given.
 */
struct gpm_error *gpm_signature_compute(const struct gpm_incident *inc, const char *headline_rule,
                                        struct gpm_signature *out);
void gpm_signature_deinit(struct gpm_signature *sig);

/*
 * Normalises one function name into buf (NUL-terminated, truncated to cap): closures
 * ".func1", ".1" → ".func"; "-fm" and wrapper suffixes dropped; generic instantiations
 * "[...]" / "[go.shape.int]" → "[]". Returns false when the frame is to be skipped
 * (runtime internals, goexit, compiler wrappers).
 */
bool gpm_signature_normalise_function(const char *name, char *buf, size_t cap);

/* The kind derived from the crash: "panic:<class>", "fatal:<message>", "signal:SIGSEGV",
 * "wait:<state>" (hangs/dumps). Writes into buf. */
void gpm_signature_crash_kind(const struct gpm_incident *inc, char *buf, size_t cap);

#endif
