/* ratelimit.c — see ratelimit.h. */
#include "ratelimit.h"

#include <math.h>

void
ratelimit_init(struct ratelimit *rl, double rate, int burst, int64_t now_ms)
{
	rl->rate = rate > 0 ? rate : 0;
	rl->burst = burst < 1 ? 1 : burst;
	rl->tokens = rl->burst;
	rl->last_ms = now_ms;
}

int64_t
ratelimit_take(struct ratelimit *rl, int64_t now_ms)
{
	double wait;

	if (rl->rate <= 0)
		return 0;
	if (now_ms > rl->last_ms) {
		rl->tokens += (double)(now_ms - rl->last_ms) * rl->rate / 1000.0;
		if (rl->tokens > rl->burst)
			rl->tokens = rl->burst;
		rl->last_ms = now_ms;
	}
	if (rl->tokens >= 1.0) {
		rl->tokens -= 1.0;
		return 0;
	}
	/* Round up so the caller's timer never fires a hair too early and spins. */
	wait = ceil((1.0 - rl->tokens) * 1000.0 / rl->rate);
	return wait < 1 ? 1 : (int64_t)wait;
}
