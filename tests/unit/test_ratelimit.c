/* test_ratelimit.c — the token bucket with a simulated clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ratelimit.h"

static void
test_burst_then_rate(void **state)
{
	struct ratelimit rl;
	int i;

	ratelimit_init(&rl, 5, 5, 1000);
	for (i = 0; i < 5; i++)
		assert_int_equal(ratelimit_take(&rl, 1000), 0);
	assert_int_equal(ratelimit_take(&rl, 1000), 200); /* one token every 200 ms */
	assert_int_equal(ratelimit_take(&rl, 1100), 100);
	assert_int_equal(ratelimit_take(&rl, 1200), 0);
	assert_true(ratelimit_take(&rl, 1200) > 0);
}

static void
test_never_more_than_rate_times_t_plus_burst(void **state)
{
	struct ratelimit rl;
	int64_t t;
	int taken = 0;

	/* Someone asking every millisecond for 10 s gets at most 5*10 + burst. */
	ratelimit_init(&rl, 5, 7, 0);
	for (t = 0; t < 10000; t++)
		while (ratelimit_take(&rl, t) == 0)
			taken++;
	assert_true(taken <= 5 * 10 + 7);
	assert_true(taken >= 5 * 10 + 7 - 1);
}

static void
test_idle_caps_at_burst(void **state)
{
	struct ratelimit rl;
	int i;

	ratelimit_init(&rl, 2, 3, 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(ratelimit_take(&rl, 0), 0);
	/* An hour idle saves up only `burst` tokens. */
	for (i = 0; i < 3; i++)
		assert_int_equal(ratelimit_take(&rl, 3600000), 0);
	assert_int_equal(ratelimit_take(&rl, 3600000), 500);
}

static void
test_unlimited_and_fractional(void **state)
{
	struct ratelimit rl;
	int i;

	ratelimit_init(&rl, 0, 0, 0);
	for (i = 0; i < 100000; i++)
		assert_int_equal(ratelimit_take(&rl, 0), 0);
	ratelimit_init(&rl, 0.5, 0, 0); /* burst raised to 1 */
	assert_int_equal(ratelimit_take(&rl, 0), 0);
	assert_int_equal(ratelimit_take(&rl, 0), 2000);
	assert_int_equal(ratelimit_take(&rl, 1999), 1);
	assert_int_equal(ratelimit_take(&rl, 2000), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_rate),
		cmocka_unit_test(test_never_more_than_rate_times_t_plus_burst),
		cmocka_unit_test(test_idle_caps_at_burst),
		cmocka_unit_test(test_unlimited_and_fractional),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
