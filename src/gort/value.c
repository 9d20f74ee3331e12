/*
 * Go values as fmt's %#v prints them (fmt/print.go printValue of Go 1.19-1.27), read from the
 * process memory and typed by the runtime type descriptors (gotype.h).
 *
 * What %#v does, and so what this does: a pointer to an array, slice, struct or map is
 * printed as &T{...} at the top only, every other pointer as (*T)(0xADDR); unsigned
 * integers in hex (0x1f90), floats in the shortest form strconv's 'g' gives, strings
 * quoted by strconv.Quote, nil slices and maps as T(nil), nil interfaces as T(nil), maps with
 * their keys sorted (internal/fmtsort), an interface as its dynamic value. gopm adds a
 * depth: pointers below the top are followed too while fewer than depth pointer levels
 * lie above them (depth 1 is exactly %#v), never around a cycle.
 *
 * Maps: before Go 1.24 runtime/map.go hmap {count int; flags, B uint8; noverflow uint16;
 * hash0 uint32; buckets, oldbuckets unsafe.Pointer; ...}: 1<<B buckets, each with overflow
 * chains, slots whose tophash >= minTopHash (5) are full; during a grow the old buckets
 * hold the entries not yet evacuated. From Go 1.24 internal/runtime/maps Map {used uint64;
 * seed uintptr; dirPtr unsafe.Pointer; dirLen int; ...}: dirLen 0 means dirPtr is one
 * group, else a directory of *table, table {...; groups {data unsafe.Pointer; lengthMask
 * uint64}} at offsets 16 and 24; a group's control word holds one byte per slot, full when
 * its top bit is clear.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <elfutils/libdw.h>

#include "base/vec.h"
#include "elf/exe.h"
#include "gort/gotype.h"
#include "gort/image.h"
#include "gort/layout.h"
#include "gort/value.h"

#define MAX_NESTING      64
#define MAX_CHAIN        (1u << 16) /* overflow buckets / groups visited per map */
#define SORT_KEY_BYTES   256        /* string key bytes compared when sorting */
#define MAX_CACHED_TYPES 4096

struct vctx {
	struct gpm_goimage *img;
	const struct gpm_value_options *o;
	struct gpm_strbuf *sb;
	size_t unreadable;
	struct gpm_error *err; /* sticky: out of memory */
	/* Decoded descriptors (linear search: few), each allocated on its own so that pointers
	 * to them stay valid while the cache grows. */
	GPM_VEC(struct gpm_gotype *) types;
	uint64_t path[MAX_NESTING]; /* pointers being followed */
	unsigned npath;
	const uint8_t *pieces; /* the bytes of a value in pieces (gpm_value_ref.bytes) */
	size_t npieces;
};

static void put(struct vctx *c, const char *s)
{
	gpm_strbuf_puts(c->sb, s);
}

static bool over(struct vctx *c)
{
	return c->err || c->sb->len > GPM_VALUE_MAX_OUTPUT;
}

static void unreadable(struct vctx *c, uint64_t addr)
{
	c->unreadable++;
	gpm_strbuf_printf(c->sb, "<unreadable 0x%" PRIx64 ">", addr);
}

static bool rd(struct vctx *c, uint64_t addr, void *buf, size_t n)
{
	if (c->pieces && addr >= GPM_VALUE_PIECES_ADDR) {
		uint64_t off = addr - GPM_VALUE_PIECES_ADDR;
		if (off > c->npieces || n > c->npieces - off)
			return false;
		memcpy(buf, c->pieces + off, n);
		return true;
	}
	struct gpm_error *err = gpm_goimage_read(c->img, addr, buf, n);
	if (err) {
		gpm_error_destroy(err);
		return false;
	}
	return true;
}

static bool word(struct vctx *c, uint64_t addr, uint64_t *v)
{
	uint8_t b[8] = {0};
	if (!rd(c, addr, b, c->img->ptr_size))
		return false;
	*v = 0;
	for (unsigned k = 0; k < c->img->ptr_size; k++)
		*v |= (uint64_t)b[k] << (8 * k);
	return true;
}

/* The decoded descriptor at addr, cached; NULL when it cannot be read (printed in place). */
static const struct gpm_gotype *type_at(struct vctx *c, uint64_t addr)
{
	for (size_t i = 0; i < c->types.len; i++)
		if (c->types.v[i]->addr == addr)
			return c->types.v[i];
	if (c->types.len >= MAX_CACHED_TYPES)
		return NULL;
	struct gpm_gotype t;
	struct gpm_error *err = gpm_gotype_read(c->img, addr, &t);
	if (err) {
		if (err->code == GPM_ERR_NOMEM && !c->err)
			c->err = err;
		else
			gpm_error_destroy(err);
		return NULL;
	}
	struct gpm_gotype *heap = malloc(sizeof(*heap)),
	                  **slot = heap ? gpm_vec_push(&c->types) : NULL;
	if (!slot) {
		gpm_gotype_deinit(&t);
		free(heap);
		c->err = &gpm_error_nomem;
		return NULL;
	}
	*heap = t;
	*slot = heap;
	return heap;
}

