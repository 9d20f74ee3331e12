/*
 * Errors: every library function that can fail returns a struct gpm_error * (NULL means
 * success). The message is lowercase, without a final period, and names the subject
 * ("core.zst: truncated note at offset 0x1f0"). Out of memory is a static error that never
 * allocates; gpm_error_destroy() ignores it.
 */
#ifndef GPM_BASE_ERROR_H
#define GPM_BASE_ERROR_H

#include <stdint.h>

enum gpm_error_code {
	GPM_ERR_NOMEM = 1,   /* allocation failed */
	GPM_ERR_OS,          /* a system call failed; errno_value holds errno */
	GPM_ERR_FORMAT,      /* the input is malformed ("bad data") */
	GPM_ERR_FAULT,       /* an address is not readable in the dump; address holds it */
	GPM_ERR_UNSUPPORTED, /* well-formed but not something gopm reads */
	GPM_ERR_NOT_FOUND,   /* a symbol, file or object does not exist */
	GPM_ERR_MISMATCH,    /* executable and core do not belong together */
	GPM_ERR_LIMIT,       /* a count or size exceeds gopm's cap */
	GPM_ERR_USAGE,       /* the caller passed bad arguments */
	GPM_ERR_STOP,        /* iteration stopped early by a callback (not a failure) */
	GPM_ERR_BUSY,        /* a shared resource stayed locked past the wait: retry later */
};

struct gpm_error {
	enum gpm_error_code code;
	int errno_value;
	uint64_t address;
	char *message;
};

/* The static out-of-memory error. */
extern struct gpm_error gpm_error_nomem;

/* Creates an error; never returns NULL (falls back to &gpm_error_nomem). */
struct gpm_error *gpm_error_create(enum gpm_error_code code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* An OS error: the message gets ": strerror(errno)" appended. */
struct gpm_error *gpm_error_os(int errnum, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* "fault at address 0x...: <what>" */
struct gpm_error *gpm_error_fault(uint64_t address, uint64_t size);
/* Prefixes the message of err with "<prefix>: "; returns err (or nomem). Takes ownership. */
struct gpm_error *gpm_error_wrap(struct gpm_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void gpm_error_destroy(struct gpm_error *err);
/* Short stable name of a code ("format", "fault", ...), for JSON and logs. */
const char *gpm_error_code_name(enum gpm_error_code code);

#endif
