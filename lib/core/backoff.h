/*
 * backoff.h — exponential backoff with full jitter, and Retry-After parsing.
 *
 * Attempt n (from 0) waits a uniformly random time in [initial, min(max, initial * 2^n)]:
 * the jitter spreads retries from many clients, the floor keeps a retry from hammering, and
 * the cap bounds the wait.  Embedded value type; use only the API.
 */
#ifndef OCI_LOGFWD_BACKOFF_H
#define OCI_LOGFWD_BACKOFF_H

#include <stdint.h>

struct backoff {
	int64_t initial_ms;
	int64_t max_ms;
	unsigned attempt;
	uint64_t rng; /* xorshift state, seeded per instance */
};

void backoff_init(struct backoff *b, int64_t initial_ms, int64_t max_ms);
/* The delay before the next attempt; advances the attempt count. */
int64_t backoff_next(struct backoff *b);
/* After a success. */
void backoff_reset(struct backoff *b);
unsigned backoff_attempts(const struct backoff *b);

/*
 * A Retry-After header value: delta-seconds or an HTTP-date (RFC 9110), relative to
 * now_ms (epoch ms).  Returns the wait in ms (0 for a date in the past, at most a day: a
 * longer one is a broken server), or -1 when the value is absent or malformed.  Callers
 * wait at least their backoff delay and cap the result further (search.h, sink.h).
 */
int64_t backoff_retry_after_ms(const char *value, int64_t now_ms);

/* An IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT", a Date or Retry-After value) as epoch
 * ms: 0, or -1 when it is not one. */
int backoff_http_date_ms(const char *value, int64_t *epoch_ms);

#endif
