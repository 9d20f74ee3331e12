/*
 * Runtime struct layouts from the binary's own type descriptors, and from DWARF.
 *
 * Type descriptors (internal/abi/type.go Type of Go 1.21-1.27; runtime/type.go _type of
 * 1.17-1.20, the same layout): {Size_, PtrBytes uintptr; Hash uint32; TFlag, Align_,
 * FieldAlign_, Kind_ uint8; Equal, GCData pointers; Str NameOff; PtrToThis TypeOff}. Str
 * is an offset from moduledata.types to a name: a flags byte, the length (uvarint from 1.17,
 * 2 bytes big-endian before) and the bytes; TFlagExtraStar means the string carries a
 * leading '*' to drop, which is how the struct "runtime.g" shares the name "*runtime.g"
 * with its pointer type. StructType appends {PkgPath Name; Fields []StructField} and a
 * StructField is {Name Name; Typ *Type; Offset uintptr} (1.19+; 1.17-1.18 store
 * offsetAnon = offset<<1 | embedded). Names in fields are absolute pointers.
 *
 * To find a struct by name: find the encoded name bytes "*runtime.g" in [types, etypes),
 * giving its name offset, then the 8-byte-aligned descriptor of kind Struct whose Str is
 * that offset.
 *
 * DWARF (cmd/link's DWARF of Go programs): DW_TAG_structure_type named "runtime.g" with
 * DW_TAG_member children (DW_AT_data_member_location constants) and the Go-specific
 * DW_AT_go_kind (0x2900) on types.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "base/vec.h"
#include "elf/exe.h"
#include "gort/gotype.h"
#include "gort/internal.h"

#define TYPES_MAX_REGION ((uint64_t)512 << 20)
#define TFLAG_EXTRA_STAR 2
#define KIND_MASK        0x1f
#define DW_AT_GO_KIND    0x2900

struct types_region {
	uint8_t *buf;
	size_t len;
	uint64_t base;
	bool failed;
};

void gpm_gort_types_release(struct gpm_goimage *img)
{
	struct types_region **slot = (struct types_region **)gpm_gort_types_slot(img);
	if (*slot) {
		free((*slot)->buf);
		free(*slot);
		*slot = NULL;
	}
}

static struct gpm_error *types_region(struct gpm_goimage *img, struct types_region **out)
{
	struct types_region **slot = (struct types_region **)gpm_gort_types_slot(img);
	if (*slot) {
		if ((*slot)->failed)
			return gpm_error_create(GPM_ERR_NOT_FOUND, "type descriptors unreadable");
		*out = *slot;
		return NULL;
	}
	if (!img->has_moduledata)
		return gpm_error_create(GPM_ERR_NOT_FOUND,
		                        "type descriptors: moduledata not found");
	struct types_region *r = calloc(1, sizeof(*r));
	if (!r)
		return &gpm_error_nomem;
	*slot = r;
	uint64_t len = img->moduledata.etypes - img->moduledata.types;
	if (len > TYPES_MAX_REGION) {
		r->failed = true;
		return gpm_error_create(GPM_ERR_LIMIT, "type descriptors: region of %llu bytes",
		                        (unsigned long long)len);
	}
	r->buf = malloc(len ? len : 1);
	if (!r->buf) {
		r->failed = true;
		return &gpm_error_nomem;
	}
	struct gpm_error *err = gpm_goimage_read(img, img->moduledata.types, r->buf, len);
	if (err) {
		r->failed = true;
		return gpm_error_wrap(err, "type descriptors");
	}
	r->len = (size_t)len;
	r->base = img->moduledata.types;
	*out = r;
	return NULL;
}

static bool old_names(const struct gpm_goimage *img)
{
	return !img->facts.name_varint;
}

/* A name's length after its flags byte: a uvarint, or (old) 2 bytes big-endian. */
static bool name_len(struct gpm_cursor *c, bool old, uint64_t *out)
{
	if (!old)
		return gpm_cursor_uvarint(c, out);
	size_t save = c->pos;
	uint8_t hi, lo;
	if (!gpm_cursor_u8(c, &hi) || !gpm_cursor_u8(c, &lo)) {
		c->pos = save;
		*out = 0;
		return false;
	}
	*out = (uint64_t)hi << 8 | lo;
	return true;
}

/* Decodes a name at buf[off]: flags, length, bytes. */
static bool name_at(const uint8_t *buf, size_t len, size_t off, bool old, const char **s, size_t *n)
{
	struct gpm_cursor c;
	gpm_cursor_init(&c, buf, len);
	uint64_t l;
	const uint8_t *b;
	if (!gpm_cursor_seek(&c, off) || !gpm_cursor_skip(&c, 1) || !name_len(&c, old, &l) ||
	    l > gpm_cursor_left(&c) || !gpm_cursor_bytes(&c, (size_t)l, &b))
		return false;
	*s = (const char *)b;
	*n = (size_t)l;
	return true;
}

