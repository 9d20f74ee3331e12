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
/* Path of the built gopm program. */
const char *gpm_test_program(void);

#endif
