/*
 * The archive's identity of an input: XXH3-128 of its bytes (see identity.h), and the SHA-256
 * kinds of the artifacts stored before it.
 */
#include "base/identity.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

enum { READ_BUF = 256 << 10 };

static const uint8_t zeros[64 << 10];

void gpm_identity_init(struct gpm_identity *t)
{
	t->state = XXH3_createState();
	if (t->state && XXH3_128bits_reset(t->state) != XXH_OK)
		gpm_identity_deinit(t);
}

void gpm_identity_update(struct gpm_identity *t, const void *data, size_t n)
{
	if (t->state && n)
		XXH3_128bits_update(t->state, data, n);
}

static void to_hex(XXH128_hash_t h, char out[GPM_SHA256_HEX_SIZE])
{
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, h);
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < sizeof(c.digest); i++) {
		out[2 * i] = digits[c.digest[i] >> 4];
		out[2 * i + 1] = digits[c.digest[i] & 15];
	}
	out[2 * sizeof(c.digest)] = 0;
}

void gpm_identity_final(struct gpm_identity *t, char out[GPM_SHA256_HEX_SIZE])
{
	out[0] = 0;
	if (t->state)
		to_hex(XXH3_128bits_digest(t->state), out);
	gpm_identity_deinit(t);
}

void gpm_identity_deinit(struct gpm_identity *t)
{
	XXH3_freeState(t->state);
	t->state = NULL;
}

void gpm_identity_hex(const void *data, size_t n, char out[GPM_SHA256_HEX_SIZE])
{
	to_hex(XXH3_128bits(data, n), out);
}

/* A hash fed the bytes of a file: XXH3 for the identity, SHA-256 for the older kinds. */
struct feed {
	void (*update)(void *h, const void *data, size_t n);
	void *h;
};

static void feed_sha256(void *h, const void *data, size_t n)
{
	gpm_sha256_bulk_update(h, data, n);
}

static void feed_xxh3(void *h, const void *data, size_t n)
{
	XXH3_128bits_update(h, data, n);
}

/* n zero bytes, fed to the hash without touching the file. */
static void hash_zeros(const struct feed *h, uint64_t n)
{
	while (n) {
		size_t k = n < sizeof(zeros) ? (size_t)n : sizeof(zeros);
		h->update(h->h, zeros, k);
		n -= k;
	}
}

/*
 * Feeds fd's bytes [off, end) to h with pread into buf (READ_BUF bytes, which stays in the
 * cache), the holes as zeros unread. *holes is cleared when the file system cannot say where
 * they are (then everything is read). False on a short read: the file shrank.
 */
static bool feed_range(const struct feed *h, int fd, uint64_t off, uint64_t end, uint8_t *buf,
                       bool *holes)
{
	while (off < end) {
		uint64_t d = off, e = end;
		if (*holes) {
			// SEEK_DATA/SEEK_HOLE take the offset as given: threads sharing fd may call
			// them at once (the file position they also set is never used here).
			off_t data = lseek(fd, (off_t)off, SEEK_DATA);
			if (data < 0 && errno != ENXIO) {
				*holes = false; // no hole information: read the rest
			} else {
				d = data < 0 || (uint64_t)data > end ? end : (uint64_t)data;
				off_t hole = d < end ? lseek(fd, (off_t)d, SEEK_HOLE) : (off_t)end;
				e = hole < 0 || (uint64_t)hole > end || (uint64_t)hole <= d
				        ? end
				        : (uint64_t)hole;
			}
		}
		hash_zeros(h, d - off);
		for (off = d; off < e;) {
			size_t k = e - off < READ_BUF ? (size_t)(e - off) : READ_BUF;
			ssize_t got = pread(fd, buf, k, (off_t)off);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0)
				return false;
			h->update(h->h, buf, (size_t)got);
			off += (uint64_t)got;
		}
	}
	return true;
}

// A file still at least n bytes long once read: one that shrank read its lost tail as a hole.
static bool still_whole(int fd, uint64_t n)
{
	struct stat st;
	return fstat(fd, &st) == 0 && (uint64_t)st.st_size >= n;
}

/* The digest of a whole chunk of zeros (a hole): computed once. */
static uint8_t zero_chunk[GPM_SHA256_SIZE];
static pthread_once_t zero_chunk_once = PTHREAD_ONCE_INIT;

static void zero_chunk_init(void)
{
	struct gpm_sha256 h;
	gpm_sha256_init(&h);
	for (size_t off = 0; off < GPM_IDENTITY_CHUNK; off += sizeof(zeros))
		gpm_sha256_update(&h, zeros, sizeof(zeros));
	gpm_sha256_final(&h, zero_chunk);
}

/* The chunks of one file shared by the threads that hash them. */
struct tree_job {
	int fd;
	uint64_t n, chunks;
	uint8_t (*digests)[GPM_SHA256_SIZE];
	pthread_mutex_t lock; /* guards next and failed */
	uint64_t next;
	bool failed;
};

// The next chunk to hash; false when none is left or a thread failed.
static bool take_chunk(struct tree_job *j, uint64_t *c)
{
	pthread_mutex_lock(&j->lock);
	bool ok = !j->failed && j->next < j->chunks;
	if (ok)
		*c = j->next++;
	pthread_mutex_unlock(&j->lock);
	return ok;
}