/* Reads a name through memory at an absolute address into a malloc'd string. */
static char *read_name(struct gpm_goimage *img, uint64_t addr, bool old)
{
	uint8_t b[12];
	size_t got = 0;
	// Names are short: read a header's worth, then the rest.
	struct gpm_error *rerr = gpm_goimage_read(img, addr, b, sizeof(b));
	gpm_error_destroy(rerr);
	if (!rerr)
		got = sizeof(b);
	else
		for (; got < sizeof(b); got++) {
			struct gpm_error *err = gpm_goimage_read(img, addr + got, b + got, 1);
			if (err) {
				gpm_error_destroy(err);
				break;
			}
		}
	struct gpm_cursor c;
	gpm_cursor_init(&c, b, got);
	uint64_t l;
	if (!gpm_cursor_skip(&c, 1) || !name_len(&c, old, &l) || l > 4096)
		return NULL;
	char *out = malloc(l + 1);
	if (!out)
		return NULL;
	struct gpm_error *err = gpm_goimage_read(img, addr + c.pos, out, (size_t)l);
	if (err) {
		gpm_error_destroy(err);
		free(out);
		return NULL;
	}
	out[l] = 0;
	return out;
}

static uint64_t rdw(const uint8_t *p, unsigned ps)
{
	uint64_t v = 0;
	for (unsigned k = 0; k < ps; k++)
		v |= (uint64_t)p[k] << (8 * k);
	return v;
}

struct typehdr {
	uint64_t size;
	uint8_t tflag, align, kind;
	int32_t str;
};

static size_t typehdr_size(unsigned ps)
{
	return 4 * (size_t)ps + 16;
}

static void typehdr_decode(const uint8_t *p, unsigned ps, struct typehdr *h)
{
	h->size = rdw(p, ps);
	h->tflag = p[2 * ps + 4];
	h->align = p[2 * ps + 5];
	h->kind = p[2 * ps + 7] & KIND_MASK;
	h->str = (int32_t)rdw(p + 4 * ps + 8, 4);
}

/* The type's name string (extra star dropped), malloc'd. */
static char *type_name(struct gpm_goimage *img, const struct typehdr *h)
{
	if (h->str <= 0)
		return strdup("");
	uint64_t a;
	if (__builtin_add_overflow(img->moduledata.types, (uint64_t)h->str, &a))
		return strdup("");
	char *s = read_name(img, a, old_names(img));
	if (!s)
		return strdup("");
	if ((h->tflag & TFLAG_EXTRA_STAR) && s[0] == '*')
		memmove(s, s + 1, strlen(s));
	return s;
}

static struct gpm_error *struct_layout(struct gpm_goimage *img, uint64_t taddr, const char *name,
                                       unsigned depth, size_t *budget, struct gpm_layout **out);

static struct gpm_error *gotype_struct(struct gpm_goimage *img, uint64_t addr, bool names,
                                       struct gpm_gotype *t);

static struct gpm_error *struct_fields(struct gpm_goimage *img, uint64_t taddr,
                                       struct gpm_layout *l, unsigned depth, size_t *budget)
{
	unsigned ps = img->ptr_size;
	size_t th = typehdr_size(ps);
	// The fields as the one decoder reads them (gotype.h), then each field's type.
	struct gpm_gotype st = {0};
	struct gpm_error *err = gotype_struct(img, taddr, true, &st);
	if (err) {
		gpm_gotype_deinit(&st);
		return gpm_error_wrap(err, "type %s", l->name);
	}
	// Nested structs are expanded too; a total budget keeps self-referencing descriptors
	// from exploding (fields x depth).
	if (st.nfields > *budget) {
		gpm_gotype_deinit(&st);
		return gpm_error_create(GPM_ERR_LIMIT, "type %s: more than %d fields in all",
		                        l->name, GPM_LAYOUT_MAX_TOTAL_FIELDS);
	}
	*budget -= st.nfields;
	l->fields = calloc(st.nfields ? st.nfields : 1, sizeof(*l->fields));
	if (!l->fields) {
		gpm_gotype_deinit(&st);
		return &gpm_error_nomem;
	}
	for (size_t i = 0; i < st.nfields; i++) {
		struct gpm_layout_field *f = &l->fields[l->nfields++];
		f->offset = st.fields[i].offset;
		f->name = st.fields[i].name; // moved
		st.fields[i].name = NULL;
		uint64_t ft = st.fields[i].type;
		uint8_t hb[64];
		struct typehdr h = {0};
		struct gpm_error *rerr = gpm_goimage_read(img, ft, hb, th);
		if (!rerr) {
			typehdr_decode(hb, ps, &h);
			f->size = h.size;
			f->kind = h.kind;
			f->type_name = type_name(img, &h);
		} else {
			gpm_error_destroy(rerr);
			f->type_name = strdup("");
		}
		if (!f->name || !f->type_name) {
			gpm_gotype_deinit(&st);
			return &gpm_error_nomem;
		}
		if (h.kind == GPM_KIND_STRUCT && depth + 1 < GPM_LAYOUT_MAX_DEPTH) {
			struct gpm_layout *sub;
			err = struct_layout(img, ft, f->type_name, depth + 1, budget, &sub);
			if (err)
				gpm_error_destroy(err);
			else
				f->type = sub;
		}
	}
	gpm_gotype_deinit(&st);
	return NULL;
}

