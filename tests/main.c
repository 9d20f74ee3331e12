/*
 * The unit-test runner: runs every suite of suites.def and ends with the line
 * "N passed, N failed". CK_RUN_SUITE / CK_RUN_CASE select a subset as usual with Check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_gopm.h"

const char *gpm_test_data(const char *rel)
{
	static char buf[4096];
	const char *top = getenv("top_srcdir");
	snprintf(buf, sizeof(buf), "%s/testdata/%s", top ? top : ".", rel);
	return buf;
}

bool gpm_test_meta(const char *dir, const char *key, char *out, size_t cap)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/meta", dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	char line[1024];
	size_t klen = strlen(key);
	bool found = false;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == '=') {
			line[strcspn(line, "\n")] = 0;
			int w = snprintf(out, cap, "%s", line + klen + 1);
			found = w >= 0 && (size_t)w < cap;
			break;
		}
	}
	fclose(f);
	return found;
}

const char *gpm_test_program(void)
{
	const char *p = getenv("GOPM");
	return p ? p : "./gopm";
}

int main(void)
{
	SRunner *sr = srunner_create(NULL);
#define GPM_SUITE(name) srunner_add_suite(sr, name##_suite());
#include "suites.def"
#undef GPM_SUITE
	srunner_run_all(sr, CK_NORMAL);
	int run = srunner_ntests_run(sr);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	printf("%d passed, %d failed\n", run - failed, failed);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
