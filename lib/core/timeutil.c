/* timeutil.c — see timeutil.h. */
#include "timeutil.h"

#include <string.h>
#include <time.h>

#include <event2/event.h>

int64_t
timeutil_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
timeutil_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct timeval
timeutil_timeval(int64_t ms)
{
	struct timeval tv;

	if (ms < 0)
		ms = 0;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000 * 1000);
	return tv;
}

int
timeutil_timer_add(struct event *ev, int64_t ms)
{
	struct timeval tv = timeutil_timeval(ms);

	return evtimer_add(ev, &tv);
}

/* ---- calendar (Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms") ----
 * Static inline first: the parser and the formatter run for every timestamp of every
 * event, and a call per date measurably adds to make bench's µs per record. */

static inline int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int64_t
timeutil_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	return days_from_civil(y, m, d);
}

static inline void
civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t z = days + 719468, era;
	unsigned doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

void
timeutil_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	civil_from_days(days, y, m, d);
}

/* ---- RFC 3339 ---- */

/* Two digits of v (< 100). */
static inline void
put2(char *o, unsigned v)
{
	o[0] = (char)('0' + v / 10);
	o[1] = (char)('0' + v % 10);
}

size_t
timeutil_format_rfc3339(int64_t ms, enum timeutil_frac frac, char *out)
{
	int64_t secs, days, rem, y;
	unsigned m, d, milli;
	size_t n;

	/* Floor division (times before 1970 round down) without overflow at INT64_MIN. */
	secs = ms / 1000;
	rem = ms % 1000;
	if (rem < 0) {
		rem += 1000;
		secs--;
	}
	milli = (unsigned)rem;
	days = secs / 86400;
	rem = secs % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		out[0] = '\0';
		return 0;
	}
	put2(out, (unsigned)(y / 100));
	put2(out + 2, (unsigned)(y % 100));
	out[4] = '-';
	put2(out + 5, m);
	out[7] = '-';
	put2(out + 8, d);
	out[10] = 'T';
	put2(out + 11, (unsigned)(rem / 3600));
	out[13] = ':';
	put2(out + 14, (unsigned)(rem % 3600 / 60));
	out[16] = ':';
	put2(out + 17, (unsigned)(rem % 60));
	n = 19;
	if (frac == TIMEUTIL_MS || (frac == TIMEUTIL_MS_IF_ANY && milli != 0)) {
		out[19] = '.';
		out[20] = (char)('0' + milli / 100);
		put2(out + 21, milli % 100);
		n = 23;
	}
	out[n++] = 'Z';
	out[n] = '\0';
	return n;
}

static int
digits(const char *p, int n, unsigned *v)
{
	unsigned acc = 0;
	int i;

	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)((unsigned char)p[i] - '0');
		if (d > 9)
			return -1;
		acc = acc * 10 + d;
	}
	*v = acc;
	return 0;
}

static inline int
parse(const char *p, size_t len, int64_t *secs, int32_t *nanos)
{
	static const unsigned char mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned Y, M, D, h, m, s, oh = 0, om = 0;
	int32_t frac = 0, scale = 100000000;
	int sign = 0;
	size_t i;

	if (p == NULL || len < 20)
		return -1;
	if (digits(p, 4, &Y) || p[4] != '-' || digits(p + 5, 2, &M) || p[7] != '-' ||
	    digits(p + 8, 2, &D) || (p[10] != 'T' && p[10] != 't' && p[10] != ' ') ||
	    digits(p + 11, 2, &h) || p[13] != ':' || digits(p + 14, 2, &m) ||
	    p[16] != ':' || digits(p + 17, 2, &s))
		return -1;
	if (M < 1 || M > 12 || D < 1 || D > mdays[M - 1] || h > 23 || m > 59 || s > 60)
		return -1;
	if (M == 2 && D == 29 && !((Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0))
		return -1;
	if (s == 60)
		s = 59; /* a leap second: the last second of the minute is close enough */
	i = 19;
	if (p[i] == '.') {
		i++;
		if (i >= len || (unsigned)((unsigned char)p[i] - '0') > 9)
			return -1;
		for (; i < len && (unsigned)((unsigned char)p[i] - '0') <= 9; i++) {
			frac += (p[i] - '0') * scale;
			scale /= 10;
		}
	}
	if (i >= len)
		return -1;
	if (p[i] == 'Z' || p[i] == 'z') {
		i++;
	} else if (p[i] == '+' || p[i] == '-') {
		sign = p[i] == '-' ? -1 : 1;
		if (len - i < 6 || digits(p + i + 1, 2, &oh) || p[i + 3] != ':' ||
		    digits(p + i + 4, 2, &om) || oh > 23 || om > 59)
			return -1;
		i += 6;
	} else {
		return -1;
	}
	if (i != len)
		return -1;
	*secs = days_from_civil(Y, M, D) * 86400 + h * 3600 + m * 60 + s -
	    sign * (int64_t)(oh * 3600 + om * 60);
	*nanos = frac;
	return 0;
}

int
timeutil_parse_rfc3339(const char *p, size_t len, int64_t *secs, int32_t *nanos)
{
	return parse(p, len, secs, nanos);
}

int
timeutil_parse_rfc3339_ms(const char *s, int64_t *ms)
{
	int64_t secs;
	int32_t nanos;

	if (s == NULL || parse(s, strlen(s), &secs, &nanos) != 0)
		return -1;
	*ms = secs * 1000 + nanos / 1000000;
	return 0;
}

int
timeutil_parse_rfc3339_ns(const char *p, size_t len, int64_t *ns)
{
	int64_t secs;
	int32_t nanos;

	if (parse(p, len, &secs, &nanos) != 0)
		return -1;
	if (secs < -TIMEUTIL_NS_MAX_SECS || secs > TIMEUTIL_NS_MAX_SECS)
		return -1; /* not representable as int64 ns */
	*ns = secs * 1000000000 + nanos;
	return 0;
}
