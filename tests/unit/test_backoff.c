/*
 * test_backoff.c — full jitter within [initial, min(max, initial * 2^n)], the cap, reset,
 * and every Retry-After form (delta-seconds, IMF-fixdate in the future and the past, the
 * one-day cap, garbage).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "backoff.h"
#include "timeutil.h"

/* Attempt n lies in [initial, min(max, initial << n)], and the draws are not all equal. */
static void
test_jitter_bounds(void **state)
{
	struct backoff b;
	unsigned n;
	int run;

	for (n = 0; n < 12; n++) {
		int64_t ceil = 100LL << n, lo = INT64_MAX, hi = 0;
		if (ceil > 10000)
			ceil = 10000;
		for (run = 0; run < 400; run++) {
			unsigned i;
			int64_t d;
			backoff_init(&b, 100, 10000);
			for (i = 0; i < n; i++)
				backoff_next(&b);
			d = backoff_next(&b);
			assert_true(d >= 100);
			assert_true(d <= ceil);
			if (d < lo)
				lo = d;
			if (d > hi)
				hi = d;
		}
		if (n == 0)
			assert_true(lo == 100 && hi == 100); /* no room for jitter at the floor */
		else
			assert_true(hi > lo); /* jittered, not a fixed schedule */
		/* Full jitter: the draws cover most of the range, not only its top. */
		if (n >= 3)
			assert_true(lo < 100 + (ceil - 100) / 4 && hi > 100 + 3 * (ceil - 100) / 4);
	}
}

static void
test_cap_and_reset(void **state)
{
	struct backoff b;
	int i;

	backoff_init(&b, 50, 400);
	for (i = 0; i < 200; i++) {
		int64_t d = backoff_next(&b);
		assert_true(d >= 50 && d <= 400);
	}
	assert_int_equal(backoff_attempts(&b), 64); /* counted, but bounded: no shift overflow */
	backoff_reset(&b);
	assert_int_equal(backoff_attempts(&b), 0);
	assert_int_equal(backoff_next(&b), 50); /* back to the floor */
	assert_int_equal(backoff_attempts(&b), 1);
	/* Nonsense limits are made sane: initial >= 1, max >= initial. */
	backoff_init(&b, 0, -5);
	assert_int_equal(backoff_next(&b), 1);
	assert_int_equal(backoff_next(&b), 1);
	backoff_init(&b, 1000, 10);
	assert_int_equal(backoff_next(&b), 1000);
	assert_int_equal(backoff_next(&b), 1000);
}

static void
test_retry_after(void **state)
{
	int64_t now, when;

	/* 1994-11-06T08:49:37Z */
	assert_int_equal(backoff_http_date_ms("Sun, 06 Nov 1994 08:49:37 GMT", &when), 0);
	assert_int_equal(when, 784111777000LL);
	now = when - 30000;
	assert_int_equal(backoff_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", now), 30000);
	assert_int_equal(backoff_retry_after_ms("  Sun, 06 Nov 1994 08:49:37 GMT", now), 30000);
	/* A date in the past or now: no wait (callers still wait their backoff). */
	assert_int_equal(backoff_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", when + 5000), 0);
	assert_int_equal(backoff_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", when), 0);
	/* A date more than a day ahead: capped at a day. */
	assert_int_equal(backoff_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT",
	    when - 5LL * 86400000), 86400000);
	/* A clock before 1970 does not overflow. */
	assert_int_equal(backoff_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", -1000),
	    86400000);
	/* delta-seconds, with spaces around; 0; capped at a day. */
	assert_int_equal(backoff_retry_after_ms("120", 0), 120000);
	assert_int_equal(backoff_retry_after_ms(" 7 ", 0), 7000);
	assert_int_equal(backoff_retry_after_ms("0", 0), 0);
	assert_int_equal(backoff_retry_after_ms("999999999", 0), 86400000);
	assert_int_equal(backoff_retry_after_ms("99999999999999999999999", 0), 86400000);
	/* Absent or malformed. */
	assert_int_equal(backoff_retry_after_ms(NULL, 0), -1);
	assert_int_equal(backoff_retry_after_ms("", 0), -1);
	assert_int_equal(backoff_retry_after_ms("   ", 0), -1);
	assert_int_equal(backoff_retry_after_ms("-5", 0), -1);
	assert_int_equal(backoff_retry_after_ms("1.5", 0), -1);
	assert_int_equal(backoff_retry_after_ms("12abc", 0), -1);
	assert_int_equal(backoff_retry_after_ms("soon", 0), -1);
	assert_int_equal(backoff_retry_after_ms("Sun, 06 Foo 1994 08:49:37 GMT", 0), -1);
	assert_int_equal(backoff_retry_after_ms("Sun, 06 Nov 1994 08:49:37 UTC", 0), -1);
	assert_int_equal(backoff_retry_after_ms("Sunday, 06-Nov-94 08:49:37 GMT", 0), -1);
	assert_int_equal(backoff_http_date_ms(NULL, &when), -1);
	assert_int_equal(backoff_http_date_ms("Sun, 06 ov 1994 08:49:37 GMT", &when), -1);
}

static void
test_clocks(void **state)
{
	int64_t m1 = timeutil_mono_ms(), m2 = timeutil_mono_ms();

	assert_true(m2 >= m1);
	assert_true(timeutil_now_ms() > 1600000000000LL); /* after 2020: a wall clock in ms */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jitter_bounds),
		cmocka_unit_test(test_cap_and_reset),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_clocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
