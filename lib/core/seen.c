/* seen.c — see seen.h. */
#include "seen.h"

#include <stdlib.h>
#include <string.h>

struct slot {
	uint64_t fp;     /* 0 = empty */
	int64_t time_ms;
};

struct seen {
	struct slot *slots;
	size_t cap;      /* power of two */
	size_t count;
};

#define MIN_CAP 1024

/* 0 marks an empty slot; a real fingerprint of 0 is stored as 1 (a 2^-64 collision). */
static uint64_t
norm(uint64_t fp)
{
	return fp ? fp : 1;
}

struct seen *
seen_new(void)
{
	struct seen *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->slots = calloc(MIN_CAP, sizeof(*s->slots));
	if (s->slots == NULL) {
		free(s);
		return NULL;
	}
	s->cap = MIN_CAP;
	return s;
}

void
seen_free(struct seen *s)
{
	if (s == NULL)
		return;
	free(s->slots);
	free(s);
}

static struct slot *
find(const struct seen *s, uint64_t fp)
{
	size_t mask = s->cap - 1, i = (size_t)(fp ^ (fp >> 29)) & mask;

	while (s->slots[i].fp != 0 && s->slots[i].fp != fp)
		i = (i + 1) & mask;
	return &s->slots[i];
}

static int
rehash(struct seen *s, size_t ncap)
{
	struct slot *old = s->slots;
	size_t ocap = s->cap;

	s->slots = calloc(ncap, sizeof(*s->slots));
	if (s->slots == NULL) {
		s->slots = old;
		return -1;
	}
	s->cap = ncap;
	for (size_t i = 0; i < ocap; i++)
		if (old[i].fp != 0)
			*find(s, old[i].fp) = old[i];
	free(old);
	return 0;
}

int
seen_add(struct seen *s, uint64_t fp, int64_t time_ms)
{
	struct slot *sl;

	fp = norm(fp);
	/* Keep the load under 1/2: probes stay short. */
	if ((s->count + 1) * 2 > s->cap && rehash(s, s->cap * 2) != 0)
		return -1;
	sl = find(s, fp);
	if (sl->fp == fp)
		return 0;
	sl->fp = fp;
	sl->time_ms = time_ms;
	s->count++;
	return 1;
}

int
seen_has(const struct seen *s, uint64_t fp)
{
	return find(s, norm(fp))->fp != 0;
}

void
seen_expire(struct seen *s, int64_t before_ms)
{
	size_t keep = 0, ncap;
	struct slot *old;

	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i].fp != 0 && s->slots[i].time_ms >= before_ms)
			keep++;
	if (keep == s->count)
		return;
	/* Rebuild rather than delete in place: linear probing needs tombstones otherwise. */
	ncap = MIN_CAP;
	while (keep * 2 > ncap)
		ncap *= 2;
	old = s->slots;
	{
		size_t ocap = s->cap;
		s->slots = calloc(ncap, sizeof(*s->slots));
		if (s->slots == NULL) { /* keep the old set: expiring is only an optimisation */
			s->slots = old;
			return;
		}
		s->cap = ncap;
		s->count = 0;
		for (size_t i = 0; i < ocap; i++) {
			if (old[i].fp != 0 && old[i].time_ms >= before_ms) {
				*find(s, old[i].fp) = old[i];
				s->count++;
			}
		}
	}
	free(old);
}

void
seen_clamp(struct seen *s, int64_t max_ms)
{
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i].fp != 0 && s->slots[i].time_ms > max_ms)
			s->slots[i].time_ms = max_ms;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int
seen_trim(struct seen *s, size_t max)
{
	int64_t *times, cut;
	size_t n = 0;

	if (s->count <= max)
		return 0;
	times = malloc(s->count * sizeof(*times));
	if (times == NULL)
		return -1;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i].fp != 0)
			times[n++] = s->slots[i].time_ms;
	qsort(times, n, sizeof(*times), cmp_i64);
	/* Keep the newest max: everything at or before the time of the first one dropped. */
	cut = times[n - max - 1];
	free(times);
	if (cut == INT64_MAX) { /* cut + 1 would overflow: everything goes */
		memset(s->slots, 0, s->cap * sizeof(*s->slots));
		s->count = 0;
		return 0;
	}
	seen_expire(s, cut + 1);
	return 0;
}

size_t
seen_count(const struct seen *s)
{
	return s->count;
}

void
seen_foreach(const struct seen *s, int (*fn)(void *arg, uint64_t fp, int64_t time_ms),
    void *arg)
{
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i].fp != 0 && fn(arg, s->slots[i].fp, s->slots[i].time_ms) != 0)
			return;
}

int
seen_merge(struct seen *dst, const struct seen *src)
{
	for (size_t i = 0; i < src->cap; i++)
		if (src->slots[i].fp != 0 &&
		    seen_add(dst, src->slots[i].fp, src->slots[i].time_ms) < 0)
			return -1;
	return 0;
}
