/*
 * Source files of frames under a root the user named (--source-root) or a Go layout (the
 * module cache, GOROOT/src). A frame's path comes from the program under analysis, so it
 * is hostile input: what is opened must stay inside the root. Every place that reads
 * source for a frame goes through gpm_srcpath_find.
 */
#ifndef GPM_BASE_SRCPATH_H
#define GPM_BASE_SRCPATH_H

#include "base/error.h"

/*
 * Finds the file a frame's path names under root: the whole path under root, then with its
 * leading components stripped one at a time (a build's /home/ci/app/pkg/x.go is found as
 * pkg/x.go under a checkout of the app; /usr/lib/go/src/runtime/proc.go as runtime/proc.go
 * under GOROOT/src). A component with an '@' (module@version) is tried as the module cache
 * spells it too (upper case as '!' and the lower case letter).
 *
 * The result (*out, malloc'd) is the real path of a regular file inside the real path of
 * root: a candidate with a ".." component is skipped, and one whose symlinks resolve
 * outside root is refused. *out is NULL when nothing is found (not an error); errors only
 * for out of memory.
 */
struct gpm_error *gpm_srcpath_find(const char *root, const char *path, char **out);

/*
 * Whether the real path of file is root_real itself or below it (root_real a real path, as
 * realpath gives it). Exposed for tests.
 */
int gpm_srcpath_inside(const char *root_real, const char *file_real);

#endif
