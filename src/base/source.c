/*
 * Input files: mmap a plain file; stream zstd, gzip, xz and lz4 (and anything read from a
 * file descriptor) into a sparse anonymous mapping, checking the limits of
 * struct gpm_source_limits on every chunk written.
 */
#include "base/source.h"

#include "base/identity.h"

#include <errno.h>
#include <fcntl.h>
#include <lz4frame.h>
#include <lzma.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

enum { PAGE = 4096, CHUNK = 1 << 20, FEED = 4 << 20, SNIFF_LEN = 6 };
// Plain files at least this big are hashed in a thread when the caller allows it.
#define ASYNC_HASH_MIN ((uint64_t)32 << 20)
// Plain files at least this big that are not ELF have their mapping populated up front.
#define POPULATE_MIN ((uint64_t)16 << 20)

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* Linux 5.14 */
#endif

#define DEFAULT_MAX_SIZE ((uint64_t)64 << 30)
#define DEFAULT_RATIO    256
#define DEFAULT_FLOOR    ((uint64_t)256 << 20)

/* ---- limits ---- */

// "64G", "512M", "1048576": bytes with an optional binary suffix.
static bool parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return false;
	unsigned shift = 0;
	switch (*end) {
	case 'K':
	case 'k':
		shift = 10;
		break;
	case 'M':
	case 'm':
		shift = 20;
		break;
	case 'G':
	case 'g':
		shift = 30;
		break;
	case 'T':
	case 't':
		shift = 40;
		break;
	case 0:
		break;
	default:
		return false;
	}
	if (shift && *++end == 'B')
		end++;
	if (*end || !v || (shift && v > (UINT64_MAX >> shift)))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

struct gpm_error *gpm_source_limits_default(struct gpm_source_limits *out)
{
	struct gpm_source_limits l = {DEFAULT_MAX_SIZE, DEFAULT_RATIO, DEFAULT_FLOOR};
	const char *e = getenv("GOPM_MAX_INPUT");
	if (e && *e && !parse_size(e, &l.max_size))
		return gpm_error_create(GPM_ERR_USAGE,
		                        "GOPM_MAX_INPUT: bad size '%.40s' (bytes, with an optional "
		                        "K, M, G or T)",
		                        e);
	e = getenv("GOPM_MAX_RATIO");
	if (e && *e) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(e, &end, 10);
		if (errno || end == e || *end || !v || *e == '-')
			return gpm_error_create(
			    GPM_ERR_USAGE, "GOPM_MAX_RATIO: bad ratio '%.40s' (a positive number)",
			    e);
		l.max_ratio = v;
	}
	*out = l;
	return NULL;
}

// Zero fields of o's limits take the defaults.
static struct gpm_error *resolve_limits(const struct gpm_source_options *o,
                                        struct gpm_source_limits *out)
{
	struct gpm_error *err = gpm_source_limits_default(out);
	if (err || !o)
		return err;
	if (o->limits.max_size)
		out->max_size = o->limits.max_size;
	if (o->limits.max_ratio)
		out->max_ratio = o->limits.max_ratio;
	if (o->limits.ratio_floor)
		out->ratio_floor = o->limits.ratio_floor;
	return NULL;
}

// "64 GiB", "300 MiB", "4097 bytes"
static void human(uint64_t n, char *buf, size_t len)
{
	static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
	unsigned u = 0;
	while (u < 4 && n >= 1024 && n % 1024 == 0) {
		n /= 1024;
		u++;
	}
	snprintf(buf, len, "%llu %s", (unsigned long long)n, units[u]);
}

/* ---- the output side: a sparse anonymous mapping that grows with mremap ---- */

struct sink {
	uint8_t *map;
	size_t cap;
	size_t len;
	uint64_t written;   /* bytes in pages that are not all zeros */
	uint64_t in;        /* compressed bytes consumed so far (0: not compressed) */
	bool ratio_applies; /* compressed input: the bomb check is on */
	bool head_done;
	const char *name;
	const struct gpm_source_limits *lim;
	const struct gpm_source_options *o;
};

static struct gpm_error *limit_error(const struct sink *s)
{
	char b[32];
	human(s->lim->max_size, b, sizeof(b));
	return gpm_error_create(GPM_ERR_LIMIT,
	                        "%s: larger than %s after decompression (the limit is "
	                        "GOPM_MAX_INPUT)",
	                        s->name, b);
}

