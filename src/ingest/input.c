/*
 * Opening an input for the commands: a regular file by name, or standard input for "-" (and
 * for no name at all when standard input is a pipe), through the same source layer and
 * limits. The first bytes of the content are checked before the rest is read, so an input
 * of no kind gopm reads (a sparse file of zeros, a binary, a bomb of zeros) fails at once.
 */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/source.h"
#include "cli/load.h"
#include "dump/dump.h"

struct gpm_error *gpm_cli_check_head(const uint8_t *p, size_t n, const char *name, void *arg)
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

bool gpm_cli_is_stdin(const char *path)
{
	return path && !strcmp(path, "-");
}

struct gpm_error *gpm_cli_open_input(const char *path, const struct gpm_source_options *o,
                                     struct gpm_source **out)
{
	if (gpm_cli_is_stdin(path))
		return gpm_source_read_fd(STDIN_FILENO, GPM_CLI_STDIN_NAME, o, out);
	return gpm_source_open_opts(path, o, out);
}

const char *gpm_cli_default_input(void)
{
	struct stat st;
	if (isatty(STDIN_FILENO) || fstat(STDIN_FILENO, &st) < 0)
		return NULL;
	// A pipe or a redirected file; not /dev/null or another device.
	if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || (S_ISREG(st.st_mode) && st.st_size))
		return "-";
	return NULL;
}
