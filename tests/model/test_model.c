/* Unit tests of src/model: stack deduplication and labels. */
#include <string.h>

#include "check_gopm.h"
#include "model/incident.h"

static uint32_t add_stack(struct gpm_incident *inc, const char *const *funcs, int n, uint32_t line)
{
	struct gpm_stack_builder b;
	gpm_incident_stack_begin(inc, &b);
	for (int i = 0; i < n; i++) {
		struct gpm_frame *f = gpm_incident_frame_push(inc);
		f->func = gpm_incident_str(inc, funcs[i], strlen(funcs[i]));
		f->file = gpm_incident_str(inc, "main.go", 7);
		f->line = line + (uint32_t)i;
	}
	uint32_t idx;
	ck_assert_ptr_null(gpm_incident_stack_commit(inc, &b, &idx));
	return idx;
}

START_TEST(stacks_are_deduplicated)
{
	struct gpm_incident *inc = gpm_incident_create(GPM_INPUT_DUMP);
	const char *const a[] = {"runtime.gopark", "runtime.chanrecv", "main.worker"};
	for (int i = 0; i < 1000; i++) {
		struct gpm_goroutine *g = gpm_incident_goroutine_push(inc);
		g->id = (uint64_t)i + 1;
		g->stack = add_stack(inc, a, 3, i % 2 ? 10 : 20);
	}
	ck_assert_uint_eq(inc->stacks.len, 2);
	ck_assert_uint_eq(inc->frames.len, 6);
	ck_assert_uint_eq(inc->stacks.v[0].refs, 500);
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, &inc->goroutines.v[1], &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(f[2].func, "main.worker");
	ck_assert_uint_eq(f[2].line, 12);
	gpm_incident_destroy(inc);
}
END_TEST

START_TEST(labels_belong_to_their_goroutine)
{
	struct gpm_incident *inc = gpm_incident_create(GPM_INPUT_DUMP);
	struct gpm_goroutine *g = gpm_incident_goroutine_push(inc);
	ck_assert_ptr_null(gpm_incident_label_push(inc, g, "k", 1, "v", 1));
	ck_assert_ptr_null(gpm_incident_label_push(inc, g, "k2", 2, "v2", 2));
	g = gpm_incident_goroutine_push(inc);
	ck_assert_uint_eq(gpm_goroutine_extra(inc, g)->nlabels, 0);
	ck_assert_uint_eq(gpm_goroutine_extra(inc, &inc->goroutines.v[0])->nlabels, 2);
	ck_assert_str_eq(
	    inc->labels.v[gpm_goroutine_extra(inc, &inc->goroutines.v[0])->first_label + 1].value,
	    "v2");
	ck_assert_ptr_null(gpm_incident_warn(inc, "stack of goroutine %d truncated", 7));
	ck_assert_str_eq(inc->warnings.v[0].text, "stack of goroutine 7 truncated");
	gpm_incident_destroy(inc);
}
END_TEST

Suite *model_suite(void)
{
	Suite *s = suite_create("model");
	TCase *tc = tcase_create("model");
	tcase_add_test(tc, stacks_are_deduplicated);
	tcase_add_test(tc, labels_belong_to_their_goroutine);
	suite_add_tcase(s, tc);
	return s;
}
