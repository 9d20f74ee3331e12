/*
 * The Go-version facts (see facts.h): from the version, or probed from the binary.
 *
 * Function names used as release markers are runtime functions every program links,
 * checked on the fixtures of Go 1.19-1.27 (amd64 and arm64) and on the real programs'
 * binaries: runtime.(*unwinder).next (runtime/traceback.go, Go 1.21),
 * runtime.getGCMaskOnDemand (runtime/mbitmap.go, 1.24),
 * internal/runtime/maps.(*table).grow (internal/runtime/maps/table.go, 1.24),
 * runtime.(*g).isMaybeRunnable (runtime/mgc.go, goroutine leak detection, 1.26),
 * runtime.addModuleItabs (runtime/iface.go, 1.27), and for the heap bitmap
 * runtime.heapBitsSetType (runtime/mbitmap.go, gone with the allocation headers of 1.22)
 * and runtime.writeHeapBits.flush (the one-bit bitmap of 1.20-1.21).
 */
#include "gort/facts.h"

#include <stdio.h>

#include "gort/internal.h"

void gpm_go_facts_from_version(const struct gpm_go_version *v, struct gpm_go_facts *out)
{
	// Releases after Go 1 compare by minor; a Go 2 would be "newer than all".
	unsigned m = v->major > 1 ? ~0u : v->minor;
	*out = (struct gpm_go_facts){
	    .how = GPM_FACTS_VERSION,
	    .name_varint = m >= 17,
	    .field_offset_anon = m < 19,
	    .funcdata_gofunc = m >= 18,
	    .unwinder = m >= 21,
	    .labels_slice = m >= 24,
	    .labels_inside = m == 26,
	    .swiss_maps = m >= 24,
	    .map_group_offsets = m >= 27,
	    .gcmask_on_demand = m >= 24,
	    .direct_iface_tflag = m >= 26,
	    .heap_bitmap = m >= 22   ? GPM_HEAP_BITMAP_NONE
	                   : m >= 20 ? GPM_HEAP_BITMAP_1BIT
	                             : GPM_HEAP_BITMAP_2BIT,
	};
}

static bool has_func(struct gpm_goimage *img, const char *name)
{
	struct gpm_func f;
	return img->pclntab && gpm_pclntab_func_by_name(img->pclntab, name, &f);
}

void gpm_go_facts_probe(struct gpm_goimage *img, struct gpm_go_facts *out)
{
	// Without a pclntab or descriptors to say otherwise: the newest release's facts.
	struct gpm_go_version newest = {.major = 1, .minor = 27};
	struct gpm_go_facts f;
	gpm_go_facts_from_version(&newest, &f);
	f.how = GPM_FACTS_PROBE;
	if (img->pclntab) {
		enum gpm_pclntab_format fmt = gpm_pclntab_format(img->pclntab);
		f.funcdata_gofunc = fmt != GPM_PCLNTAB_116;
		// 1.16-1.17 use offsetAnon; 1.18 too, but only the descriptors below tell 1.18 from
		// 1.19 (the pclntab is the same).
		f.field_offset_anon = fmt == GPM_PCLNTAB_116;
		f.unwinder = has_func(img, "runtime.(*unwinder).next");
		bool go124 = has_func(img, "runtime.getGCMaskOnDemand");
		bool go126 = has_func(img, "runtime.(*g).isMaybeRunnable");
		bool go127 = has_func(img, "runtime.addModuleItabs");
		f.gcmask_on_demand = go124;
		f.labels_slice = go124;
		f.swiss_maps = has_func(img, "internal/runtime/maps.(*table).grow");
		f.labels_inside = go126 && !go127;
		f.direct_iface_tflag = go126;
		f.map_group_offsets = go127;
		if (has_func(img, "runtime.writeHeapBits.flush"))
			f.heap_bitmap = GPM_HEAP_BITMAP_1BIT;
		else if (has_func(img, "runtime.heapBitsSetType"))
			f.heap_bitmap = GPM_HEAP_BITMAP_2BIT;
		else
			f.heap_bitmap = GPM_HEAP_BITMAP_NONE;
	}
	struct gpm_gort_types_probe tp;
	if (gpm_gort_types_probe(img, &tp)) {
		f.name_varint = tp.name_varint;
		f.field_offset_anon = tp.field_offset_anon;
		if (tp.has_direct_iface)
			f.direct_iface_tflag = tp.direct_iface_tflag;
	}
	*out = f;
}

bool gpm_go_facts_equal(const struct gpm_go_facts *a, const struct gpm_go_facts *b)
{
	return a->name_varint == b->name_varint && a->field_offset_anon == b->field_offset_anon &&
	       a->funcdata_gofunc == b->funcdata_gofunc && a->unwinder == b->unwinder &&
	       a->labels_slice == b->labels_slice && a->labels_inside == b->labels_inside &&
	       a->swiss_maps == b->swiss_maps && a->map_group_offsets == b->map_group_offsets &&
	       a->gcmask_on_demand == b->gcmask_on_demand &&
	       a->direct_iface_tflag == b->direct_iface_tflag && a->heap_bitmap == b->heap_bitmap;
}

void gpm_go_facts_format(const struct gpm_go_facts *f, char *buf, size_t cap)
{
	snprintf(buf, cap,
	         "name_varint=%d field_offset_anon=%d funcdata_gofunc=%d unwinder=%d "
	         "labels_slice=%d labels_inside=%d swiss_maps=%d map_group_offsets=%d "
	         "gcmask_on_demand=%d direct_iface_tflag=%d heap_bitmap=%s",
	         f->name_varint, f->field_offset_anon, f->funcdata_gofunc, f->unwinder,
	         f->labels_slice, f->labels_inside, f->swiss_maps, f->map_group_offsets,
	         f->gcmask_on_demand, f->direct_iface_tflag,
	         f->heap_bitmap == GPM_HEAP_BITMAP_2BIT   ? "2bit"
	         : f->heap_bitmap == GPM_HEAP_BITMAP_1BIT ? "1bit"
	                                                  : "none");
}
