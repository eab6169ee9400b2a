/*
 * test_sink_arena.c — the arena behind the sinks' events and shared blobs: allocations
 * are 8-aligned, disjoint and keep their bytes while others come and go; a chunk is freed
 * with its last allocation (valgrind sees any leak or use after free); an arena that
 * keeps nothing empty holds no chunk once everything is released, one that keeps it
 * reuses it from its start; an allocation held back outlives the arena's cleanup; a large
 * one gets its own malloc.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sink_arena.h"

#define N 4000 /* ~9 chunks of the sizes below */

static size_t
size_of(unsigned i)
{
	return 1 + (i * 37) % 300;
}

static void
fill(unsigned char *p, unsigned i)
{
	memset(p, (int)(i & 0xff), size_of(i));
}

static int
intact(const unsigned char *p, unsigned i)
{
	size_t k;

	for (k = 0; k < size_of(i); k++)
		if (p[k] != (i & 0xff))
			return 0;
	return 1;
}

/* FIFO with every 97th allocation held to the end (a retried event). */
static void
test_fifo_with_held(void **state)
{
	static unsigned char *p[N];
	struct sink_arena a;
	unsigned i;

	sink_arena_init(&a, 0);
	for (i = 0; i < N; i++) {
		p[i] = sink_arena_alloc(&a, size_of(i));
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % 8, 0);
		fill(p[i], i);
		/* released a few hundred behind, as batches are delivered */
		if (i >= 300 && (i - 300) % 97 != 0) {
			assert_true(intact(p[i - 300], i - 300));
			sink_arena_free(p[i - 300]);
			p[i - 300] = NULL;
		}
	}
	for (i = 0; i < N; i++)
		if (p[i] != NULL && (i + 300 >= N || i % 97 != 0)) {
			assert_true(intact(p[i], i));
			sink_arena_free(p[i]);
			p[i] = NULL;
		}
	for (i = 0; i < N; i++)
		if (p[i] != NULL) {
			assert_true(intact(p[i], i)); /* the held ones kept their bytes */
			sink_arena_free(p[i]);
		}
	assert_null(a.cur); /* keeps nothing: the last release freed the current chunk */
	sink_arena_cleanup(&a);
}

/* A sink's arena keeps its empty chunk and starts it over. */
static void
test_keep_empty_reuses(void **state)
{
	struct sink_arena a;
	void *x, *y;

	sink_arena_init(&a, 1);
	x = sink_arena_alloc(&a, 100);
	assert_non_null(x);
	sink_arena_free(x);
	assert_non_null(a.cur);
	y = sink_arena_alloc(&a, 100);
	assert_ptr_equal(x, y); /* from the start of the same chunk */
	sink_arena_free(y);
	sink_arena_cleanup(&a); /* frees the empty chunk */
	assert_null(a.cur);
}

/* What is still out when the arena goes frees its chunk on release; large ones alone. */
static void
test_cleanup_held_and_large(void **state)
{
	struct sink_arena a;
	unsigned char *held, *big;

	sink_arena_init(&a, 1);
	held = sink_arena_alloc(&a, 64);
	big = sink_arena_alloc(&a, SINK_ARENA_CHUNK); /* more than a chunk */
	assert_non_null(held);
	assert_non_null(big);
	memset(big, 'b', SINK_ARENA_CHUNK);
	memset(held, 'h', 64);
	sink_arena_cleanup(&a);
	assert_int_equal(held[63], 'h');
	sink_arena_free(held); /* the chunk's last: freed now (valgrind) */
	assert_int_equal(big[SINK_ARENA_CHUNK - 1], 'b');
	sink_arena_free(big);
	sink_arena_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo_with_held),
		cmocka_unit_test(test_keep_empty_reuses),
		cmocka_unit_test(test_cleanup_held_and_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
