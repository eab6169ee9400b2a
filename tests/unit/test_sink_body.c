/* test_sink_body.c — a body of pieces reads back byte for byte as the flat body would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sink_body.h"

/* Builds "[" item0 "," item1 ... "]" with items borrowed from one string; expected in want. */
static void
build(struct sink_body *b, const char *src, size_t nitems, size_t itemlen, struct buf *want)
{
	size_t i;

	buf_reset(want);
	assert_int_equal(buf_append_str(sink_body_glue(b), "["), 0);
	buf_append_str(want, "[");
	for (i = 0; i < nitems; i++) {
		if (i > 0) {
			assert_int_equal(buf_append_str(sink_body_glue(b), ","), 0);
			buf_append_str(want, ",");
		}
		assert_int_equal(sink_body_ref(b, src + i * itemlen, itemlen), 0);
		buf_append(want, src + i * itemlen, itemlen);
	}
	assert_int_equal(buf_append_str(sink_body_glue(b), "]"), 0);
	buf_append_str(want, "]");
	assert_int_equal(sink_body_end(b), 0);
}

static char *
source_text(size_t n)
{
	char *s = malloc(n + 1);
	size_t i;

	assert_non_null(s);
	for (i = 0; i < n; i++)
		s[i] = (char)('a' + (i * 7 + i / 13) % 26);
	s[n] = '\0';
	return s;
}

static void
test_read_sequential_any_slice(void **state)
{
	struct sink_body b;
	struct buf want, got;
	char *src = source_text(5000);
	char chunk[97];
	size_t off, n;

	(void)state;
	sink_body_init(&b);
	buf_init(&want, 0);
	buf_init(&got, 0);
	assert_int_equal(sink_body_reserve(&b, 81), 0);
	assert_int_equal(b.cap, 81);
	build(&b, src, 40, 100, &want);
	assert_int_equal(b.cap, 81); /* reserved: never regrown */
	assert_int_equal(b.len, want.len);
	/* "[", item, ",", item, ..., "]": 2 * 40 + 1 pieces */
	assert_int_equal(b.n, 81);
	for (off = 0; (n = sink_body_read(&b, off, chunk, sizeof(chunk))) > 0; off += n) {
		assert_true(n <= sizeof(chunk));
		buf_append(&got, chunk, n);
	}
	assert_int_equal(got.len, want.len);
	assert_memory_equal(got.data, want.data, want.len);
	/* past the end */
	assert_int_equal(sink_body_read(&b, want.len, chunk, sizeof(chunk)), 0);
	assert_int_equal(sink_body_read(&b, want.len + 5, chunk, sizeof(chunk)), 0);
	buf_cleanup(&got);
	buf_cleanup(&want);
	sink_body_cleanup(&b);
	free(src);
}

/* curl rewinds (a dead kept-alive connection): reads from 0, or any offset, again. */
static void
test_read_rewind_and_offsets(void **state)
{
	struct sink_body b;
	struct buf want;
	char *src = source_text(3000);
	char chunk[4096];
	size_t off, n;

	(void)state;
	sink_body_init(&b);
	buf_init(&want, 0);
	build(&b, src, 25, 111, &want);
	n = sink_body_read(&b, 0, chunk, 1000);
	assert_int_equal(n, 1000);
	n = sink_body_read(&b, 1000, chunk, 500);
	assert_int_equal(n, 500);
	assert_memory_equal(chunk, want.data + 1000, 500);
	for (off = 0; off < want.len; off += 37) {
		n = sink_body_read(&b, off, chunk, 211);
		assert_int_equal(n, want.len - off < 211 ? want.len - off : 211);
		assert_memory_equal(chunk, want.data + off, n);
	}
	n = sink_body_read(&b, 0, chunk, sizeof(chunk));
	assert_int_equal(n, want.len);
	assert_memory_equal(chunk, want.data, want.len);
	buf_cleanup(&want);
	sink_body_cleanup(&b);
	free(src);
}

static void
test_flat_and_reset(void **state)
{
	struct sink_body b;
	struct buf want, scratch;
	char *src = source_text(1000);
	const char *p;
	size_t len;

	(void)state;
	sink_body_init(&b);
	buf_init(&want, 0);
	buf_init(&scratch, 0);
	build(&b, src, 9, 50, &want);
	p = sink_body_flat(&b, &scratch, &len);
	assert_int_equal(len, want.len);
	assert_ptr_equal(p, scratch.data);
	assert_memory_equal(p, want.data, len);
	/* A body that is glue only is its own flat form (no copy). */
	sink_body_reset(&b);
	assert_int_equal(b.len, 0);
	buf_append_str(sink_body_glue(&b), "{\"whole\":1}");
	assert_int_equal(sink_body_end(&b), 0);
	p = sink_body_flat(&b, &scratch, &len);
	assert_ptr_equal(p, b.glue.data);
	assert_int_equal(len, 11);
	assert_memory_equal(p, "{\"whole\":1}", 11);
	/* Empty */
	sink_body_reset(&b);
	assert_int_equal(sink_body_end(&b), 0);
	p = sink_body_flat(&b, &scratch, &len);
	assert_int_equal(len, 0);
	assert_int_equal(sink_body_read(&b, 0, scratch.data, 1), 0);
	buf_cleanup(&scratch);
	buf_cleanup(&want);
	sink_body_cleanup(&b);
	free(src);
}

/* Items next to each other in memory make one piece; zero-length ones none. */
static void
test_adjacent_merge(void **state)
{
	struct sink_body b;
	const char *s = "abcdef";
	char out[8];

	(void)state;
	sink_body_init(&b);
	assert_int_equal(sink_body_ref(&b, s, 2), 0);
	assert_int_equal(sink_body_ref(&b, s + 2, 0), 0);
	assert_int_equal(sink_body_ref(&b, s + 2, 4), 0);
	assert_int_equal(sink_body_end(&b), 0);
	assert_int_equal(b.n, 1);
	assert_int_equal(sink_body_read(&b, 0, out, sizeof(out)), 6);
	assert_memory_equal(out, "abcdef", 6);
	sink_body_cleanup(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_sequential_any_slice),
		cmocka_unit_test(test_read_rewind_and_offsets),
		cmocka_unit_test(test_flat_and_reset),
		cmocka_unit_test(test_adjacent_merge),
	};
	return cmocka_run_group_tests_name("sink_body", tests, NULL, NULL);
}
