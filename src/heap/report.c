/*
 * The heap report (see heap.h): totals, what keeps the heap alive (the roots that retain
 * most, and a shortest reference path to the top types), the reconciliation with the
 * runtime's own counters (each line says whether ours is within 1% of the runtime's), the
 * types the heap records, and the size-class table, as text or JSON.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "heap/heap.h"

static bool within(uint64_t a, uint64_t b)
{
	uint64_t d = a > b ? a - b : b - a, m = a > b ? a : b;
	return d * 100 <= m;
}

size_t gpm_heap_checks(const struct gpm_heap *h, struct gpm_heap_check *out, size_t cap)
{
	size_t n = 0;
#define CHECK(w, o, r)                                                                             \
	do {                                                                                       \
		if (n < cap)                                                                       \
			out[n++] = (struct gpm_heap_check){(w), (o), (r), within((o), (r))};       \
	} while (0)
	const struct gpm_heap_runtime *rt = &h->rt;
	if (rt->has_pages_in_use)
		CHECK("heap span pages (mheap_.pagesInUse)", h->pages_inuse, rt->pages_in_use);
	if (rt->has_stats) {
		CHECK("heap span bytes (heapStats.inHeap)", h->inuse_bytes, rt->in_heap);
		CHECK("stack+workbuf span bytes (heapStats.inStacks+inWorkBufs+inPtrScalarBits)",
		      h->manual_bytes, rt->in_stacks + rt->in_workbufs + rt->in_ptrscalar);
		CHECK("allocated objects (HeapObjects + cached-span allocations)", h->objects,
		      rt->heap_objects + rt->cached_adjust_objects);
		CHECK("allocated bytes (HeapAlloc + cached-span allocations)", h->bytes,
		      rt->heap_alloc + rt->cached_adjust_bytes);
	}
#undef CHECK
	return n;
}

static void human(char *buf, size_t cap, uint64_t v)
{
	if (v >= (uint64_t)10 << 30)
		snprintf(buf, cap, "%.1f GiB", (double)v / (1 << 30));
	else if (v >= (uint64_t)10 << 20)
		snprintf(buf, cap, "%.1f MiB", (double)v / (1 << 20));
	else if (v >= 10 << 10)
		snprintf(buf, cap, "%.1f KiB", (double)v / (1 << 10));
	else
		snprintf(buf, cap, "%" PRIu64 " B", v);
}

static double pct(uint64_t a, uint64_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0;
}

static int count_cmp(const void *a, const void *b)
{
	const struct gpm_heap_type *x = *(const struct gpm_heap_type *const *)a;
	const struct gpm_heap_type *y = *(const struct gpm_heap_type *const *)b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* Types sorted by count (borrowed pointers; NULL on out of memory). */
static const struct gpm_heap_type **by_count(const struct gpm_heap *h)
{
	const struct gpm_heap_type **v = malloc((h->ntypes ? h->ntypes : 1) * sizeof(*v));
	if (!v)
		return NULL;
	for (size_t i = 0; i < h->ntypes; i++)
		v[i] = &h->types[i];
	qsort(v, h->ntypes, sizeof(*v), count_cmp);
	return v;
}