static struct gpm_error *struct_layout(struct gpm_goimage *img, uint64_t taddr, const char *name,
                                       unsigned depth, size_t *budget, struct gpm_layout **out)
{
	uint8_t hb[64];
	struct gpm_error *err = gpm_goimage_read(img, taddr, hb, typehdr_size(img->ptr_size));
	if (err)
		return err;
	struct typehdr h;
	typehdr_decode(hb, img->ptr_size, &h);
	struct gpm_layout *l = calloc(1, sizeof(*l));
	if (!l)
		return &gpm_error_nomem;
	l->name = strdup(name);
	l->size = h.size;
	l->source = GPM_LAYOUT_TYPES;
	if (!l->name) {
		gpm_layout_destroy(l);
		return &gpm_error_nomem;
	}
	err = struct_fields(img, taddr, l, depth, budget);
	if (err) {
		gpm_layout_destroy(l);
		return err;
	}
	*out = l;
	return NULL;
}

/*
 * The offset in r of the descriptor named want[0, wl) in the name encoding old, with
 * TFlagExtraStar set as extra_star, of kind `kind` (GPM_KIND_INVALID: any valid kind).
 * Every occurrence of the encoded name gives a candidate name offset; the descriptor is the
 * pointer-aligned one whose Str is that offset.
 */
static bool types_lookup(const struct types_region *r, unsigned ps, const char *want, size_t wl,
                         bool old, bool extra_star, uint8_t kind, size_t *out)
{
	size_t th = typehdr_size(ps);
	for (size_t pos = 0; pos + wl <= r->len;) {
		const uint8_t *hit = memmem(r->buf + pos, r->len - pos, want, wl);
		if (!hit)
			break;
		size_t at = (size_t)(hit - r->buf);
		pos = at + 1;
		size_t hdr = old ? 3 : (wl < 128 ? 2 : 3);
		if (at < hdr)
			continue;
		size_t noff = at - hdr;
		const char *s;
		size_t n;
		if (!name_at(r->buf, r->len, noff, old, &s, &n) || n != wl ||
		    (const uint8_t *)s != hit)
			continue;
		for (size_t t = 0; t + th <= r->len; t += ps) {
			if ((uint32_t)rdw(r->buf + t + 4 * ps + 8, 4) != (uint32_t)noff)
				continue;
			struct typehdr h;
			typehdr_decode(r->buf + t, ps, &h);
			if (!(h.tflag & TFLAG_EXTRA_STAR) == extra_star ||
			    (kind != GPM_KIND_INVALID ? h.kind != kind
			                              : h.kind == GPM_KIND_INVALID) ||
			    h.align == 0 || (h.align & (h.align - 1)) || h.align > 64)
				continue;
			*out = t;
			return true;
		}
	}
	return false;
}

struct gpm_error *gpm_gort_types_layout(struct gpm_goimage *img, const char *name,
                                        struct gpm_layout **out)
{
	struct types_region *r = NULL;
	struct gpm_error *err = types_region(img, &r);
	if (err)
		return err;
	size_t nl = strlen(name);
	if (nl == 0 || nl > 200)
		return gpm_error_create(GPM_ERR_USAGE, "bad type name");
	char want[256];
	want[0] = '*';
	memcpy(want + 1, name, nl);
	size_t t;
	if (!types_lookup(r, img->ptr_size, want, nl + 1, old_names(img), true, GPM_KIND_STRUCT,
	                  &t))
		return gpm_error_create(GPM_ERR_NOT_FOUND, "type %s: no type descriptor", name);
	struct gpm_layout *l;
	size_t budget = GPM_LAYOUT_MAX_TOTAL_FIELDS;
	err = struct_layout(img, r->base + t, name, 0, &budget, &l);
	if (err)
		return gpm_error_wrap(err, "type %s", name);
	*out = l;
	return NULL;
}

/* ---- DWARF ---- */

static char *dwarf_type_name(Dwarf_Die *type)
{
	const char *n = dwarf_diename(type);
	return strdup(n ? n : "");
}

