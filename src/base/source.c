/* Input files: mmap, or decompress zstd/gzip into a sparse anonymous mapping. */
#include "base/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

enum { PAGE = 4096, CHUNK = 1 << 20 };

/* The output side of a decompressor: an anonymous mapping that grows with mremap. */
struct sink {
	uint8_t *map;
	size_t cap;
	size_t len;
};

static struct gpm_error *sink_init(struct sink *s, uint64_t hint)
{
	if (hint > GPM_SOURCE_MAX_SIZE)
		return gpm_error_create(GPM_ERR_LIMIT, "decompressed size %llu exceeds the limit",
		                        (unsigned long long)hint);
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

/* Appends bytes, leaving untouched (zero, unbacked) every aligned page of zeros. */
static struct gpm_error *sink_write(struct sink *s, const uint8_t *p, size_t n)
{
	size_t need;
	if (__builtin_add_overflow(s->len, n, &need) || need > GPM_SOURCE_MAX_SIZE)
		return gpm_error_create(GPM_ERR_LIMIT, "decompressed input exceeds %llu bytes",
		                        (unsigned long long)GPM_SOURCE_MAX_SIZE);
	if (need > s->cap) {
		size_t ncap = s->cap;
		while (ncap < need)
			ncap *= 2;
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
		if (!page_is_zero(p, k))
			memcpy(s->map + s->len, p, k);
		s->len += k;
		p += k;
		n -= k;
	}
	return NULL;
}

static void sink_release(struct sink *s)
{
	if (s->map)
		munmap(s->map, s->cap);
	s->map = NULL;
}

static struct gpm_error *decompress_zstd(const uint8_t *in, size_t in_len, struct sink *s)
{
	unsigned long long hint = ZSTD_getFrameContentSize(in, in_len);
	if (hint == ZSTD_CONTENTSIZE_ERROR || hint == ZSTD_CONTENTSIZE_UNKNOWN)
		hint = 0;
	struct gpm_error *err = sink_init(s, hint > GPM_SOURCE_MAX_SIZE ? 0 : hint);
	if (err)
		return err;
	ZSTD_DStream *ds = ZSTD_createDStream();
	if (!ds)
		return &gpm_error_nomem;
	// Allow --long windows up to 2 GiB (zstd -19 --long=31).
	ZSTD_DCtx_setParameter(ds, ZSTD_d_windowLogMax, 31);
	uint8_t *buf = malloc(CHUNK);
	if (!buf) {
		ZSTD_freeDStream(ds);
		return &gpm_error_nomem;
	}
	ZSTD_inBuffer ib = {in, in_len, 0};
	size_t ret = 1;
	while (ib.pos < ib.size) {
		ZSTD_outBuffer ob = {buf, CHUNK, 0};
		ret = ZSTD_decompressStream(ds, &ob, &ib);
		if (ZSTD_isError(ret)) {
			err =
			    gpm_error_create(GPM_ERR_FORMAT, "corrupt zstd data at offset %zu: %s",
			                     ib.pos, ZSTD_getErrorName(ret));
			break;
		}
		if ((err = sink_write(s, buf, ob.pos)))
			break;
		if (ob.pos == 0 && ret == 0)
			break;
	}
	// Flush what the decoder still holds.
	while (!err && ret != 0) {
		ZSTD_outBuffer ob = {buf, CHUNK, 0};
		ret = ZSTD_decompressStream(ds, &ob, &ib);
		if (ZSTD_isError(ret)) {
			err = gpm_error_create(GPM_ERR_FORMAT, "corrupt zstd data: %s",
			                       ZSTD_getErrorName(ret));
			break;
		}
		if ((err = sink_write(s, buf, ob.pos)))
			break;
		if (ob.pos == 0) {
			if (ret != 0)
				err = gpm_error_create(GPM_ERR_FORMAT,
				                       "truncated zstd data (%zu input bytes)",
				                       in_len);
			break;
		}
	}
	free(buf);
	ZSTD_freeDStream(ds);
	return err;
}

static struct gpm_error *decompress_gzip(const uint8_t *in, size_t in_len, struct sink *s)
{
	struct gpm_error *err = sink_init(s, 0);
	if (err)
		return err;
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 32) != Z_OK)
		return &gpm_error_nomem;
	uint8_t *buf = malloc(CHUNK);
	if (!buf) {
		inflateEnd(&zs);
		return &gpm_error_nomem;
	}
	size_t pos = 0;
	for (;;) {
		size_t avail = in_len - pos;
		zs.next_in = (Bytef *)(in + pos);
		zs.avail_in = avail > (1u << 30) ? (1u << 30) : (uInt)avail;
		zs.next_out = buf;
		zs.avail_out = CHUNK;
		int r = inflate(&zs, Z_NO_FLUSH);
		pos += (size_t)(zs.next_in - (in + pos));
		if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR) {
			err =
			    gpm_error_create(GPM_ERR_FORMAT, "corrupt gzip data at offset %zu: %s",
			                     pos, zs.msg ? zs.msg : "inflate failed");
			break;
		}
		if ((err = sink_write(s, buf, CHUNK - zs.avail_out)))
			break;
		if (r == Z_STREAM_END) {
			// Concatenated gzip members continue; trailing zeros end the stream.
			if (pos < in_len && in_len - pos >= 2 && in[pos] == 0x1f &&
			    in[pos + 1] == 0x8b) {
				inflateReset(&zs);
				continue;
			}
			break;
		}
		if (r == Z_BUF_ERROR && zs.avail_out == CHUNK) {
			err = gpm_error_create(GPM_ERR_FORMAT,
			                       "truncated gzip data (%zu input bytes)", in_len);
			break;
		}
	}
	free(buf);
	inflateEnd(&zs);
	return err;
}

