/*
 * What differs between Go releases, as named facts: one struct computed once when the Go
 * image is opened (gort/image.c), read by every consumer (type descriptors, goroutines,
 * heap, values) so that no consumer compares version numbers itself.
 *
 * The facts come from the Go version of the build info (or runtime.buildVersion) when it
 * is known; when it is not, from probing the binary itself: the pclntab magic, the
 * encoding of the name of runtime.g's type descriptor and its field offsets, the flags of
 * the *runtime.g pointer descriptor, and runtime functions that appeared with a release
 * (the unwinder of Go 1.21, the GC mask built on demand and the swiss maps of 1.24, the
 * goroutine leak detector of 1.26, the module itab registration of 1.27). Both ways must
 * agree on every fixture (tests/gort: test_facts_version_vs_probe).
 */
#ifndef GPM_GORT_FACTS_H
#define GPM_GORT_FACTS_H

#include <stdbool.h>
#include <stddef.h>

struct gpm_goimage;
struct gpm_go_version;

/* How the heap records which words of an object are pointers (runtime/mbitmap.go). */
enum gpm_heap_bitmap {
	/* Go 1.19 and before: 2 bits a word (pointer, scan), four words a byte;
	 * heapArena.spans follows the 2 MiB bitmap. */
	GPM_HEAP_BITMAP_2BIT,
	/* Go 1.20-1.21: a bit a word (little-endian words), then the noMorePtrs bitmap (a bit
	 * a bitmap word); heapArena.spans follows both (1 MiB + 16 KiB). */
	GPM_HEAP_BITMAP_1BIT,
	/* Go 1.22+: allocation headers and span-end bitmaps; no arena bitmap. */
	GPM_HEAP_BITMAP_NONE,
};

/* How the facts were set. */
enum gpm_go_facts_how {
	GPM_FACTS_DEFAULT, /* neither version nor probe answered: the newest release's */
	GPM_FACTS_VERSION, /* from the Go version */
	GPM_FACTS_PROBE,   /* from probing the binary */
};

struct gpm_go_facts {
	enum gpm_go_facts_how how;
	/* Type descriptor names (internal/abi Name, runtime/type.go name): the length is a
	 * uvarint from Go 1.17; 2 bytes big-endian before. */
	bool name_varint;
	/* StructField.offsetAnon = offset<<1 | embedded before Go 1.19; plain Offset after
	 * (embedded then in the name's flags). */
	bool field_offset_anon;
	/* The pclntab of Go 1.18+: funcdata are offsets from moduledata.gofunc (absolute
	 * pointers before) and the header carries textStart. */
	bool funcdata_gofunc;
	/* Go 1.21+ runtime/traceback.go unwinder: the middle of deep stacks is elided (first
	 * and last 50 frames), arguments are printed at the trace pc, asyncPreempt and
	 * debugCallV2 are injected calls, and generic names print as "[...]". */
	bool unwinder;
	/* Go 1.24+: g.labels points at runtime/pprof's labelMap struct (a sorted slice of
	 * key/value strings); before, at a map[string]string. */
	bool labels_slice;
	/* Go 1.26 prints pprof labels inside the goroutine header's brackets; other
	 * releases after them. */
	bool labels_inside;
	/* Go 1.24+ maps are swiss tables (internal/runtime/maps); before, hmap buckets. */
	bool swiss_maps;
	/* Go 1.27+ MapType carries KeysOff, KeyStride, ElemsOff, ElemStride; 1.24-1.26 carry
	 * SlotSize and ElemOff. */
	bool map_group_offsets;
	/* Go 1.24+: a type with TFlagGCMaskOnDemand has GCData pointing at a word holding
	 * the mask's address; before, GCData is the mask, or a GC program when Kind_ has
	 * KindGCProg. */
	bool gcmask_on_demand;
	/* Go 1.26+: "direct interface" is TFlagDirectIface (0x20) in TFlag; before, a bit
	 * (0x20) of Kind_. */
	bool direct_iface_tflag;
	/* The heap bitmap's layout; probed by runtime.heapBitsSetType (Go 1.21 and before)
	 * and runtime.writeHeapBits.flush (Go 1.20-1.21 only). */
	enum gpm_heap_bitmap heap_bitmap;
};

/* The facts of a Go release (major.minor of v). */
void gpm_go_facts_from_version(const struct gpm_go_version *v, struct gpm_go_facts *out);
/* The facts found by probing the binary of img (its pclntab, type descriptors and
 * function names), whatever its version says. */
void gpm_go_facts_probe(struct gpm_goimage *img, struct gpm_go_facts *out);
/* True when a and b state the same quirks (how aside). */
bool gpm_go_facts_equal(const struct gpm_go_facts *a, const struct gpm_go_facts *b);
/* "name_varint=1 field_offset_anon=0 ..." into buf (for messages and `gopm info`). */
void gpm_go_facts_format(const struct gpm_go_facts *f, char *buf, size_t cap);

#endif
