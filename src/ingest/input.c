/*
 * Opening an input: a regular file by name, or standard input for "-" (and
 * for no name at all when standard input is a pipe), through the same source layer and
 * limits. The first bytes of the content are checked before the rest is read, so an input
 * of no kind gopm reads (a sparse file of zeros, a binary, a bomb of zeros) fails at once.
 */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/source.h"
#include "ingest/ingest.h"
#include "dump/dump.h"

/* The archive or compression format an attachment came in, when it is one gopm does not
 * open itself; NULL otherwise. */
static const char *container_name(const uint8_t *p, size_t n)
{
	static const struct {
		const char *magic;
		size_t len, at;
		const char *name;
	} known[] = {
	    {"BZh", 3, 0, "a bzip2-compressed file"},
	    {"PK\x03\x04", 4, 0, "a zip archive"},
	    {"7z\xbc\xaf\x27\x1c", 6, 0, "a 7-Zip archive"},
	    {"Rar!\x1a\x07", 6, 0, "a RAR archive"},
	    {"ustar", 5, 257, "a tar archive"},
	    {"\x1f\x9d", 2, 0, "a compress(1) .Z file"},
	    {"\x89LZO", 4, 0, "an lzop-compressed file"},
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (n >= known[i].at + known[i].len &&
		    !memcmp(p + known[i].at, known[i].magic, known[i].len))
			return known[i].name;
	return NULL;
}

struct gpm_error *gpm_ingest_check_head(const uint8_t *p, size_t n, const char *name, void *arg)
{
	if (!n)
		return gpm_error_create(GPM_ERR_FORMAT, "%s: empty input", name);
	// Text (a dump, perhaps deep in a log) holds no NUL byte; a kind with a magic is known
	// from its first bytes. Anything else would be scanned in full for nothing.
	if (gpm_input_detect(p, n) == GPM_INPUT_UNKNOWN && memchr(p, 0, n)) {
		const char *what = container_name(p, n);
		if (what)
			return gpm_error_create(GPM_ERR_UNSUPPORTED,
			                        "%s: %s; extract the dump or core from it first "
			                        "(gopm reads zstd, gzip, xz and lz4 itself): "
			                        "not a goroutine dump, profile or core",
			                        name, what);
		return gpm_error_create(GPM_ERR_UNSUPPORTED,
		                        "%s: not a goroutine dump, profile or core", name);
	}
	return NULL;
}

bool gpm_ingest_is_stdin(const char *path)
{
	return path && !strcmp(path, "-");
}

struct gpm_error *gpm_ingest_open(const char *path, const struct gpm_source_options *so,
                                  struct gpm_source **out)
{
	if (gpm_ingest_is_stdin(path))
		return gpm_source_read_fd(STDIN_FILENO, GPM_INGEST_STDIN_NAME, so, out);
	return gpm_source_open_opts(path, so, out);
}

const char *gpm_ingest_default_input(void)
{
	struct stat st;
	if (isatty(STDIN_FILENO) || fstat(STDIN_FILENO, &st) < 0)
		return NULL;
	// A pipe or a redirected file; not /dev/null or another device.
	if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || (S_ISREG(st.st_mode) && st.st_size))
		return "-";
	return NULL;
}

bool gpm_ingest_error_no_kind(const struct gpm_error *err)
{
	static const char tail[] = "not a goroutine dump, profile or core";
	size_t n = strlen(err->message), t = sizeof(tail) - 1;
	return err->code == GPM_ERR_UNSUPPORTED && n >= t && !strcmp(err->message + n - t, tail);
}
