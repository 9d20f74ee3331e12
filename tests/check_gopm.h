/* Shared declarations of the unit-test runner. */
#ifndef GPM_TESTS_CHECK_GOPM_H
#define GPM_TESTS_CHECK_GOPM_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>

#define GPM_SUITE(name) Suite *name##_suite(void);
#include "suites.def"
#undef GPM_SUITE

/* Path of a file under the source tree's testdata/ (static buffer). */
const char *gpm_test_data(const char *rel);
/* The value of key in a fixture directory's meta file (key=value lines) into out; false
 * when absent or longer than cap. */
bool gpm_test_meta(const char *dir, const char *key, char *out, size_t cap);
/* Calls fn(path, arg) for each file under testdata/DIR whose name ends in suffix or, with
 * nested, for each subdirectory's stderr.txt (when it exists); returns how many. A missing
 * DIR fails the test. */
size_t gpm_test_each_file(const char *dir, const char *suffix, bool nested,
                          void (*fn)(const char *path, void *arg), void *arg);
/* Path of the built gopm program. */
const char *gpm_test_program(void);

#endif