static void retention_text(const struct gpm_heap *h, struct gpm_strbuf *sb)
{
	const struct gpm_heap_retention *r = &h->ret;
	char a[32], b[32];
	if (!r->done) {
		if (r->skipped)
			gpm_strbuf_printf(sb, "\nwhat keeps it alive: not computed: %s\n",
			                  r->skipped);
		return;
	}
	gpm_strbuf_puts(sb, "\nwhat keeps it alive:\n");
	human(a, sizeof(a), r->reachable_bytes);
	human(b, sizeof(b), r->unreachable_bytes);
	gpm_strbuf_printf(sb,
	                  "  %" PRIu64 " objects (%s) reachable from %" PRIu64
	                  " globals and %" PRIu64 " goroutine frames; %" PRIu64
	                  " (%s) reachable from neither (garbage not yet collected, or held "
	                  "only by the runtime)\n",
	                  r->reachable_objects, a, r->global_roots, r->frame_roots,
	                  r->unreachable_objects, b);
	if (r->outside_objects)
		gpm_strbuf_printf(sb,
		                  "  (%" PRIu64
		                  " objects in spans outside the core or damaged: not "
		                  "in the graph)\n",
		                  r->outside_objects);
	if (!r->have_globals)
		gpm_strbuf_puts(sb, "  (the globals' pointer masks could not be read: no global "
		                    "roots)\n");
	if (r->stacks_skipped)
		gpm_strbuf_printf(sb, "  (%" PRIu64 " goroutine stacks could not be scanned)\n",
		                  r->stacks_skipped);
	if (r->nroots) {
		gpm_strbuf_printf(sb,
		                  "  what retains most (what would be freed without it):\n"
		                  "  %12s %7s %10s  %s\n",
		                  "retained", "share", "objects", "root or shared object");
		for (size_t i = 0; i < r->nroots; i++) {
			const struct gpm_heap_root *x = &r->roots[i];
			human(a, sizeof(a), x->retained_bytes);
			gpm_strbuf_printf(sb, "  %12s %6.1f%% %10" PRIu64 "  %s", a,
			                  pct(x->retained_bytes, h->bytes), x->retained_objects,
			                  x->name);
			if (x->kind == GPM_HEAP_ROOT_GLOBAL)
				gpm_strbuf_printf(sb, " (global at 0x%" PRIx64 ")", x->addr);
			else if (x->kind == GPM_HEAP_ROOT_FRAME)
				gpm_strbuf_puts(sb, " (stack frame)");
			else
				gpm_strbuf_printf(sb, " at 0x%" PRIx64 " (shared by several roots)",
				                  x->addr);
			if (x->holds) {
				human(b, sizeof(b), x->holds_bytes);
				gpm_strbuf_printf(sb, ", holding %s (%s)", x->holds, b);
			}
			gpm_strbuf_putc(sb, '\n');
		}
	} else if (r->dominators_skipped) {
		gpm_strbuf_printf(sb, "  retained sizes not computed: %s\n", r->dominators_skipped);
	}
	for (size_t i = 0; i < r->npaths; i++) {
		const struct gpm_heap_path *pa = &r->paths[i];
		if (pa->retained) {
			human(a, sizeof(a), pa->retained);
			gpm_strbuf_printf(sb,
			                  "  why %s, retaining %s, is alive (shortest path from a "
			                  "root):\n",
			                  pa->why, a);
		} else {
			gpm_strbuf_printf(sb, "  why %s is alive (shortest path from a root):\n",
			                  pa->why);
		}
		gpm_heap_format_path(pa, "    ", sb);
	}
	gpm_strbuf_printf(
	    sb,
	    "  (pointers as the collector finds them: globals by the runtime's "
	    "pointer masks; %" PRIu64 " stack frames by their stack maps, %" PRIu64
	    " word by word; %" PRIu64 " objects by type or heap bits, %" PRIu64
	    " word by word%s)\n",
	    r->frames_precise, r->frames_conservative, r->objects_precise, r->objects_conservative,
	    r->objects_conservative || r->frames_conservative
	        ? ": word-by-word scanning can keep an object the collector would free"
	        : "");
}

void gpm_heap_format_path(const struct gpm_heap_path *pa, const char *indent, struct gpm_strbuf *sb)
{
	for (size_t k = 0; k < pa->nhops; k++) {
		const struct gpm_heap_hop *hp = &pa->hops[k];
		if (k == 0)
			gpm_strbuf_printf(sb, "%s%s", indent, hp->what);
		else
			gpm_strbuf_printf(sb, "%s  -> %s", indent, hp->what);
		if (hp->root && k == 0)
			gpm_strbuf_printf(sb, " at 0x%" PRIx64, hp->addr);
		else if (!hp->root)
			gpm_strbuf_printf(sb, " at 0x%" PRIx64, hp->addr);
		if (k + 1 < pa->nhops && hp->offset != UINT64_MAX)
			gpm_strbuf_printf(sb, ", pointer at +0x%" PRIx64, hp->offset);
		gpm_strbuf_putc(sb, '\n');
		if (pa->elided && k + 1 == pa->nhops / 2)
			gpm_strbuf_printf(sb, "%s  ... %" PRIu64 " more objects ...\n", indent,
			                  pa->elided);
	}
}