static struct gpm_error *dwarf_struct(Dwarf_Die *die, const char *name, unsigned depth,
                                      size_t *budget, struct gpm_layout **out)
{
	struct gpm_layout *l = calloc(1, sizeof(*l));
	if (!l)
		return &gpm_error_nomem;
	l->source = GPM_LAYOUT_DWARF;
	l->name = strdup(name);
	Dwarf_Word sz;
	if (dwarf_aggregate_size(die, &sz) == 0)
		l->size = sz;
	GPM_VEC(struct gpm_layout_field) fields = {0};
	Dwarf_Die child;
	if (l->name && dwarf_child(die, &child) == 0) {
		do {
			if (dwarf_tag(&child) != DW_TAG_member)
				continue;
			if (fields.len >= GPM_LAYOUT_MAX_FIELDS || *budget == 0)
				break;
			--*budget;
			struct gpm_layout_field *f = gpm_vec_push(&fields);
			if (!f)
				break;
			const char *fn = dwarf_diename(&child);
			f->name = strdup(fn ? fn : "?");
			Dwarf_Attribute a;
			Dwarf_Word off = 0;
			if (dwarf_attr(&child, DW_AT_data_member_location, &a))
				dwarf_formudata(&a, &off);
			f->offset = off;
			Dwarf_Die tdie;
			if (dwarf_attr(&child, DW_AT_type, &a) && dwarf_formref_die(&a, &tdie)) {
				f->type_name = dwarf_type_name(&tdie);
				Dwarf_Word tsz;
				if (dwarf_aggregate_size(&tdie, &tsz) == 0)
					f->size = tsz;
				// Named types are typedefs of the struct or base type.
				Dwarf_Attribute ta;
				for (int k = 0; k < 8 && dwarf_tag(&tdie) == DW_TAG_typedef &&
				                dwarf_attr(&tdie, DW_AT_type, &ta) &&
				                dwarf_formref_die(&ta, &tdie);
				     k++)
					;
				Dwarf_Attribute ka;
				Dwarf_Word kind = 0;
				if (dwarf_attr(&tdie, DW_AT_GO_KIND, &ka) &&
				    dwarf_formudata(&ka, &kind) == 0)
					f->kind = (uint8_t)(kind & KIND_MASK);
				if (dwarf_tag(&tdie) == DW_TAG_structure_type &&
				    depth + 1 < GPM_LAYOUT_MAX_DEPTH && f->type_name) {
					struct gpm_layout *sub;
					struct gpm_error *err = dwarf_struct(
					    &tdie, f->type_name, depth + 1, budget, &sub);
					if (err)
						gpm_error_destroy(err);
					else
						f->type = sub;
				}
			} else {
				f->type_name = strdup("");
			}
		} while (dwarf_siblingof(&child, &child) == 0);
	}
	l->fields = fields.v;
	l->nfields = fields.len;
	for (size_t i = 0; i < l->nfields; i++) {
		if (!l->fields[i].name || !l->fields[i].type_name) {
			gpm_layout_destroy(l);
			return &gpm_error_nomem;
		}
	}
	if (!l->name) {
		gpm_layout_destroy(l);
		return &gpm_error_nomem;
	}
	*out = l;
	return NULL;
}

struct gpm_error *gpm_gort_dwarf_layout(struct gpm_goimage *img, const char *name,
                                        struct gpm_layout **out)
{
	Dwarf *dw = gpm_exe_dwarf(img->exe);
	if (!dw)
		return gpm_error_create(GPM_ERR_NOT_FOUND, "no DWARF");
	Dwarf_Off off = 0, next;
	size_t hsize;
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;
		if (dwarf_offdie(dw, off + hsize, &cu)) {
			Dwarf_Die child;
			if (dwarf_child(&cu, &child) == 0) {
				do {
					if (dwarf_tag(&child) != DW_TAG_structure_type)
						continue;
					const char *n = dwarf_diename(&child);
					size_t budget = GPM_LAYOUT_MAX_TOTAL_FIELDS;
					if (n && strcmp(n, name) == 0)
						return dwarf_struct(&child, name, 0, &budget, out);
				} while (dwarf_siblingof(&child, &child) == 0);
			}
		}
		off = next;
	}
	return gpm_error_create(GPM_ERR_NOT_FOUND, "type %s: not in DWARF", name);
}

/* ---- global variables from DWARF ---- */

#define DW_AT_GO_RUNTIME_TYPE 0x2904

/* The runtime type descriptor of a DWARF type: DW_AT_go_runtime_type is the descriptor's
 * offset in the type section (cmd/link dwarf.go, DW_CLS_GO_TYPEREF), which starts at
 * moduledata.types. Checked against DW_AT_byte_size. 0 when absent or not confirmed. */
static uint64_t dwarf_runtime_type(struct gpm_goimage *img, Dwarf_Die *type)
{
	Dwarf_Attribute a;
	Dwarf_Word off = 0, size = 0;
	if (!img->has_moduledata || !dwarf_attr(type, DW_AT_GO_RUNTIME_TYPE, &a))
		return 0;
	Dwarf_Addr addr;
	if (dwarf_formudata(&a, &off) != 0) {
		if (dwarf_formaddr(&a, &addr) != 0)
			return 0;
		off = addr;
	}
	uint64_t t;
	if (!off || __builtin_add_overflow(img->moduledata.types, off, &t) ||
	    t >= img->moduledata.etypes)
		return 0;
	uint64_t tsize;
	struct gpm_error *err = gpm_goimage_word(img, t, &tsize);
	if (err) {
		gpm_error_destroy(err);
		return 0;
	}
	if (dwarf_attr(type, DW_AT_byte_size, &a) && dwarf_formudata(&a, &size) == 0 &&
	    size != tsize)
		return 0;
	return t;
}