static struct gpm_error *sink_init(struct sink *s, uint64_t hint)
{
	if (hint > s->lim->max_size)
		return limit_error(s);
	size_t cap = hint ? (size_t)((hint + PAGE - 1) & ~(uint64_t)(PAGE - 1)) : (size_t)64 << 20;
	void *m = mmap(NULL, cap, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		return gpm_error_os(errno, "cannot reserve %zu bytes for decompression", cap);
	s->map = m;
	s->cap = cap;
	s->len = 0;
	return NULL;
}

static bool page_is_zero(const uint8_t *p, size_t n)
{
	static const uint8_t zero[256];
	for (size_t i = 0; i < n; i += sizeof(zero)) {
		size_t k = n - i < sizeof(zero) ? n - i : sizeof(zero);
		if (memcmp(p + i, zero, k))
			return false;
	}
	return true;
}

static struct gpm_error *sink_head(struct sink *s)
{
	s->head_done = true;
	if (!s->o || !s->o->check_head)
		return NULL;
	size_t n = s->len < GPM_SOURCE_HEAD ? s->len : GPM_SOURCE_HEAD;
	return s->o->check_head(n ? s->map : NULL, n, s->name, s->o->arg);
}

/*
 * Appends bytes, leaving untouched (zero, unbacked) every aligned page of zeros. The size
 * and bomb limits are checked here, on every chunk, so a bomb stops after at most one
 * chunk past its limit.
 */
static struct gpm_error *sink_write(struct sink *s, const uint8_t *p, size_t n)
{
	if (!n)
		return NULL;
	size_t need;
	if (__builtin_add_overflow(s->len, n, &need) || need > s->lim->max_size)
		return limit_error(s);
	if (need > s->cap) {
		size_t ncap = s->cap;
		while (ncap < need)
			ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
		void *m = mremap(s->map, s->cap, ncap, MREMAP_MAYMOVE);
		if (m == MAP_FAILED)
			return gpm_error_os(errno, "cannot grow decompression buffer to %zu bytes",
			                    ncap);
		s->map = m;
		s->cap = ncap;
	}
	while (n) {
		size_t off = s->len % PAGE;
		size_t k = PAGE - off < n ? PAGE - off : n;
		if (!page_is_zero(p, k)) {
			memcpy(s->map + s->len, p, k);
			s->written += k;
		}
		s->len += k;
		p += k;
		n -= k;
	}
	if (s->ratio_applies) {
		// Non-zero bytes per compressed byte consumed so far, above a floor.
		uint64_t allowed;
		if (__builtin_mul_overflow(s->in, s->lim->max_ratio, &allowed) ||
		    __builtin_add_overflow(allowed, s->lim->ratio_floor, &allowed))
			allowed = UINT64_MAX;
		if (s->written > allowed)
			return gpm_error_create(
			    GPM_ERR_LIMIT,
			    "%s: expands to more than %llu times its compressed size (a "
			    "decompression bomb? the limit is GOPM_MAX_RATIO)",
			    s->name, (unsigned long long)s->lim->max_ratio);
	}
	if (!s->head_done && s->len >= GPM_SOURCE_HEAD)
		return sink_head(s);
	return NULL;
}

static void sink_release(struct sink *s)
{
	if (s->map)
		munmap(s->map, s->cap);
	s->map = NULL;
}

/* ---- decompressors: fed the compressed stream in chunks, written into a sink ---- */

struct decoder {
	enum gpm_compression kind;
	uint8_t *buf; /* CHUNK bytes of output */
	bool ended;   /* gzip: a member ended; later bytes start a member or are ignored */
	bool trailer; /* gzip: bytes after the last member, ignored */
	size_t more;  /* zstd, lz4: non-zero while a frame is unfinished */
	ZSTD_DStream *zs;
	z_stream gz;
	lzma_stream xz;
	LZ4F_dctx *lz4;
};

// The largest zstd window (log2) a compressed input of `total` bytes may ask for: 256 MiB (what
// the bomb check lets any input write, DEFAULT_FLOOR), raised up to --long=31's 2 GiB for
// inputs that could fill it (a 128 KiB zstd block costs at least 4 bytes: 32768:1). A larger
// window is a hostile header that would have the decoder allocate gigabytes for a few bytes.
// 0 means the size is unknown (a pipe): 2 GiB then, the output limits still applying.
static int zstd_window_log_max(uint64_t total)
{
	int wlog = 28;
	if (!total)
		return 31;
	while (wlog < 31 && (total << 15) > ((uint64_t)1 << wlog))
		wlog++;
	return wlog;
}

static struct gpm_error *decoder_init(struct decoder *d, enum gpm_compression kind, uint64_t total)
{
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->buf = malloc(CHUNK);
	if (!d->buf)
		return &gpm_error_nomem;
	switch (kind) {
	case GPM_COMPRESSION_ZSTD:
		if (!(d->zs = ZSTD_createDStream()))
			return &gpm_error_nomem;
		ZSTD_DCtx_setParameter(d->zs, ZSTD_d_windowLogMax, zstd_window_log_max(total));
		return NULL;
	case GPM_COMPRESSION_GZIP:
		if (inflateInit2(&d->gz, 15 + 32) != Z_OK)
			return &gpm_error_nomem;
		d->ended = false;
		return NULL;
	case GPM_COMPRESSION_XZ: {
		lzma_stream init = LZMA_STREAM_INIT;
		d->xz = init;
		// xz -9 needs 65 MiB; the limit only stops a hostile header's dictionary size.
		if (lzma_stream_decoder(&d->xz, (uint64_t)1 << 30, LZMA_CONCATENATED) != LZMA_OK)
			return &gpm_error_nomem;
		return NULL;
	}
	case GPM_COMPRESSION_LZ4:
		if (LZ4F_isError(LZ4F_createDecompressionContext(&d->lz4, LZ4F_VERSION)))
			return &gpm_error_nomem;
		return NULL;
	case GPM_COMPRESSION_NONE:
	case GPM_COMPRESSION_APPORT: // its stream is gzip
		break;
	}
	return NULL;
}

static void decoder_deinit(struct decoder *d)
{
	switch (d->kind) {
	case GPM_COMPRESSION_ZSTD:
		ZSTD_freeDStream(d->zs);
		break;
	case GPM_COMPRESSION_GZIP:
		inflateEnd(&d->gz);
		break;
	case GPM_COMPRESSION_XZ:
		lzma_end(&d->xz);
		break;
	case GPM_COMPRESSION_LZ4:
		LZ4F_freeDecompressionContext(d->lz4);
		break;
	case GPM_COMPRESSION_NONE:
	case GPM_COMPRESSION_APPORT:
		break;
	}
	free(d->buf);
}

static struct gpm_error *corrupt(const struct sink *s, const char *what, const char *why)
{
	return gpm_error_create(GPM_ERR_FORMAT, "%s: corrupt %s data at offset %llu: %s", s->name,
	                        what, (unsigned long long)s->in, why);
}

static struct gpm_error *feed_zstd(struct decoder *d, const uint8_t *in, size_t n, struct sink *s)
{
	ZSTD_inBuffer ib = {in, n, 0};
	ZSTD_outBuffer ob;
	do {
		ob = (ZSTD_outBuffer){d->buf, CHUNK, 0};
		size_t before = ib.pos;
		size_t ret = ZSTD_decompressStream(d->zs, &ob, &ib);
		if (ZSTD_getErrorCode(ret) == ZSTD_error_frameParameter_windowTooLarge)
			return corrupt(
			    s, "zstd",
			    "the frame asks for a window larger than an input of this size "
			    "can need (a damaged or hostile header; if it is real, "
			    "decompress it with zstd -d --long=31 first)");
		if (ZSTD_isError(ret))
			return corrupt(s, "zstd", ZSTD_getErrorName(ret));
		s->in += ib.pos - before;
		// A call with nothing to do after a finished frame asks for the next header.
		if (ib.pos != before || ob.pos)
			d->more = ret;
		struct gpm_error *err = sink_write(s, d->buf, ob.pos);
		if (err)
			return err;
	} while (ib.pos < ib.size || ob.pos == ob.size);
	return NULL;
}

static struct gpm_error *feed_gzip(struct decoder *d, const uint8_t *in, size_t n, struct sink *s)
{
	size_t pos = 0;
	while (pos < n && !d->trailer) {
		if (d->ended) {
			// Concatenated gzip members continue; anything else (zero padding) ends it.
			if (n - pos >= 2 && in[pos] == 0x1f && in[pos + 1] == 0x8b) {
				inflateReset(&d->gz);
				d->ended = false;
			} else {
				d->trailer = true;
				break;
			}
		}
		size_t avail = n - pos;
		d->gz.next_in = (Bytef *)(in + pos);
		d->gz.avail_in = avail > (1u << 30) ? (1u << 30) : (uInt)avail;
		d->gz.next_out = d->buf;
		d->gz.avail_out = CHUNK;
		int r = inflate(&d->gz, Z_NO_FLUSH);
		size_t used = (size_t)(d->gz.next_in - (in + pos));
		pos += used;
		s->in += used;
		if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR)
			return corrupt(s, "gzip", d->gz.msg ? d->gz.msg : "inflate failed");
		struct gpm_error *err = sink_write(s, d->buf, CHUNK - d->gz.avail_out);
		if (err)
			return err;
		if (r == Z_STREAM_END)
			d->ended = true;
		else if (r == Z_BUF_ERROR && d->gz.avail_out == CHUNK && !used)
			break; // needs more input than this chunk holds
	}
	// Output still held by the decoder with the input used up.
	while (!d->ended && !d->trailer && d->gz.avail_out == 0) {
		d->gz.next_in = (Bytef *)(in + n);
		d->gz.avail_in = 0;
		d->gz.next_out = d->buf;
		d->gz.avail_out = CHUNK;
		int r = inflate(&d->gz, Z_NO_FLUSH);
		if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR)
			return corrupt(s, "gzip", d->gz.msg ? d->gz.msg : "inflate failed");
		struct gpm_error *err = sink_write(s, d->buf, CHUNK - d->gz.avail_out);
		if (err)
			return err;
		if (r == Z_STREAM_END)
			d->ended = true;
		if (r == Z_BUF_ERROR)
			break;
	}
	return NULL;
}

