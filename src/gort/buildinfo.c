/*
 * Build-info blob and module-info text parsing. The blob layout is that of the linker's
 * buildinfo section as read by debug/buildinfo (Go 1.18-1.27): a 32-byte header (magic, pointer
 * size, flags), then either two uvarint-prefixed strings (flags bit 1, Go 1.18+) or, in older
 * binaries, two pointers to Go string headers. The module text format is runtime/debug's
 * (mod.go: BuildInfo.String / ParseBuildInfo), wrapped in 16-byte sentinels.
 */
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "base/vec.h"
#include "gort/buildinfo.h"

static char *dupn(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

static void module_deinit(struct gpm_buildinfo_module *m)
{
	free(m->path);
	free(m->version);
	free(m->sum);
	free(m->replace_path);
	free(m->replace_version);
	free(m->replace_sum);
	memset(m, 0, sizeof(*m));
}

void gpm_buildinfo_deinit(struct gpm_buildinfo *bi)
{
	if (!bi)
		return;
	free(bi->go_version);
	free(bi->path);
	module_deinit(&bi->main);
	for (size_t i = 0; i < bi->ndeps; i++)
		module_deinit(&bi->deps[i]);
	free(bi->deps);
	for (size_t i = 0; i < bi->nsettings; i++) {
		free(bi->settings[i].key);
		free(bi->settings[i].value);
	}
	free(bi->settings);
	free(bi->modinfo);
	memset(bi, 0, sizeof(*bi));
}

const char *gpm_buildinfo_setting(const struct gpm_buildinfo *bi, const char *key)
{
	for (size_t i = 0; i < bi->nsettings; i++) {
		if (bi->settings[i].key && strcmp(bi->settings[i].key, key) == 0)
			return bi->settings[i].value;
	}
	return NULL;
}

/* Splits s[0..len) at tabs into at most max fields; returns the count. */
static size_t split_tabs(const char *s, size_t len, const char **f, size_t *fl, size_t max)
{
	size_t n = 0, start = 0;
	for (size_t i = 0; i <= len && n < max; i++) {
		if (i == len || s[i] == '\t') {
			f[n] = s + start;
			fl[n] = i - start;
			n++;
			start = i + 1;
		}
	}
	return n;
}

/* A copy of s, unquoting a Go double-quoted string (strconv.Quote output) when quoted. */
static char *unquote(const char *s, size_t n)
{
	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return dupn(s, n);
	char *out = malloc(n);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 1; i + 1 < n; i++) {
		char c = s[i];
		if (c == '\\' && i + 2 < n) {
			char e = s[++i];
			switch (e) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case 'x':
				if (i + 3 < n) {
					char hex[3] = {s[i + 1], s[i + 2], 0};
					c = (char)strtol(hex, NULL, 16);
					i += 2;
				}
				break;
			default:
				c = e;
				break;
			}
		}
		out[o++] = c;
	}
	out[o] = 0;
	return out;
}

static bool module_set(struct gpm_buildinfo_module *m, const char **f, const size_t *fl, size_t n,
                       bool replace)
{
	char **path = replace ? &m->replace_path : &m->path;
	char **ver = replace ? &m->replace_version : &m->version;
	char **sum = replace ? &m->replace_sum : &m->sum;
	free(*path);
	free(*ver);
	free(*sum);
	*path = dupn(f[1], fl[1]);
	*ver = n > 2 ? dupn(f[2], fl[2]) : NULL;
	*sum = n > 3 ? dupn(f[3], fl[3]) : NULL;
	return *path && (n <= 2 || *ver) && (n <= 3 || *sum);
}