size_t gpm_goimage_dwarf_globals(struct gpm_goimage *img, gpm_goimage_global_fn *fn, void *ctx)
{
	Dwarf *dw = gpm_exe_dwarf(img->exe);
	size_t n = 0;
	if (!dw)
		return 0;
	Dwarf_Off off = 0, next;
	size_t hsize;
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0 &&
	       n < GPM_GOIMAGE_MAX_GLOBALS) {
		Dwarf_Die cu, child;
		if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_child(&cu, &child) == 0) {
			do {
				if (dwarf_tag(&child) != DW_TAG_variable)
					continue;
				// The Go linker writes the location as a DW_FORM_block1 holding
				// one DW_OP_addr, which libdw refuses as a location in DWARF 4.
				Dwarf_Attribute a;
				Dwarf_Block blk;
				Dwarf_Die type;
				uint64_t vaddr;
				if (!dwarf_attr(&child, DW_AT_location, &a) ||
				    dwarf_formblock(&a, &blk) != 0 || blk.length != 9 ||
				    blk.data[0] != DW_OP_addr ||
				    !dwarf_attr(&child, DW_AT_type, &a) ||
				    !dwarf_formref_die(&a, &type))
					continue;
				memcpy(&vaddr, blk.data + 1, 8);
				struct gpm_goimage_global g = {.name = dwarf_diename(&child),
				                               .addr = vaddr + img->bias};
				Dwarf_Word size;
				if (dwarf_attr(&type, DW_AT_byte_size, &a) &&
				    dwarf_formudata(&a, &size) == 0)
					g.size = size;
				g.type = dwarf_runtime_type(img, &type);
				// A slice type the program never converts to an interface has no
				// descriptor; its element type (what its "array" member points
				// to) usually has one.
				Dwarf_Die m;
				if (!g.type && dwarf_child(&type, &m) == 0) {
					do {
						const char *mn = dwarf_diename(&m);
						Dwarf_Die mt, et;
						if (dwarf_tag(&m) == DW_TAG_member && mn &&
						    !strcmp(mn, "array") &&
						    dwarf_attr(&m, DW_AT_type, &a) &&
						    dwarf_formref_die(&a, &mt) &&
						    dwarf_attr(&mt, DW_AT_type, &a) &&
						    dwarf_formref_die(&a, &et))
							g.slice_elem_type =
							    dwarf_runtime_type(img, &et);
					} while (!g.slice_elem_type &&
					         dwarf_siblingof(&m, &m) == 0);
				}
				if (!g.size || (!g.type && !g.slice_elem_type))
					continue;
				fn(ctx, &g);
				n++;
			} while (dwarf_siblingof(&child, &child) == 0 &&
			         n < GPM_GOIMAGE_MAX_GLOBALS);
		}
		off = next;
	}
	return n;
}

/* ---- any type, for values (gotype.h) ---- */

#define KIND_DIRECT_IFACE      0x20 // Kind_ bit before Go 1.26
#define TFLAG_DIRECT_IFACE     0x20 // TFlag bit from Go 1.26 (abi.TFlagDirectIface)
#define NAME_EMBEDDED          8    // flag byte of a field name (internal/abi Name)
#define KIND_GCPROG            0x40 // Kind_ bit before Go 1.24: GCData is a GC program
#define TFLAG_GCMASK_ON_DEMAND 0x10 // TFlag bit from Go 1.24 (abi.TFlagGCMaskOnDemand)

void gpm_gotype_deinit(struct gpm_gotype *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nfields; i++)
		free(t->fields[i].name);
	free(t->fields);
	free(t->name);
	memset(t, 0, sizeof(*t));
}