static void bad_type(struct vctx *c, uint64_t taddr)
{
	c->unreadable++;
	gpm_strbuf_printf(c->sb, "<unreadable type 0x%" PRIx64 ">", taddr);
}

/* strconv.Quote: printable runes as they are, the rest escaped. */
static void quote(struct vctx *c, const uint8_t *s, size_t n)
{
	gpm_strbuf_putc(c->sb, '"');
	for (size_t i = 0; i < n;) {
		uint8_t b = s[i];
		const char *esc = NULL;
		switch (b) {
		case '\a':
			esc = "\\a";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		case '\v':
			esc = "\\v";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '"':
			esc = "\\\"";
			break;
		}
		if (esc) {
			put(c, esc);
			i++;
			continue;
		}
		if (b < 0x80) {
			if (b < 0x20 || b == 0x7f)
				gpm_strbuf_printf(c->sb, "\\x%02x", b);
			else
				gpm_strbuf_putc(c->sb, (char)b);
			i++;
			continue;
		}
		// UTF-8: a valid sequence is kept (C1 controls escaped), a bad byte is \xNN.
		size_t len = b >= 0xf0 && b < 0xf5   ? 4
		             : b >= 0xe0             ? 3
		             : b >= 0xc2 && b < 0xe0 ? 2
		                                     : 0;
		uint32_t r = len == 2 ? b & 0x1f : len == 3 ? b & 0x0f : b & 0x07;
		bool ok = len && i + len <= n;
		for (size_t k = 1; ok && k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				ok = false;
			r = r << 6 | (s[i + k] & 0x3f);
		}
		if (ok && ((len == 3 && (r < 0x800 || (r >= 0xd800 && r < 0xe000))) ||
		           (len == 4 && (r < 0x10000 || r > 0x10ffff))))
			ok = false;
		if (!ok) {
			gpm_strbuf_printf(c->sb, "\\x%02x", b);
			i++;
		} else if (r < 0xa0 || r == 0xad || r == 0xfeff) {
			gpm_strbuf_printf(c->sb, "\\u%04x", r);
			i += len;
		} else {
			gpm_strbuf_append(c->sb, (const char *)s + i, len);
			i += len;
		}
	}
	gpm_strbuf_putc(c->sb, '"');
}

/* strconv.FormatFloat(v, 'g', -1, bits): the shortest digits that read back, in %e form when
 * the exponent is < -4 or >= 6, as for the shortest form in strconv/ftoa.go. */