static struct gpm_error *xz_error(const struct sink *s, lzma_ret r)
{
	switch (r) {
	case LZMA_MEM_ERROR:
		return &gpm_error_nomem;
	case LZMA_MEMLIMIT_ERROR:
		return gpm_error_create(GPM_ERR_LIMIT,
		                        "%s: xz data needs more than 1 GiB to decode", s->name);
	case LZMA_FORMAT_ERROR:
		return corrupt(s, "xz", "not in the .xz format");
	case LZMA_OPTIONS_ERROR:
		return corrupt(s, "xz", "unsupported options");
	case LZMA_BUF_ERROR:
		return gpm_error_create(GPM_ERR_FORMAT, "%s: truncated xz data (%llu input bytes)",
		                        s->name, (unsigned long long)s->in);
	default:
		return corrupt(s, "xz", "bad data");
	}
}

static struct gpm_error *run_xz(struct decoder *d, const uint8_t *in, size_t n, struct sink *s,
                                lzma_action action)
{
	d->xz.next_in = in;
	d->xz.avail_in = n;
	for (;;) {
		d->xz.next_out = d->buf;
		d->xz.avail_out = CHUNK;
		size_t before = d->xz.avail_in;
		lzma_ret r = lzma_code(&d->xz, action);
		s->in += before - d->xz.avail_in;
		if (r != LZMA_OK && r != LZMA_STREAM_END)
			return xz_error(s, r);
		struct gpm_error *err = sink_write(s, d->buf, CHUNK - d->xz.avail_out);
		if (err)
			return err;
		if (r == LZMA_STREAM_END) {
			d->ended = true;
			return NULL;
		}
		if (d->xz.avail_in == 0 && d->xz.avail_out != 0) {
			if (action == LZMA_FINISH)
				return xz_error(s, LZMA_BUF_ERROR);
			return NULL;
		}
	}
}

static struct gpm_error *feed_lz4(struct decoder *d, const uint8_t *in, size_t n, struct sink *s)
{
	size_t pos = 0, out;
	do {
		size_t src = n - pos;
		out = CHUNK;
		size_t r = LZ4F_decompress(d->lz4, d->buf, &out, in + pos, &src, NULL);
		if (LZ4F_isError(r))
			return corrupt(s, "lz4", LZ4F_getErrorName(r));
		pos += src;
		s->in += src;
		if (src || out)
			d->more = r;
		struct gpm_error *err = sink_write(s, d->buf, out);
		if (err)
			return err;
		if (!src && !out)
			break;
	} while (pos < n || out == CHUNK);
	return NULL;
}

static struct gpm_error *decoder_feed(struct decoder *d, const uint8_t *in, size_t n,
                                      struct sink *s)
{
	switch (d->kind) {
	case GPM_COMPRESSION_ZSTD:
		return feed_zstd(d, in, n, s);
	case GPM_COMPRESSION_GZIP:
		return feed_gzip(d, in, n, s);
	case GPM_COMPRESSION_XZ:
		return run_xz(d, in, n, s, LZMA_RUN);
	case GPM_COMPRESSION_LZ4:
		return feed_lz4(d, in, n, s);
	case GPM_COMPRESSION_NONE:
	case GPM_COMPRESSION_APPORT:
		break;
	}
	return sink_write(s, in, n);
}

// The input has ended: an unfinished stream is truncated.
static struct gpm_error *decoder_finish(struct decoder *d, struct sink *s)
{
	const char *what = NULL;
	switch (d->kind) {
	case GPM_COMPRESSION_ZSTD:
		what = d->more ? "zstd" : NULL;
		break;
	case GPM_COMPRESSION_GZIP:
		what = d->ended || d->trailer ? NULL : "gzip";
		break;
	case GPM_COMPRESSION_XZ:
		return d->ended ? NULL : run_xz(d, NULL, 0, s, LZMA_FINISH);
	case GPM_COMPRESSION_LZ4:
		what = d->more ? "lz4" : NULL;
		break;
	case GPM_COMPRESSION_NONE:
	case GPM_COMPRESSION_APPORT:
		break;
	}
	if (what)
		return gpm_error_create(GPM_ERR_FORMAT, "%s: truncated %s data (%llu input bytes)",
		                        s->name, what, (unsigned long long)s->in);
	return NULL;
}

static enum gpm_compression sniff(const uint8_t *p, size_t n)
{
	if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
		return GPM_COMPRESSION_ZSTD;
	if (n >= 3 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 8)
		return GPM_COMPRESSION_GZIP;
	if (n >= 6 && !memcmp(p,
	                      "\xfd"
	                      "7zXZ\0",
	                      6))
		return GPM_COMPRESSION_XZ;
	if (n >= 4 && p[0] == 0x04 && p[1] == 0x22 && p[2] == 0x4d && p[3] == 0x18)
		return GPM_COMPRESSION_LZ4;
	return GPM_COMPRESSION_NONE;
}

/* ---- sources ---- */