static struct gpm_error *gotype_struct(struct gpm_goimage *img, uint64_t addr, bool names,
                                       struct gpm_gotype *t)
{
	unsigned ps = img->ptr_size;
	uint8_t st[3 * 8];
	struct gpm_error *err = gpm_goimage_read(img, addr + typehdr_size(ps) + ps, st, 3 * ps);
	if (err)
		return err;
	uint64_t fptr = gpm_gort_ptr(img, rdw(st, ps)), flen = rdw(st + ps, ps);
	if (flen > GPM_GOTYPE_MAX_FIELDS)
		return gpm_error_create(GPM_ERR_LIMIT, "%llu fields exceed the cap of %d",
		                        (unsigned long long)flen, GPM_GOTYPE_MAX_FIELDS);
	t->fields = calloc(flen ? flen : 1, sizeof(*t->fields));
	if (!t->fields)
		return &gpm_error_nomem;
	bool anon = img->facts.field_offset_anon, old = old_names(img);
	for (uint64_t i = 0; i < flen; i++) {
		uint8_t fb[3 * 8];
		err = gpm_goimage_read(img, fptr + i * 3 * ps, fb, 3 * ps);
		if (err)
			return gpm_error_wrap(err, "field %llu", (unsigned long long)i);
		struct gpm_gotype_field *f = &t->fields[t->nfields++];
		uint64_t off = rdw(fb + 2 * ps, ps), naddr = gpm_gort_ptr(img, rdw(fb, ps));
		f->offset = anon ? off >> 1 : off;
		f->type = gpm_gort_ptr(img, rdw(fb + ps, ps));
		if (anon)
			f->embedded = off & 1;
		if (!names)
			continue;
		uint8_t flag = 0;
		struct gpm_error *ferr = gpm_goimage_read(img, naddr, &flag, 1);
		gpm_error_destroy(ferr);
		if (!anon)
			f->embedded = (flag & NAME_EMBEDDED) != 0;
		f->name = read_name(img, naddr, old);
		if (!f->name && !(f->name = strdup("?")))
			return &gpm_error_nomem;
	}
	return NULL;
}

static struct gpm_error *gotype_map(struct gpm_goimage *img, uint64_t addr, struct gpm_gotype *t)
{
	unsigned ps = img->ptr_size;
	uint8_t b[16 * 8];
	size_t th = typehdr_size(ps);
	// Key, Elem, Bucket/Group *Type, Hasher, then the layout words.
	struct gpm_error *err = gpm_goimage_read(img, addr + th, b, 4 * ps + 8 * ps);
	if (err)
		return err;
	t->key = gpm_gort_ptr(img, rdw(b, ps));
	t->elem = gpm_gort_ptr(img, rdw(b + ps, ps));
	t->bucket = gpm_gort_ptr(img, rdw(b + 2 * ps, ps));
	const uint8_t *p = b + 4 * ps;
	bool swiss = img->facts.swiss_maps;
	t->swiss = swiss;
	uint32_t flags;
	if (!swiss) {
		// runtime/type.go maptype (1.17-1.20), internal/abi MapType (1.21-1.23):
		// KeySize, ValueSize uint8; BucketSize uint16; Flags uint32.
		t->keysize = p[0];
		t->elemsize = p[1];
		t->bucket_size = (uint64_t)p[2] | (uint64_t)p[3] << 8;
		flags = (uint32_t)rdw(p + 4, 4);
		t->indirect_key = flags & 1;
		t->indirect_elem = flags & 2;
		return NULL;
	}
	t->group_size = rdw(p, ps);
	if (img->facts.map_group_offsets) {
		// Go 1.27 internal/abi/map.go: KeysOff, KeyStride, ElemsOff, ElemStride, ElemOff,
		// Flags (both group layouts).
		t->keys_off = rdw(p + ps, ps);
		t->key_stride = rdw(p + 2 * ps, ps);
		t->elems_off = rdw(p + 3 * ps, ps);
		t->elem_stride = rdw(p + 4 * ps, ps);
		flags = (uint32_t)rdw(p + 6 * ps, 4);
	} else {
		// Go 1.24-1.26 internal/abi/map_swiss.go: SlotSize, ElemOff, Flags; slots after
		// the 8-byte control word.
		uint64_t slot = rdw(p + ps, ps), elem_off = rdw(p + 2 * ps, ps);
		t->keys_off = 8;
		t->key_stride = t->elem_stride = slot;
		t->elems_off = 8 + elem_off;
		flags = (uint32_t)rdw(p + 3 * ps, 4);
	}
	t->indirect_key = flags & 4;
	t->indirect_elem = flags & 8;
	return NULL;
}