static void put_float(struct vctx *c, double v, int bits)
{
	if (isnan(v)) {
		put(c, "NaN");
		return;
	}
	if (isinf(v)) {
		put(c, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	char buf[64];
	int prec;
	for (prec = 0; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec, v);
		double back = strtod(buf, NULL);
		if (bits == 32 ? (float)back == (float)v : back == v)
			break;
	}
	snprintf(buf, sizeof(buf), "%.*e", prec, v);
	// buf: [-]d[.ddd]e[+-]XX
	char *e = strchr(buf, 'e');
	if (!e)
		return put(c, buf);
	int exp = atoi(e + 1);
	*e = 0;
	char digits[32];
	size_t nd = 0;
	bool neg = buf[0] == '-';
	for (char *p = buf + neg; *p && nd < sizeof(digits) - 1; p++)
		if (isdigit((unsigned char)*p))
			digits[nd++] = *p;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = 0;
	if (v == 0)
		exp = 0;
	if (neg)
		gpm_strbuf_putc(c->sb, '-');
	if (exp < -4 || exp >= 6) {
		gpm_strbuf_putc(c->sb, digits[0]);
		if (nd > 1) {
			gpm_strbuf_putc(c->sb, '.');
			put(c, digits + 1);
		}
		gpm_strbuf_printf(c->sb, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
		return;
	}
	if (exp < 0) {
		put(c, "0.");
		for (int k = -1; k > exp; k--)
			gpm_strbuf_putc(c->sb, '0');
		put(c, digits);
		return;
	}
	for (int k = 0; k <= exp; k++)
		gpm_strbuf_putc(c->sb, (size_t)k < nd ? digits[k] : '0');
	if ((size_t)exp + 1 < nd) {
		gpm_strbuf_putc(c->sb, '.');
		put(c, digits + exp + 1);
	}
}

static void value(struct vctx *c, uint64_t taddr, uint64_t addr, unsigned nest, unsigned ptrs);

/* (T)(0xADDR) or (T)(nil): how %#v prints a pointer it does not follow. */
static void pointer_form(struct vctx *c, const struct gpm_gotype *t, uint64_t p)
{
	gpm_strbuf_printf(c->sb, "(%s)(", t->name);
	if (p)
		gpm_strbuf_printf(c->sb, "0x%" PRIx64 ")", p);
	else
		put(c, "nil)");
}

static void pointer(struct vctx *c, const struct gpm_gotype *t, uint64_t p, unsigned nest,
                    unsigned ptrs)
{
	const struct gpm_gotype *et = p && t->elem ? type_at(c, t->elem) : NULL;
	bool follow = et && (nest == 0 || ptrs + 1 < c->o->depth) && nest < MAX_NESTING &&
	              c->npath < MAX_NESTING &&
	              (et->kind == GPM_KIND_ARRAY || et->kind == GPM_KIND_SLICE ||
	               et->kind == GPM_KIND_STRUCT || et->kind == GPM_KIND_MAP);
	for (unsigned i = 0; follow && i < c->npath; i++)
		if (c->path[i] == p)
			follow = false; // a cycle: printed as the pointer it is
	if (!follow)
		return pointer_form(c, t, p);
	uint8_t probe;
	if (!rd(c, p, &probe, 1)) {
		gpm_strbuf_printf(c->sb, "(%s)(", t->name);
		unreadable(c, p);
		gpm_strbuf_putc(c->sb, ')');
		return;
	}
	gpm_strbuf_putc(c->sb, '&');
	c->path[c->npath++] = p;
	value(c, t->elem, p, nest + 1, ptrs + 1);
	c->npath--;
}

static void more(struct vctx *c, uint64_t n)
{
	c->unreadable++;
	gpm_strbuf_printf(c->sb, "/* %" PRIu64 " more */", n);
}

/* A sequence of n elements of type et at base (array or slice body). */
static void elements(struct vctx *c, const struct gpm_gotype *et, uint64_t base, uint64_t n,
                     unsigned nest, unsigned ptrs)
{
	gpm_strbuf_putc(c->sb, '{');
	uint64_t shown = n < c->o->max_len ? n : c->o->max_len;
	for (uint64_t i = 0; i < shown && !over(c); i++) {
		if (i)
			put(c, ", ");
		uint64_t a;
		if (__builtin_mul_overflow(i, et->size, &a) ||
		    __builtin_add_overflow(a, base, &a)) {
			unreadable(c, base);
			break;
		}
		value(c, et->addr, a, nest + 1, ptrs);
	}
	if (shown < n) {
		put(c, shown ? ", " : "");
		more(c, n - shown);
	}
	gpm_strbuf_putc(c->sb, '}');
}

static void string_value(struct vctx *c, uint64_t addr)
{
	uint64_t p, n;
	if (!word(c, addr, &p) || !word(c, addr + c->img->ptr_size, &n))
		return unreadable(c, addr);
	if (n >> 62) {
		c->unreadable++;
		gpm_strbuf_printf(c->sb, "<bad string length %" PRIu64 ">", n);
		return;
	}
	uint64_t shown = n < c->o->max_len ? n : c->o->max_len;
	uint8_t *buf = malloc(shown ? shown : 1);
	if (!buf) {
		c->err = &gpm_error_nomem;
		return;
	}
	if (shown && !rd(c, p, buf, shown))
		unreadable(c, p);
	else
		quote(c, buf, shown);
	free(buf);
	if (shown < n) {
		gpm_strbuf_putc(c->sb, ' ');
		more(c, n - shown);
	}
}

/* ---- maps ---- */

struct entry {
	uint64_t key, elem; /* addresses */
	int64_t i;
	uint64_t u;
	double f;
	char *s;
	size_t slen;
};

struct entries {
	GPM_VEC(struct entry) v;
	bool capped;
};

static void add_entry(struct vctx *c, struct entries *es, const struct gpm_gotype *mt, uint64_t k,
                      uint64_t e)
{
	if (es->v.len >= GPM_VALUE_MAX_MAP_ENTRIES) {
		es->capped = true;
		return;
	}
	if ((mt->indirect_key && !word(c, k, &k)) || (mt->indirect_elem && !word(c, e, &e)))
		return;
	struct entry *x = gpm_vec_push(&es->v);
	if (!x) {
		c->err = &gpm_error_nomem;
		return;
	}
	memset(x, 0, sizeof(*x));
	x->key = k;
	x->elem = e;
	const struct gpm_gotype *kt = type_at(c, mt->key);
	if (!kt)
		return;
	uint8_t b[16] = {0};
	if (kt->kind == GPM_KIND_STRING) {
		uint64_t p, n;
		if (word(c, k, &p) && word(c, k + c->img->ptr_size, &n)) {
			x->slen = n < SORT_KEY_BYTES ? (size_t)n : SORT_KEY_BYTES;
			x->s = malloc(x->slen + 1);
			if (x->s && !rd(c, p, x->s, x->slen))
				x->slen = 0;
		}
	} else if (kt->size <= 8 && rd(c, k, b, (size_t)kt->size)) {
		uint64_t u = 0;
		for (size_t q = 0; q < kt->size; q++)
			u |= (uint64_t)b[q] << (8 * q);
		x->u = u;
		unsigned bits = (unsigned)kt->size * 8;
		x->i =
		    bits < 64 && (u >> (bits - 1) & 1) ? (int64_t)(u | ~0ull << bits) : (int64_t)u;
		if (kt->kind == GPM_KIND_FLOAT64)
			memcpy(&x->f, &u, 8);
		else if (kt->kind == GPM_KIND_FLOAT32) {
			float f;
			uint32_t u32 = (uint32_t)u;
			memcpy(&f, &u32, 4);
			x->f = f;
		}
	}
}

static uint8_t sort_kind;

/* internal/fmtsort compare: numbers by value, strings by bytes, false before true; other
 * keys (structs, interfaces, pointers) by address here. */
static int entry_cmp(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	switch (sort_kind) {
	case GPM_KIND_INT:
	case GPM_KIND_INT8:
	case GPM_KIND_INT16:
	case GPM_KIND_INT32:
	case GPM_KIND_INT64:
		return a->i < b->i ? -1 : a->i > b->i;
	case GPM_KIND_FLOAT32:
	case GPM_KIND_FLOAT64:
		return a->f < b->f ? -1 : a->f > b->f;
	case GPM_KIND_STRING: {
		size_t n = a->slen < b->slen ? a->slen : b->slen;
		int r = n && a->s && b->s ? memcmp(a->s, b->s, n) : 0;
		return r ? r : a->slen < b->slen ? -1 : a->slen > b->slen;
	}
	case GPM_KIND_BOOL:
	case GPM_KIND_UINT:
	case GPM_KIND_UINT8:
	case GPM_KIND_UINT16:
	case GPM_KIND_UINT32:
	case GPM_KIND_UINT64:
	case GPM_KIND_UINTPTR:
		return a->u < b->u ? -1 : a->u > b->u;
	default:
		return a->key < b->key ? -1 : a->key > b->key;
	}
}

static void old_buckets(struct vctx *c, const struct gpm_gotype *mt, uint64_t buckets, uint64_t nb,
                        struct entries *es, size_t *visits)
{
	uint64_t ks = mt->keysize, es_ = mt->elemsize, bs = mt->bucket_size;
	unsigned ps = c->img->ptr_size;
	if (!buckets || bs < 8 + 8 * (ks + es_) + ps)
		return;
	for (uint64_t i = 0; i < nb && !es->capped && !c->err; i++) {
		uint64_t b = buckets + i * bs;
		while (b && *visits < MAX_CHAIN) {
			++*visits;
			uint8_t top[8];
			if (!rd(c, b, top, 8)) {
				c->unreadable++;
				break;
			}
			for (unsigned s = 0; s < 8; s++)
				if (top[s] >= 5) // minTopHash: 0-4 are empty and evacuated marks
					add_entry(c, es, mt, b + 8 + s * ks,
					          b + 8 + 8 * ks + s * es_);
			if (!word(c, b + bs - ps, &b))
				break;
		}
	}
}

static void swiss_group(struct vctx *c, const struct gpm_gotype *mt, uint64_t g, struct entries *es)
{
	uint8_t ctrl[8];
	if (!rd(c, g, ctrl, 8)) {
		c->unreadable++;
		return;
	}
	for (unsigned s = 0; s < 8; s++)
		if (!(ctrl[s] & 0x80))
			add_entry(c, es, mt, g + mt->keys_off + s * mt->key_stride,
			          g + mt->elems_off + s * mt->elem_stride);
}

static void map_entries(struct vctx *c, const struct gpm_gotype *mt, uint64_t h, struct entries *es)
{
	unsigned ps = c->img->ptr_size;
	size_t visits = 0;
	if (!mt->swiss) {
		uint8_t fb[2];
		uint64_t buckets, old;
		if (!rd(c, h + ps, fb, 2) || !word(c, h + ps + 8, &buckets) ||
		    !word(c, h + ps + 8 + ps, &old) || fb[1] > 62) {
			c->unreadable++;
			return;
		}
		unsigned B = fb[1];
		old_buckets(c, mt, buckets, 1ull << B, es, &visits);
		// Growing: entries not yet evacuated are still in the old buckets (half as many,
		// or as many for a same-size grow, flag 8).
		if (old)
			old_buckets(c, mt, old, (fb[0] & 8) || !B ? 1ull << B : 1ull << (B - 1), es,
			            &visits);
		return;
	}
	uint64_t dir, dirlen;
	if (!word(c, h + 16, &dir) || !word(c, h + 24, &dirlen)) {
		c->unreadable++;
		return;
	}
	if (dirlen == 0) {
		if (dir)
			swiss_group(c, mt, dir, es);
		return;
	}
	uint64_t prev = 0;
	for (uint64_t i = 0; i < dirlen && i < MAX_CHAIN && !es->capped && !c->err; i++) {
		uint64_t tab, data, mask;
		if (!word(c, dir + i * ps, &tab)) {
			c->unreadable++;
			return;
		}
		// A table of local depth d fills 1<<(globalDepth-d) consecutive entries.
		if (tab == prev)
			continue;
		prev = tab;
		if (!word(c, tab + 16, &data) || !word(c, tab + 24, &mask)) {
			c->unreadable++;
			continue;
		}
		for (uint64_t g = 0; g <= mask && visits < MAX_CHAIN && !es->capped; g++, visits++)
			swiss_group(c, mt, data + g * mt->group_size, es);
	}
}

static void map_value(struct vctx *c, const struct gpm_gotype *mt, uint64_t h, unsigned nest,
                      unsigned ptrs)
{
	if (!h) {
		gpm_strbuf_printf(c->sb, "%s(nil)", mt->name);
		return;
	}
	const struct gpm_gotype *kt = type_at(c, mt->key);
	struct entries es = {0};
	map_entries(c, mt, h, &es);
	sort_kind = kt ? kt->kind : 0;
	if (es.v.len)
		qsort(es.v.v, es.v.len, sizeof(*es.v.v), entry_cmp);
	gpm_strbuf_printf(c->sb, "%s{", mt->name);
	size_t shown = es.v.len < c->o->max_len ? es.v.len : (size_t)c->o->max_len;
	for (size_t i = 0; i < shown && !over(c); i++) {
		if (i)
			put(c, ", ");
		value(c, mt->key, es.v.v[i].key, nest + 1, ptrs);
		gpm_strbuf_putc(c->sb, ':');
		value(c, mt->elem, es.v.v[i].elem, nest + 1, ptrs);
	}
	if (shown < es.v.len) {
		put(c, shown ? ", " : "");
		more(c, es.v.len - shown);
	}
	if (es.capped) {
		c->unreadable++;
		gpm_strbuf_printf(c->sb, "%s/* entries past %d not read */", es.v.len ? ", " : "",
		                  GPM_VALUE_MAX_MAP_ENTRIES);
	}
	gpm_strbuf_putc(c->sb, '}');
	for (size_t i = 0; i < es.v.len; i++)
		free(es.v.v[i].s);
	gpm_vec_free(&es.v);
}

/* An interface at addr: its dynamic value (at the same nesting for the top, as Printf
 * receives it), or T(nil). */
static void iface_value(struct vctx *c, const struct gpm_gotype *t, uint64_t addr, unsigned nest,
                        unsigned ptrs)
{
	unsigned ps = c->img->ptr_size;
	uint64_t tw, data;
	if (!word(c, addr, &tw) || !word(c, addr + ps, &data))
		return unreadable(c, addr);
	if (!tw) {
		gpm_strbuf_printf(c->sb, "%s(nil)", t->name);
		return;
	}
	uint64_t dyn = tw;
	// A non-empty interface holds an itab {inter, _type, ...} (runtime/iface.go, abi.ITab).
	if (t->nmethods && !word(c, tw + ps, &dyn))
		return unreadable(c, tw);
	const struct gpm_gotype *dt = type_at(c, dyn);
	if (!dt)
		return bad_type(c, dyn);
	value(c, dyn, dt->direct_iface ? addr + ps : data, nest ? nest + 1 : 0, ptrs);
}

static void value(struct vctx *c, uint64_t taddr, uint64_t addr, unsigned nest, unsigned ptrs)
{
	if (over(c))
		return;
	const struct gpm_gotype *t = type_at(c, taddr);
	if (!t)
		return bad_type(c, taddr);
	if (nest > MAX_NESTING) {
		put(c, "...");
		c->unreadable++;
		return;
	}
	uint8_t b[16] = {0};
	uint64_t u = 0;
	// A struct or array nowhere in memory prints once, not once per field.
	if ((t->kind == GPM_KIND_STRUCT || t->kind == GPM_KIND_ARRAY) && t->size &&
	    !rd(c, addr, b, 1))
		return unreadable(c, addr);
	switch (t->kind) {
	case GPM_KIND_BOOL:
	case GPM_KIND_INT:
	case GPM_KIND_INT8:
	case GPM_KIND_INT16:
	case GPM_KIND_INT32:
	case GPM_KIND_INT64:
	case GPM_KIND_UINT:
	case GPM_KIND_UINT8:
	case GPM_KIND_UINT16:
	case GPM_KIND_UINT32:
	case GPM_KIND_UINT64:
	case GPM_KIND_UINTPTR:
	case GPM_KIND_FLOAT32:
	case GPM_KIND_FLOAT64:
	case GPM_KIND_COMPLEX64:
	case GPM_KIND_COMPLEX128:
		if (t->size > 16 || !rd(c, addr, b, (size_t)t->size))
			return unreadable(c, addr);
		for (size_t k = 0; k < t->size && k < 8; k++)
			u |= (uint64_t)b[k] << (8 * k);
		break;
	default:
		break;
	}
	unsigned bits = (unsigned)t->size * 8;
	switch (t->kind) {
	case GPM_KIND_BOOL:
		put(c, u ? "true" : "false");
		break;
	case GPM_KIND_INT:
	case GPM_KIND_INT8:
	case GPM_KIND_INT16:
	case GPM_KIND_INT32:
	case GPM_KIND_INT64: {
		int64_t i = bits && bits < 64 && (u >> (bits - 1) & 1)
		                ? (int64_t)(u | ~0ull << bits)
		                : (int64_t)u;
		gpm_strbuf_printf(c->sb, "%" PRId64, i);
		break;
	}
	case GPM_KIND_UINT:
	case GPM_KIND_UINT8:
	case GPM_KIND_UINT16:
	case GPM_KIND_UINT32:
	case GPM_KIND_UINT64:
	case GPM_KIND_UINTPTR:
		gpm_strbuf_printf(c->sb, "0x%" PRIx64, u);
		break;
	case GPM_KIND_FLOAT32: {
		float f;
		uint32_t u32 = (uint32_t)u;
		memcpy(&f, &u32, 4);
		put_float(c, f, 32);
		break;
	}
	case GPM_KIND_FLOAT64: {
		double d;
		memcpy(&d, &u, 8);
		put_float(c, d, 64);
		break;
	}
	case GPM_KIND_COMPLEX64:
	case GPM_KIND_COMPLEX128: {
		double re, im;
		if (t->kind == GPM_KIND_COMPLEX64) {
			float fr, fi;
			memcpy(&fr, b, 4);
			memcpy(&fi, b + 4, 4);
			re = fr;
			im = fi;
		} else {
			memcpy(&re, b, 8);
			memcpy(&im, b + 8, 8);
		}
		int fb = t->kind == GPM_KIND_COMPLEX64 ? 32 : 64;
		gpm_strbuf_putc(c->sb, '(');
		put_float(c, re, fb);
		if (!signbit(im) || isnan(im))
			gpm_strbuf_putc(c->sb, '+');
		put_float(c, im, fb);
		put(c, "i)");
		break;
	}
	case GPM_KIND_STRING:
		string_value(c, addr);
		break;
	case GPM_KIND_POINTER:
	case GPM_KIND_UNSAFE_POINTER:
	case GPM_KIND_CHAN: {
		uint64_t p;
		if (!word(c, addr, &p))
			return unreadable(c, addr);
		if (t->kind == GPM_KIND_POINTER)
			pointer(c, t, p, nest, ptrs);
		else
			pointer_form(c, t, p);
		break;
	}
	case GPM_KIND_FUNC: {
		// reflect.Value.Pointer of a func: the code pointer, the closure's first word.
		uint64_t p, code = 0;
		if (!word(c, addr, &p))
			return unreadable(c, addr);
		if (p && !word(c, p, &code)) {
			gpm_strbuf_printf(c->sb, "(%s)(", t->name);
			unreadable(c, p);
			gpm_strbuf_putc(c->sb, ')');
			return;
		}
		pointer_form(c, t, code);
		break;
	}
	case GPM_KIND_MAP: {
		uint64_t h;
		if (!word(c, addr, &h))
			return unreadable(c, addr);
		map_value(c, t, h, nest, ptrs);
		break;
	}
	case GPM_KIND_INTERFACE:
		iface_value(c, t, addr, nest, ptrs);
		break;
	case GPM_KIND_ARRAY: {
		const struct gpm_gotype *et = type_at(c, t->elem);
		if (!et)
			return bad_type(c, t->elem);
		put(c, t->name);
		elements(c, et, addr, t->len, nest, ptrs);
		break;
	}
	case GPM_KIND_SLICE: {
		uint64_t p, n;
		unsigned ps = c->img->ptr_size;
		if (!word(c, addr, &p) || !word(c, addr + ps, &n))
			return unreadable(c, addr);
		if (!p) {
			gpm_strbuf_printf(c->sb, "%s(nil)", t->name);
			break;
		}
		const struct gpm_gotype *et = type_at(c, t->elem);
		if (!et)
			return bad_type(c, t->elem);
		if (n >> 48) {
			c->unreadable++;
			gpm_strbuf_printf(c->sb, "%s<bad length %" PRIu64 ">", t->name, n);
			break;
		}
		put(c, t->name);
		elements(c, et, p, n, nest, ptrs);
		break;
	}
	case GPM_KIND_STRUCT:
		put(c, t->name);
		gpm_strbuf_putc(c->sb, '{');
		for (size_t i = 0; i < t->nfields && !over(c); i++) {
			if (i)
				put(c, ", ");
			gpm_strbuf_printf(c->sb, "%s:", t->fields[i].name);
			value(c, t->fields[i].type, addr + t->fields[i].offset, nest + 1, ptrs);
		}
		gpm_strbuf_putc(c->sb, '}');
		break;
	default:
		c->unreadable++;
		gpm_strbuf_printf(c->sb, "<%s of kind %u>", t->name, t->kind);
	}
}

struct gpm_error *gpm_value_format(struct gpm_goimage *img, const struct gpm_value_ref *ref,
                                   const struct gpm_value_options *o, struct gpm_strbuf *sb,
                                   size_t *unreadable_out)
{
	struct gpm_value_options def = {GPM_VALUE_DEFAULT_DEPTH, GPM_VALUE_DEFAULT_MAX_LEN};
	struct vctx c = {
	    .img = img, .o = o ? o : &def, .sb = sb, .pieces = ref->bytes, .npieces = ref->nbytes};
	struct gpm_gotype top;
	struct gpm_error *err = gpm_gotype_read(img, ref->type, &top);
	if (err)
		return err;
	if (ref->is_pointer) {
		if (top.kind != GPM_KIND_POINTER) {
			gpm_gotype_deinit(&top);
			return gpm_error_create(GPM_ERR_USAGE, "%s is not a pointer type",
			                        top.name);
		}
		pointer(&c, &top, ref->addr, 0, 0);
	} else {
		value(&c, ref->type, ref->addr, 0, 0);
	}
	gpm_gotype_deinit(&top);
	for (size_t i = 0; i < c.types.len; i++) {
		gpm_gotype_deinit(c.types.v[i]);
		free(c.types.v[i]);
	}
	gpm_vec_free(&c.types);
	if (c.err)
		return c.err;
	*unreadable_out = c.unreadable;
	return NULL;
}

/* ---- expressions ---- */

/* A global by name from DWARF: its address and the name of its type, whose descriptor is
 * then found by that name (DW_AT_go_runtime_type is missing on many types). The Go linker
 * writes the location as a block holding one DW_OP_addr. */
static struct gpm_error *dwarf_global(struct gpm_goimage *img, const char *name,
                                      struct gpm_value_ref *out)
{
	Dwarf *dw = gpm_exe_dwarf(img->exe);
	if (!dw)
		return gpm_error_create(
		    GPM_ERR_NOT_FOUND,
		    "%s: globals are found by name in DWARF, which this "
		    "executable lacks; give a type and an address: *(*T)(0xADDR)",
		    name);
	Dwarf_Off off = 0, next;
	size_t hsize;
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, child;
		if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_child(&cu, &child) == 0) {
			do {
				const char *n;
				Dwarf_Attribute a;
				Dwarf_Block blk;
				Dwarf_Die type;
				if (dwarf_tag(&child) != DW_TAG_variable ||
				    !(n = dwarf_diename(&child)) || strcmp(n, name) != 0)
					continue;
				if (!dwarf_attr(&child, DW_AT_location, &a) ||
				    dwarf_formblock(&a, &blk) != 0 || blk.length != 9 ||
				    blk.data[0] != DW_OP_addr ||
				    !dwarf_attr(&child, DW_AT_type, &a) ||
				    !dwarf_formref_die(&a, &type) || !dwarf_diename(&type))
					continue;
				uint64_t vaddr;
				memcpy(&vaddr, blk.data + 1, 8);
				uint64_t t;
				struct gpm_error *err =
				    gpm_gotype_find(img, dwarf_diename(&type), &t);
				if (err)
					return gpm_error_wrap(err, "%s", name);
				*out = (struct gpm_value_ref){.type = t, .addr = vaddr + img->bias};
				return NULL;
			} while (dwarf_siblingof(&child, &child) == 0);
		}
		off = next;
	}
	return gpm_error_create(GPM_ERR_NOT_FOUND, "%s: no such global variable", name);
}

