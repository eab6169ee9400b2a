/* backoff.c — see backoff.h. */
#include "backoff.h"
#include "timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t
xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

void
backoff_init(struct backoff *b, int64_t initial_ms, int64_t max_ms)
{
	struct timespec ts;

	if (initial_ms < 1)
		initial_ms = 1;
	if (max_ms < initial_ms)
		max_ms = initial_ms;
	b->initial_ms = initial_ms;
	b->max_ms = max_ms;
	b->attempt = 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	/* Distinct per instance and per process, so that sinks do not retry in lockstep. */
	b->rng = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
	    ((uint64_t)getpid() << 40) ^ (uint64_t)(uintptr_t)b;
	if (b->rng == 0)
		b->rng = 0x9E3779B97F4A7C15ULL;
}

int64_t
backoff_next(struct backoff *b)
{
	int64_t ceil = b->initial_ms;
	unsigned i;

	for (i = 0; i < b->attempt && ceil < b->max_ms; i++)
		ceil *= 2;
	if (ceil > b->max_ms)
		ceil = b->max_ms;
	if (b->attempt < 64)
		b->attempt++;
	if (ceil <= b->initial_ms)
		return b->initial_ms;
	return b->initial_ms +
	    (int64_t)(xorshift64(&b->rng) % (uint64_t)(ceil - b->initial_ms + 1));
}

void
backoff_reset(struct backoff *b)
{
	b->attempt = 0;
}

unsigned
backoff_attempts(const struct backoff *b)
{
	return b->attempt;
}

/* "Sun, 06 Nov 1994 08:49:37 GMT" (IMF-fixdate), the form servers send. */
static int
parse_http_date(const char *s, int64_t *epoch_ms)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char mon[4];
	int day, year, hh, mm, ss, n = 0;
	const char *m;

	if (sscanf(s, "%*3s, %2d %3s %4d %2d:%2d:%2d GMT%n", &day, mon, &year, &hh,
	        &mm, &ss, &n) != 6 || n == 0)
		return -1;
	m = strstr(months, mon);
	if (m == NULL || (m - months) % 3 != 0 || strlen(mon) != 3)
		return -1;
	/* Fields out of range count on linearly, as timegm() normalizes them. */
	*epoch_ms = ((timeutil_days_from_civil(year, (unsigned)((m - months) / 3) + 1, 1) +
	    day - 1) * 86400 + (int64_t)hh * 3600 + (int64_t)mm * 60 + ss) * 1000;
	return 0;
}

int
backoff_http_date_ms(const char *value, int64_t *epoch_ms)
{
	if (value == NULL)
		return -1;
	while (isspace((unsigned char)*value))
		value++;
	return parse_http_date(value, epoch_ms);
}

int64_t
backoff_retry_after_ms(const char *value, int64_t now_ms)
{
	const char *p;
	int64_t when;

	if (value == NULL)
		return -1;
	while (isspace((unsigned char)*value))
		value++;
	if (*value == '\0')
		return -1;
	for (p = value; isdigit((unsigned char)*p); p++)
		;
	if (p != value) {
		char *end;
		long long secs = strtoll(value, &end, 10);
		while (isspace((unsigned char)*end))
			end++;
		if (*end != '\0' || secs < 0)
			return -1;
		if (secs > 86400) /* a day: anything longer is a broken server */
			secs = 86400;
		return (int64_t)secs * 1000;
	}
	if (parse_http_date(value, &when) != 0)
		return -1;
	if (now_ms < 0)
		now_ms = 0; /* before 1970 is no clock we run on; keeps the subtraction in range */
	if (when <= now_ms)
		return 0;
	if (when - now_ms > 86400000) /* a day, as for delta-seconds */
		return 86400000;
	return when - now_ms;
}