struct gpm_error *gpm_gotype_decode(struct gpm_goimage *img, uint64_t addr,
                                    enum gpm_gotype_parts parts, struct gpm_gotype *out)
{
	bool names = parts == GPM_GOTYPE_ALL;
	if (!img->has_moduledata)
		return gpm_error_create(GPM_ERR_NOT_FOUND,
		                        "type descriptors: moduledata not found");
	// Names are offsets into the types section, so only its descriptors have them;
	// reflect makes others at run time.
	if (names && (addr < img->moduledata.types || addr >= img->moduledata.etypes))
		return gpm_error_create(GPM_ERR_FORMAT, "type descriptor 0x%llx outside the types",
		                        (unsigned long long)addr);
	unsigned ps = img->ptr_size;
	uint8_t hb[64], raw_kind;
	struct gpm_error *err = gpm_goimage_read(img, addr, hb, typehdr_size(ps));
	if (err)
		return err;
	struct gpm_gotype t = {.addr = addr};
	struct typehdr h;
	typehdr_decode(hb, ps, &h);
	raw_kind = hb[2 * ps + 7];
	t.size = h.size;
	t.ptrdata = rdw(hb + ps, ps);
	t.kind = h.kind;
	// GCData: the pointer mask; from Go 1.24 with TFlagGCMaskOnDemand the word holding
	// its address, before 1.24 with KindGCProg a GC program.
	t.gcdata = gpm_gort_ptr(img, rdw(hb + 3 * ps + 8, ps));
	if (img->facts.gcmask_on_demand)
		t.gcdata_indirect = (h.tflag & TFLAG_GCMASK_ON_DEMAND) != 0;
	else
		t.gcprog = (raw_kind & KIND_GCPROG) && !(h.tflag & TFLAG_GCMASK_ON_DEMAND);
	t.direct_iface = img->facts.direct_iface_tflag ? (h.tflag & TFLAG_DIRECT_IFACE) != 0
	                                               : (raw_kind & KIND_DIRECT_IFACE) != 0;
	if (names && !(t.name = type_name(img, &h)))
		return &gpm_error_nomem;
	uint8_t b[3 * 8];
	size_t th = typehdr_size(ps);
	switch (parts == GPM_GOTYPE_HEADER ? GPM_KIND_INVALID : t.kind) {
	case GPM_KIND_POINTER:
	case GPM_KIND_SLICE:
	case GPM_KIND_CHAN:
		// PtrType/SliceType/ChanType: Elem *Type first.
		err = gpm_goimage_read(img, addr + th, b, ps);
		if (!err)
			t.elem = gpm_gort_ptr(img, rdw(b, ps));
		break;
	case GPM_KIND_ARRAY:
		// ArrayType: Elem, Slice *Type; Len uintptr.
		err = gpm_goimage_read(img, addr + th, b, 3 * ps);
		if (!err) {
			t.elem = gpm_gort_ptr(img, rdw(b, ps));
			t.len = rdw(b + 2 * ps, ps);
		}
		break;
	case GPM_KIND_INTERFACE:
		// InterfaceType: PkgPath Name; Methods []Imethod.
		err = gpm_goimage_read(img, addr + th + ps, b, 2 * ps);
		if (!err)
			t.nmethods = rdw(b + ps, ps);
		break;
	case GPM_KIND_MAP:
		err = gotype_map(img, addr, &t);
		break;
	case GPM_KIND_STRUCT:
		err = gotype_struct(img, addr, names, &t);
		break;
	default:
		break;
	}
	if (err) {
		err = gpm_error_wrap(err, "type %s", t.name ? t.name : "?");
		gpm_gotype_deinit(&t);
		return err;
	}
	*out = t;
	return NULL;
}

struct gpm_error *gpm_gotype_read(struct gpm_goimage *img, uint64_t addr, struct gpm_gotype *out)
{
	return gpm_gotype_decode(img, addr, GPM_GOTYPE_ALL, out);
}

/* Prefix search: every encoded name that starts with the prefix is a candidate name offset
 * (kept sorted), then one pass over the pointer-aligned words finds the descriptors whose
 * Str is one of them (TFlagExtraStar set: the type itself, not its pointer type). */
static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

struct gpm_error *gpm_gotype_find_prefix(struct gpm_goimage *img, const char *prefix,
                                         uint64_t **out, size_t *n)
{
	struct types_region *r = NULL;
	struct gpm_error *err = types_region(img, &r);
	if (err)
		return err;
	size_t pl = strlen(prefix), th = typehdr_size(img->ptr_size);
	bool old = old_names(img);
	GPM_VEC(uint32_t) offs = {0};
	GPM_VEC(uint64_t) found = {0};
	if (pl == 0 || pl > 200)
		return gpm_error_create(GPM_ERR_USAGE, "bad type name prefix");
	for (size_t pos = 0; pos + pl <= r->len;) {
		const uint8_t *hit = memmem(r->buf + pos, r->len - pos, prefix, pl);
		if (!hit)
			break;
		size_t at = (size_t)(hit - r->buf);
		pos = at + 1;
		// The name's length prefix is one varint byte (old: two bytes) or two.
		for (size_t hdr = 2; hdr <= 3; hdr++) {
			const char *s;
			size_t sl;
			if (at < hdr || !name_at(r->buf, r->len, at - hdr, old, &s, &sl) ||
			    (const uint8_t *)s != hit || sl < pl ||
			    offs.len >= GPM_GOTYPE_MAX_PREFIX)
				continue;
			uint32_t *o = gpm_vec_push(&offs);
			if (!o)
				goto nomem;
			*o = (uint32_t)(at - hdr);
		}
	}
	if (offs.len)
		qsort(offs.v, offs.len, sizeof(*offs.v), cmp_u32);
	for (size_t t = 0; offs.len && t + th <= r->len; t += img->ptr_size) {
		uint32_t str = (uint32_t)rdw(r->buf + t + 4 * img->ptr_size + 8, 4);
		if (!bsearch(&str, offs.v, offs.len, sizeof(*offs.v), cmp_u32))
			continue;
		struct typehdr h;
		typehdr_decode(r->buf + t, img->ptr_size, &h);
		if (!(h.tflag & TFLAG_EXTRA_STAR) || h.kind == GPM_KIND_INVALID || h.align == 0 ||
		    (h.align & (h.align - 1)) || h.align > 64)
			continue;
		uint64_t *a = gpm_vec_push(&found);
		if (!a)
			goto nomem;
		*a = r->base + t;
	}
	free(offs.v);
	*out = found.v;
	*n = found.len;
	return NULL;
nomem:
	free(offs.v);
	free(found.v);
	return &gpm_error_nomem;
}

