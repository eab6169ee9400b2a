/* queue.c — see queue.h. */
#include "queue.h"

#include <stdlib.h>

struct slot {
	void *item;
	size_t bytes;
};

struct queue {
	struct slot *ring;
	size_t cap;  /* slots allocated: 0 or a power of two */
	size_t head; /* index of the oldest entry */
	size_t n;
	uint64_t bytes;
	uint64_t max_events, max_bytes;
};

struct queue *
queue_new(uint64_t max_events, uint64_t max_bytes)
{
	struct queue *q = calloc(1, sizeof(*q));

	if (q == NULL)
		return NULL;
	q->max_events = max_events;
	q->max_bytes = max_bytes;
	return q;
}

void
queue_free(struct queue *q)
{
	if (q == NULL)
		return;
	free(q->ring);
	free(q);
}

/* Doubles the ring, unwrapping it so that head is 0 again. */
static int
grow(struct queue *q)
{
	size_t ncap = q->cap ? q->cap * 2 : 64, i;
	struct slot *r;

	if (ncap > SIZE_MAX / sizeof(*r))
		return -1;
	r = malloc(ncap * sizeof(*r));
	if (r == NULL)
		return -1;
	for (i = 0; i < q->n; i++)
		r[i] = q->ring[(q->head + i) & (q->cap - 1)];
	free(q->ring);
	q->ring = r;
	q->cap = ncap;
	q->head = 0;
	return 0;
}

int
queue_push(struct queue *q, void *item, size_t bytes)
{
	struct slot *s;

	if (q->n == q->cap && grow(q) != 0)
		return -1;
	s = &q->ring[(q->head + q->n) & (q->cap - 1)];
	s->item = item;
	s->bytes = bytes;
	q->n++;
	q->bytes += bytes;
	return 0;
}

int
queue_push_front(struct queue *q, void *item, size_t bytes)
{
	if (q->n == q->cap && grow(q) != 0)
		return -1;
	q->head = (q->head + q->cap - 1) & (q->cap - 1);
	q->ring[q->head].item = item;
	q->ring[q->head].bytes = bytes;
	q->n++;
	q->bytes += bytes;
	return 0;
}

void *
queue_pop(struct queue *q, size_t *bytes)
{
	struct slot s;

	if (q->n == 0)
		return NULL;
	s = q->ring[q->head];
	q->head = (q->head + 1) & (q->cap - 1);
	q->n--;
	q->bytes -= s.bytes;
	if (bytes != NULL)
		*bytes = s.bytes;
	return s.item;
}

void *
queue_peek(const struct queue *q, size_t *bytes)
{
	if (q->n == 0)
		return NULL;
	if (bytes != NULL)
		*bytes = q->ring[q->head].bytes;
	return q->ring[q->head].item;
}

uint64_t
queue_events(const struct queue *q)
{
	return q->n;
}

uint64_t
queue_bytes(const struct queue *q)
{
	return q->bytes;
}

int
queue_full(const struct queue *q)
{
	return (q->max_events > 0 && q->n >= q->max_events) ||
	    (q->max_bytes > 0 && q->bytes >= q->max_bytes);
}
