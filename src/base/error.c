/* Errors: creation, wrapping and release. See error.h. */
#include "base/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gpm_error gpm_error_nomem = {
    .code = GPM_ERR_NOMEM,
    .message = (char *)"out of memory",
};

__attribute__((format(printf, 2, 0))) static struct gpm_error *
error_vcreate(enum gpm_error_code code, const char *fmt, va_list ap)
{
	struct gpm_error *err = calloc(1, sizeof(*err));
	if (!err)
		return &gpm_error_nomem;
	if (vasprintf(&err->message, fmt, ap) < 0) {
		free(err);
		return &gpm_error_nomem;
	}
	err->code = code;
	return err;
}

struct gpm_error *gpm_error_create(enum gpm_error_code code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct gpm_error *err = error_vcreate(code, fmt, ap);
	va_end(ap);
	return err;
}

struct gpm_error *gpm_error_os(int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct gpm_error *err = error_vcreate(GPM_ERR_OS, fmt, ap);
	va_end(ap);
	if (err == &gpm_error_nomem)
		return err;
	err->errno_value = errnum;
	char *joined;
	if (asprintf(&joined, "%s: %s", err->message, strerror(errnum)) >= 0) {
		free(err->message);
		err->message = joined;
	}
	return err;
}

struct gpm_error *gpm_error_fault(uint64_t address, uint64_t size)
{
	struct gpm_error *err =
	    gpm_error_create(GPM_ERR_FAULT, "fault at address 0x%llx (%llu bytes not in the dump)",
	                     (unsigned long long)address, (unsigned long long)size);
	if (err != &gpm_error_nomem)
		err->address = address;
	return err;
}

struct gpm_error *gpm_error_wrap(struct gpm_error *err, const char *fmt, ...)
{
	if (!err || err == &gpm_error_nomem)
		return err;
	char *prefix;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&prefix, fmt, ap);
	va_end(ap);
	if (n < 0)
		return err;
	char *joined;
	if (asprintf(&joined, "%s: %s", prefix, err->message ? err->message : "") >= 0) {
		free(err->message);
		err->message = joined;
	}
	free(prefix);
	return err;
}

void gpm_error_destroy(struct gpm_error *err)
{
	if (!err || err == &gpm_error_nomem)
		return;
	free(err->message);
	free(err);
}

const char *gpm_error_code_name(enum gpm_error_code code)
{
	switch (code) {
	case GPM_ERR_NOMEM:
		return "nomem";
	case GPM_ERR_OS:
		return "os";
	case GPM_ERR_FORMAT:
		return "format";
	case GPM_ERR_FAULT:
		return "fault";
	case GPM_ERR_UNSUPPORTED:
		return "unsupported";
	case GPM_ERR_NOT_FOUND:
		return "not-found";
	case GPM_ERR_MISMATCH:
		return "mismatch";
	case GPM_ERR_LIMIT:
		return "limit";
	case GPM_ERR_USAGE:
		return "usage";
	case GPM_ERR_STOP:
		return "stop";
	case GPM_ERR_BUSY:
		return "busy";
	}
	return "unknown";
}
