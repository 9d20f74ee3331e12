/*
 * Go types from the binary's own runtime type descriptors (internal/abi/type.go of Go
 * 1.21-1.27, runtime/type.go of 1.17-1.20): what a value printer needs of any type — its
 * kind, size and string form, and per kind the element, key, length, struct fields and
 * map layout. Descriptors are in every Go binary, stripped or not. Decoded in types.c
 * beside the struct layouts, through the same name reader.
 */
#ifndef GPM_GORT_GOTYPE_H
#define GPM_GORT_GOTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct gpm_goimage;

struct gpm_gotype_field {
	char *name; /* owned */
	uint64_t type, offset;
	bool embedded;
};

struct gpm_gotype {
	uint64_t addr; /* the descriptor's run-time address */
	uint64_t size, ptrdata;
	uint8_t kind;      /* enum gpm_go_kind */
	bool direct_iface; /* an interface's data word is the value itself */
	char *name;        /* owned: "main.Config", "[]*main.Peer", "map[string]int"; NULL
	                      unless decoded with GPM_GOTYPE_ALL */
	/* Where its pointers are (runtime/mbitmap.go): gcdata is the mask of ptrdata/ptrsize
	 * bits, or (gcdata_indirect, Go 1.24+ TFlagGCMaskOnDemand) the address of the word
	 * holding the mask's address once built, or (gcprog, before 1.24 KindGCProg) a GC
	 * program: a 4-byte length, then the program. */
	uint64_t gcdata;
	bool gcdata_indirect, gcprog;
	uint64_t elem;                   /* pointer, slice, array, chan, map: element type */
	uint64_t key;                    /* map */
	uint64_t bucket;                 /* map: its bucket (before Go 1.24) or group type */
	uint64_t len;                    /* array */
	uint64_t nmethods;               /* interface: 0 for an empty interface (eface) */
	size_t nfields;                  /* struct (field names NULL unless GPM_GOTYPE_ALL) */
	struct gpm_gotype_field *fields; /* owned */
	/* Maps. Before Go 1.24 (runtime/map.go hmap): buckets of bucket_size bytes holding 8
	 * tophash bytes, 8 keys of keysize and 8 elems of elemsize, then the overflow pointer.
	 * From 1.24 (internal/runtime/maps): groups of group_size bytes, 8 control bytes then 8
	 * slots; key i at keys_off + i*key_stride, elem i at elems_off + i*elem_stride. */
	bool swiss;
	uint64_t bucket_size, keysize, elemsize;
	uint64_t group_size, keys_off, key_stride, elems_off, elem_stride;
	bool indirect_key, indirect_elem;
};

/* Cap on the fields of one struct type read. */
#define GPM_GOTYPE_MAX_FIELDS 4096

/* How much of a descriptor to decode. */
enum gpm_gotype_parts {
	GPM_GOTYPE_HEADER, /* kind, size, ptrdata, GC data, direct_iface */
	GPM_GOTYPE_SHAPE,  /* and per kind elem, key, bucket, len, nmethods, fields; no names */
	GPM_GOTYPE_ALL,    /* and the names */
};
/*
 * Decodes the descriptor at addr into *out (gpm_gotype_deinit after): the one reader of
 * type descriptors, for the goroutine, heap and value code. Without names, also
 * descriptors outside the types section (made at run time by reflect).
 */
struct gpm_error *gpm_gotype_decode(struct gpm_goimage *img, uint64_t addr,
                                    enum gpm_gotype_parts parts, struct gpm_gotype *out);
/* gpm_gotype_decode(img, addr, GPM_GOTYPE_ALL, out). */
struct gpm_error *gpm_gotype_read(struct gpm_goimage *img, uint64_t addr, struct gpm_gotype *out);
void gpm_gotype_deinit(struct gpm_gotype *t);
/*
 * The kind and string form of the descriptor at addr ("main.Config", the TFlagExtraStar
 * star dropped) into buf, NUL-terminated, without decoding the rest: cheap, for naming
 * objects. False when unreadable, empty or not shorter than cap.
 */
bool gpm_gotype_name(struct gpm_goimage *img, uint64_t addr, char *buf, size_t cap, uint8_t *kind);
/*
 * The descriptor of the type whose string form is name ("main.Config", "*main.Peer",
 * "map[string]int"), found by its name in the types section. GPM_ERR_NOT_FOUND when the
 * binary carries no descriptor of that name (a type never converted to an interface or
 * reached from one may have none).
 */
struct gpm_error *gpm_gotype_find(struct gpm_goimage *img, const char *name, uint64_t *out);

/* The descriptors of every type whose string form starts with prefix ("struct { F uintptr;"
 * finds the closure structs the compiler allocates with runtime.newobject), at most
 * GPM_GOTYPE_MAX_PREFIX names: *out owned by the caller (free), *n of them. */
#define GPM_GOTYPE_MAX_PREFIX 65536
struct gpm_error *gpm_gotype_find_prefix(struct gpm_goimage *img, const char *prefix,
                                         uint64_t **out, size_t *n);

#endif
