/*
 * koffsets.c — see koffsets.h.
 */
#include "koffsets.h"

#include <stdlib.h>

#include "ack.h"

struct kbatch {
	struct kbatch *next;
	struct koffsets *o;
	int64_t last;
	struct ack *ack;        /* NULL once it fired */
	int done, cancelled;
};

struct koffsets {
	struct kbatch *head, *tail, *open;
	int64_t next;
	int losses;
};

struct koffsets *
koffsets_new(void)
{
	struct koffsets *o = calloc(1, sizeof(*o));

	if (o != NULL)
		o->next = -1;
	return o;
}

void
koffsets_free(struct koffsets *o)
{
	if (o == NULL)
		return;
	while (o->head != NULL) {
		struct kbatch *b = o->head;
		o->head = b->next;
		if (b->ack != NULL)
			ack_abandon(b->ack);
		free(b);
	}
	free(o);
}

/* Pops finished batches from the head: what may be committed moves contiguously. */
static void
advance(struct koffsets *o)
{
	while (o->head != NULL && o->head->done && !o->head->cancelled) {
		struct kbatch *b = o->head;
		o->head = b->next;
		if (o->head == NULL)
			o->tail = NULL;
		o->next = b->last + 1;
		free(b);
	}
}

static void
batch_acked(void *arg, const struct ack_counts *c)
{
	struct kbatch *b = arg;

	b->ack = NULL; /* freed by ack.c after we return */
	b->done = 1;
	if (c->dead_letter > 0 || c->dropped > 0)
		b->o->losses = 1;
	if (c->cancelled > 0)
		b->cancelled = 1;
	advance(b->o);
}

struct ack *
koffsets_add(struct koffsets *o, int64_t offset)
{
	struct kbatch *b = o->open;

	if (b != NULL) {
		b->last = offset;
		return b->ack;
	}
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return NULL;
	b->ack = ack_new(batch_acked, b);
	if (b->ack == NULL) {
		free(b);
		return NULL;
	}
	b->o = o;
	b->last = offset;
	if (o->tail != NULL)
		o->tail->next = b;
	else
		o->head = b;
	o->tail = b;
	o->open = b;
	return b->ack;
}

void
koffsets_seal(struct koffsets *o)
{
	struct kbatch *b = o->open;

	if (b == NULL)
		return;
	o->open = NULL;
	ack_seal(b->ack); /* may run batch_acked -> advance -> free b */
}

int64_t
koffsets_next(const struct koffsets *o)
{
	return o->next;
}

void
koffsets_set_next(struct koffsets *o, int64_t off)
{
	if (o->head == NULL)
		o->next = off;
}

int
koffsets_busy(const struct koffsets *o)
{
	return o->head != NULL;
}

int
koffsets_losses(const struct koffsets *o)
{
	return o->losses;
}
