/*
 * A frame's arguments and locals from DWARF (see locals.h). The Go compiler
 * (cmd/compile/internal/dwarfgen, cmd/internal/dwarf, Go 1.19-1.27) describes each variable
 * of an optimized function by a location list: per pc range, registers or stack slots
 * relative to the frame base (DW_AT_frame_base DW_OP_call_frame_cfa), composite values as
 * DW_OP_piece parts, and nothing for a part it did not keep. At a call every live value is
 * on the stack (Go has no callee-saved registers), so the frames of a parked goroutine read
 * whole; only the innermost frame of a running one may have parts in registers.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <elfutils/libdw.h>

#include "elf/exe.h"
#include "gort/gotype.h"
#include "gort/image.h"
#include "gort/locals.h"
#include "model/incident.h"

/* cmd/internal/dwarf: the address of a type's runtime descriptor, on most types. */
#define DW_AT_GO_RUNTIME_TYPE 0x2904
#define MAX_PIECES            64
#define MAX_STACK             16

enum piece_kind { PIECE_MEM, PIECE_REG, PIECE_NONE, PIECE_VALUE };

struct piece {
	enum piece_kind kind;
	uint64_t addr; /* PIECE_MEM: where; PIECE_VALUE: the value itself */
	uint64_t size; /* 0: the rest of the value */
};

void gpm_locals_deinit(struct gpm_locals *l)
{
	for (size_t i = 0; i < l->len; i++) {
		free(l->v[i].name);
		free(l->v[i].type_name);
		free(l->v[i].bytes);
	}
	free(l->v);
	*l = (struct gpm_locals){0};
}

/* Appends to *scopes the DIEs under parent that hold pc, outermost first: a subprogram,
 * then the inlined calls and lexical blocks nested in it. (Not dwarf_getscopes: it loses
 * its array when it finds an inlined call whose origin is elsewhere.) */
