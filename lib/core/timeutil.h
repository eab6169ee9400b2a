/*
 * timeutil.h — the program's clock, libevent timers in milliseconds, RFC 3339 times and
 * proleptic Gregorian calendar arithmetic.
 *
 * Every time the program keeps is int64 milliseconds since the Unix epoch (UTC) or, for
 * durations and deadlines, monotonic milliseconds; event times from OCI are int64
 * nanoseconds.  The calendar functions are pure arithmetic (no time_t, no tm, no locale,
 * no time zone), so they work for any year in range and cost no system call.
 */
#ifndef OCI_LOGFWD_TIMEUTIL_H
#define OCI_LOGFWD_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

struct event;

/* Wall clock (epoch ms) and monotonic clock (ms since an arbitrary start). */
int64_t timeutil_now_ms(void);
int64_t timeutil_mono_ms(void);

/* ms as a struct timeval (a negative ms as 0). */
struct timeval timeutil_timeval(int64_t ms);
/* Adds ev (a timer event) with a timeout of ms (a negative ms: at once).  evtimer_add's 0 or
 * -1. */
int timeutil_timer_add(struct event *ev, int64_t ms);

/* Days since 1970-01-01 of year y, month m (1..12), day d (1..31) of the proleptic
 * Gregorian calendar (H. Hinnant's days_from_civil); a day beyond the month's last counts
 * on into the next month, as timegm() does. */
int64_t timeutil_days_from_civil(int64_t y, unsigned m, unsigned d);
/* The inverse: the date of days since 1970-01-01. */
void timeutil_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/* Room for "YYYY-MM-DDTHH:MM:SS.mmmZ" and its NUL. */
#define TIMEUTIL_RFC3339_SIZE 25

enum timeutil_frac {
	TIMEUTIL_MS,         /* always ".mmm": 2025-03-14T09:00:05.000Z */
	TIMEUTIL_MS_IF_ANY,  /* ".mmm" only when not 0: 2025-03-14T09:00:05Z */
	TIMEUTIL_SECONDS,    /* never: the milliseconds are dropped */
};

/*
 * Writes epoch ms as RFC 3339 UTC ("Z") into out (TIMEUTIL_RFC3339_SIZE bytes); times
 * before the epoch round down.  Returns the length, or 0 with out = "" when the year is
 * outside 0000..9999 (RFC 3339 has four-digit years): the caller says what it shows then.
 */
size_t timeutil_format_rfc3339(int64_t ms, enum timeutil_frac frac, char *out);

/*
 * Parses RFC 3339 "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" from p[0..len): 'T' may
 * also be 't' or ' ', 'Z' also 'z'; the date must exist (February 29th only in leap
 * years); a leap second (:60) counts as :59.  *secs = seconds since the epoch, *nanos =
 * the fraction in ns (digits beyond ns truncated).  0, or -1 when malformed.
 */
int timeutil_parse_rfc3339(const char *p, size_t len, int64_t *secs, int32_t *nanos);
/* The same for a NUL-terminated s, as epoch ms (the fraction truncated to ms). */
int timeutil_parse_rfc3339_ms(const char *s, int64_t *ms);
/* Largest |seconds| whose ns (plus a fraction) fits in int64: 2262-04-11. */
#define TIMEUTIL_NS_MAX_SECS 9223372035LL
/* The same for p[0..len), as epoch ns; -1 also when that does not fit int64 (|seconds|
 * above TIMEUTIL_NS_MAX_SECS). */
int timeutil_parse_rfc3339_ns(const char *p, size_t len, int64_t *ns);

#endif
