/*
 * Go build information: the blob the linker writes after the magic "\xff Go buildinf:"
 * (runtime/debug and debug/buildinfo of Go 1.13-1.27) with the Go version and the module
 * info text (path, mod, dep, build settings), and the Go version helpers used everywhere
 * gopm must pick a per-version behaviour.
 */
#ifndef GPM_GORT_BUILDINFO_H
#define GPM_GORT_BUILDINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

/* Reads len bytes of the program at addr; false when not readable. */
typedef bool gpm_buildinfo_read_fn(void *ctx, uint64_t addr, void *buf, size_t len);

struct gpm_buildinfo_module {
	char *path, *version, *sum;
	char *replace_path, *replace_version, *replace_sum; /* NULL unless "=>" follows */
};

struct gpm_buildinfo_setting {
	char *key, *value;
};

/* All strings owned (untrusted text: make it terminal-safe before printing). */
struct gpm_buildinfo {
	char *go_version;                  /* "go1.21.3", "devel go1.22-abc..." */
	char *path;                        /* main package path ("path" line) */
	struct gpm_buildinfo_module main;  /* "mod" line (path NULL when absent) */
	struct gpm_buildinfo_module *deps; /* "dep" lines */
	size_t ndeps;
	struct gpm_buildinfo_setting *settings; /* "build" lines */
	size_t nsettings;
	char *modinfo;       /* the raw module info text (sentinels stripped) */
	bool inline_strings; /* Go 1.18+ form */
	unsigned ptr_size;
};

#define GPM_BUILDINFO_MAGIC     "\xff Go buildinf:"
#define GPM_BUILDINFO_MAGIC_LEN 14
#define GPM_BUILDINFO_MAX_LINES 100000

/*
 * Parses a build-info blob starting with the magic (data[0..size)). The old pointer form
 * (flags bit 1 clear) reads two Go string headers through read; with read NULL it fails with
 * GPM_ERR_UNSUPPORTED. Errors: GPM_ERR_FORMAT, GPM_ERR_FAULT.
 */
struct gpm_error *gpm_buildinfo_parse(const uint8_t *data, size_t size, gpm_buildinfo_read_fn *read,
                                      void *ctx, struct gpm_buildinfo *out);
/* Parses module info text into bi's path/main/deps/settings (appending to what is there). */
struct gpm_error *gpm_buildinfo_parse_modinfo(struct gpm_buildinfo *bi, const char *text,
                                              size_t len);
void gpm_buildinfo_deinit(struct gpm_buildinfo *bi);

/* The value of build setting key ("GOARCH", "-buildmode", "vcs.revision"), NULL if absent. */
const char *gpm_buildinfo_setting(const struct gpm_buildinfo *bi, const char *key);

/*
 * Finds "go1.N[.P][suffix]" (runtime.buildVersion) in data: the first occurrence that is a
 * complete version string (followed by a non-version byte). Writes at most cap-1 bytes and a
 * NUL. False when none.
 */
bool gpm_go_version_scan(const uint8_t *data, size_t size, char *out, size_t cap);

/* A parsed Go version: go1.21.3 -> {1, 21, 3}; devel versions get the base release. */
struct gpm_go_version {
	unsigned major, minor, patch;
	bool devel;
};
/* Parses "go1.21.3", "go1.22rc1", "devel go1.23-abcdef ...". False when not a Go version. */
bool gpm_go_version_parse(const char *s, struct gpm_go_version *out);
/* -1, 0, 1 comparing v with major.minor. */
int gpm_go_version_cmp(const struct gpm_go_version *v, unsigned major, unsigned minor);

#endif