/* "(*T)(0xADDR)" at s: the type T (malloc'd) and the address; the end in *end. */
static bool parse_conv(const char *s, char **type, uint64_t *addr, const char **end)
{
	if (s[0] != '(' || s[1] != '*')
		return false;
	// The type runs to the ')' that closes the first '(' (types hold parentheses:
	// "func(int) error").
	int depth = 0;
	const char *p = s;
	for (; *p; p++) {
		if (*p == '(' || *p == '[' || *p == '{')
			depth++;
		else if ((*p == ')' || *p == ']' || *p == '}') && --depth == 0)
			break;
	}
	if (*p != ')' || p[1] != '(')
		return false;
	char *q;
	errno = 0;
	unsigned long long a = strtoull(p + 2, &q, 0);
	if (q == p + 2 || *q != ')' || errno)
		return false;
	*type = strndup(s + 1, (size_t)(p - s - 1));
	*addr = a;
	*end = q + 1;
	return *type != NULL;
}

/* Applies one selector to ref: ".Field" (through a pointer as Go does) or "[i]" of a slice
 * or array. *s advances past it. */
static struct gpm_error *select_one(struct gpm_goimage *img, struct gpm_value_ref *ref,
                                    const char **s)
{
	struct vctx c = {.img = img, .pieces = ref->bytes, .npieces = ref->nbytes};
	struct gpm_gotype t;
	struct gpm_error *err = gpm_gotype_read(img, ref->type, &t);
	if (err)
		return err;
	uint64_t base = ref->addr;
	if (ref->is_pointer || t.kind == GPM_KIND_POINTER) {
		// Go's selectors and indexes see through one pointer.
		if (!ref->is_pointer && !word(&c, ref->addr, &base)) {
			gpm_gotype_deinit(&t);
			return gpm_error_create(GPM_ERR_FAULT, "0x%" PRIx64 " unreadable",
			                        ref->addr);
		}
		uint64_t elem = t.elem;
		gpm_gotype_deinit(&t);
		if (!base)
			return gpm_error_create(GPM_ERR_NOT_FOUND, "nil pointer before '%s'", *s);
		if ((err = gpm_gotype_read(img, elem, &t)))
			return err;
	}
	const char *p = *s;
	if (*p == '.') {
		size_t n = strcspn(p + 1, ".[");
		for (size_t i = 0; i < t.nfields; i++) {
			if (strlen(t.fields[i].name) == n && !strncmp(t.fields[i].name, p + 1, n)) {
				*ref = (struct gpm_value_ref){.type = t.fields[i].type,
				                              .addr = base + t.fields[i].offset};
				*s = p + 1 + n;
				gpm_gotype_deinit(&t);
				return NULL;
			}
		}
		err = gpm_error_create(GPM_ERR_NOT_FOUND, "%s has no field %.*s", t.name, (int)n,
		                       p + 1);
		gpm_gotype_deinit(&t);
		return err;
	}
	char *end;
	errno = 0;
	unsigned long long idx = strtoull(p + 1, &end, 0);
	if (end == p + 1 || *end != ']' || errno) {
		gpm_gotype_deinit(&t);
		return gpm_error_create(GPM_ERR_USAGE, "bad index at '%s'", p);
	}
	uint64_t len = t.len, data = base;
	if (t.kind == GPM_KIND_SLICE &&
	    (!word(&c, base, &data) || !word(&c, base + img->ptr_size, &len))) {
		gpm_gotype_deinit(&t);
		return gpm_error_create(GPM_ERR_FAULT, "0x%" PRIx64 " unreadable", base);
	}
	if (t.kind != GPM_KIND_SLICE && t.kind != GPM_KIND_ARRAY) {
		err = gpm_error_create(GPM_ERR_USAGE, "%s cannot be indexed", t.name);
	} else if (idx >= len) {
		err = gpm_error_create(GPM_ERR_NOT_FOUND,
		                       "index %llu out of range of %s of length %" PRIu64, idx,
		                       t.name, len);
	} else {
		struct gpm_gotype et;
		if (!(err = gpm_gotype_read(img, t.elem, &et))) {
			*ref = (struct gpm_value_ref){.type = t.elem, .addr = data + idx * et.size};
			*s = end + 1;
			gpm_gotype_deinit(&et);
		}
	}
	gpm_gotype_deinit(&t);
	return err;
}