static int descend(Dwarf_Die *parent, uint64_t pc, Dwarf_Die *scopes, int n, int max)
{
	Dwarf_Die child;
	if (n >= max || dwarf_child(parent, &child) != 0)
		return n;
	do {
		int tag = dwarf_tag(&child);
		if ((tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine ||
		     tag == DW_TAG_lexical_block) &&
		    dwarf_haspc(&child, pc) == 1) {
			scopes[n] = child;
			return descend(&scopes[n], pc, scopes, n + 1, max);
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return n;
}

/* The scopes that hold pc, innermost first (malloc'd), in the compile unit that holds it.
 * Returns their number, 0 when none. */
static int scopes_at(Dwarf *dw, uint64_t pc, Dwarf_Die **scopes)
{
	enum { MAX_SCOPES = GPM_LOCALS_MAX_INLINE * 4 };
	Dwarf_Die cu, *v = malloc(MAX_SCOPES * sizeof(*v));
	int n = 0;
	if (!v)
		return 0;
	if (dwarf_addrdie(dw, pc, &cu))
		n = descend(&cu, pc, v, 0, MAX_SCOPES);
	// Go before 1.20 wrote no .debug_aranges for some units: look through them all.
	Dwarf_Off off = 0, next;
	size_t hsize;
	while (!n && dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_haspc(&cu, pc) == 1)
			n = descend(&cu, pc, v, 0, MAX_SCOPES);
		off = next;
	}
	// Innermost first, as dwarf_getscopes gives them.
	for (int i = 0; i < n / 2; i++) {
		Dwarf_Die t = v[i];
		v[i] = v[n - 1 - i];
		v[n - 1 - i] = t;
	}
	if (!n)
		free(v);
	else
		*scopes = v;
	return n;
}

/* The index in scopes of the function (depth 0) or of the depth'th inlined call into it;
 * -1 when there is none. *ninline: the inlined calls there are. */
static int scope_index(Dwarf_Die *scopes, int n, unsigned depth, int *ninline)
{
	int sub = -1;
	for (int i = 0; i < n && sub < 0; i++)
		if (dwarf_tag(&scopes[i]) == DW_TAG_subprogram)
			sub = i;
	if (sub < 0)
		return -1;
	int inl[GPM_LOCALS_MAX_INLINE], k = 0;
	for (int i = sub - 1; i >= 0 && k < GPM_LOCALS_MAX_INLINE; i--)
		if (dwarf_tag(&scopes[i]) == DW_TAG_inlined_subroutine)
			inl[k++] = i;
	*ninline = k;
	if (depth == 0)
		return sub;
	return depth <= (unsigned)k ? inl[depth - 1] : -1;
}

int gpm_locals_inline_count(struct gpm_goimage *img, uint64_t pc)
{
	Dwarf *dw = img->has_dwarf ? gpm_exe_dwarf(img->exe) : NULL;
	Dwarf_Die *scopes = NULL;
	int n = dw ? scopes_at(dw, pc - img->bias, &scopes) : 0, k = -1;
	if (n > 0 && scope_index(scopes, n, 0, &k) < 0)
		k = -1;
	free(scopes);
	return k;
}

/* Evaluates a location expression into pieces. false: an operation it does not know. */
static bool eval_location(const Dwarf_Op *ops, size_t nops, uint64_t cfa, uint64_t bias,
                          struct piece *pieces, size_t *npieces)
{
	uint64_t st[MAX_STACK];
	size_t sp = 0, np = 0;
	enum piece_kind pending = PIECE_MEM;
	for (size_t i = 0; i < nops; i++) {
		uint8_t op = ops[i].atom;
		if (sp == MAX_STACK)
			return false;
		if (op >= DW_OP_lit0 && op <= DW_OP_lit31) {
			st[sp++] = op - DW_OP_lit0;
		} else if (op >= DW_OP_reg0 && op <= DW_OP_reg31) {
			pending = PIECE_REG;
		} else {
			switch (op) {
			case DW_OP_regx:
				pending = PIECE_REG;
				break;
			case DW_OP_call_frame_cfa:
				st[sp++] = cfa;
				break;
			case DW_OP_fbreg:
				st[sp++] = cfa + ops[i].number;
				break;
			case DW_OP_addr:
				st[sp++] = ops[i].number + bias;
				break;
			case DW_OP_const1u:
			case DW_OP_const2u:
			case DW_OP_const4u:
			case DW_OP_const8u:
			case DW_OP_constu:
			case DW_OP_const1s:
			case DW_OP_const2s:
			case DW_OP_const4s:
			case DW_OP_const8s:
			case DW_OP_consts:
				st[sp++] = ops[i].number;
				break;
			case DW_OP_plus_uconst:
				if (!sp)
					return false;
				st[sp - 1] += ops[i].number;
				break;
			case DW_OP_plus:
			case DW_OP_minus:
				if (sp < 2)
					return false;
				st[sp - 2] = op == DW_OP_plus ? st[sp - 2] + st[sp - 1]
				                              : st[sp - 2] - st[sp - 1];
				sp--;
				break;
			case DW_OP_stack_value:
				pending = PIECE_VALUE;
				break;
			case DW_OP_piece:
				if (np == MAX_PIECES)
					return false;
				pieces[np].size = ops[i].number;
				if (pending == PIECE_REG)
					pieces[np].kind = PIECE_REG;
				else if (!sp)
					pieces[np].kind = PIECE_NONE;
				else
					pieces[np] =
					    (struct piece){pending, st[sp - 1], ops[i].number};
				np++;
				sp = 0;
				pending = PIECE_MEM;
				break;
			default:
				return false;
			}
		}
	}
	if (!np) {
		if (pending == PIECE_REG)
			pieces[np++] = (struct piece){PIECE_REG, 0, 0};
		else if (!sp)
			pieces[np++] = (struct piece){PIECE_NONE, 0, 0};
		else
			pieces[np++] = (struct piece){pending, st[sp - 1], 0};
	}
	*npieces = np;
	return true;
}

/* Marks the bytes of a value of type t at off that are not padding (in map, size bytes),
 * fields in order. The compiler's pieces of a struct are its leaves without the padding
 * (cmd/compile/internal/ssa decompose). false: a type it cannot read. */
static bool mark_bytes(struct gpm_goimage *img, uint64_t t, uint64_t off, uint8_t *map,
                       uint64_t size, unsigned depth)
{
	struct gpm_gotype g;
	struct gpm_error *err = gpm_gotype_read(img, t, &g);
	if (err) {
		gpm_error_destroy(err);
		return false;
	}
	bool ok = depth < 16 && off <= size && g.size <= size - off;
	if (ok && g.kind == GPM_KIND_STRUCT) {
		for (size_t i = 0; i < g.nfields && ok; i++)
			ok = mark_bytes(img, g.fields[i].type, off + g.fields[i].offset, map, size,
			                depth + 1);
	} else if (ok && g.kind == GPM_KIND_ARRAY && g.len && g.size / g.len) {
		for (uint64_t i = 0; i < g.len && ok; i++)
			ok = mark_bytes(img, g.elem, off + i * (g.size / g.len), map, size,
			                depth + 1);
	} else if (ok) {
		memset(map + off, 1, g.size);
	}
	gpm_gotype_deinit(&g);
	return ok;
}

/* Where v is at pc: its address, or its bytes, or why not. */
static struct gpm_error *locate(struct gpm_goimage *img, Dwarf_Die *var, uint64_t pc, uint64_t cfa,
                                struct gpm_local *v)
{
	Dwarf_Attribute a;
	Dwarf_Op *ops;
	size_t nops;
	if (!dwarf_attr(var, DW_AT_location, &a)) {
		v->why = "optimized out";
		return NULL;
	}
	int n = dwarf_getlocation_addr(&a, pc, &ops, &nops, 1);
	if (n <= 0 || nops == 0) {
		v->why = "optimized out";
		return NULL;
	}
	if (!cfa) {
		v->why = "the frame's address is unknown";
		return NULL;
	}
	struct piece pieces[MAX_PIECES];
	size_t np;
	if (!eval_location(ops, nops, cfa, img->bias, pieces, &np)) {
		v->why = "its location expression is not one gopm reads";
		return NULL;
	}
	uint64_t total = 0;
	bool contiguous = true;
	for (size_t i = 0; i < np; i++) {
		if (pieces[i].kind == PIECE_REG) {
			v->why = "in a register, which the core does not hold for this frame";
			return NULL;
		}
		if (pieces[i].kind == PIECE_NONE) {
			v->why = "optimized out";
			return NULL;
		}
		if (pieces[i].size == 0)
			pieces[i].size = np == 1 ? v->size : 0;
		if (pieces[i].size == 0 || pieces[i].size > 4096) {
			v->why = "its location expression is not one gopm reads";
			return NULL;
		}
		if (pieces[i].kind != PIECE_MEM ||
		    (i && pieces[i].addr != pieces[i - 1].addr + pieces[i - 1].size))
			contiguous = false;
		total += pieces[i].size;
	}
	// Pieces that do not fill the type are its bytes without the padding, in order.
	uint8_t *map = NULL;
	if (v->size && total != v->size) {
		uint64_t used = 0;
		if (v->size <= 4096 && v->type && (map = calloc(1, v->size)) &&
		    mark_bytes(img, v->type, 0, map, v->size, 0))
			for (uint64_t i = 0; i < v->size; i++)
				used += map[i];
		if (used != total) {
			free(map);
			v->why = "its pieces do not add up to its type's size";
			return NULL;
		}
		contiguous = false;
	}
	if (!v->size)
		v->size = total;
	if (contiguous) {
		v->addr = pieces[0].addr;
		return NULL;
	}
	if (!(v->bytes = calloc(1, v->size))) {
		free(map);
		return &gpm_error_nomem;
	}
	uint8_t *tmp = map ? malloc(total) : NULL;
	if (map && !tmp) {
		free(map);
		free(v->bytes);
		v->bytes = NULL;
		return &gpm_error_nomem;
	}
	uint8_t *dst = map ? tmp : v->bytes;
	uint64_t at = 0;
	for (size_t i = 0; i < np; i++) {
		if (pieces[i].kind == PIECE_VALUE) {
			uint8_t b[8] = {0};
			for (unsigned k = 0; k < 8; k++)
				b[k] = (uint8_t)(pieces[i].addr >> (8 * k));
			memcpy(dst + at, b, pieces[i].size < 8 ? pieces[i].size : 8);
			if (pieces[i].size > 8)
				memset(dst + at + 8, 0, pieces[i].size - 8);
		} else {
			struct gpm_error *err =
			    gpm_goimage_read(img, pieces[i].addr, dst + at, pieces[i].size);
			if (err) {
				gpm_error_destroy(err);
				free(v->bytes);
				free(map);
				free(tmp);
				v->bytes = NULL;
				v->why = "its stack slots are not in the core";
				return NULL;
			}
		}
		at += pieces[i].size;
	}
	if (map) {
		for (uint64_t i = 0, k = 0; i < v->size; i++)
			if (map[i])
				v->bytes[i] = tmp[k++];
		free(map);
		free(tmp);
	}
	return NULL;
}

/* The runtime type descriptor of a DWARF type: DW_AT_go_runtime_type (an offset from
 * moduledata.types, cmd/link/internal/ld/dwarf.go), else by its name. */
static uint64_t runtime_type(struct gpm_goimage *img, Dwarf_Die *type, const char *name)
{
	Dwarf_Attribute a;
	Dwarf_Word off;
	uint64_t t = 0;
	if (img->has_moduledata && dwarf_attr(type, DW_AT_GO_RUNTIME_TYPE, &a) &&
	    dwarf_formudata(&a, &off) == 0 && off &&
	    off < img->moduledata.etypes - img->moduledata.types)
		return img->moduledata.types + off;
	struct gpm_error *err = name ? gpm_gotype_find(img, name, &t) : NULL;
	if (err) {
		gpm_error_destroy(err);
		return 0;
	}
	return t;
}

static struct gpm_error *add_var(struct gpm_goimage *img, Dwarf_Die *d, uint64_t pc, uint64_t cfa,
                                 struct gpm_locals *out)
{
	int tag = dwarf_tag(d);
	if (tag != DW_TAG_formal_parameter && tag != DW_TAG_variable)
		return NULL;
	const char *name = dwarf_diename(d);
	if (!name)
		return NULL;
	if (out->len >= GPM_LOCALS_MAX)
		return gpm_error_create(GPM_ERR_LIMIT, "more than %d variables in a frame",
		                        GPM_LOCALS_MAX);
	if (out->len == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 16;
		struct gpm_local *nv = realloc(out->v, cap * sizeof(*nv));
		if (!nv)
			return &gpm_error_nomem;
		out->v = nv;
		out->cap = cap;
	}
	struct gpm_local v = {.is_arg = tag == DW_TAG_formal_parameter};
	Dwarf_Attribute a;
	Dwarf_Die type;
	const char *tname = NULL;
	if (dwarf_attr_integrate(d, DW_AT_type, &a) && dwarf_formref_die(&a, &type)) {
		Dwarf_Word size;
		tname = dwarf_diename(&type);
		v.type = runtime_type(img, &type, tname);
		if (dwarf_aggregate_size(&type, &size) == 0)
			v.size = size;
	}
	if (v.type) {
		struct gpm_gotype t;
		struct gpm_error *err = gpm_gotype_read(img, v.type, &t);
		if (!err) {
			v.size = t.size;
			gpm_gotype_deinit(&t);
		} else {
			gpm_error_destroy(err);
			v.type = 0;
		}
	}
	v.name = strdup(name);
	v.type_name = strdup(tname ? tname : "?");
	struct gpm_error *err =
	    v.name && v.type_name ? locate(img, d, pc, cfa, &v) : &gpm_error_nomem;
	if (err) {
		free(v.name);
		free(v.type_name);
		return err;
	}
	out->v[out->len++] = v;
	return NULL;
}

/* The variables of scope s and of the lexical blocks in it that hold pc (scopes[0..s) are
 * the scopes inside s that hold pc, innermost first). */
static struct gpm_error *collect(struct gpm_goimage *img, Dwarf_Die *scopes, int s, uint64_t pc,
                                 uint64_t cfa, struct gpm_locals *out)
{
	for (int i = s; i >= 0; i--) {
		int tag = dwarf_tag(&scopes[i]);
		if (i != s && tag != DW_TAG_lexical_block)
			break; // an inlined call into s: its variables are its own frame's
		Dwarf_Die child;
		if (dwarf_child(&scopes[i], &child) != 0)
			continue;
		do {
			struct gpm_error *err = add_var(img, &child, pc, cfa, out);
			if (err)
				return err;
		} while (dwarf_siblingof(&child, &child) == 0);
	}
	return NULL;
}

static int by_kind(const void *a, const void *b)
{
	const struct gpm_local *x = a, *y = b;
	return (int)y->is_arg - (int)x->is_arg;
}

struct gpm_error *gpm_locals_read(struct gpm_goimage *img, uint64_t pc, unsigned inline_depth,
                                  uint64_t cfa, struct gpm_locals *out)
{
	Dwarf *dw = img->has_dwarf ? gpm_exe_dwarf(img->exe) : NULL;
	if (!dw)
		return gpm_error_create(GPM_ERR_NOT_FOUND,
		                        "locals are named in DWARF, which this executable lacks");
	Dwarf_Die *scopes = NULL;
	uint64_t lpc = pc - img->bias;
	int n = scopes_at(dw, lpc, &scopes), ninline = 0;
	int s = n > 0 ? scope_index(scopes, n, inline_depth, &ninline) : -1;
	if (s < 0) {
		free(scopes);
		return gpm_error_create(GPM_ERR_NOT_FOUND, "no function in DWARF at pc 0x%" PRIx64,
		                        pc);
	}
	struct gpm_locals l = {0};
	struct gpm_error *err = collect(img, scopes, s, lpc, cfa, &l);
	free(scopes);
	if (err) {
		gpm_locals_deinit(&l);
		return err;
	}
	// Arguments first, each kind in the order DWARF declares them (a stable sort).
	for (size_t i = 1; i < l.len; i++)
		for (size_t j = i; j > 0 && by_kind(&l.v[j - 1], &l.v[j]) > 0; j--) {
			struct gpm_local t = l.v[j];
			l.v[j] = l.v[j - 1];
			l.v[j - 1] = t;
		}
	*out = l;
	return NULL;
}

bool gpm_locals_frame_where(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                            uint32_t k, struct gpm_locals_frame *out)
{
	uint32_t n;
	const struct gpm_frame *frames = gpm_goroutine_frames(inc, g, &n);
	if (k >= n || !frames[k].pc ||
	    (frames[k].flags &
	     (GPM_FRAME_ELIDED | GPM_FRAME_NON_GO | GPM_FRAME_UNKNOWN_PC | GPM_FRAME_C)))
		return false;
	uint32_t j = k;
	while (j + 1 < n && (frames[j].flags & GPM_FRAME_INLINED))
		j++;
	bool trap = (j == 0 && (g->flags & GPM_GOROUTINE_CURRENT)) ||
	            (j > 0 && (frames[j - 1].flags & GPM_FRAME_SIGNAL));
	*out = (struct gpm_locals_frame){
	    .j = j,
	    .inline_depth = j - k,
	    .lookup_pc = trap ? frames[k].pc : frames[k].pc - 1,
	    .cfa = gpm_goroutine_frame_regs(inc, g, j).fp,
	};
	return true;
}
