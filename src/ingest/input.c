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

struct gpm_error *gpm_ingest_check_head(const uint8_t *p, size_t n, const char *name, void *arg)
{
	if (!n)
		return gpm_error_create(GPM_ERR_FORMAT, "%s: empty input", name);
	// Text (a dump, perhaps deep in a log) holds no NUL byte; a kind with a magic is known
	// from its first bytes. Anything else would be scanned in full for nothing.
	if (gpm_input_detect(p, n) == GPM_INPUT_UNKNOWN && memchr(p, 0, n))
		return gpm_error_create(GPM_ERR_UNSUPPORTED,
		                        "%s: not a goroutine dump, profile or core", name);
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
