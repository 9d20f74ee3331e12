/*
 * Private interfaces between the files of src/gort (not for use outside the module).
 */
#ifndef GPM_GORT_INTERNAL_H
#define GPM_GORT_INTERNAL_H

#include "gort/image.h"

/* Type descriptors -> layout (types.c). */
struct gpm_error *gpm_gort_types_layout(struct gpm_goimage *img, const char *name,
                                        struct gpm_layout **out);
/* DWARF -> layout (types.c). */
struct gpm_error *gpm_gort_dwarf_layout(struct gpm_goimage *img, const char *name,
                                        struct gpm_layout **out);
/* Frees the type-descriptor index kept in the image (types.c). */
void gpm_gort_types_release(struct gpm_goimage *img);
/* A pointer read from program data as a run-time address: the file's words are link-time,
 * so they get the bias when reading without process memory. */
static inline uint64_t gpm_gort_ptr(const struct gpm_goimage *img, uint64_t v)
{
	return v && !img->mem ? v + img->bias : v;
}
/* What runtime.g's type descriptors say of the Go release (types.c): the name encoding,
 * offsetAnon field offsets, and (has_direct_iface) where "direct interface" is flagged. */
struct gpm_gort_types_probe {
	bool name_varint, field_offset_anon;
	bool has_direct_iface, direct_iface_tflag;
};
/* False when the descriptors cannot tell (no moduledata, no runtime.g). */
bool gpm_gort_types_probe(struct gpm_goimage *img, struct gpm_gort_types_probe *out);
/* Adds a warning to the image (image.c). */
void gpm_gort_warn(struct gpm_goimage *img, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The types index slot of the private data (image.c). */
void **gpm_gort_types_slot(struct gpm_goimage *img);

/* An image over exe with the given moduledata and version and no pclntab, for fuzzing the
 * type-descriptor walker (image.c). */
struct gpm_error *gpm_gort_image_fake(struct gpm_exe *exe, const struct gpm_moduledata *md,
                                      const char *go_version, struct gpm_goimage **out);

#endif
