/*
 * Struct layouts of the Go runtime by field name (runtime.g, runtime.m, runtime.gobuf, ...),
 * read from DWARF when the binary has it and otherwise from the binary's own runtime type
 * descriptors (internal/abi/type.go Type/StructType of Go 1.21+, runtime/type.go _type of
 * 1.17-1.20). Nothing is hard-coded per Go version.
 */
#ifndef GPM_GORT_LAYOUT_H
#define GPM_GORT_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

/* Go type kinds (internal/abi/type.go Kind, low 5 bits). */
enum gpm_go_kind {
	GPM_KIND_INVALID = 0,
	GPM_KIND_BOOL,
	GPM_KIND_INT,
	GPM_KIND_INT8,
	GPM_KIND_INT16,
	GPM_KIND_INT32,
	GPM_KIND_INT64,
	GPM_KIND_UINT,
	GPM_KIND_UINT8,
	GPM_KIND_UINT16,
	GPM_KIND_UINT32,
	GPM_KIND_UINT64,
	GPM_KIND_UINTPTR,
	GPM_KIND_FLOAT32,
	GPM_KIND_FLOAT64,
	GPM_KIND_COMPLEX64,
	GPM_KIND_COMPLEX128,
	GPM_KIND_ARRAY,
	GPM_KIND_CHAN,
	GPM_KIND_FUNC,
	GPM_KIND_INTERFACE,
	GPM_KIND_MAP,
	GPM_KIND_POINTER,
	GPM_KIND_SLICE,
	GPM_KIND_STRING,
	GPM_KIND_STRUCT,
	GPM_KIND_UNSAFE_POINTER,
};

enum gpm_layout_source {
	GPM_LAYOUT_DWARF,
	GPM_LAYOUT_TYPES, /* runtime type descriptors */
};

struct gpm_layout_field {
	const char *name; /* owned by the layout */
	uint64_t offset, size;
	const char *type_name;         /* owned by the layout; "" when unknown */
	uint8_t kind;                  /* enum gpm_go_kind; 0 when unknown */
	const struct gpm_layout *type; /* nested struct layout (kind STRUCT), else NULL */
};

struct gpm_layout {
	const char *name; /* "runtime.g" */
	uint64_t size;
	size_t nfields;
	struct gpm_layout_field *fields;
	enum gpm_layout_source source;
};

/* Field offset by dotted path through nested struct fields ("sched.sp", "stack.lo");
 * UINT64_MAX when absent. */
uint64_t gpm_layout_offset(const struct gpm_layout *layout, const char *path);
/* The field by dotted path (offset relative to the outer struct in *offset), NULL if absent. */
const struct gpm_layout_field *gpm_layout_field(const struct gpm_layout *layout, const char *path,
                                                uint64_t *offset);

/* Struct nesting and field counts are capped. */
#define GPM_LAYOUT_MAX_FIELDS       4096
#define GPM_LAYOUT_MAX_DEPTH        8
#define GPM_LAYOUT_MAX_TOTAL_FIELDS 65536

#endif
