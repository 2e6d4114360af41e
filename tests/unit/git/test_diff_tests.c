/*
 * test_diff_tests.c: diff_expect_strength (diff_tests.c), the definition
 * of a weakened and a strengthened test expectation in authzc-diff(1),
 * TESTS, case by case.
 */
#include <criterion/criterion.h>

#include "diff.h"

static struct arena arena = ARENA_INIT;

static void fini(void)
{
	arena_free(&arena);
}

TestSuite(diff_expect, .fini = fini);

static const char *none[] = { NULL }, *x[] = { "p.x" }, *y[] = { "p.y" }, *xy[] = { "p.x", "p.y" };

#define ALLOW(...) ((struct diff_expect){ true, __VA_ARGS__ })
#define DENY(...) ((struct diff_expect){ false, __VA_ARGS__ })
#define ANY EXPECT_ANY, none, 0
#define DEFAULT EXPECT_DEFAULT, none, 0
#define BY(r) EXPECT_RULES, r, sizeof r / sizeof r[0]

static void expect(struct diff_expect o, struct diff_expect n, enum diff_strength want,
		   const char *why)
{
	const char *got_why = "unset";
	enum diff_strength got = diff_expect_strength(&arena, &o, &n, &got_why);
	cr_expect_eq(got, want, "strength %d, want %d (why %s)", got, want, got_why ? got_why : "none");
	if (why)
		cr_expect_str_eq(got_why, why);
	else
		cr_expect_null(got_why, "why: %s", got_why);
}

Test(diff_expect, deny_to_allow_is_weakened)
{
	expect(DENY(ANY), ALLOW(ANY), STRENGTH_WEAKENED, "deny -> allow");
	expect(DENY(BY(x)), ALLOW(BY(x)), STRENGTH_WEAKENED, "deny -> allow");
	expect(DENY(DEFAULT), ALLOW(ANY), STRENGTH_WEAKENED, "deny -> allow");
}

Test(diff_expect, a_deny_that_drops_a_rule_is_weakened)
{
	expect(DENY(BY(x)), DENY(ANY), STRENGTH_WEAKENED, "no longer names p.x");
	expect(DENY(BY(xy)), DENY(BY(y)), STRENGTH_WEAKENED, "no longer names p.x");
	expect(DENY(BY(xy)), DENY(ANY), STRENGTH_WEAKENED, "no longer names p.x, p.y");
	expect(DENY(BY(x)), DENY(DEFAULT), STRENGTH_WEAKENED, "no longer names p.x");
	/* a rule replaced by another: the one named before is dropped */
	expect(DENY(BY(x)), DENY(BY(y)), STRENGTH_WEAKENED, "no longer names p.x");
}

Test(diff_expect, allow_to_deny_and_more_rules_named_are_strengthened)
{
	expect(ALLOW(ANY), DENY(ANY), STRENGTH_STRENGTHENED, NULL);
	expect(ALLOW(BY(x)), DENY(BY(x)), STRENGTH_STRENGTHENED, NULL);
	expect(DENY(ANY), DENY(BY(x)), STRENGTH_STRENGTHENED, NULL);
	expect(DENY(BY(x)), DENY(BY(xy)), STRENGTH_STRENGTHENED, NULL);
	expect(DENY(ANY), DENY(DEFAULT), STRENGTH_STRENGTHENED, NULL);
	expect(DENY(DEFAULT), DENY(BY(x)), STRENGTH_STRENGTHENED, NULL);
}

Test(diff_expect, other_changes_are_neither)
{
	expect(DENY(DEFAULT), DENY(ANY), STRENGTH_SAME, NULL);
	expect(ALLOW(BY(x)), ALLOW(ANY), STRENGTH_SAME, NULL);
	expect(ALLOW(ANY), ALLOW(BY(x)), STRENGTH_SAME, NULL);
	expect(ALLOW(BY(x)), ALLOW(BY(y)), STRENGTH_SAME, NULL);
	expect(DENY(BY(xy)), DENY(BY(xy)), STRENGTH_SAME, NULL);
}
