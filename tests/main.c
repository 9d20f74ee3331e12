/*
 * The unit-test runner: runs every suite of suites.def and ends with the line
 * "N passed, N failed". CK_RUN_SUITE / CK_RUN_CASE select a subset as usual with Check;
 * a selection that runs no test fails.
 */
#include <dirent.h>
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

size_t gpm_test_each_file(const char *dir, const char *suffix, bool nested,
                          void (*fn)(const char *path, void *arg), void *arg)
{
	char base[4096];
	snprintf(base, sizeof(base), "%s", gpm_test_data(dir));
	DIR *d = opendir(base);
	ck_assert_msg(d, "%s: missing", dir);
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		char path[8192];
		if (nested) {
			snprintf(path, sizeof(path), "%s/%s/stderr.txt", base, e->d_name);
		} else {
			size_t l = strlen(e->d_name), sl = strlen(suffix);
			if (l < sl || strcmp(e->d_name + l - sl, suffix))
				continue;
			snprintf(path, sizeof(path), "%s/%s", base, e->d_name);
		}
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		fclose(f);
		fn(path, arg);
		n++;
	}
	closedir(d);
	return n;
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
	// A suite or case name that selects nothing (a typo, a renamed suite) runs no test:
	// that is a failure, not a pass.
	if (!run) {
		fprintf(stderr, "no test ran: CK_RUN_SUITE/CK_RUN_CASE select nothing\n");
		return EXIT_FAILURE;
	}
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