struct gpm_error *gpm_gotype_find(struct gpm_goimage *img, const char *name, uint64_t *out)
{
	struct types_region *r = NULL;
	struct gpm_error *err = types_region(img, &r);
	if (err)
		return err;
	// The type T's string is stored as "*T" with TFlagExtraStar, shared with *T's.
	bool star = name[0] == '*';
	size_t nl = strlen(name);
	if (nl == 0 || nl > 1000)
		return gpm_error_create(GPM_ERR_USAGE, "bad type name");
	char *want = malloc(nl + 2);
	if (!want)
		return &gpm_error_nomem;
	size_t wl = 0;
	if (!star)
		want[wl++] = '*';
	memcpy(want + wl, name, nl);
	wl += nl;
	size_t t;
	bool found =
	    types_lookup(r, img->ptr_size, want, wl, old_names(img), !star, GPM_KIND_INVALID, &t);
	free(want);
	if (!found)
		return gpm_error_create(GPM_ERR_NOT_FOUND,
		                        "type %s: no type descriptor in the binary", name);
	*out = r->base + t;
	return NULL;
}

bool gpm_gotype_name(struct gpm_goimage *img, uint64_t addr, char *buf, size_t cap, uint8_t *kind)
{
	unsigned ps = img->ptr_size;
	uint8_t hb[64];
	if (!addr || !cap || !img->has_moduledata)
		return false;
	struct gpm_error *err = gpm_goimage_read(img, addr, hb, typehdr_size(ps));
	if (err) {
		gpm_error_destroy(err);
		return false;
	}
	struct typehdr h;
	typehdr_decode(hb, ps, &h);
	char *s = type_name(img, &h);
	size_t n = s ? strlen(s) : 0;
	bool ok = n && n < cap;
	if (ok) {
		memcpy(buf, s, n + 1);
		if (kind)
			*kind = h.kind;
	}
	free(s);
	return ok;
}

/* ---- probes for the facts (internal.h) ---- */

bool gpm_gort_types_probe(struct gpm_goimage *img, struct gpm_gort_types_probe *out)
{
	struct types_region *r = NULL;
	struct gpm_error *err = types_region(img, &r);
	if (err) {
		gpm_error_destroy(err);
		return false;
	}
	unsigned ps = img->ptr_size;
	static const char g[] = "*runtime.g";
	size_t t, wl = sizeof(g) - 1;
	// The name of runtime.g's descriptor is either encoding's; only one finds it.
	struct gpm_gort_types_probe p = {0};
	if (types_lookup(r, ps, g, wl, false, true, GPM_KIND_STRUCT, &t))
		p.name_varint = true;
	else if (!types_lookup(r, ps, g, wl, true, true, GPM_KIND_STRUCT, &t))
		return false;
	// offsetAnon doubles every offset: runtime.g's later fields then lie past its size.
	uint8_t hb[64], st[3 * 8];
	size_t th = typehdr_size(ps);
	if (t + th + 4 * (size_t)ps > r->len)
		return false;
	struct typehdr h;
	typehdr_decode(r->buf + t, ps, &h);
	memcpy(st, r->buf + t + th + ps, 3 * ps);
	uint64_t fptr = gpm_gort_ptr(img, rdw(st, ps)), flen = rdw(st + ps, ps);
	if (flen < 2 || flen > GPM_LAYOUT_MAX_FIELDS)
		return false;
	uint8_t fb[3 * 8];
	if ((err = gpm_goimage_read(img, fptr + (flen - 1) * 3 * ps, fb, 3 * ps))) {
		gpm_error_destroy(err);
		return false;
	}
	p.field_offset_anon = rdw(fb + 2 * ps, ps) > h.size;
	// *runtime.g, a pointer: direct in an interface, said by TFlag or by Kind_.
	p.has_direct_iface =
	    types_lookup(r, ps, g, wl, !p.name_varint, false, GPM_KIND_POINTER, &t);
	if (p.has_direct_iface) {
		memcpy(hb, r->buf + t, th);
		p.direct_iface_tflag = (hb[2 * ps + 4] & TFLAG_DIRECT_IFACE) != 0;
		if (!p.direct_iface_tflag && !(hb[2 * ps + 7] & KIND_DIRECT_IFACE))
			p.has_direct_iface = false;
	}
	*out = p;
	return true;
}