void gpm_heap_format_text(const struct gpm_heap *h, size_t top, struct gpm_strbuf *sb)
{
	char a[32], b[32], c[32];
	gpm_strbuf_printf(sb, "go:          %s\n", h->go_version[0] ? h->go_version : "unknown");
	gpm_strbuf_printf(sb, "spans:       %" PRIu64 " in mheap_.allspans (%s)\n", h->nallspans,
	                  h->allspans_how);
	human(a, sizeof(a), h->inuse_bytes);
	gpm_strbuf_printf(sb,
	                  "             %" PRIu64 " heap (%s in %" PRIu64 " pages), %" PRIu64
	                  " cached by an mcache, %" PRIu64 " not swept since the last GC\n",
	                  h->spans_inuse, a, h->pages_inuse, h->spans_cached, h->spans_unswept);
	human(a, sizeof(a), h->manual_bytes);
	gpm_strbuf_printf(sb, "             %" PRIu64 " stack/manual (%s), %" PRIu64 " free%s\n",
	                  h->spans_manual, a, h->spans_dead, h->spans_bad ? "," : "");
	if (h->spans_bad)
		gpm_strbuf_printf(sb, "             %" PRIu64 " unreadable\n", h->spans_bad);
	human(a, sizeof(a), h->bytes);
	human(b, sizeof(b), h->small_bytes);
	human(c, sizeof(c), h->large_bytes);
	gpm_strbuf_printf(sb,
	                  "objects:     %" PRIu64 " allocated, %s: %" PRIu64 " small (%s), %" PRIu64
	                  " large (%s)\n",
	                  h->objects, a, h->small_objects, b, h->large_objects, c);
	human(a, sizeof(a), h->noscan_bytes);
	gpm_strbuf_printf(sb,
	                  "             %" PRIu64 " without pointers (%s), %" PRIu64
	                  " tiny-allocator blocks\n",
	                  h->noscan_objects, a, h->tiny_blocks);
	if (h->headers) {
		human(a, sizeof(a), h->typed_bytes);
		gpm_strbuf_printf(sb,
		                  "types:       %" PRIu64
		                  " objects (%s, %.1f%% of bytes) typed by allocation "
		                  "headers and span.largeType; the rest (small or pointer-free "
		                  "objects) untyped\n",
		                  h->typed_objects, a, pct(h->typed_bytes, h->bytes));
		if (h->inferred_objects) {
			human(a, sizeof(a), h->inferred_bytes);
			gpm_strbuf_printf(
			    sb,
			    "             %" PRIu64
			    " more (%s) typed by following typed pointers%s: %.1f%% of "
			    "bytes typed in all\n",
			    h->inferred_objects, a,
			    h->dwarf_globals || h->dwarf_locals
			        ? " (from the headers and the DWARF types of globals and frames' "
			          "variables)"
			        : "",
			    pct(h->typed_bytes + h->inferred_bytes, h->bytes));
		}
		if (h->bad_headers)
			gpm_strbuf_printf(
			    sb, "             %" PRIu64 " headers not a type descriptor\n",
			    h->bad_headers);
	} else {
		gpm_strbuf_puts(sb, "types:       none recorded: heaps before Go 1.22 keep no type "
		                    "in objects\n");
		if (h->inferred_objects) {
			human(a, sizeof(a), h->inferred_bytes);
			if (h->dwarf_globals || h->dwarf_locals)
				gpm_strbuf_printf(
				    sb,
				    "             %" PRIu64
				    " objects (%s, %.1f%% of bytes) typed by following "
				    "pointers from %" PRIu64 " globals and %" PRIu64
				    " frames' arguments and locals typed by DWARF\n",
				    h->inferred_objects, a, pct(h->inferred_bytes, h->bytes),
				    h->dwarf_globals, h->dwarf_locals);
			else
				gpm_strbuf_printf(
				    sb,
				    "             %" PRIu64
				    " objects (%s, %.1f%% of bytes) typed by shape and by "
				    "following pointers from those\n",
				    h->inferred_objects, a, pct(h->inferred_bytes, h->bytes));
		}
	}
	if (h->record_seeds)
		gpm_strbuf_printf(sb,
		                  "             (%" PRIu64 " panic values and heap defer records "
		                  "typed what they point at)\n",
		                  h->record_seeds);
	if (h->closures_typed || h->closures_named)
		gpm_strbuf_printf(sb,
		                  "             (%" PRIu64
		                  " deferred closures typed by their closure "
		                  "struct, %" PRIu64 " named by their function)\n",
		                  h->closures_typed, h->closures_named);
	if (h->shape_ran) {
		human(a, sizeof(a), h->shape_bytes);
		human(b, sizeof(b), h->shape_ambiguous_bytes);
		gpm_strbuf_printf(sb,
		                  "             %" PRIu64 " of them (%s, %.1f%% of bytes) typed by "
		                  "shape (%" PRIu64
		                  " chosen among several by their pointers, %" PRIu64
		                  " arrays of an element type): %" PRIu64
		                  " untyped objects with pointers matched against %" PRIu64
		                  " type descriptors by size class and heap bitmap, %" PRIu64
		                  " fitting several left untyped (%s), %" PRIu64 " fitting none\n",
		                  h->shape_objects, a, pct(h->shape_bytes, h->bytes),
		                  h->shape_confirmed, h->shape_arrays, h->shape_checked,
		                  h->shape_types, h->shape_ambiguous, b, h->shape_unmatched);
	} else if (h->shape_skipped && !h->headers) {
		gpm_strbuf_printf(sb, "             (not typed by shape: %s)\n", h->shape_skipped);
	}
	if (h->frames_capped)
		gpm_strbuf_printf(sb,
		                  "             (frames' variables typed the heap from the first "
		                  "%d frames only)\n",
		                  GPM_HEAP_MAX_PROP_FRAMES);
	retention_text(h, sb);
	struct gpm_heap_check checks[8];
	size_t nc = gpm_heap_checks(h, checks, 8);
	gpm_strbuf_puts(sb, "\nreconciliation with the runtime's own accounting in the core:\n");
	if (!nc)
		gpm_strbuf_puts(sb, "  (no runtime counters found)\n");
	for (size_t i = 0; i < nc; i++) {
		const struct gpm_heap_check *k = &checks[i];
		gpm_strbuf_printf(sb, "  %-4s %s: gopm %" PRIu64 ", runtime %" PRIu64 "\n",
		                  k->ok ? "ok" : "DIFF", k->what, k->ours, k->runtime);
	}
	if (h->rt.has_pages_in_use)
		gpm_strbuf_printf(sb, "  (pagesInUse: %s)\n", h->rt.pages_how);
	if (h->count_mismatch)
		gpm_strbuf_printf(sb,
		                  "  %" PRIu64 " spans whose allocCount differs from their bits\n",
		                  h->count_mismatch);
	if (h->ntypes) {
		size_t n = h->ntypes < top ? h->ntypes : top;
		bool ret = h->ret.dominators;
		gpm_strbuf_printf(sb, "\ntop types by bytes:\n  %14s %10s", "bytes", "count");
		if (ret)
			gpm_strbuf_printf(sb, " %10s %14s", "reachable", "retained");
		gpm_strbuf_puts(sb, "  type\n");
		// Untyped bytes of each size class rank among the types, so that what no type
		// names is never invisible (each class's bytes less its typed objects').
		size_t ti = 0, printed = 0;
		uint64_t ub[GPM_HEAP_MAX_CLASSES] = {0};
		if (h->typed_known)
			for (unsigned ci = 0; ci < h->nclasses; ci++)
				if (h->classes[ci].bytes > h->classes[ci].typed_bytes)
					ub[ci] = h->classes[ci].bytes - h->classes[ci].typed_bytes;
		while (printed < top && (ti < n || h->typed_known)) {
			unsigned best = 0;
			for (unsigned ci = 1; ci < h->nclasses; ci++)
				if (ub[ci] > ub[best])
					best = ci;
			if (ti < n && h->types[ti].bytes >= ub[best]) {
				gpm_strbuf_printf(sb, "  %14" PRIu64 " %10" PRIu64,
				                  h->types[ti].bytes, h->types[ti].count);
				if (ret)
					gpm_strbuf_printf(sb, " %10" PRIu64 " %14" PRIu64,
					                  h->types[ti].reachable,
					                  h->types[ti].retained_bytes);
				gpm_strbuf_printf(sb, "  %s\n", h->types[ti].name);
				ti++;
			} else if (ub[best]) {
				const struct gpm_heap_class *k = &h->classes[best];
				gpm_strbuf_printf(sb, "  %14" PRIu64 " %10" PRIu64, ub[best],
				                  k->objects - k->typed_objects);
				if (ret)
					gpm_strbuf_printf(sb, " %10s %14s", "-", "-");
				if (best)
					gpm_strbuf_printf(
					    sb, "  (untyped, size class %u: %" PRIu64 " B)\n", best,
					    k->elemsize);
				else
					gpm_strbuf_puts(sb, "  (untyped, large objects)\n");
				ub[best] = 0;
			} else {
				break;
			}
			printed++;
		}
		const struct gpm_heap_type **v = by_count(h);
		if (v) {
			gpm_strbuf_printf(sb, "\ntop types by count:\n  %10s %14s  %s\n", "count",
			                  "bytes", "type");
			for (size_t i = 0; i < n; i++)
				gpm_strbuf_printf(sb, "  %10" PRIu64 " %14" PRIu64 "  %s\n",
				                  v[i]->count, v[i]->bytes, v[i]->name);
			free(v);
		}
	}
	gpm_strbuf_printf(sb, "\nsize classes:\n  %5s %8s %8s %10s %14s %10s\n", "class", "size",
	                  "spans", "objects", "bytes", "free");
	for (unsigned i = 0; i < h->nclasses; i++) {
		const struct gpm_heap_class *k = &h->classes[i];
		if (!k->spans)
			continue;
		if (i == 0)
			gpm_strbuf_printf(sb, "  %5u %8s", i, "large");
		else
			gpm_strbuf_printf(sb, "  %5u %8" PRIu64, i, k->elemsize);
		gpm_strbuf_printf(sb, " %8" PRIu64 " %10" PRIu64 " %14" PRIu64 " %10" PRIu64 "\n",
		                  k->spans, k->objects, k->bytes, k->free_slots);
	}
}