struct gpm_error *gpm_buildinfo_parse_modinfo(struct gpm_buildinfo *bi, const char *text,
                                              size_t len)
{
	struct gpm_buildinfo_module *last = NULL;
	size_t pos = 0, lines = 0;
	GPM_VEC(struct gpm_buildinfo_module) deps = {bi->deps, bi->ndeps, bi->ndeps};
	GPM_VEC(struct gpm_buildinfo_setting) sets = {bi->settings, bi->nsettings, bi->nsettings};
	struct gpm_error *err = NULL;
	while (pos < len) {
		if (++lines > GPM_BUILDINFO_MAX_LINES) {
			err = gpm_error_create(GPM_ERR_LIMIT,
			                       "build info: more than %d lines of module info",
			                       GPM_BUILDINFO_MAX_LINES);
			break;
		}
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - (text + pos)) : len - pos;
		const char *line = text + pos;
		pos += ll + (nl ? 1 : 0);
		const char *f[4];
		size_t fl[4];
		size_t n = split_tabs(line, ll, f, fl, 4);
		if (n < 2)
			continue;
#define IS(word) (fl[0] == strlen(word) && memcmp(f[0], word, fl[0]) == 0)
		bool ok = true;
		if (IS("path")) {
			free(bi->path);
			bi->path = dupn(f[1], ll - (size_t)(f[1] - line));
			ok = bi->path != NULL;
		} else if (IS("mod")) {
			ok = module_set(&bi->main, f, fl, n, false);
			last = &bi->main;
		} else if (IS("dep")) {
			struct gpm_buildinfo_module *m = gpm_vec_push(&deps);
			ok = m && module_set(m, f, fl, n, false);
			last = m;
		} else if (IS("=>")) {
			if (last)
				ok = module_set(last, f, fl, n, true);
			last = NULL;
		} else if (IS("build")) {
			const char *kv = f[1];
			size_t kvl = ll - (size_t)(kv - line);
			// The key is quoted when it contains '=', space, tab, '\r', '\n' or '"'.
			size_t eq = 0;
			if (kvl && kv[0] == '"') {
				size_t i = 1;
				while (i < kvl && kv[i] != '"')
					i += kv[i] == '\\' ? 2 : 1;
				eq = i + 1;
			} else {
				while (eq < kvl && kv[eq] != '=')
					eq++;
			}
			if (eq < kvl && kv[eq] == '=') {
				struct gpm_buildinfo_setting *s = gpm_vec_push(&sets);
				ok = s != NULL;
				if (s) {
					s->key = unquote(kv, eq);
					s->value = unquote(kv + eq + 1, kvl - eq - 1);
					ok = s->key && s->value;
				}
			}
		}
#undef IS
		if (!ok) {
			err = &gpm_error_nomem;
			break;
		}
	}
	bi->deps = deps.v;
	bi->ndeps = deps.len;
	bi->settings = sets.v;
	bi->nsettings = sets.len;
	return err;
}

static struct gpm_error *read_go_string(gpm_buildinfo_read_fn *read, void *ctx, uint64_t addr,
                                        unsigned ps, char **out)
{
	uint64_t hdr[2];
	for (unsigned i = 0; i < 2; i++) {
		uint8_t b[8];
		if (!read(ctx, addr + i * ps, b, ps))
			return gpm_error_fault(addr + i * ps, ps);
		hdr[i] = 0;
		for (unsigned k = 0; k < ps; k++)
			hdr[i] |= (uint64_t)b[k] << (8 * k);
	}
	if (hdr[1] > (1u << 24))
		return gpm_error_create(GPM_ERR_LIMIT, "build info: string of %llu bytes",
		                        (unsigned long long)hdr[1]);
	char *s = malloc(hdr[1] + 1);
	if (!s)
		return &gpm_error_nomem;
	if (!read(ctx, hdr[0], s, hdr[1])) {
		free(s);
		return gpm_error_fault(hdr[0], hdr[1]);
	}
	s[hdr[1]] = 0;
	*out = s;
	return NULL;
}

static struct gpm_error *set_modinfo(struct gpm_buildinfo *bi, const char *mod, size_t len)
{
	// The module text is wrapped in 16-byte sentinels (runtime/debug/mod.go, cmd/go
	// modload: infoStart/infoEnd); debug/buildinfo strips them like this.
	if (len >= 33 && mod[len - 17] == '\n') {
		mod += 16;
		len -= 32;
	}
	bi->modinfo = dupn(mod, len);
	if (!bi->modinfo)
		return &gpm_error_nomem;
	return gpm_buildinfo_parse_modinfo(bi, mod, len);
}