static enum gpm_compression sniff(const uint8_t *p, size_t n)
{
	if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
		return GPM_COMPRESSION_ZSTD;
	if (n >= 3 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 8)
		return GPM_COMPRESSION_GZIP;
	return GPM_COMPRESSION_NONE;
}

/* Decompresses raw into src when it is compressed; otherwise leaves src->data = raw. */
static struct gpm_error *source_fill(struct gpm_source *src, const uint8_t *raw, size_t n)
{
	src->compression = sniff(raw, n);
	if (src->compression == GPM_COMPRESSION_NONE) {
		src->data = n ? raw : NULL;
		src->size = n;
		return NULL;
	}
	struct sink s = {0};
	struct gpm_error *err = src->compression == GPM_COMPRESSION_ZSTD
	                            ? decompress_zstd(raw, n, &s)
	                            : decompress_gzip(raw, n, &s);
	if (err) {
		sink_release(&s);
		return gpm_error_wrap(err, "%s", src->path);
	}
	mprotect(s.map, s.cap, PROT_READ);
	src->data = s.len ? s.map : NULL;
	src->size = s.len;
	src->map = s.map;
	src->map_len = s.cap;
	src->owns_map = 1;
	return NULL;
}

static struct gpm_source *source_alloc(const char *name)
{
	struct gpm_source *src = calloc(1, sizeof(*src));
	if (!src)
		return NULL;
	src->path = strdup(name ? name : "<memory>");
	if (!src->path) {
		free(src);
		return NULL;
	}
	return src;
}

struct gpm_error *gpm_source_open(const char *path, struct gpm_source **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
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
		return gpm_error_create(GPM_ERR_OS, "%s: not a regular file", path);
	}
	struct gpm_source *src = source_alloc(path);
	if (!src) {
		close(fd);
		return &gpm_error_nomem;
	}
	src->file_size = (uint64_t)st.st_size;
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
	close(fd);
	struct gpm_error *err = source_fill(src, raw, (size_t)st.st_size);
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
	}
	*out = src;
	return NULL;
}

struct gpm_error *gpm_source_from_memory(const void *data, size_t size, const char *name,
                                         struct gpm_source **out)
{
	struct gpm_source *src = source_alloc(name);
	if (!src)
		return &gpm_error_nomem;
	src->file_size = size;
	struct gpm_error *err = source_fill(src, data, size);
	if (err) {
		gpm_source_destroy(src);
		return err;
	}
	*out = src;
	return NULL;
}

void gpm_source_release_pages(struct gpm_source *src)
{
	if (src && src->map && src->compression == GPM_COMPRESSION_NONE && src->owns_map)
		madvise(src->map, src->map_len, MADV_DONTNEED);
}

void gpm_source_destroy(struct gpm_source *src)
{
	if (!src)
		return;
	if (src->owns_map && src->map)
		munmap(src->map, src->map_len);
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
	}
	return "?";
}