static void retention_json(const struct gpm_heap *h, struct gpm_json *j)
{
	const struct gpm_heap_retention *r = &h->ret;
	gpm_json_key(j, "retention");
	gpm_json_object_begin(j);
	gpm_json_kv_bool(j, "computed", r->done);
	gpm_json_kv_string(j, "skipped", r->skipped);
	if (r->done) {
		gpm_json_kv_uint(j, "frames_precise", r->frames_precise);
		gpm_json_kv_uint(j, "frames_conservative", r->frames_conservative);
		gpm_json_kv_uint(j, "objects_precise", r->objects_precise);
		gpm_json_kv_uint(j, "objects_conservative", r->objects_conservative);
		gpm_json_kv_uint(j, "nodes", r->nodes);
		gpm_json_kv_uint(j, "edges", r->edges);
		gpm_json_kv_uint(j, "global_roots", r->global_roots);
		gpm_json_kv_uint(j, "frame_roots", r->frame_roots);
		gpm_json_kv_uint(j, "root_pointers", r->root_pointers);
		gpm_json_kv_bool(j, "globals_scanned", r->have_globals);
		gpm_json_kv_uint(j, "stacks_scanned", r->stacks_scanned);
		gpm_json_kv_uint(j, "stacks_skipped", r->stacks_skipped);
		gpm_json_kv_uint(j, "reachable_objects", r->reachable_objects);
		gpm_json_kv_uint(j, "reachable_bytes", r->reachable_bytes);
		gpm_json_kv_uint(j, "unreachable_objects", r->unreachable_objects);
		gpm_json_kv_uint(j, "unreachable_bytes", r->unreachable_bytes);
		gpm_json_kv_uint(j, "outside_objects", r->outside_objects);
		gpm_json_kv_bool(j, "dominators", r->dominators);
		gpm_json_kv_string(j, "dominators_skipped", r->dominators_skipped);
		gpm_json_key(j, "roots");
		gpm_json_array_begin(j);
		for (size_t i = 0; i < r->nroots; i++) {
			const struct gpm_heap_root *x = &r->roots[i];
			gpm_json_object_begin(j);
			gpm_json_kv_string(j, "name", x->name);
			gpm_json_kv_string(j, "kind",
			                   x->kind == GPM_HEAP_ROOT_GLOBAL  ? "global"
			                   : x->kind == GPM_HEAP_ROOT_FRAME ? "frame"
			                                                    : "shared object");
			gpm_json_kv_hex(j, "address", x->addr);
			gpm_json_kv_uint(j, "size", x->size);
			if (x->kind == GPM_HEAP_ROOT_FRAME)
				gpm_json_kv_uint(j, "goroutine", x->goid);
			gpm_json_kv_uint(j, "retained_objects", x->retained_objects);
			gpm_json_kv_uint(j, "retained_bytes", x->retained_bytes);
			if (x->holds) {
				gpm_json_kv_string(j, "holds", x->holds);
				gpm_json_kv_uint(j, "holds_bytes", x->holds_bytes);
			}
			gpm_json_object_end(j);
		}
		gpm_json_array_end(j);
		gpm_json_key(j, "paths");
		gpm_json_array_begin(j);
		for (size_t i = 0; i < r->npaths; i++) {
			const struct gpm_heap_path *pa = &r->paths[i];
			gpm_json_object_begin(j);
			gpm_json_kv_string(j, "why", pa->why);
			gpm_json_kv_uint(j, "elided", pa->elided);
			if (pa->retained)
				gpm_json_kv_uint(j, "retained_bytes", pa->retained);
			gpm_json_key(j, "hops");
			gpm_json_array_begin(j);
			for (size_t k = 0; k < pa->nhops; k++) {
				const struct gpm_heap_hop *hp = &pa->hops[k];
				gpm_json_object_begin(j);
				gpm_json_kv_string(j, "what", hp->what);
				gpm_json_kv_bool(j, "root", hp->root);
				gpm_json_kv_hex(j, "address", hp->addr);
				gpm_json_kv_uint(j, "size", hp->size);
				if (hp->offset != UINT64_MAX)
					gpm_json_kv_uint(j, "pointer_offset", hp->offset);
				gpm_json_object_end(j);
			}
			gpm_json_array_end(j);
			gpm_json_object_end(j);
		}
		gpm_json_array_end(j);
	}
	gpm_json_object_end(j);
}