struct gpm_error *gpm_buildinfo_parse(const uint8_t *data, size_t size, gpm_buildinfo_read_fn *read,
                                      void *ctx, struct gpm_buildinfo *out)
{
	if (size < 32 || memcmp(data, GPM_BUILDINFO_MAGIC, GPM_BUILDINFO_MAGIC_LEN) != 0)
		return gpm_error_create(GPM_ERR_FORMAT, "build info: bad magic");
	unsigned ps = data[14];
	uint8_t flags = data[15];
	if (ps != 4 && ps != 8)
		return gpm_error_create(GPM_ERR_FORMAT, "build info: pointer size %u", ps);
	if (flags & 1)
		return gpm_error_create(GPM_ERR_UNSUPPORTED, "build info: big-endian binary");
	struct gpm_buildinfo bi = {0};
	bi.ptr_size = ps;
	struct gpm_error *err = NULL;
	if (flags & 2) {
		bi.inline_strings = true;
		struct gpm_cursor c;
		gpm_cursor_init(&c, data, size);
		gpm_cursor_seek(&c, 32);
		uint64_t n;
		const uint8_t *p;
		if (!gpm_cursor_uvarint(&c, &n) || !gpm_cursor_bytes(&c, n, &p)) {
			err = gpm_error_create(GPM_ERR_FORMAT, "build info: truncated version");
			goto fail;
		}
		bi.go_version = dupn((const char *)p, n);
		if (!bi.go_version) {
			err = &gpm_error_nomem;
			goto fail;
		}
		if (!gpm_cursor_uvarint(&c, &n) || !gpm_cursor_bytes(&c, n, &p)) {
			err = gpm_error_create(GPM_ERR_FORMAT, "build info: truncated module info");
			goto fail;
		}
		err = set_modinfo(&bi, (const char *)p, n);
		if (err)
			goto fail;
	} else {
		if (!read) {
			err = gpm_error_create(GPM_ERR_UNSUPPORTED,
			                       "build info: pointer form needs process memory");
			goto fail;
		}
		uint64_t vp = 0, mp = 0;
		for (unsigned k = 0; k < ps; k++) {
			vp |= (uint64_t)data[16 + k] << (8 * k);
			mp |= (uint64_t)data[16 + ps + k] << (8 * k);
		}
		err = read_go_string(read, ctx, vp, ps, &bi.go_version);
		if (err)
			goto fail;
		char *mod = NULL;
		err = read_go_string(read, ctx, mp, ps, &mod);
		if (err)
			goto fail;
		err = set_modinfo(&bi, mod, strlen(mod));
		free(mod);
		if (err)
			goto fail;
	}
	*out = bi;
	return NULL;
fail:
	gpm_buildinfo_deinit(&bi);
	return err;
}

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

bool gpm_go_version_scan(const uint8_t *data, size_t size, char *out, size_t cap)
{
	if (!data || cap == 0)
		return false;
	for (size_t i = 0; i + 5 <= size; i++) {
		const uint8_t *p = memchr(data + i, 'g', size - i);
		if (!p)
			return false;
		i = (size_t)(p - data);
		if (size - i < 5 || memcmp(p, "go1.", 4) != 0 || !is_digit(p[4]))
			continue;
		// Preceded by a non-alphanumeric byte (strings are packed: often NUL or a
		// letter of another string; accept anything but an identifier character).
		size_t j = 4;
		while (i + j < size && j < 64 &&
		       (is_digit(p[j]) || p[j] == '.' || p[j] == '-' ||
		        (p[j] >= 'a' && p[j] <= 'z') || (p[j] >= 'A' && p[j] <= 'Z')))
			j++;
		// "go1.21.3" followed by the next packed string: cut at the first non-version
		// character after the numeric part and an optional rc/beta suffix.
		size_t k = 4;
		while (k < j && (is_digit(p[k]) || p[k] == '.'))
			k++;
		if ((k + 2 <= j && memcmp(p + k, "rc", 2) == 0) ||
		    (k + 4 <= j && memcmp(p + k, "beta", 4) == 0)) {
			size_t s = k + (p[k] == 'r' ? 2 : 4);
			while (s < j && is_digit(p[s]))
				s++;
			k = s;
		}
		if (p[k - 1] == '.')
			k--;
		size_t n = k < cap - 1 ? k : cap - 1;
		memcpy(out, p, n);
		out[n] = 0;
		return true;
	}
	return false;
}

bool gpm_go_version_parse(const char *s, struct gpm_go_version *out)
{
	struct gpm_go_version v = {0};
	if (!s)
		return false;
	if (strncmp(s, "devel ", 6) == 0) {
		v.devel = true;
		s += 6;
	}
	if (strncmp(s, "go", 2) != 0 || !is_digit((uint8_t)s[2]))
		return false;
	char *end;
	v.major = (unsigned)strtoul(s + 2, &end, 10);
	if (*end == '.') {
		v.minor = (unsigned)strtoul(end + 1, &end, 10);
		if (*end == '.' && is_digit((uint8_t)end[1]))
			v.patch = (unsigned)strtoul(end + 1, &end, 10);
	}
	*out = v;
	return true;
}

int gpm_go_version_cmp(const struct gpm_go_version *v, unsigned major, unsigned minor)
{
	if (v->major != major)
		return v->major < major ? -1 : 1;
	if (v->minor != minor)
		return v->minor < minor ? -1 : 1;
	return 0;
}
