/* test_queue.c — FIFO order, growth across the ring's wrap, byte accounting, bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "queue.h"

static void
test_fifo_and_wrap(void **state)
{
	struct queue *q = queue_new(0, 0);
	uintptr_t i, next = 1;
	size_t bytes;

	assert_non_null(q);
	assert_null(queue_pop(q, NULL));
	/* Interleave pushes and pops so the head wraps around while the ring grows. */
	for (i = 1; i <= 1000; i++) {
		assert_int_equal(queue_push(q, (void *)i, i), 0);
		if (i % 3 == 0) {
			assert_ptr_equal(queue_pop(q, &bytes), (void *)next);
			assert_int_equal(bytes, next);
			next++;
		}
	}
	assert_int_equal(queue_events(q), 1000 - 333);
	assert_ptr_equal(queue_peek(q, &bytes), (void *)next);
	while (queue_events(q) > 0) {
		assert_ptr_equal(queue_pop(q, NULL), (void *)next);
		next++;
	}
	assert_int_equal(next, 1001);
	assert_int_equal(queue_bytes(q), 0);
	queue_free(q);
	queue_free(NULL);
}

static void
test_push_front(void **state)
{
	struct queue *q = queue_new(0, 0);
	uintptr_t i;

	for (i = 10; i < 200; i++)
		assert_int_equal(queue_push(q, (void *)i, 1), 0);
	for (i = 9; i >= 1; i--)
		assert_int_equal(queue_push_front(q, (void *)i, 2), 0);
	assert_int_equal(queue_bytes(q), 190 + 18);
	for (i = 1; i < 200; i++)
		assert_ptr_equal(queue_pop(q, NULL), (void *)i);
	assert_null(queue_peek(q, NULL));
	queue_free(q);
}

static void
test_bounds(void **state)
{
	struct queue *q = queue_new(3, 100);
	int x;

	assert_false(queue_full(q));
	queue_push(q, &x, 10);
	queue_push(q, &x, 10);
	assert_false(queue_full(q));
	queue_push(q, &x, 10);
	assert_true(queue_full(q)); /* 3 events */
	/* The bound is advisory: pushes past it still succeed. */
	assert_int_equal(queue_push(q, &x, 10), 0);
	assert_int_equal(queue_events(q), 4);
	while (queue_pop(q, NULL) != NULL)
		;
	queue_push(q, &x, 99);
	assert_false(queue_full(q));
	queue_push(q, &x, 1);
	assert_true(queue_full(q)); /* 100 bytes */
	queue_free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo_and_wrap),
		cmocka_unit_test(test_push_front),
		cmocka_unit_test(test_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