void gpm_heap_format_json(const struct gpm_heap *h, size_t top, struct gpm_strbuf *sb)
{
	struct gpm_json j;
	gpm_json_init(&j, sb, true);
	gpm_json_document_begin(&j, "heap");
	gpm_json_kv_string(&j, "source", "core");
	gpm_json_kv_string(&j, "go_version", h->go_version[0] ? h->go_version : NULL);
	gpm_json_key(&j, "spans");
	gpm_json_object_begin(&j);
	gpm_json_kv_uint(&j, "allspans", h->nallspans);
	gpm_json_kv_string(&j, "allspans_found_by", h->allspans_how);
	gpm_json_kv_uint(&j, "heap", h->spans_inuse);
	gpm_json_kv_uint(&j, "heap_pages", h->pages_inuse);
	gpm_json_kv_uint(&j, "heap_bytes", h->inuse_bytes);
	gpm_json_kv_uint(&j, "manual", h->spans_manual);
	gpm_json_kv_uint(&j, "manual_bytes", h->manual_bytes);
	gpm_json_kv_uint(&j, "free", h->spans_dead);
	gpm_json_kv_uint(&j, "unreadable", h->spans_bad);
	gpm_json_kv_uint(&j, "cached", h->spans_cached);
	gpm_json_kv_uint(&j, "unswept", h->spans_unswept);
	gpm_json_kv_uint(&j, "alloc_count_mismatch", h->count_mismatch);
	gpm_json_object_end(&j);
	gpm_json_key(&j, "objects");
	gpm_json_object_begin(&j);
	gpm_json_kv_uint(&j, "count", h->objects);
	gpm_json_kv_uint(&j, "bytes", h->bytes);
	gpm_json_kv_uint(&j, "small", h->small_objects);
	gpm_json_kv_uint(&j, "small_bytes", h->small_bytes);
	gpm_json_kv_uint(&j, "large", h->large_objects);
	gpm_json_kv_uint(&j, "large_bytes", h->large_bytes);
	gpm_json_kv_uint(&j, "noscan", h->noscan_objects);
	gpm_json_kv_uint(&j, "noscan_bytes", h->noscan_bytes);
	gpm_json_kv_uint(&j, "tiny_blocks", h->tiny_blocks);
	gpm_json_kv_bool(&j, "allocation_headers", h->headers);
	gpm_json_kv_uint(&j, "typed", h->typed_objects);
	gpm_json_kv_uint(&j, "typed_bytes", h->typed_bytes);
	gpm_json_kv_uint(&j, "bad_headers", h->bad_headers);
	gpm_json_kv_uint(&j, "inferred", h->inferred_objects);
	gpm_json_kv_uint(&j, "inferred_bytes", h->inferred_bytes);
	gpm_json_kv_uint(&j, "dwarf_globals", h->dwarf_globals);
	gpm_json_kv_uint(&j, "dwarf_locals", h->dwarf_locals);
	gpm_json_kv_uint(&j, "panic_defer_seeds", h->record_seeds);
	gpm_json_kv_uint(&j, "defer_closures_typed", h->closures_typed);
	gpm_json_kv_uint(&j, "defer_closures_named", h->closures_named);
	if (h->shape_ran) {
		gpm_json_key(&j, "by_shape");
		gpm_json_object_begin(&j);
		gpm_json_kv_uint(&j, "objects", h->shape_objects);
		gpm_json_kv_uint(&j, "bytes", h->shape_bytes);
		gpm_json_kv_uint(&j, "confirmed", h->shape_confirmed);
		gpm_json_kv_uint(&j, "arrays", h->shape_arrays);
		gpm_json_kv_uint(&j, "array_bytes", h->shape_array_bytes);
		gpm_json_kv_uint(&j, "checked", h->shape_checked);
		gpm_json_kv_uint(&j, "type_descriptors", h->shape_types);
		gpm_json_kv_uint(&j, "ambiguous", h->shape_ambiguous);
		gpm_json_kv_uint(&j, "ambiguous_bytes", h->shape_ambiguous_bytes);
		gpm_json_kv_uint(&j, "unmatched", h->shape_unmatched);
		gpm_json_kv_uint(&j, "unmatched_bytes", h->shape_unmatched_bytes);
		gpm_json_object_end(&j);
	} else if (h->shape_skipped && !h->headers) {
		gpm_json_kv_string(&j, "by_shape_skipped", h->shape_skipped);
	}
	gpm_json_object_end(&j);
	gpm_json_key(&j, "reconciliation");
	gpm_json_array_begin(&j);
	struct gpm_heap_check checks[8];
	size_t nc = gpm_heap_checks(h, checks, 8);
	for (size_t i = 0; i < nc; i++) {
		gpm_json_object_begin(&j);
		gpm_json_kv_string(&j, "what", checks[i].what);
		gpm_json_kv_uint(&j, "gopm", checks[i].ours);
		gpm_json_kv_uint(&j, "runtime", checks[i].runtime);
		gpm_json_kv_bool(&j, "within_1_percent", checks[i].ok);
		gpm_json_object_end(&j);
	}
	gpm_json_array_end(&j);
	gpm_json_key(&j, "types");
	gpm_json_array_begin(&j);
	for (size_t i = 0; i < h->ntypes && i < top; i++) {
		gpm_json_object_begin(&j);
		gpm_json_kv_string(&j, "type", h->types[i].name);
		gpm_json_kv_hex(&j, "descriptor", h->types[i].type);
		gpm_json_kv_uint(&j, "count", h->types[i].count);
		gpm_json_kv_uint(&j, "bytes", h->types[i].bytes);
		if (h->ret.done)
			gpm_json_kv_uint(&j, "reachable", h->types[i].reachable);
		if (h->ret.dominators)
			gpm_json_kv_uint(&j, "retained_bytes", h->types[i].retained_bytes);
		gpm_json_object_end(&j);
	}
	gpm_json_array_end(&j);
	retention_json(h, &j);
	gpm_json_key(&j, "size_classes");
	gpm_json_array_begin(&j);
	for (unsigned i = 0; i < h->nclasses; i++) {
		const struct gpm_heap_class *k = &h->classes[i];
		if (!k->spans)
			continue;
		gpm_json_object_begin(&j);
		gpm_json_kv_uint(&j, "class", i);
		gpm_json_kv_uint(&j, "size", k->elemsize);
		gpm_json_kv_uint(&j, "spans", k->spans);
		gpm_json_kv_uint(&j, "objects", k->objects);
		gpm_json_kv_uint(&j, "bytes", k->bytes);
		gpm_json_kv_uint(&j, "free_slots", k->free_slots);
		if (h->typed_known) {
			gpm_json_kv_uint(&j, "typed_objects", k->typed_objects);
			gpm_json_kv_uint(&j, "typed_bytes", k->typed_bytes);
		}
		gpm_json_object_end(&j);
	}
	gpm_json_array_end(&j);
	gpm_json_key(&j, "warnings");
	gpm_json_array_begin(&j);
	for (size_t i = 0; i < h->nwarnings; i++)
		gpm_json_string(&j, h->warnings[i]);
	gpm_json_array_end(&j);
	gpm_json_object_end(&j);
	gpm_strbuf_putc(sb, '\n');
}
