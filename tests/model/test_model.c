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

/* Goroutines of one stack keep their first sp only when their frames sit at the stack's
 * offsets; the others keep their own regs. */
START_TEST(frame_regs_are_shared_by_offsets)
{
	struct gpm_incident *inc = gpm_incident_create(GPM_INPUT_CORE);
	const char *const a[] = {"runtime.gopark", "runtime.chanrecv", "main.worker"};
	const uint64_t sp0[5] = {0xc000100000, 0xc000200000, 0xc000300000, 0xc000380000,
	                         0xc000400000};
	for (int i = 0; i < 5; i++) {
		struct gpm_goroutine *g = gpm_incident_goroutine_push(inc);
		g->id = (uint64_t)i + 1;
		g->stack = add_stack(inc, a, 3, 10);
		uint64_t s = sp0[i];
		// The third goroutine's middle frame is bigger, the fourth's outermost fp far off,
		// the fifth's unknown.
		struct gpm_frame_regs r[3] = {
		    {s, s + 0x20}, {s + 0x20, s + (i == 2 ? 0x98 : 0x90)}, {s + 0x90, s + 0x100}};
		if (i == 2)
			r[2] = (struct gpm_frame_regs){s + 0x98, s + 0x108};
		if (i == 3)
			r[2].fp = s + (1ULL << 40); // too far for an offset
		if (i == 4)
			r[2].fp = 0;
		ck_assert_ptr_null(gpm_incident_goroutine_set_regs(inc, g, r, 3));
	}
	ck_assert_uint_eq(inc->stacks.len, 1);
	ck_assert_uint_eq(inc->stack_regs.len, 3);
	const bool derived[5] = {true, true, false, false, false};
	for (int i = 0; i < 5; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		const struct gpm_goroutine_extra *x = gpm_goroutine_extra(inc, g);
		ck_assert_int_eq(x->regs_derived, derived[i]);
		ck_assert_int_eq(x->regs == NULL, derived[i]);
		ck_assert(gpm_goroutine_has_regs(inc, g));
		uint64_t s = sp0[i];
		struct gpm_frame_regs r = gpm_goroutine_frame_regs(inc, g, 1);
		ck_assert_uint_eq(r.sp, s + 0x20);
		ck_assert_uint_eq(r.fp, s + (i == 2 ? 0x98 : 0x90));
		r = gpm_goroutine_frame_regs(inc, g, 2);
		ck_assert_uint_eq(r.fp, i == 4   ? 0
		                        : i == 3 ? s + (1ULL << 40)
		                                 : s + (i == 2 ? 0x108 : 0x100));
	}
	// Out of range, and a goroutine without regs: zero.
	ck_assert_uint_eq(gpm_goroutine_frame_regs(inc, &inc->goroutines.v[0], 3).sp, 0);
	struct gpm_goroutine *g = gpm_incident_goroutine_push(inc);
	ck_assert(!gpm_goroutine_has_regs(inc, g));
	ck_assert_uint_eq(gpm_goroutine_frame_regs(inc, g, 0).fp, 0);
	gpm_incident_destroy(inc);
}
END_TEST

Suite *model_suite(void)
{
	Suite *s = suite_create("model");
	TCase *tc = tcase_create("model");
	tcase_add_test(tc, stacks_are_deduplicated);
	tcase_add_test(tc, labels_belong_to_their_goroutine);
	tcase_add_test(tc, frame_regs_are_shared_by_offsets);
	suite_add_tcase(s, tc);
	return s;
}
