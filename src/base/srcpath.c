/*
 * Source lookup confined to a root (srcpath.h). A candidate is root + a suffix of the
 * frame's path; it is accepted only when realpath() of it lies below realpath(root), so
 * neither ".." nor a symlink inside the root leads out of it.
 */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/srcpath.h"
#include "base/strbuf.h"

enum { MAX_STRIP = 64 }; /* leading path components tried */

int gpm_srcpath_inside(const char *root_real, const char *file_real)
{
	size_t n = strlen(root_real);
	if (n == 1 && root_real[0] == '/')
		return file_real[0] == '/';
	return !strncmp(root_real, file_real, n) && (file_real[n] == '/' || !file_real[n]);
}

// Whether rel has a ".." component.
static int has_dotdot(const char *rel)
{
	for (const char *p = rel; *p;) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return 1;
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

// root/rel when it is a regular file whose real path is inside root_real: *out malloc'd.
static struct gpm_error *try_one(const char *root, const char *root_real, const char *rel,
                                 char **out)
{
	*out = NULL;
	if (has_dotdot(rel))
		return NULL;
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_strbuf_printf(&sb, "%s/%s", root, rel);
	struct gpm_error *err = gpm_strbuf_error(&sb);
	if (err) {
		gpm_strbuf_deinit(&sb);
		return err;
	}
	char *real = realpath(gpm_strbuf_str(&sb), NULL);
	gpm_strbuf_deinit(&sb);
	struct stat st;
	if (real && gpm_srcpath_inside(root_real, real) && stat(real, &st) == 0 &&
	    S_ISREG(st.st_mode)) {
		*out = real;
		return NULL;
	}
	free(real);
	return NULL;
}

// The module cache's spelling of rel: upper case letters of the path up to and including
// the component with '@' become '!' and the lower case letter. NULL when the same or none.
static char *modcache_spelling(const char *rel)
{
	const char *at = strchr(rel, '@');
	if (!at)
		return NULL;
	const char *end = strchr(at, '/');
	size_t upto = end ? (size_t)(end - rel) : strlen(rel);
	size_t upper = 0;
	for (size_t i = 0; i < upto; i++)
		upper += isupper((unsigned char)rel[i]) != 0;
	if (!upper)
		return NULL;
	size_t n = strlen(rel) + upper + 1;
	char *s = malloc(n), *w = s;
	if (!s)
		return NULL;
	for (size_t i = 0; rel[i]; i++) {
		if (i < upto && isupper((unsigned char)rel[i])) {
			*w++ = '!';
			*w++ = (char)tolower((unsigned char)rel[i]);
		} else {
			*w++ = rel[i];
		}
	}
	*w = 0;
	return s;
}

struct gpm_error *gpm_srcpath_find(const char *root, const char *path, char **out)
{
	*out = NULL;
	if (!root || !*root || !path || !*path)
		return NULL;
	char *root_real = realpath(root, NULL);
	if (!root_real)
		return NULL;
	struct gpm_error *err = NULL;
	const char *p = path;
	for (int i = 0; i < MAX_STRIP && p && !*out && !err; i++) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		err = try_one(root, root_real, p, out);
		if (!err && !*out) {
			char *enc = modcache_spelling(p);
			if (enc)
				err = try_one(root, root_real, enc, out);
			free(enc);
		}
		p = strchr(p, '/');
	}
	free(root_real);
	return err;
}