struct reader {
	struct sink sink;
	struct decoder dec;
	bool have_dec;
	struct gpm_identity hash;
	struct gpm_source_limits lim;
};

static struct gpm_error *reader_init(struct reader *r, struct gpm_source *src,
                                     const struct gpm_source_options *o)
{
	memset(r, 0, sizeof(*r));
	struct gpm_error *err = resolve_limits(o, &r->lim);
	if (err)
		return err;
	r->sink.lim = &r->lim;
	r->sink.o = o;
	r->sink.name = src->path;
	if (o && o->hash)
		gpm_identity_init(&r->hash);
	return NULL;
}

// Starts decompressing (or copying, for NONE from a descriptor) into the sink.
// `total` is the compressed input's size, 0 when unknown.
static struct gpm_error *reader_start(struct reader *r, enum gpm_compression c, const uint8_t *head,
                                      size_t n, uint64_t total)
{
	uint64_t hint = 0;
	if (c == GPM_COMPRESSION_ZSTD) {
		unsigned long long h = ZSTD_getFrameContentSize(head, n);
		if (h != ZSTD_CONTENTSIZE_ERROR && h != ZSTD_CONTENTSIZE_UNKNOWN)
			hint = h;
	}
	struct gpm_error *err = sink_init(&r->sink, hint);
	if (err)
		return err;
	r->sink.ratio_applies = c != GPM_COMPRESSION_NONE;
	r->have_dec = true;
	return decoder_init(&r->dec, c, total);
}

static struct gpm_error *reader_feed(struct reader *r, const struct gpm_source_options *o,
                                     const uint8_t *p, size_t n)
{
	if (o && o->hash)
		gpm_identity_update(&r->hash, p, n);
	if (r->dec.kind == GPM_COMPRESSION_NONE)
		r->sink.in += n;
	return decoder_feed(&r->dec, p, n, &r->sink);
}

// The input ended, or feeding it failed with err: the source takes over the sink's mapping.
// With the option partial, a stream that ended early or turned corrupt after some output
// keeps that output, and src->cut says why.
static struct gpm_error *reader_finish(struct reader *r, struct gpm_source *src,
                                       const struct gpm_source_options *o, struct gpm_error *err)
{
	if (!err)
		err = decoder_finish(&r->dec, &r->sink);
	if (err && err->code == GPM_ERR_FORMAT && o && o->partial && r->sink.len &&
	    r->dec.kind != GPM_COMPRESSION_NONE) {
		if (!(src->cut = strdup(err->message)))
			return err;
		gpm_error_destroy(err);
		err = NULL;
	}
	if (!err && !r->sink.head_done)
		err = sink_head(&r->sink);
	if (err)
		return err;
	struct sink *s = &r->sink;
	mprotect(s->map, s->cap, PROT_READ);
	src->data = s->len ? s->map : NULL;
	src->size = s->len;
	src->map = s->map;
	src->map_len = s->cap;
	src->owns_map = 1;
	s->map = NULL;
	return NULL;
}

static void reader_deinit(struct reader *r, const struct gpm_source_options *o,
                          struct gpm_source *src, bool ok)
{
	if (ok && o && o->hash)
		gpm_identity_final(&r->hash, src->sha256);
	gpm_identity_deinit(&r->hash); // a read that failed: no identity
	if (r->have_dec)
		decoder_deinit(&r->dec);
	sink_release(&r->sink);
}

/*
 * Hashes a file mapping in slices, each dropped from this process once hashed (the page
 * cache keeps it): a file is hashed without its pages staying resident here.
 */
static void hash_file_map(struct gpm_identity *h, const uint8_t *map, size_t n)
{
	enum { SLICE = 8 << 20 };
	madvise((void *)map, n, MADV_SEQUENTIAL);
	for (size_t off = 0; off < n; off += SLICE) {
		size_t k = n - off < SLICE ? n - off : SLICE;
		gpm_identity_update(h, map + off, k);
		madvise((void *)(map + off), k, MADV_DONTNEED);
	}
	madvise((void *)map, n, MADV_NORMAL);
}

/* ---- apport crash reports ---- */

/* Whether the n bytes at p are an apport crash report (Ubuntu's .crash files in /var/crash): its
 * first key is always ProblemType. */
static bool is_apport(const uint8_t *p, size_t n)
{
	static const char magic[] = "ProblemType: ";
	return n >= sizeof(magic) - 1 && !memcmp(p, magic, sizeof(magic) - 1);
}