static bool hash_chunk(struct tree_job *j, uint64_t c, struct gpm_sha256_bulk *h, uint8_t *buf,
                       bool *holes)
{
	uint64_t off = c * GPM_IDENTITY_CHUNK;
	uint64_t end = j->n - off < GPM_IDENTITY_CHUNK ? j->n : off + GPM_IDENTITY_CHUNK;
	if (*holes && end - off == GPM_IDENTITY_CHUNK) {
		// A whole chunk inside a hole: its digest is known without hashing 4 MiB of zeros.
		off_t data = lseek(j->fd, (off_t)off, SEEK_DATA);
		if ((data < 0 && errno == ENXIO) || (data >= 0 && (uint64_t)data >= end)) {
			pthread_once(&zero_chunk_once, zero_chunk_init);
			memcpy(j->digests[c], zero_chunk, GPM_SHA256_SIZE);
			return true;
		}
	}
	gpm_sha256_bulk_init(h);
	struct feed f = {feed_sha256, h};
	return feed_range(&f, j->fd, off, end, buf, holes) &&
	       gpm_sha256_bulk_final(h, j->digests[c]);
}

static void *tree_worker(void *arg)
{
	struct tree_job *j = arg;
	uint8_t *buf = malloc(READ_BUF);
	struct gpm_sha256_bulk *h = gpm_sha256_bulk_create();
	bool holes = true, ok = buf && h;
	uint64_t c;
	while (ok && take_chunk(j, &c))
		ok = hash_chunk(j, c, h, buf, &holes);
	if (!ok) {
		pthread_mutex_lock(&j->lock);
		j->failed = true;
		pthread_mutex_unlock(&j->lock);
	}
	gpm_sha256_bulk_destroy(h);
	free(buf);
	return NULL;
}

bool gpm_identity_fd_tree(int fd, uint64_t n, unsigned threads, char out[GPM_SHA256_HEX_SIZE])
{
	out[0] = 0;
	struct tree_job j = {.fd = fd, .n = n, .chunks = n / GPM_IDENTITY_CHUNK};
	if (n % GPM_IDENTITY_CHUNK)
		j.chunks++;
	if (j.chunks > SIZE_MAX / GPM_SHA256_SIZE ||
	    !(j.digests = malloc(j.chunks ? (size_t)j.chunks * GPM_SHA256_SIZE : 1)))
		return false;
	if (!threads) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		threads = cpus > 0 ? (unsigned)cpus : 1;
	}
	if (threads > GPM_IDENTITY_MAX_THREADS)
		threads = GPM_IDENTITY_MAX_THREADS;
	if (threads > j.chunks)
		threads = j.chunks ? (unsigned)j.chunks : 1;
	pthread_mutex_init(&j.lock, NULL);
	posix_fadvise(fd, 0, (off_t)n, POSIX_FADV_SEQUENTIAL);
	// This thread is one of the workers; those that cannot be started leave more to it.
	pthread_t tid[GPM_IDENTITY_MAX_THREADS];
	unsigned started = 0;
	for (unsigned i = 1; i < threads; i++)
		if (!pthread_create(&tid[started], NULL, tree_worker, &j))
			started++;
	tree_worker(&j);
	for (unsigned i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	pthread_mutex_destroy(&j.lock);
	bool ok = !j.failed && still_whole(fd, n);
	if (ok) {
		struct gpm_sha256 top;
		uint8_t d[GPM_SHA256_SIZE];
		gpm_sha256_init(&top);
		gpm_sha256_update(&top, j.digests, (size_t)j.chunks * GPM_SHA256_SIZE);
		gpm_sha256_final(&top, d);
		gpm_sha256_to_hex(d, out);
	}
	free(j.digests);
	return ok;
}

bool gpm_identity_fd_whole(int fd, uint64_t n, char out[GPM_SHA256_HEX_SIZE])
{
	out[0] = 0;
	uint8_t *buf = malloc(READ_BUF);
	struct gpm_sha256_bulk *h = gpm_sha256_bulk_create();
	bool holes = true, ok = buf && h;
	uint8_t d[GPM_SHA256_SIZE];
	posix_fadvise(fd, 0, (off_t)n, POSIX_FADV_SEQUENTIAL);
	struct feed f = {feed_sha256, h};
	ok = ok && feed_range(&f, fd, 0, n, buf, &holes) && still_whole(fd, n) &&
	     gpm_sha256_bulk_final(h, d);
	gpm_sha256_bulk_destroy(h);
	free(buf);
	if (ok)
		gpm_sha256_to_hex(d, out);
	return ok;
}

bool gpm_identity_fd(int fd, uint64_t n, char out[GPM_SHA256_HEX_SIZE])
{
	out[0] = 0;
	uint8_t *buf = malloc(READ_BUF);
	XXH3_state_t *h = XXH3_createState();
	bool holes = true, ok = buf && h && XXH3_128bits_reset(h) == XXH_OK;
	posix_fadvise(fd, 0, (off_t)n, POSIX_FADV_SEQUENTIAL);
	struct feed f = {feed_xxh3, h};
	if (ok && feed_range(&f, fd, 0, n, buf, &holes) && still_whole(fd, n))
		to_hex(XXH3_128bits_digest(h), out);
	else
		ok = false;
	XXH3_freeState(h);
	free(buf);
	return ok;
}