static struct gpm_error *select_all(struct gpm_goimage *img, struct gpm_value_ref *ref,
                                    const char *s)
{
	while (*s) {
		if (*s != '.' && *s != '[')
			return gpm_error_create(GPM_ERR_USAGE, "unexpected '%s'", s);
		const uint8_t *bytes = ref->bytes;
		size_t nbytes = ref->nbytes;
		struct gpm_error *err = select_one(img, ref, &s);
		if (err)
			return err;
		// A part of a value in pieces is still in them (unless a pointer led away).
		if (bytes && ref->addr >= GPM_VALUE_PIECES_ADDR) {
			ref->bytes = bytes;
			ref->nbytes = nbytes;
		}
	}
	return NULL;
}

struct gpm_error *gpm_value_select(struct gpm_goimage *img, struct gpm_value_ref *ref,
                                   const char *selectors)
{
	return select_all(img, ref, selectors);
}

struct gpm_error *gpm_value_eval(struct gpm_goimage *img, const char *expr,
                                 struct gpm_value_ref *out)
{
	while (isspace((unsigned char)*expr))
		expr++;
	bool deref = expr[0] == '*' && expr[1] == '(';
	char *type = NULL;
	uint64_t addr;
	const char *end;
	if (parse_conv(expr + deref, &type, &addr, &end)) {
		uint64_t t;
		// *(*T)(a) is a T at a: the descriptor of T; (*T)(a) a pointer: that of *T.
		struct gpm_error *err = gpm_gotype_find(img, deref ? type + 1 : type, &t);
		free(type);
		if (err)
			return err;
		struct gpm_value_ref r = {.type = t, .addr = addr, .is_pointer = !deref};
		if ((err = select_all(img, &r, end)))
			return gpm_error_wrap(err, "%s", expr);
		*out = r;
		return NULL;
	}
	if (!isalpha((unsigned char)expr[0]) && expr[0] != '_')
		return gpm_error_create(GPM_ERR_USAGE,
		                        "%s: not an expression (a global such as main.config, "
		                        "*(*T)(0xADDR) or (*T)(0xADDR))",
		                        expr);
	// The global is the longest prefix that names one: package paths hold dots too.
	size_t len = strlen(expr);
	char *name = strdup(expr);
	if (!name)
		return &gpm_error_nomem;
	struct gpm_error *first = NULL;
	for (;;) {
		struct gpm_value_ref r;
		name[len] = 0;
		struct gpm_error *err = dwarf_global(img, name, &r);
		if (!err) {
			gpm_error_destroy(first);
			err = select_all(img, &r, expr + len);
			free(name);
			if (err)
				return gpm_error_wrap(err, "%s", expr);
			*out = r;
			return NULL;
		}
		bool not_found = err->code == GPM_ERR_NOT_FOUND;
		if (!first)
			first = err;
		else
			gpm_error_destroy(err);
		if (!not_found || !img->has_dwarf)
			break;
		// Drop the last ".name" or "[i]" and try again.
		while (len && name[len - 1] != '.' && name[len - 1] != '[')
			len--;
		if (len < 2)
			break;
		len--;
	}
	free(name);
	return first;
}
