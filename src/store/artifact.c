/*
 * Artifacts: identifying input files (base/identity.h) and the content-addressed store of
 * kept copies beside the database, <db>.artifacts/<first two hex digits>/<identity>.zst. A file
 * that already is zstd is copied as it is; anything else is compressed. Copies are written to a
 * temporary name, fsynced and renamed, so a killed ingest leaves no torn file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "base/identity.h"
#include "base/strbuf.h"
#include "store/internal.h"

// Opens path as a regular file (O_NONBLOCK: a FIFO must not block here; fstat refuses it).
static struct gpm_error *open_regular(const char *path, int *fd, struct stat *sb)
{
	if ((*fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return gpm_error_os(errno, "%s", path);
	if (fstat(*fd, sb) < 0) {
		int e = errno;
		close(*fd);
		return gpm_error_os(e, "%s", path);
	}
	if (!S_ISREG(sb->st_mode)) {
		close(*fd);
		return gpm_error_create(GPM_ERR_OS, "%s: not a regular file", path);
	}
	return NULL;
}

struct gpm_error *gpm_store_artifact_from_file(const char *path, struct gpm_store_artifact *art)
{
	memset(art, 0, sizeof(*art));
	int fd;
	struct stat sb;
	struct gpm_error *err = open_regular(path, &fd, &sb);
	if (err)
		return err;
	// Read with pread as the analysis's own hash is (base/identity.c), never mapped.
	bool ok = gpm_identity_fd(fd, (uint64_t)sb.st_size, art->sha256);
	close(fd);
	if (!ok)
		return gpm_error_create(GPM_ERR_OS, "%s: changed while it was read", path);
	art->path = path;
	art->size = (uint64_t)sb.st_size;
	art->mtime = sb.st_mtime;
	return NULL;
}

bool gpm_store_artifact_has_old(const struct gpm_store_artifact *art)
{
	return art->whole_sha256[0] || art->tree_sha256[0];
}

struct gpm_error *gpm_store_artifact_known(struct gpm_store *st,
                                           const struct gpm_store_artifact *art, bool *known)
{
	// Identities of different kinds never meet: the current one has 32 hex digits, the
	// SHA-256 ones 64, and these carry their kind and size besides.
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(
	    st->db,
	    st->version >= 7
	        ? "SELECT 1 FROM artifacts a JOIN incidents i ON i.artifact_id = a.id WHERE "
	          "a.sha256 = ?1 OR (a.sha256 = ?2 AND a.identity = '" GPM_IDENTITY_WHOLE
	          "' AND a.size = ?3) OR (a.sha256 = ?4 AND a.identity = '" GPM_IDENTITY_TREE
	          "' AND a.size = ?3) LIMIT 1"
	        : "SELECT 1 FROM artifacts a JOIN incidents i ON i.artifact_id = a.id WHERE "
	          "a.sha256 IN (?1, ?2) AND ?3 IS NOT NULL LIMIT 1",
	    -1, &s, NULL);
	if (rc != SQLITE_OK)
		return gpm_store_sqlite_error(st, rc, "prepare");
	sqlite3_bind_text(s, 1, art->sha256, -1, SQLITE_STATIC);
	if (art->whole_sha256[0])
		sqlite3_bind_text(s, 2, art->whole_sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (int64_t)art->size);
	if (art->tree_sha256[0] && st->version >= 7)
		sqlite3_bind_text(s, 4, art->tree_sha256, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return gpm_store_sqlite_error(st, rc, "artifact lookup");
	*known = rc == SQLITE_ROW;
	return NULL;
}

struct gpm_error *gpm_store_artifact_old_wanted(struct gpm_store *st, uint64_t size, bool *whole,
                                                bool *tree)
{
	*whole = *tree = false;
	// Below schema 7 (an archive opened without migrating) every artifact is of kind
	// GPM_IDENTITY_WHOLE.
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(
	    st->db,
	    st->version >= 7
	        ? "SELECT DISTINCT identity FROM artifacts WHERE identity IN ('" GPM_IDENTITY_WHOLE
	          "', '" GPM_IDENTITY_TREE "') AND size = ?1"
	        : "SELECT '" GPM_IDENTITY_WHOLE "' FROM artifacts WHERE size = ?1 LIMIT 1",
	    -1, &s, NULL);
	if (rc != SQLITE_OK)
		return gpm_store_sqlite_error(st, rc, "prepare");
	sqlite3_bind_int64(s, 1, (int64_t)size);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(s, 0);
		if (kind && !strcmp(kind, GPM_IDENTITY_WHOLE))
			*whole = true;
		else if (kind && !strcmp(kind, GPM_IDENTITY_TREE))
			*tree = true;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return gpm_store_sqlite_error(st, rc, "artifact lookup");
	return NULL;
}

// The row of kind `kind` identified by old (of art's size) takes art's identity.
static struct gpm_error *adopt(struct gpm_store *st, const struct gpm_store_artifact *art,
                               const char *kind, const char *old)
{
	sqlite3_stmt *s;
	int rc =
	    sqlite3_prepare_v2(st->db,
	                       "UPDATE artifacts SET sha256 = ?1, identity = '" GPM_IDENTITY_KIND
	                       "' WHERE sha256 = ?2 AND identity = ?4 AND size = ?3",
	                       -1, &s, NULL);
	if (rc != SQLITE_OK)
		return gpm_store_sqlite_error(st, rc, "prepare");
	sqlite3_bind_text(s, 1, art->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, old, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (int64_t)art->size);
	sqlite3_bind_text(s, 4, kind, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? NULL
	                         : gpm_store_sqlite_error(st, rc, "artifact identity update");
}

struct gpm_error *gpm_store_artifact_adopt(struct gpm_store *st,
                                           const struct gpm_store_artifact *art)
{
	if (st->version < 7 || st->readonly)
		return NULL;
	struct gpm_error *err = NULL;
	if (art->whole_sha256[0])
		err = adopt(st, art, GPM_IDENTITY_WHOLE, art->whole_sha256);
	if (!err && art->tree_sha256[0])
		err = adopt(st, art, GPM_IDENTITY_TREE, art->tree_sha256);
	return err;
}

struct gpm_error *gpm_store_artifact_old(struct gpm_store *st, const char *path,
                                         struct gpm_store_artifact *art)
{
	art->whole_sha256[0] = art->tree_sha256[0] = 0;
	bool whole = false, tree = false;
	struct gpm_error *err = gpm_store_artifact_old_wanted(st, art->size, &whole, &tree);
	if (err || (!whole && !tree) || !path)
		return err;
	int fd;
	struct stat sb;
	// Not there any more, or not the file hashed: nothing to recognise it by.
	if ((err = open_regular(path, &fd, &sb))) {
		gpm_error_destroy(err);
		return NULL;
	}
	if ((uint64_t)sb.st_size == art->size) {
		if (whole && !gpm_identity_fd_whole(fd, art->size, art->whole_sha256))
			art->whole_sha256[0] = 0;
		if (tree && !gpm_identity_fd_tree(fd, art->size, 0, art->tree_sha256))
			art->tree_sha256[0] = 0;
	}
	close(fd);
	return NULL;
}

static char *store_dir(const struct gpm_store *st)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_strbuf_printf(&sb, "%s.artifacts", st->path);
	return gpm_strbuf_detach(&sb);
}

static struct gpm_error *write_all(int fd, const void *p, size_t n, const char *path)
{
	const uint8_t *b = p;
	while (n) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return gpm_error_os(errno, "%s", path);
		b += w;
		n -= (size_t)w;
	}
	return NULL;
}

static bool is_zstd(const uint8_t *p, size_t n)
{
	return n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd;
}

static struct gpm_error *copy_compressed(const uint8_t *data, size_t size, int out, const char *tmp)
{
	if (is_zstd(data, size))
		return write_all(out, data, size, tmp);
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	if (!cc)
		return &gpm_error_nomem;
	ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, 3);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
	size_t cap = ZSTD_CStreamOutSize();
	uint8_t *obuf = malloc(cap);
	struct gpm_error *err = obuf ? NULL : &gpm_error_nomem;
	ZSTD_inBuffer in = {data, size, 0};
	for (bool done = false; !err && !done;) {
		ZSTD_outBuffer ob = {obuf, cap, 0};
		size_t left = ZSTD_compressStream2(cc, &ob, &in, ZSTD_e_end);
		if (ZSTD_isError(left)) {
			err = gpm_error_create(GPM_ERR_OS, "%s: zstd: %s", tmp,
			                       ZSTD_getErrorName(left));
			break;
		}
		err = write_all(out, obuf, ob.pos, tmp);
		done = left == 0;
	}
	free(obuf);
	ZSTD_freeCCtx(cc);
	return err;
}

struct gpm_error *gpm_store_artifact_keep(struct gpm_store *st,
                                          const struct gpm_store_artifact *art, char **relpath)
{
	char *dir = store_dir(st);
	struct gpm_strbuf rel = GPM_STRBUF_INIT, full = GPM_STRBUF_INIT, tmp = GPM_STRBUF_INIT;
	struct gpm_error *err = NULL;
	int in = -1, out = -1;
	void *map = MAP_FAILED;
	size_t mlen = 0;
	if (!dir)
		return &gpm_error_nomem;
	gpm_strbuf_printf(&rel, "%.2s/%s.zst", art->sha256, art->sha256);
	gpm_strbuf_printf(&full, "%s/%s", dir, rel.buf);
	gpm_strbuf_printf(&tmp, "%s/%.2s/.tmp-%ld-%s", dir, art->sha256, (long)getpid(),
	                  art->sha256);
	if ((err = gpm_strbuf_error(&rel)) || (err = gpm_strbuf_error(&full)) ||
	    (err = gpm_strbuf_error(&tmp)))
		goto out;
	struct stat sb;
	if (!stat(full.buf, &sb))
		goto done; // content-addressed: already there
	if (mkdir(dir, 0700) && errno != EEXIST) {
		err = gpm_error_os(errno, "%s", dir);
		goto out;
	}
	char *sub = strrchr(tmp.buf, '/');
	*sub = 0;
	if (mkdir(tmp.buf, 0700) && errno != EEXIST) {
		err = gpm_error_os(errno, "%s", tmp.buf);
		goto out;
	}
	*sub = '/';
	if ((in = open(art->path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(in, &sb) < 0) {
		err = gpm_error_os(errno, "%s", art->path);
		goto out;
	}
	mlen = (size_t)sb.st_size;
	if (mlen && (map = mmap(NULL, mlen, PROT_READ, MAP_PRIVATE, in, 0)) == MAP_FAILED) {
		err = gpm_error_os(errno, "%s", art->path);
		goto out;
	}
	if ((out = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		err = gpm_error_os(errno, "%s", tmp.buf);
		goto out;
	}
	if ((err = copy_compressed(mlen ? map : "", mlen, out, tmp.buf)))
		goto out;
	if (fsync(out) < 0 || close(out) < 0) {
		out = -1;
		err = gpm_error_os(errno, "%s", tmp.buf);
		goto out;
	}
	out = -1;
	if (rename(tmp.buf, full.buf) < 0) {
		err = gpm_error_os(errno, "%s", full.buf);
		goto out;
	}
done:
	*relpath = gpm_strbuf_detach(&rel);
	if (!*relpath)
		err = &gpm_error_nomem;
out:
	if (out >= 0) {
		close(out);
		unlink(tmp.buf);
	}
	if (map != MAP_FAILED)
		munmap(map, mlen);
	if (in >= 0)
		close(in);
	free(dir);
	gpm_strbuf_deinit(&rel);
	gpm_strbuf_deinit(&full);
	gpm_strbuf_deinit(&tmp);
	return err;
}

// Whether a kept file's relative path is still named by an artifact row.
static struct gpm_error *named(struct gpm_store *st, sqlite3_stmt *s, const char *rel, bool *yes)
{
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, rel, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return gpm_store_sqlite_error(st, rc, "kept lookup");
	*yes = rc == SQLITE_ROW;
	return NULL;
}

struct gpm_error *gpm_store_artifact_gc(struct gpm_store *st, uint64_t *removed)
{
	*removed = 0;
	char *dir = store_dir(st);
	if (!dir)
		return &gpm_error_nomem;
	DIR *top = opendir(dir);
	if (!top) {
		free(dir);
		return NULL; // nothing kept
	}
	sqlite3_stmt *s;
	int rc =
	    sqlite3_prepare_v2(st->db, "SELECT 1 FROM artifacts WHERE kept = ?1", -1, &s, NULL);
	struct gpm_error *err = rc == SQLITE_OK ? NULL : gpm_store_sqlite_error(st, rc, "prepare");
	struct dirent *de;
	while (!err && (de = readdir(top))) {
		if (strlen(de->d_name) != 2 || de->d_name[0] == '.')
			continue;
		char sub[4096];
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		DIR *d = opendir(sub);
		if (!d)
			continue;
		struct dirent *fe;
		while (!err && (fe = readdir(d))) {
			if (fe->d_name[0] == '.' && strncmp(fe->d_name, ".tmp-", 5))
				continue;
			char rel[512], full[4608];
			snprintf(rel, sizeof(rel), "%s/%s", de->d_name, fe->d_name);
			snprintf(full, sizeof(full), "%s/%s", sub, fe->d_name);
			bool keep = false;
			// Temporary files of killed ingests go; so does every unnamed copy.
			if (strncmp(fe->d_name, ".tmp-", 5) && (err = named(st, s, rel, &keep)))
				break;
			if (!keep && !unlink(full))
				(*removed)++;
		}
		closedir(d);
	}
	sqlite3_finalize(s);
	closedir(top);
	free(dir);
	return err;
}
