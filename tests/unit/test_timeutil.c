/* test_timeutil.c — the clock, ms timers, RFC 3339 both ways and the civil calendar. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "timeutil.h"

/* Epoch ms of a UTC date and time (through the function under test, checked separately). */
static int64_t
ms_of(int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s, unsigned ms)
{
	return (timeutil_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s) * 1000 + ms;
}

static void
test_civil_known_days(void **state)
{
	(void)state;
	assert_int_equal(timeutil_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(timeutil_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(timeutil_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(timeutil_days_from_civil(2025, 3, 14), 20161);
	/* 2000 is a leap year (divisible by 400), 1900 and 2100 are not, 2024 is */
	assert_int_equal(timeutil_days_from_civil(2000, 3, 1) - timeutil_days_from_civil(2000, 2, 28), 2);
	assert_int_equal(timeutil_days_from_civil(1900, 3, 1) - timeutil_days_from_civil(1900, 2, 28), 1);
	assert_int_equal(timeutil_days_from_civil(2100, 3, 1) - timeutil_days_from_civil(2100, 2, 28), 1);
	assert_int_equal(timeutil_days_from_civil(2024, 3, 1) - timeutil_days_from_civil(2024, 2, 28), 2);
	/* year lengths across the four-century cycle */
	assert_int_equal(timeutil_days_from_civil(2001, 1, 1) - timeutil_days_from_civil(2000, 1, 1), 366);
	assert_int_equal(timeutil_days_from_civil(2401, 1, 1) - timeutil_days_from_civil(2001, 1, 1), 146097);
	/* a day past the month's end counts on, as timegm() does */
	assert_int_equal(timeutil_days_from_civil(2025, 2, 29), timeutil_days_from_civil(2025, 3, 1));
	/* the year limits of RFC 3339 and beyond */
	assert_int_equal(timeutil_days_from_civil(0, 1, 1), -719528);
	assert_int_equal(timeutil_days_from_civil(10000, 1, 1), 2932897);
	assert_int_equal(timeutil_days_from_civil(-1, 12, 31), -719529);
}

/* Every day of years 1600..2400 agrees with the C library, and the inverse round-trips. */
static void
test_civil_against_gmtime(void **state)
{
	int64_t from = timeutil_days_from_civil(1600, 1, 1), to = timeutil_days_from_civil(2401, 1, 1);

	(void)state;
	for (int64_t days = from; days < to; days++) {
		time_t t = (time_t)(days * 86400);
		struct tm tm;
		int64_t y;
		unsigned m, d;

		assert_non_null(gmtime_r(&t, &tm));
		timeutil_civil_from_days(days, &y, &m, &d);
		if (y != tm.tm_year + 1900 || m != (unsigned)tm.tm_mon + 1 || d != (unsigned)tm.tm_mday)
			fail_msg("day %lld: %lld-%u-%u, gmtime %d-%d-%d", (long long)days,
			    (long long)y, m, d, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		assert_int_equal(timeutil_days_from_civil(y, m, d), days);
	}
}

/* Far outside the C library's range: negative years and years beyond 9999 round-trip. */
static void
test_civil_far_years(void **state)
{
	(void)state;
	for (int64_t days = -4000000; days <= 4000000; days += 997) {
		int64_t y;
		unsigned m, d;

		timeutil_civil_from_days(days, &y, &m, &d);
		assert_true(m >= 1 && m <= 12 && d >= 1 && d <= 31);
		assert_int_equal(timeutil_days_from_civil(y, m, d), days);
	}
}

static void
fmt_is(int64_t ms, enum timeutil_frac frac, const char *want)
{
	char t[TIMEUTIL_RFC3339_SIZE];
	size_t n = timeutil_format_rfc3339(ms, frac, t);

	assert_string_equal(t, want);
	assert_int_equal(n, strlen(want));
}

static void
test_format(void **state)
{
	(void)state;
	fmt_is(0, TIMEUTIL_MS, "1970-01-01T00:00:00.000Z");
	fmt_is(-1, TIMEUTIL_MS, "1969-12-31T23:59:59.999Z");
	fmt_is(1741942867418LL, TIMEUTIL_MS, "2025-03-14T09:01:07.418Z");
	fmt_is(951782400000LL, TIMEUTIL_MS, "2000-02-29T00:00:00.000Z"); /* leap day 2000 */
	fmt_is(ms_of(2024, 2, 29, 23, 59, 59, 999), TIMEUTIL_MS, "2024-02-29T23:59:59.999Z");
	fmt_is(ms_of(1900, 3, 1, 0, 0, 0, 0) - 1, TIMEUTIL_MS, "1900-02-28T23:59:59.999Z");
	/* what int64 ns reach, floored to ms */
	fmt_is(INT64_MAX / 1000000, TIMEUTIL_MS, "2262-04-11T23:47:16.854Z");
	fmt_is(INT64_MIN / 1000000 - 1, TIMEUTIL_MS, "1677-09-21T00:12:43.145Z");
	/* the fraction modes */
	fmt_is(1741942800000LL, TIMEUTIL_MS_IF_ANY, "2025-03-14T09:00:00Z");
	fmt_is(1741942800123LL, TIMEUTIL_MS_IF_ANY, "2025-03-14T09:00:00.123Z");
	fmt_is(1741942800005LL, TIMEUTIL_MS_IF_ANY, "2025-03-14T09:00:00.005Z");
	fmt_is(1741942800999LL, TIMEUTIL_SECONDS, "2025-03-14T09:00:00Z");
	fmt_is(-1, TIMEUTIL_SECONDS, "1969-12-31T23:59:59Z");
}

static void
test_format_year_limits(void **state)
{
	int64_t first = ms_of(0, 1, 1, 0, 0, 0, 0), last = ms_of(10000, 1, 1, 0, 0, 0, 0) - 1;

	(void)state;
	fmt_is(first, TIMEUTIL_MS, "0000-01-01T00:00:00.000Z");
	fmt_is(last, TIMEUTIL_MS, "9999-12-31T23:59:59.999Z");
	fmt_is(ms_of(999, 12, 31, 0, 0, 0, 0), TIMEUTIL_MS, "0999-12-31T00:00:00.000Z");
	/* four-digit years only: outside, 0 and an empty string, never a wrong date */
	fmt_is(first - 1, TIMEUTIL_MS, "");
	fmt_is(last + 1, TIMEUTIL_MS, "");
	fmt_is(INT64_MAX, TIMEUTIL_MS, "");
	fmt_is(INT64_MIN, TIMEUTIL_MS, "");
}

static int64_t
parse_ms(const char *s)
{
	int64_t ms = 42;

	if (timeutil_parse_rfc3339_ms(s, &ms) != 0)
		fail_msg("\"%s\" refused", s);
	return ms;
}

static void
test_parse(void **state)
{
	static const char *const bad[] = {
		"", "2025-03-14", "2025-03-14T09:00:00", "2025-03-14T09:00:00ZZ",
		"2025-03-14T09:00:00.Z", "2025-03-14T09:00:00+2:00", "2025-03-14T09:00:00+02",
		"2025-03-14T09:00:00+24:00", "2025-03-14T09:00:00+02:60", "2025-03-14X09:00:00Z",
		"2025-13-14T09:00:00Z", "2025-00-14T09:00:00Z", "2025-04-31T09:00:00Z",
		"2025-03-00T09:00:00Z", "2025-03-14T24:00:00Z", "2025-03-14T09:60:00Z",
		"2025-03-14T09:00:61Z", "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
		"2100-02-29T00:00:00Z", "20250-03-14T09:00:00Z", "2025-3-14T09:00:00Z",
		"+025-03-14T09:00:00Z", " 2025-03-14T09:00:00Z", "2025-03-14T09:00:00Z ",
	};
	int64_t ms;

	(void)state;
	assert_int_equal(parse_ms("2025-03-14T09:00:00Z"), 1741942800000LL);
	assert_int_equal(parse_ms("2025-03-14T09:00:00.123456Z"), 1741942800123LL);
	assert_int_equal(parse_ms("2025-03-14T11:00:00.5+02:00"), 1741942800500LL);
	assert_int_equal(parse_ms("2025-03-14T04:30:00-04:30"), 1741942800000LL);
	assert_int_equal(parse_ms("2024-02-29t00:00:00z"), 1709164800000LL);
	assert_int_equal(parse_ms("2000-02-29 00:00:00Z"), 951782400000LL);
	assert_int_equal(parse_ms("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(parse_ms("1969-12-31T23:59:59.999Z"), -1);
	assert_int_equal(parse_ms("0000-01-01T00:00:00Z"), ms_of(0, 1, 1, 0, 0, 0, 0));
	assert_int_equal(parse_ms("9999-12-31T23:59:59.999Z"), ms_of(10000, 1, 1, 0, 0, 0, 0) - 1);
	/* a leap second is the last second of its minute */
	assert_int_equal(parse_ms("2016-12-31T23:59:60Z"), parse_ms("2016-12-31T23:59:59Z"));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (timeutil_parse_rfc3339_ms(bad[i], &ms) == 0)
			fail_msg("\"%s\" accepted", bad[i]);
	assert_int_equal(timeutil_parse_rfc3339_ms(NULL, &ms), -1);
}

static void
test_parse_ns(void **state)
{
	const char *s = "2025-03-14T09:01:07.418999999123Z trailing";
	int64_t ns = 0, secs;
	int32_t nanos;

	(void)state;
	/* bounded by len, not by a NUL; digits beyond ns are truncated */
	assert_int_equal(timeutil_parse_rfc3339_ns(s, 33, &ns), 0);
	assert_int_equal(ns, 1741942867418999999LL);
	assert_int_equal(timeutil_parse_rfc3339_ns(s, 34, &ns), -1);
	assert_int_equal(timeutil_parse_rfc3339_ns(s, 32, &ns), -1);
	assert_int_equal(timeutil_parse_rfc3339(s, 33, &secs, &nanos), 0);
	assert_int_equal(secs, 1741942867);
	assert_int_equal(nanos, 418999999);
	assert_int_equal(timeutil_parse_rfc3339_ns("1970-01-01T00:00:00.000000001Z", 30, &ns), 0);
	assert_int_equal(ns, 1);
	/* int64 ns: 1677-09-21T00:12:44 .. 2262-04-11T23:47:16, whole seconds inside */
	assert_int_equal(timeutil_parse_rfc3339_ns("2262-04-11T23:47:15.999999999Z", 30, &ns), 0);
	assert_int_equal(ns, 9223372035999999999LL);
	assert_int_equal(timeutil_parse_rfc3339_ns("2262-04-11T23:47:16Z", 20, &ns), -1);
	assert_int_equal(timeutil_parse_rfc3339_ns("1677-09-21T00:12:45Z", 20, &ns), 0);
	assert_int_equal(ns, -9223372035000000000LL);
	assert_int_equal(timeutil_parse_rfc3339_ns("1677-09-21T00:12:44Z", 20, &ns), -1);
	assert_int_equal(timeutil_parse_rfc3339_ns(NULL, 0, &ns), -1);
}

/* Whatever is formatted parses back to the same ms, across the whole four-digit range. */
static void
test_round_trip(void **state)
{
	int64_t lo = ms_of(0, 1, 1, 0, 0, 0, 0), hi = ms_of(10000, 1, 1, 0, 0, 0, 0);
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	(void)state;
	for (int i = 0; i < 200000; i++) {
		char t[TIMEUTIL_RFC3339_SIZE];
		int64_t ms, back = 0;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		ms = lo + (int64_t)(x % (uint64_t)(hi - lo));
		assert_int_equal(timeutil_format_rfc3339(ms, TIMEUTIL_MS, t), 24);
		assert_int_equal(timeutil_parse_rfc3339_ms(t, &back), 0);
		if (back != ms)
			fail_msg("%lld -> %s -> %lld", (long long)ms, t, (long long)back);
		assert_int_equal(timeutil_format_rfc3339(ms, TIMEUTIL_MS_IF_ANY, t),
		    ms % 1000 == 0 ? 20 : 24);
		assert_int_equal(timeutil_parse_rfc3339_ms(t, &back), 0);
		assert_int_equal(back, ms);
		assert_int_equal(timeutil_format_rfc3339(ms, TIMEUTIL_SECONDS, t), 20);
		assert_int_equal(timeutil_parse_rfc3339_ms(t, &back), 0);
		assert_int_equal(back, ms - ((ms % 1000) + 1000) % 1000);
	}
}

static void
test_timeval(void **state)
{
	struct timeval tv;

	(void)state;
	tv = timeutil_timeval(1500);
	assert_int_equal(tv.tv_sec, 1);
	assert_int_equal(tv.tv_usec, 500000);
	tv = timeutil_timeval(999);
	assert_int_equal(tv.tv_sec, 0);
	assert_int_equal(tv.tv_usec, 999000);
	tv = timeutil_timeval(-5);
	assert_int_equal(tv.tv_sec, 0);
	assert_int_equal(tv.tv_usec, 0);
	tv = timeutil_timeval(86400000LL * 365);
	assert_int_equal(tv.tv_sec, 86400 * 365);
	assert_int_equal(tv.tv_usec, 0);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	++*(int *)arg;
}

/* Armed timers fire (a negative delay at once); the loop ends when none is left. */
static void
test_timer_add(void **state)
{
	struct event_base *base = event_base_new();
	int fired_a = 0, fired_b = 0;
	struct event *a, *b;

	(void)state;
	assert_non_null(base);
	a = evtimer_new(base, on_timer, &fired_a);
	b = evtimer_new(base, on_timer, &fired_b);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(timeutil_timer_add(a, 5), 0);
	assert_int_equal(timeutil_timer_add(b, -100), 0);
	assert_true(evtimer_pending(a, NULL));
	assert_int_equal(event_base_dispatch(base), 1); /* 1: no events left */
	assert_int_equal(fired_a, 1);
	assert_int_equal(fired_b, 1);
	event_free(a);
	event_free(b);
	event_base_free(base);
}

static void
test_clocks(void **state)
{
	time_t before, after;
	int64_t now, m1, m2;

	(void)state;
	before = time(NULL);
	now = timeutil_now_ms();
	after = time(NULL);
	assert_true(now / 1000 >= (int64_t)before && now / 1000 <= (int64_t)after);
	m1 = timeutil_mono_ms();
	m2 = timeutil_mono_ms();
	assert_true(m2 >= m1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_civil_known_days),
		cmocka_unit_test(test_civil_against_gmtime),
		cmocka_unit_test(test_civil_far_years),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_year_limits),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_ns),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_timeval),
		cmocka_unit_test(test_timer_add),
		cmocka_unit_test(test_clocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
