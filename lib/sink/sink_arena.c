/* sink_arena.c — see sink_arena.h. */
#include "sink_arena.h"

#include <stdint.h>
#include <stdlib.h>

struct sink_arena_chunk {
	struct sink_arena *arena; /* the arena it is current in, else NULL */
	size_t live;              /* allocations not released yet */
	size_t used;              /* bytes of data handed out */
	size_t pad;               /* data stays 16-aligned */
	char data[];
};

/* Each allocation is preceded by its chunk (NULL: a malloc of its own). */
#define HDR sizeof(struct sink_arena_chunk *)
#define CAP (SINK_ARENA_CHUNK - sizeof(struct sink_arena_chunk))

void
sink_arena_init(struct sink_arena *a, int keep_empty)
{
	a->cur = NULL;
	a->keep_empty = keep_empty;
}

void *
sink_arena_alloc(struct sink_arena *a, size_t n)
{
	struct sink_arena_chunk *c = a->cur, **h;
	size_t need;

	if (n > CAP / 4) {
		if (n > SIZE_MAX - HDR)
			return NULL;
		h = malloc(HDR + n);
		if (h == NULL)
			return NULL;
		*h = NULL;
		return h + 1;
	}
	need = HDR + ((n + 7) & ~(size_t)7);
	if (c != NULL && CAP - c->used < need) {
		/* Full: its last allocation frees it, or it is empty and starts over. */
		if (c->live > 0) {
			c->arena = NULL;
			c = a->cur = NULL;
		} else {
			c->used = 0;
		}
	}
	if (c == NULL) {
		c = malloc(SINK_ARENA_CHUNK);
		if (c == NULL)
			return NULL;
		c->arena = a;
		c->live = 0;
		c->used = 0;
		a->cur = c;
	}
	h = (struct sink_arena_chunk **)(c->data + c->used);
	c->used += need;
	c->live++;
	*h = c;
	return h + 1;
}

void
sink_arena_free(void *p)
{
	struct sink_arena_chunk **h, *c;

	if (p == NULL)
		return;
	h = (struct sink_arena_chunk **)p - 1;
	c = *h;
	if (c == NULL) {
		free(h);
		return;
	}
	if (--c->live > 0)
		return;
	if (c->arena != NULL && c->arena->keep_empty) {
		c->used = 0; /* still current: reused from its start, warm */
		return;
	}
	if (c->arena != NULL)
		c->arena->cur = NULL;
	free(c);
}

void
sink_arena_cleanup(struct sink_arena *a)
{
	struct sink_arena_chunk *c = a->cur;

	a->cur = NULL;
	if (c == NULL)
		return;
	c->arena = NULL;
	if (c->live == 0)
		free(c);
}