/* A base64 digit's value, -1 for anything else. */
static int b64_digit(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/*
 * Decodes one line of base64 (n bytes at p, padded or not) to out, which has room for
 * n * 3 / 4 + 3 bytes; the count written, or -1 when it is not base64.
 */
static ssize_t b64_line(const uint8_t *p, size_t n, uint8_t *out)
{
	uint8_t *o = out;
	uint32_t acc = 0;
	unsigned k = 0;
	size_t i = 0;
	for (; i < n && p[i] != '='; i++) {
		int v = b64_digit(p[i]);
		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		if (++k == 4) {
			*o++ = (uint8_t)(acc >> 16);
			*o++ = (uint8_t)(acc >> 8);
			*o++ = (uint8_t)acc;
			acc = 0;
			k = 0;
		}
	}
	for (; i < n; i++) // only padding after the first '='
		if (p[i] != '=')
			return -1;
	if (k == 1)
		return -1;
	if (k == 2)
		*o++ = (uint8_t)(acc >> 4);
	if (k == 3) {
		*o++ = (uint8_t)(acc >> 10);
		*o++ = (uint8_t)(acc >> 2);
	}
	return o - out;
}

/*
 * The core an apport crash report holds: raw (n bytes) is the report, src gets the core.
 * apport (problem_report.py) writes the text fields first, one "Key: value" each (more
 * lines of a value start with a blank), then each binary field as "Key: base64" followed
 * by lines of one blank and a base64 text each, padded line by line, that together are one
 * gzip stream (a zlib one in reports of 2009 and before): the header naming the field, the
 * deflate blocks as the compressor gave them, the trailer. The core is CoreDump.
 * o->hash is left to the caller (the identity is the report's bytes).
 */
static struct gpm_error *apport_fill(struct gpm_source *src, const uint8_t *raw, size_t n,
                                     const struct gpm_source_options *o)
{
	static const char key[] = "\nCoreDump: base64\n";
	const uint8_t *p = memmem(raw, n, key, sizeof(key) - 1);
	if (!p)
		return gpm_error_create(
		    GPM_ERR_UNSUPPORTED,
		    "%s: an apport crash report without its core (no CoreDump "
		    "field: apport keeps none for a crash it ignores or a core "
		    "over its size limit): not a goroutine dump, profile or core",
		    src->path);
	struct gpm_source_options q = o ? *o : (struct gpm_source_options){0};
	q.hash = false;
	struct reader r;
	struct gpm_error *err = reader_init(&r, src, &q);
	if (err)
		return err;
	src->compression = GPM_COMPRESSION_APPORT;
	uint8_t *buf = malloc(CHUNK);
	err = buf ? reader_start(&r, GPM_COMPRESSION_GZIP, NULL, 0, n) : &gpm_error_nomem;
	size_t have = 0, line = 0;
	const uint8_t *end = raw + n;
	for (p += sizeof(key) - 1; !err && p < end && *p == ' '; line++) {
		const uint8_t *e = memchr(p, '\n', (size_t)(end - p));
		const uint8_t *q0 = p + 1, *q1 = e ? e : end;
		if (q1 > q0 && q1[-1] == '\r')
			q1--;
		if (!e) // the report ends inside this line: its whole quanta are what is left
			q1 = q0 + (size_t)(q1 - q0) / 4 * 4;
		// Decoded into buf, fed to the decoder when it is half full; a line longer than
		// the room left is decoded in slices of whole quanta.
		while (!err && q0 < q1) {
			size_t room = (CHUNK - have - 3) / 3 * 4, take = (size_t)(q1 - q0);
			if (take > room)
				take = room;
			ssize_t k = take ? b64_line(q0, take, buf + have) : 0;
			if (k < 0) {
				// What was decoded before it is the decoder's (kept with partial).
				if (have && (err = decoder_feed(&r.dec, buf, have, &r.sink)))
					break;
				have = 0;
				err = gpm_error_create(
				    GPM_ERR_FORMAT,
				    "%s: corrupt apport crash report: line %zu of its "
				    "CoreDump is not base64",
				    src->path, line + 1);
				break;
			}
			have += (size_t)k;
			q0 += take;
			if (have > CHUNK / 2) {
				err = decoder_feed(&r.dec, buf, have, &r.sink);
				have = 0;
			}
		}
		p = e ? e + 1 : end;
	}
	if (!err && have)
		err = decoder_feed(&r.dec, buf, have, &r.sink);
	free(buf);
	if (!err && !r.sink.len && !r.dec.ended)
		err = gpm_error_create(GPM_ERR_FORMAT,
		                       "%s: an apport crash report whose CoreDump is empty or cut "
		                       "before any of the core",
		                       src->path);
	err = reader_finish(&r, src, &q, err);
	reader_deinit(&r, &q, src, !err);
	return err;
}

/* The identity of a plain input's n bytes at raw (o->hash), into src; r is done with. */
static void hash_plain(struct reader *r, const struct gpm_source_options *o, struct gpm_source *src,
                       const uint8_t *raw, size_t n, bool file_map)
{
	if (o && o->hash) {
		if (file_map && n)
			hash_file_map(&r->hash, raw, n);
		else
			gpm_identity_update(&r->hash, raw, n);
	}
	reader_deinit(r, o, src, true);
}

/*
 * Decompresses raw into src when it is compressed; otherwise leaves src->data = raw.
 * file_map: raw is a private mapping of the file (its pages can be dropped and re-read).
 */
static struct gpm_error *source_fill(struct gpm_source *src, const uint8_t *raw, size_t n,
                                     bool file_map, const struct gpm_source_options *o)
{
	struct reader r;
	struct gpm_error *err = reader_init(&r, src, o);
	if (err)
		return err;
	src->compression = sniff(raw, n);
	if (src->compression == GPM_COMPRESSION_NONE && is_apport(raw, n)) {
		hash_plain(&r, o, src, raw, n, file_map); // the report's identity
		return apport_fill(src, raw, n, o);
	}
	if (src->compression == GPM_COMPRESSION_NONE) {
		if ((uint64_t)n > r.lim.max_size)
			err = limit_error(&r.sink);
		else if (o && o->check_head)
			err =
			    o->check_head(n ? raw : NULL, n < GPM_SOURCE_HEAD ? n : GPM_SOURCE_HEAD,
			                  src->path, o->arg);
		if (err) {
			reader_deinit(&r, o, src, false);
			return err;
		}
		if (o && o->hash)
			hash_plain(&r, o, src, raw, n, file_map);
		src->data = n ? raw : NULL;
		src->size = n;
		return NULL;
	}
	if (!(err = reader_start(&r, src->compression, raw, n, n))) {
		// Fed in slices so the bomb check sees the compressed bytes consumed so far.
		for (size_t off = 0; !err && off < n; off += FEED)
			err = reader_feed(&r, o, raw + off, n - off < FEED ? n - off : FEED);
		err = reader_finish(&r, src, o, err);
	}
	reader_deinit(&r, o, src, !err);
	return err;
}

static struct gpm_source *source_alloc(const char *name)
{
	struct gpm_source *src = calloc(1, sizeof(*src));
	if (!src)
		return NULL;
	src->fd = -1;
	src->path = strdup(name ? name : "<memory>");
	if (!src->path) {
		free(src);
		return NULL;
	}
	return src;
}

static void hash_start(struct gpm_source *src, int fd, size_t len);

/* ---- a big file read front to back: windows copied in ahead of the reader ---- */

/*
 * Touching a page of a file mapping for the first time costs several times, on this VM,
 * what copying the same bytes with pread(2) into memory that is already mapped does (a
 * newline count over a 290 MiB dump: 0.43-0.55 s of CPU through the populated mapping,
 * 0.15-0.19 s through recycled 4 MiB windows; fresh anonymous memory costs more than
 * either: its pages must be zeroed first). So the mapping's windows the reader is about to
 * read are replaced by anonymous chunks of STREAM_WINDOW bytes filled with pread, and once
 * STREAM_CHUNKS chunks exist the oldest window's chunk is moved (mremap, no copy, no
 * zeroing) to the next window and the file's mapping put back where it was. At every
 * moment every address of the mapping reads the file's bytes, so pointers into it stay
 * valid whatever window they were taken in. STREAM_CHUNKS windows (64 MiB) hold a
 * 100k-goroutine snapshot (~36 MiB), which the analysis reads again as soon as it is parsed.
 * Chunks are made only while the oldest one's window may still be read again: once the
 * reader says it is done with what it passed (gpm_source_read_done, after each snapshot)
 * the windows before it give up their chunks first, so a file of 36 MiB snapshots makes
 * about 11, not 16 (each a first use: 4 MiB to zero).
 */
enum {
	STREAM_WINDOW = 4 << 20,
	STREAM_ALIGN = 2 << 20,
	STREAM_CHUNKS = 16,
	STREAM_CHUNKS_MIN = 2, /* the window read and the next one */
};
// The chunks' first use costs more than the populated mapping (their zeroing: a 36 MiB
// dump's parse took 0.14-0.21 s of CPU against 0.09-0.14 s), their reuse much less: a file
// is read through windows only when most of it is read through chunks used again.
#define STREAM_MIN ((uint64_t)2 * STREAM_CHUNKS * STREAM_WINDOW)

struct gpm_source_stream {
	uint8_t *base; /* the file's mapping: STREAM_ALIGN-aligned, len bytes */
	size_t len;    /* size rounded up to STREAM_WINDOW */
	size_t size;
	int fd;
	size_t next;                /* offset of the first window not copied in */
	size_t used[STREAM_CHUNKS]; /* offsets of the windows holding chunks, oldest first */
	size_t nused;
	size_t made; /* chunks allocated */
	size_t cur;  /* offset of the window read at the last gpm_source_reading */
	size_t done; /* windows before this offset are not read again soon */
	bool off;    /* stopped: the rest is read through the mapping */
};

// n bytes of fresh memory at an address aligned to STREAM_ALIGN (so that a chunk moves as
// whole page tables, and may be a huge page); NULL on failure.
static uint8_t *map_aligned(size_t n, int prot, int flags)
{
	uint8_t *r = mmap(NULL, n + STREAM_ALIGN, prot, flags | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED)
		return NULL;
	uint8_t *a =
	    (uint8_t *)(((uintptr_t)r + STREAM_ALIGN - 1) & ~(uintptr_t)(STREAM_ALIGN - 1));
	if (a > r)
		munmap(r, (size_t)(a - r));
	munmap(a + n, (size_t)(r + STREAM_ALIGN - a));
	return a;
}

// Maps src's file again at an aligned address, its length a whole number of windows, in
// place of the mapping it has; false (nothing changed) when it cannot.
static bool stream_start(struct gpm_source *src)
{
	struct gpm_source_stream *st = calloc(1, sizeof(*st));
	if (!st)
		return false;
	st->size = src->size;
	st->len = (src->size + STREAM_WINDOW - 1) / STREAM_WINDOW * STREAM_WINDOW;
	st->fd = src->fd;
	uint8_t *base = map_aligned(st->len, PROT_NONE, MAP_NORESERVE);
	if (!base ||
	    mmap(base, st->len, PROT_READ, MAP_PRIVATE | MAP_FIXED, st->fd, 0) == MAP_FAILED) {
		if (base)
			munmap(base, st->len);
		free(st);
		return false;
	}
	munmap(src->map, src->map_len);
	st->base = base;
	src->map = base;
	src->map_len = st->len;
	src->data = base;
	src->stream = st;
	return true;
}

/*
 * The kernel refused to put the file's mapping back over a window (only out of memory can:
 * the call replaces a mapping of the same size). Pointers into that window would read a
 * hole or a stale chunk, so the process ends with a one-line error and the exit status of
 * an internal error (GPM_EXIT_INTERNAL), not a wrong answer or a crash later.
 */
static _Noreturn void stream_broken(void)
{
	fprintf(stderr, "gopm: out of memory mapping the input back into place (%s)\n",
	        strerror(errno));
	_exit(70);
}

// Puts the file's mapping back over window off (its chunk has been moved away or dropped);
// false when the kernel refused.
static bool stream_unfill(struct gpm_source_stream *st, size_t off)
{
	return mmap(st->base + off, STREAM_WINDOW, PROT_READ, MAP_PRIVATE | MAP_FIXED, st->fd,
	            (off_t)off) != MAP_FAILED;
}

// Copies window off of the file into a chunk mapped over it; false (the window still the
// file's mapping) when it cannot.
static bool stream_fill(struct gpm_source_stream *st, size_t off)
{
	uint8_t *at = st->base + off;
	// A new chunk while there are few, or while the oldest window may be read again soon.
	bool reuse = st->nused && (st->made >= STREAM_CHUNKS ||
	                           (st->made >= STREAM_CHUNKS_MIN && st->used[0] < st->done));
	if (!reuse) {
		uint8_t *c = map_aligned(STREAM_WINDOW, PROT_READ | PROT_WRITE, 0);
		if (!c)
			return false;
		madvise(c, STREAM_WINDOW, MADV_HUGEPAGE); // advice: fewer faults, once
		if (mremap(c, STREAM_WINDOW, STREAM_WINDOW, MREMAP_MAYMOVE | MREMAP_FIXED, at) ==
		    MAP_FAILED) {
			munmap(c, STREAM_WINDOW);
			return false;
		}
		st->made++;
	} else {
		// The oldest window's chunk moves here; the file's mapping goes back there, mapped
		// first elsewhere so that a refusal leaves no hole.
		size_t old = st->used[0];
		void *file = mmap(NULL, STREAM_WINDOW, PROT_READ, MAP_PRIVATE, st->fd, (off_t)old);
		if (file == MAP_FAILED)
			return false;
		if (mremap(st->base + old, STREAM_WINDOW, STREAM_WINDOW,
		           MREMAP_MAYMOVE | MREMAP_FIXED, at) == MAP_FAILED) {
			munmap(file, STREAM_WINDOW);
			return false;
		}
		if (mremap(file, STREAM_WINDOW, STREAM_WINDOW, MREMAP_MAYMOVE | MREMAP_FIXED,
		           st->base + old) == MAP_FAILED)
			stream_broken(); // the same number of mappings, a hole of its size
		memmove(st->used, st->used + 1, (st->nused - 1) * sizeof(st->used[0]));
		st->nused--;
	}
	size_t want = st->size - off < STREAM_WINDOW ? st->size - off : STREAM_WINDOW;
	size_t got = 0;
	while (got < want) {
		ssize_t r = pread(st->fd, at + got, want - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got < want) {
		// Shrunk or unreadable: the mapping reads what it reads (as without windows).
		if (!stream_unfill(st, off))
			stream_broken(); // replaces a mapping of the same size in place
		st->made--;
		return false;
	}
	st->used[st->nused++] = off;
	return true;
}

const uint8_t *gpm_source_reading(struct gpm_source *src, const uint8_t *at)
{
	const uint8_t *end = src && src->data ? src->data + src->size : NULL;
	struct gpm_source_stream *st = src ? src->stream : NULL;
	if (!st || st->off || at < st->base || at >= st->base + st->size)
		return end;
	size_t o = (size_t)(at - st->base);
	size_t w = o - o % STREAM_WINDOW;
	if (st->next < w)
		st->next = w; // the reader jumped: the windows passed stay the mapping's
	st->cur = w;
	// The window being read and the next one.
	while (st->next < st->size && st->next <= w + STREAM_WINDOW) {
		if (!stream_fill(st, st->next)) {
			st->off = true;
			return end;
		}
		st->next += STREAM_WINDOW;
	}
	return st->next >= st->size ? end : st->base + st->next - STREAM_WINDOW;
}

void gpm_source_read_done(struct gpm_source *src)
{
	struct gpm_source_stream *st = src ? src->stream : NULL;
	if (st && st->cur > st->done)
		st->done = st->cur;
}

// Gives back the file's pages of the mapping (not the chunks: they hold the only copy
// mapped there, and are at most STREAM_CHUNKS windows).
static void stream_release(struct gpm_source_stream *st)
{
	size_t from = 0;
	for (size_t k = 0; k <= st->nused; k++) {
		size_t to = k < st->nused ? st->used[k] : st->len;
		if (to > from)
			madvise(st->base + from, to - from, MADV_DONTNEED);
		from = to + STREAM_WINDOW;
	}
}

struct gpm_error *gpm_source_open_opts(const char *path, const struct gpm_source_options *o,
                                       struct gpm_source **out)
{
	// O_NONBLOCK: opening a FIFO without a writer would wait forever; fstat says what it is.
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return gpm_error_os(errno, "%s", path);
	struct stat st;
	if (fstat(fd, &st) < 0) {
		struct gpm_error *err = gpm_error_os(errno, "%s", path);
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		const char *what = S_ISDIR(st.st_mode)    ? "a directory"
		                   : S_ISFIFO(st.st_mode) ? "a FIFO"
		                   : S_ISSOCK(st.st_mode) ? "a socket"
		                                          : "a device";
		return gpm_error_create(GPM_ERR_OS,
		                        "%s: not a regular file (%s; to read a stream, give '-' "
		                        "and redirect standard input)",
		                        path, what);
	}
	struct gpm_source *src = source_alloc(path);
	if (!src) {
		close(fd);
		return &gpm_error_nomem;
	}
	src->file_size = (uint64_t)st.st_size;
	src->mtime = (int64_t)st.st_mtime;
	const uint8_t *raw = NULL;
	void *fmap = NULL;
	if (st.st_size > 0) {
		fmap = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (fmap == MAP_FAILED) {
			struct gpm_error *err = gpm_error_os(errno, "%s: mmap", path);
			close(fd);
			gpm_source_destroy(src);
			return err;
		}
		raw = fmap;
	}
	// A big plain file is hashed in a thread of its own (the caller collects the digest
	// with gpm_source_hash_finish), so hashing overlaps the reading of the input.
	struct gpm_source_options sync;
	bool async = o && o->hash && o->hash_async && (uint64_t)st.st_size >= ASYNC_HASH_MIN &&
	             sniff(raw, (size_t)st.st_size) == GPM_COMPRESSION_NONE &&
	             !is_apport(raw, (size_t)st.st_size);
	if (async) {
		sync = *o;
		sync.hash = false;
	}
	struct gpm_error *err =
	    source_fill(src, raw, (size_t)st.st_size, fmap != NULL, async ? &sync : o);
	if (!err && async)
		hash_start(src, fd, (size_t)st.st_size);
	if (err || src->owns_map || !fmap)
		close(fd);
	if (err) {
		if (fmap)
			munmap(fmap, (size_t)st.st_size);
		gpm_source_destroy(src);
		return err;
	}
	if (src->owns_map) {
		// Decompressed: the compressed file mapping is no longer needed.
		if (fmap)
			munmap(fmap, (size_t)st.st_size);
	} else {
		src->map = fmap;
		src->map_len = (size_t)st.st_size;
		src->owns_map = fmap != NULL;
		src->file_backed = fmap != NULL;
		if (fmap)
			src->fd = fd; // gpm_source_copy reads through it
		// A big file read from start to end (a goroutine dump, a heap dump) is mapped
		// in one call rather than by a fault every 64 KiB as the parser first reads
		// it: on the 2-core VM, touching every cache line of a 319 MiB dump's mapping
		// costs 0.25-0.36 s of CPU lazily, 0.21-0.27 s populated. Not cores (ELF): they are
		// read in scattered places, mostly through gpm_source_copy. Advice: an old kernel
		// refuses it, nothing else changes. Reading the file into anonymous huge pages
		// instead was tried: the kernel's zeroing of new memory on this VM costs as
		// much again, and varies (0.1-0.8 s).
		// Nor a file above a quarter of memory: its first pages could be
		// evicted before the parser reached them, and be read twice.
		// A reader that says it reads front to back (a dump's parser) gets the file
		// copied into recycled windows ahead of it instead (stream_start).
		long pages = sysconf(_SC_PHYS_PAGES);
		bool big =
		    fmap && (uint64_t)st.st_size >= POPULATE_MIN && memcmp(fmap, "\177ELF", 4) != 0;
		if (big && o && o->sequential && (uint64_t)st.st_size >= STREAM_MIN &&
		    stream_start(src))
			; // read through gpm_source_reading
		else if (big && pages > 0 && (uint64_t)st.st_size <= (uint64_t)pages * PAGE / 4)
			madvise(fmap, (size_t)st.st_size, MADV_POPULATE_READ);
	}
	*out = src;
	return NULL;
}

struct gpm_source_hash {
	pthread_t thread;
	int fd; /* an open file of its own: independent of the source's lifetime */
	size_t len;
	char hex[GPM_SHA256_HEX_SIZE];
};

// The identity of fd's len bytes into hex, read by this thread (the analysis goes on beside
// it); "" when the file could not be read whole.
static void hash_fd_hex(int fd, size_t len, char hex[GPM_SHA256_HEX_SIZE])
{
	gpm_identity_fd(fd, len, hex);
}

static void *hash_main(void *arg)
{
	struct gpm_source_hash *h = arg;
	hash_fd_hex(h->fd, h->len, h->hex);
	return NULL;
}

// Starts hashing fd's len bytes in a thread; hashes here when no thread can be had.
static void hash_start(struct gpm_source *src, int fd, size_t len)
{
	struct gpm_source_hash *h = calloc(1, sizeof(*h));
	// Its own open file (not a dup: SEEK_DATA moves the offset of the open file).
	char self[64];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	int own = open(self, O_RDONLY | O_CLOEXEC);
	if (h && own >= 0) {
		h->fd = own;
		h->len = len;
		if (!pthread_create(&h->thread, NULL, hash_main, h)) {
			src->hash_pending = h;
			return;
		}
	}
	if (own >= 0)
		close(own);
	free(h);
	hash_fd_hex(fd, len, src->sha256);
}

struct gpm_source_hash *gpm_source_hash_take(struct gpm_source *src)
{
	struct gpm_source_hash *h = src->hash_pending;
	src->hash_pending = NULL;
	return h;
}

void gpm_source_hash_finish(struct gpm_source_hash *h, char out[GPM_SHA256_HEX_SIZE])
{
	if (!h)
		return;
	pthread_join(h->thread, NULL);
	close(h->fd);
	if (out)
		memcpy(out, h->hex, GPM_SHA256_HEX_SIZE);
	free(h);
}

struct gpm_error *gpm_source_open(const char *path, struct gpm_source **out)
{
	return gpm_source_open_opts(path, NULL, out);
}

// read() that retries on EINTR and waits when the descriptor is non-blocking.
static ssize_t read_some(int fd, uint8_t *buf, size_t n)
{
	for (;;) {
		ssize_t r = read(fd, buf, n);
		if (r >= 0)
			return r;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		poll(&p, 1, -1);
	}
}

struct gpm_error *gpm_source_read_fd(int fd, const char *name, const struct gpm_source_options *o,
                                     struct gpm_source **out)
{
	struct gpm_source *src = source_alloc(name);
	if (!src)
		return &gpm_error_nomem;
	src->mtime = (int64_t)time(NULL);
	// A regular file on stdin has a size that bounds the zstd window; a pipe has none.
	struct stat st;
	uint64_t total = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	struct reader r;
	struct gpm_error *err = reader_init(&r, src, o);
	uint8_t *buf = err ? NULL : malloc(CHUNK);
	if (!err && !buf)
		err = &gpm_error_nomem;
	size_t have = 0;
	bool eof = false, started = false;
	while (!err && !eof) {
		ssize_t k = read_some(fd, buf + have, CHUNK - have);
		if (k < 0) {
			err = gpm_error_os(errno, "%s", src->path);
			break;
		}
		eof = k == 0;
		have += (size_t)k;
		src->file_size += (uint64_t)k;
		// The magic bytes decide the decompressor: wait for enough of them.
		if (!started && have < SNIFF_LEN && !eof)
			continue;
		if (!started) {
			src->compression = sniff(buf, have);
			if ((err = reader_start(&r, src->compression, buf, have, total)))
				break;
			started = true;
		}
		if (have && (err = reader_feed(&r, o, buf, have)))
			break;
		have = 0;
	}
	if (!err || started)
		err = reader_finish(&r, src, o, err);
	reader_deinit(&r, o, src, !err);
	free(buf);
	// An apport crash report read from a pipe: the core it holds replaces it.
	if (!err && src->compression == GPM_COMPRESSION_NONE && is_apport(src->data, src->size)) {
		void *report = src->map;
		size_t report_len = src->map_len;
		if (!(err = apport_fill(src, src->data, src->size, o)))
			munmap(report, report_len);
	}
	if (err) {
		gpm_source_destroy(src);
		return err;
	}
	*out = src;
	return NULL;
}

struct gpm_error *gpm_source_from_memory_opts(const void *data, size_t size, const char *name,
                                              const struct gpm_source_options *o,
                                              struct gpm_source **out)
{
	struct gpm_source *src = source_alloc(name);
	if (!src)
		return &gpm_error_nomem;
	src->file_size = size;
	struct gpm_error *err = source_fill(src, data, size, false, o);
	if (err) {
		gpm_source_destroy(src);
		return err;
	}
	*out = src;
	return NULL;
}

struct gpm_error *gpm_source_from_memory(const void *data, size_t size, const char *name,
                                         struct gpm_source **out)
{
	return gpm_source_from_memory_opts(data, size, name, NULL, out);
}

void gpm_source_release_pages(struct gpm_source *src)
{
	// Only a file mapping: anonymous pages would come back as zeros.
	if (src && src->stream)
		stream_release(src->stream);
	else if (src && src->map && src->file_backed)
		madvise(src->map, src->map_len, MADV_DONTNEED);
}

bool gpm_source_reads_file(const struct gpm_source *src)
{
	return src && src->fd >= 0;
}

bool gpm_source_copy(const struct gpm_source *src, const uint8_t *p, void *buf, size_t len)
{
	if (src->fd < 0) {
		memcpy(buf, p, len);
		return true;
	}
	size_t done = 0;
	off_t off = (off_t)(p - src->data);
	while (done < len) {
		ssize_t n = pread(src->fd, (uint8_t *)buf + done, len - done, off + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false; // a file that shrank: its mapping would fault (SIGBUS)
		done += (size_t)n;
	}
	return true;
}

bool gpm_source_copyv(const struct gpm_source *src, const uint8_t *p, const struct iovec *iov,
                      int n)
{
	size_t done = 0;
	if (src->fd >= 0 && n > 1) {
		ssize_t got;
		do
			got = preadv(src->fd, iov, n, (off_t)(p - src->data));
		while (got < 0 && errno == EINTR);
		done = got > 0 ? (size_t)got : 0;
	}
	// What a short read (or memory) left, buffer by buffer.
	for (int i = 0; i < n; i++) {
		size_t len = iov[i].iov_len;
		if (done >= len) {
			done -= len;
			p += len;
			continue;
		}
		if (!gpm_source_copy(src, p + done, (uint8_t *)iov[i].iov_base + done, len - done))
			return false;
		done = 0;
		p += len;
	}
	return true;
}

void gpm_source_destroy(struct gpm_source *src)
{
	if (!src)
		return;
	if (src->fd >= 0)
		close(src->fd);
	gpm_source_hash_finish(src->hash_pending, src->sha256);
	if (src->owns_map && src->map)
		munmap(src->map, src->map_len); // with the chunks mapped over it
	free(src->stream);
	free(src->cut);
	free(src->path);
	free(src);
}

const char *gpm_compression_name(enum gpm_compression c)
{
	switch (c) {
	case GPM_COMPRESSION_NONE:
		return "none";
	case GPM_COMPRESSION_ZSTD:
		return "zstd";
	case GPM_COMPRESSION_GZIP:
		return "gzip";
	case GPM_COMPRESSION_XZ:
		return "xz";
	case GPM_COMPRESSION_LZ4:
		return "lz4";
	case GPM_COMPRESSION_APPORT:
		return "apport crash report";
	}
	return "?";
}
