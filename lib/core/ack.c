/* ack.c — see ack.h. */
#include "ack.h"

#include <stdlib.h>

struct ack {
	ack_done_fn fn; /* NULL once abandoned */
	void *arg;
	uint32_t outstanding;
	int sealed;
	struct ack_counts counts;
};

struct ack *
ack_new(ack_done_fn fn, void *arg)
{
	struct ack *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->fn = fn;
	a->arg = arg;
	return a;
}

void
ack_add(struct ack *a, uint32_t n)
{
	a->outstanding += n;
}

/* Runs the callback and frees when nothing more can happen to a. */
static void
maybe_finish(struct ack *a)
{
	if (!a->sealed || a->outstanding > 0)
		return;
	if (a->fn != NULL)
		a->fn(a->arg, &a->counts);
	free(a);
}

void
ack_done(struct ack *a, enum ack_result r)
{
	ack_done_n(a, r, 1);
}

void
ack_done_n(struct ack *a, enum ack_result r, uint32_t n)
{
	if (n == 0)
		return;
	if (a->outstanding < n)
		abort(); /* an event acknowledged twice: a bug we must not paper over */
	a->outstanding -= n;
	switch (r) {
	case ACK_DELIVERED: a->counts.delivered += n; break;
	case ACK_DEAD_LETTER: a->counts.dead_letter += n; break;
	case ACK_DROPPED: a->counts.dropped += n; break;
	case ACK_CANCELLED: a->counts.cancelled += n; break;
	}
	maybe_finish(a);
}

void
ack_seal(struct ack *a)
{
	a->sealed = 1;
	maybe_finish(a);
}

void
ack_abandon(struct ack *a)
{
	a->fn = NULL;
	a->sealed = 1;
	maybe_finish(a);
}

uint32_t
ack_outstanding(const struct ack *a)
{
	return a->outstanding;
}
