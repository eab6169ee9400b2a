/*
 * ratelimit.h — a token bucket: `rate` tokens a second, at most `burst` saved up.
 *
 * Embedded value type (fields visible, use only the API).  Time is passed in (monotonic
 * ms) so the module stays pure and testable.  A rate of 0 means unlimited.
 */
#ifndef OCI_LOGFWD_RATELIMIT_H
#define OCI_LOGFWD_RATELIMIT_H

#include <stdint.h>

struct ratelimit {
	double rate;      /* tokens per second; 0 = unlimited */
	double burst;     /* bucket size, >= 1 */
	double tokens;    /* tokens available now */
	int64_t last_ms;  /* when tokens was last refilled */
};

/* Starts with a full bucket.  burst < 1 is raised to 1. */
void ratelimit_init(struct ratelimit *rl, double rate, int burst, int64_t now_ms);
/*
 * Takes one token when one is available and returns 0; otherwise takes nothing and
 * returns the wait in ms (>= 1) until one will be.
 */
int64_t ratelimit_take(struct ratelimit *rl, int64_t now_ms);

#endif
