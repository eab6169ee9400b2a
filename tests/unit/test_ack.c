/*
 * test_ack.c — delivery accounting: counts per result, the callback runs exactly once and
 * only when sealed with nothing outstanding, abandon never calls back, and the ack is freed
 * in every case (run under valgrind to see the last); ack_done_n is ack_done n times.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ack.h"

struct seen {
	int calls;
	struct ack_counts counts;
};

static void
on_done(void *arg, const struct ack_counts *c)
{
	struct seen *s = arg;

	s->calls++;
	s->counts = *c;
}

static void
test_counts_and_once(void **state)
{
	struct seen s;
	struct ack *a;

	memset(&s, 0, sizeof(s));
	a = ack_new(on_done, &s);
	assert_non_null(a);
	ack_add(a, 3);
	ack_add(a, 2);
	assert_int_equal(ack_outstanding(a), 5);
	ack_done(a, ACK_DELIVERED);
	ack_done(a, ACK_DELIVERED);
	ack_done(a, ACK_DEAD_LETTER);
	ack_done(a, ACK_DROPPED);
	assert_int_equal(ack_outstanding(a), 1);
	assert_int_equal(s.calls, 0); /* not sealed yet */
	ack_seal(a);
	assert_int_equal(s.calls, 0); /* sealed, but one event is still out */
	ack_done(a, ACK_CANCELLED);   /* runs the callback and frees a */
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.counts.delivered, 2);
	assert_int_equal(s.counts.dead_letter, 1);
	assert_int_equal(s.counts.dropped, 1);
	assert_int_equal(s.counts.cancelled, 1);
}

/* All events finish before the producer seals: the callback waits for the seal. */
/* ack_done_n(n) is n ack_done calls: counts per result, the callback once, at the last. */
static void
test_done_n(void **state)
{
	struct seen s;
	struct ack *a;

	memset(&s, 0, sizeof(s));
	a = ack_new(on_done, &s);
	assert_non_null(a);
	ack_add(a, 10);
	ack_seal(a);
	ack_done_n(a, ACK_DELIVERED, 0); /* nothing */
	assert_int_equal(ack_outstanding(a), 10);
	ack_done_n(a, ACK_DELIVERED, 6);
	ack_done_n(a, ACK_DEAD_LETTER, 2);
	assert_int_equal(ack_outstanding(a), 2);
	assert_int_equal(s.calls, 0);
	ack_done(a, ACK_DROPPED);
	ack_done_n(a, ACK_CANCELLED, 1); /* the last: calls back and frees a */
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.counts.delivered, 6);
	assert_int_equal(s.counts.dead_letter, 2);
	assert_int_equal(s.counts.dropped, 1);
	assert_int_equal(s.counts.cancelled, 1);
}

static void
test_seal_after_done(void **state)
{
	struct seen s;
	struct ack *a;
	int i;

	memset(&s, 0, sizeof(s));
	a = ack_new(on_done, &s);
	assert_non_null(a);
	for (i = 0; i < 100; i++) {
		ack_add(a, 1);
		ack_done(a, ACK_DELIVERED);
		assert_int_equal(s.calls, 0);
	}
	assert_int_equal(ack_outstanding(a), 0);
	ack_seal(a);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.counts.delivered, 100);
	assert_int_equal(s.counts.dead_letter + s.counts.dropped + s.counts.cancelled, 0);
}

/* A window that routed nothing finishes at its seal, with zero counts. */
static void
test_empty_seal(void **state)
{
	struct seen s;

	memset(&s, 0xff, sizeof(s));
	s.calls = 0;
	ack_seal(ack_new(on_done, &s));
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.counts.delivered, 0);
	assert_int_equal(s.counts.cancelled, 0);
}

/* Abandoned: the callback never runs, neither now nor when the last event finishes. */
static void
test_abandon(void **state)
{
	struct seen s;
	struct ack *a;

	memset(&s, 0, sizeof(s));
	a = ack_new(on_done, &s);
	assert_non_null(a);
	ack_add(a, 2);
	ack_abandon(a);
	assert_int_equal(s.calls, 0);
	ack_done(a, ACK_DELIVERED);
	assert_int_equal(s.calls, 0);
	ack_done(a, ACK_DEAD_LETTER); /* frees a; valgrind sees no leak */
	assert_int_equal(s.calls, 0);
	/* Abandoned with nothing outstanding: freed at once, still no callback. */
	ack_abandon(ack_new(on_done, &s));
	assert_int_equal(s.calls, 0);
}

/* A callback-less ack (fn NULL) is legal and is freed when done. */
static void
test_null_callback(void **state)
{
	struct ack *a = ack_new(NULL, NULL);

	assert_non_null(a);
	ack_add(a, 1);
	ack_seal(a);
	ack_done(a, ACK_DELIVERED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_and_once),
		cmocka_unit_test(test_done_n),
		cmocka_unit_test(test_seal_after_done),
		cmocka_unit_test(test_empty_seal),
		cmocka_unit_test(test_abandon),
		cmocka_unit_test(test_null_callback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
