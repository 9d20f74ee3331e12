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
		memset(prog, GPM_ARGINFO_END_SEQ, sizeof(prog));
		for (size_t i = 0; i < sizeof(prog); i++) {
			err = gpm_pclntab_funcdata_read(tab, fn, GPM_FUNCDATA_ARG_INFO, i, &prog[i],
			                                1);
			if (err)
				return err;
			if (prog[i] == GPM_ARGINFO_END_SEQ)
				break;
			if (prog[i] < GPM_ARGINFO_OFFSET_TOO_LARGE && ++i < sizeof(prog) &&
			    (err = gpm_pclntab_funcdata_read(tab, fn, GPM_FUNCDATA_ARG_INFO, i,
			                                     &prog[i], 1)))
				return err; // the size byte of an offset
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
	// runtime/print.go printhex: "0x" and lowercase digits, no leading zeros. By hand:
	// a core's traceback prints millions of these, and printf was half the reading time.
	static const char digits[] = "0123456789abcdef";
	char buf[18];
	size_t i = sizeof(buf);
	do {
		buf[--i] = digits[v & 15];
		v >>= 4;
	} while (v);
	buf[--i] = 'x';
	buf[--i] = '0';
	gpm_strbuf_append(sb, buf + i, sizeof(buf) - i);
}

struct gpm_error *gpm_arglayout_print(const struct gpm_arglayout *l, uint64_t argp,
                                      gpm_pclntab_read_fn *read, void *ctx, struct gpm_strbuf *sb)
{
	// Appended in place and cut back on error.
	size_t mark = sb->len;
	// The words are read in one go where they can be (one lookup per frame instead of one
	// per word), else one at a time; so are the liveness bits.
	size_t span = 0, nslots = 0;
	for (size_t pi = 0; pi < l->len; pi++) {
		uint8_t o = l->prog[pi];
		if (o == GPM_ARGINFO_END_SEQ)
			break;
		if (o < GPM_ARGINFO_OFFSET_TOO_LARGE) {
			span = (size_t)o + 8 > span ? (size_t)o + 8 : span;
			nslots += o >= l->start_off;
			pi++;
		}
	}
	uint8_t area[GPM_ARGINFO_OFFSET_TOO_LARGE + 8], live[(GPM_ARGINFO_MAX_LEN + 7) / 8];
	uint64_t la = 0;
	bool have_area = span && read(ctx, argp, area, span);
	bool need_live = l->live_addr && l->live_idx > 0 && nslots;
	bool have_live = need_live &&
	                 !__builtin_add_overflow(l->live_addr, (uint64_t)l->live_idx, &la) &&
	                 read(ctx, la, live, (nslots + 7) / 8);
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
			uint8_t wb[8];
			const uint8_t *w = area + o;
			uint64_t a;
			if (!have_area) {
				w = wb;
				if (__builtin_add_overflow(argp, (uint64_t)o, &a) ||
				    !read(ctx, a, wb, 8)) {
					err = gpm_error_fault(a, 8);
					break;
				}
			}
			uint64_t x = 0;
			for (int i = 7; i >= 0; i--)
				x = x << 8 | w[i];
			if (sz == 0) // Go's shift by 64 gives 0; C's is undefined
				x = 0;
			else if (sz < 8)
				x = x << (64 - sz * 8u) >> (64 - sz * 8u);
			put_hex(sb, x);
			// isLive: no liveness info, an index <= 0 or an offset below startOffset
			// are live; else the slot's bit at liveInfo + liveIdx + slot/8.
			if (need_live && o >= l->start_off) {
				uint8_t bits = have_live ? live[slot / 8] : 0;
				uint64_t ba;
				if (!have_live &&
				    (__builtin_add_overflow(
				         l->live_addr, (uint64_t)l->live_idx + slot / 8, &ba) ||
				     !read(ctx, ba, &bits, 1))) {
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

struct gpm_error *gpm_arglayout_words(const struct gpm_arglayout *l, uint64_t argp,
                                      gpm_pclntab_read_fn *read, void *ctx, struct gpm_strbuf *sb)
{
	size_t mark = sb->len;
	unsigned depth = 0, slot = 0;
	bool need_live = l->live_addr && l->live_idx > 0;
	struct gpm_error *err = NULL;
	for (size_t pi = 0; pi < l->len && !err;) {
		uint8_t o = l->prog[pi++];
		if (o == GPM_ARGINFO_END_SEQ)
			break;
		if (o == GPM_ARGINFO_START_AGG || o == GPM_ARGINFO_END_AGG) {
			depth = o == GPM_ARGINFO_START_AGG ? depth + 1 : (depth ? depth - 1 : 0);
			continue;
		}
		for (unsigned i = 0; i < depth + 1; i++)
			gpm_strbuf_puts(sb, "  ");
		if (o == GPM_ARGINFO_DOTDOTDOT) {
			gpm_strbuf_puts(sb, "... (more arguments than the layout records)\n");
			continue;
		}
		if (o == GPM_ARGINFO_OFFSET_TOO_LARGE) {
			gpm_strbuf_puts(sb, "_ (at an offset past the layout's reach)\n");
			continue;
		}
		uint8_t sz = pi < l->len ? l->prog[pi++] : 8, w[8];
		uint64_t a, x = 0;
		if (__builtin_add_overflow(argp, (uint64_t)o, &a) || !read(ctx, a, w, 8)) {
			err = gpm_error_fault(a, 8);
			break;
		}
		for (int i = 7; i >= 0; i--)
			x = x << 8 | w[i];
		if (sz == 0)
			x = 0;
		else if (sz < 8)
			x = x << (64 - sz * 8u) >> (64 - sz * 8u);
		gpm_strbuf_printf(sb, "+0x%x %u ", o, sz);
		put_hex(sb, x);
		if (need_live && o >= l->start_off) {
			uint8_t bits = 0;
			uint64_t ba;
			if (__builtin_add_overflow(l->live_addr, (uint64_t)l->live_idx + slot / 8,
			                           &ba) ||
			    !read(ctx, ba, &bits, 1)) {
				err = gpm_error_fault(ba, 1);
				break;
			}
			if (!(bits & (1u << (slot % 8))))
				gpm_strbuf_puts(sb, " ? (may be stale)");
			slot++;
		}
		gpm_strbuf_putc(sb, '\n');
	}
	if (err && sb->len > mark) {
		sb->len = mark;
		sb->buf[mark] = 0;
	}
	return err;
}
