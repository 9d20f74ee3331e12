/*
 * Frame arguments as printed by runtime/traceback.go printArgs (Go 1.17 through 1.27, the
 * same code in each: only where its constants live moved, to internal/abi in 1.21).
 */
#include "gort/arglayout.h"

#include <inttypes.h>
#include <string.h>

struct gpm_error *gpm_arglayout_read(struct gpm_pclntab *tab, const struct gpm_func *fn,
                                     uint64_t pc, struct gpm_arglayout *out, bool *has)
{
	*has = false;
	uint8_t prog[GPM_ARGINFO_MAX_LEN];
	struct gpm_error *err =
	    gpm_pclntab_funcdata_read(tab, fn, GPM_FUNCDATA_ARG_INFO, 0, prog, sizeof(prog));
	if (err && err->code == GPM_ERR_NOT_FOUND) {
		gpm_error_destroy(err);
		return NULL;
	}
	if (err) {
		// The funcdata may end less than a full program before the end of what is
		// mapped: read it a byte at a time up to its end.
		gpm_error_destroy(err);
		size_t i = 0;
		for (; i < sizeof(prog); i++) {
			err = gpm_pclntab_funcdata_read(tab, fn, GPM_FUNCDATA_ARG_INFO, i, &prog[i],
			                                1);
			if (err)
				return err;
			if (prog[i] == GPM_ARGINFO_END_SEQ)
				break;
		}
	}
	// Walk it as printArgs does to find its end: an offset is followed by a size byte.
	size_t n = 0;
	for (;;) {
		if (n >= sizeof(prog))
			return gpm_error_create(GPM_ERR_FORMAT,
			                        "%s: argument layout not ended within %zu bytes",
			                        fn->name, sizeof(prog));
		uint8_t o = prog[n++];
		if (o == GPM_ARGINFO_END_SEQ)
			break;
		if (o < GPM_ARGINFO_OFFSET_TOO_LARGE)
			n++; // the size
	}
	memcpy(out->prog, prog, n);
	out->len = (uint8_t)n;
	out->start_off = 0xff;
	out->live_idx = -1;
	out->live_addr = 0;
	uint8_t start;
	err = gpm_pclntab_funcdata_read(tab, fn, GPM_FUNCDATA_ARG_LIVE_INFO, 0, &start, 1);
	if (!err) {
		// The address itself, for the bits: byte 0 is startOffset.
		uint64_t fd = 0;
		struct gpm_error *e =
		    gpm_pclntab_funcdata_addr(tab, fn, GPM_FUNCDATA_ARG_LIVE_INFO, &fd);
		gpm_error_destroy(e);
		out->start_off = start;
		out->live_addr = fd;
		int32_t idx;
		e = gpm_pclntab_pcdata(tab, fn, GPM_PCDATA_ARG_LIVE_INDEX, pc, &idx);
		// pcdatavalue gives -1 when the table is absent.
		out->live_idx = e ? -1 : idx;
		gpm_error_destroy(e);
	} else if (err->code != GPM_ERR_NOT_FOUND) {
		return err;
	}
	gpm_error_destroy(err);
	*has = true;
	return NULL;
}

static void put_hex(struct gpm_strbuf *sb, uint64_t v)
{
	// runtime/print.go printhex: "0x" and lowercase digits, no leading zeros.
	gpm_strbuf_printf(sb, "0x%" PRIx64, v);
}

struct gpm_error *gpm_arglayout_print(const struct gpm_arglayout *l, uint64_t argp,
                                      gpm_pclntab_read_fn *read, void *ctx, struct gpm_strbuf *sb)
{
	// Appended in place and cut back on error.
	size_t mark = sb->len;
	bool start = true;
	uint8_t slot = 0; // register argument spill slot index
	struct gpm_error *err = NULL;
	for (size_t pi = 0; pi < l->len;) {
		uint8_t o = l->prog[pi++];
		if (o == GPM_ARGINFO_END_SEQ)
			break;
		if (o == GPM_ARGINFO_START_AGG) {
			if (!start)
				gpm_strbuf_puts(sb, ", ");
			gpm_strbuf_putc(sb, '{');
			start = true;
			continue;
		}
		if (o == GPM_ARGINFO_END_AGG) {
			gpm_strbuf_putc(sb, '}');
		} else if (o == GPM_ARGINFO_DOTDOTDOT) {
			if (!start)
				gpm_strbuf_puts(sb, ", ");
			gpm_strbuf_puts(sb, "...");
		} else if (o == GPM_ARGINFO_OFFSET_TOO_LARGE) {
			if (!start)
				gpm_strbuf_puts(sb, ", ");
			gpm_strbuf_putc(sb, '_');
		} else {
			if (!start)
				gpm_strbuf_puts(sb, ", ");
			uint8_t sz = pi < l->len ? l->prog[pi++] : 8;
			// readUnaligned64 of 8 bytes whatever the size, then the low sz bytes
			// (little endian: amd64, arm64).
			uint8_t w[8];
			uint64_t a;
			if (__builtin_add_overflow(argp, (uint64_t)o, &a) || !read(ctx, a, w, 8)) {
				err = gpm_error_fault(a, 8);
				break;
			}
			uint64_t x = 0;
			for (int i = 7; i >= 0; i--)
				x = x << 8 | w[i];
			if (sz < 8) {
				unsigned shift = 64 - sz * 8u;
				x = x << shift >> shift;
			}
			put_hex(sb, x);
			// isLive: no liveness info, an index <= 0 or an offset below startOffset
			// are live; else the slot's bit at liveInfo + liveIdx + slot/8.
			if (l->live_addr && l->live_idx > 0 && o >= l->start_off) {
				uint8_t bits;
				uint64_t ba;
				if (__builtin_add_overflow(l->live_addr,
				                           (uint64_t)l->live_idx + slot / 8, &ba) ||
				    !read(ctx, ba, &bits, 1)) {
					err = gpm_error_fault(ba, 1);
					break;
				}
				if (!(bits & (1u << (slot % 8))))
					gpm_strbuf_putc(sb, '?');
			}
			if (o >= l->start_off)
				slot++;
		}
		start = false;
	}
	if (err && sb->len > mark) {
		sb->len = mark;
		sb->buf[mark] = 0;
	}
	return err;
}
