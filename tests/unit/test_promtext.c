/* test_promtext.c — the Prometheus text parser behind `oci-logfwd status`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "metrics.h"
#include "promtext.h"

/* Every sample as one "name|l=v|l=v|value" line, to compare with a string. */
struct seen {
	struct buf out;
	int stop_after; /* 0 = never */
	int n;
};

static int
collect(void *arg, const char *name, const struct promtext_label *labels, size_t n_labels,
    double value)
{
	struct seen *s = arg;

	buf_append_str(&s->out, name);
	for (size_t i = 0; i < n_labels; i++)
		buf_printf(&s->out, "|%s=%s", labels[i].name, labels[i].value);
	if (isnan(value))
		buf_append_str(&s->out, "|NaN\n");
	else
		buf_printf(&s->out, "|%g\n", value);
	s->n++;
	return s->stop_after && s->n >= s->stop_after ? -1 : 0;
}

static long
parse(const char *text, struct seen *s, char *err, size_t errlen)
{
	buf_init(&s->out, 0);
	buf_append_str(&s->out, ""); /* data is never NULL below */
	return promtext_parse(text, strlen(text), collect, s, err, errlen);
}

/* What the daemon's own writer (metrics.c) produces parses back to the same samples. */
static void
test_round_trip_of_the_writer(void **state)
{
	struct buf page;
	struct seen s = { 0 };
	char err[128];
	const char *l[] = { "sink", "a\"b\\c\nd", "code", "200", NULL };
	const double bounds[] = { 0.5 };
	const uint64_t counts[] = { 1, 2 };

	buf_init(&page, 0);
	metrics_family(&page, "x_total", "counter", "Things \"quoted\".");
	metrics_sample(&page, "x_total", l, 42);
	metrics_sample(&page, "y", NULL, 0.25);
	metrics_histogram(&page, "h", l + 2, bounds, counts, 1, 7.5, 3);
	assert_int_equal(parse(page.data, &s, err, sizeof(err)), 6);
	assert_string_equal(s.out.data,
	    "x_total|sink=a\"b\\c\nd|code=200|42\n"
	    "y|0.25\n"
	    "h_bucket|code=200|le=0.5|1\n"
	    "h_bucket|code=200|le=+Inf|3\n"
	    "h_sum|code=200|7.5\n"
	    "h_count|code=200|3\n");
	buf_cleanup(&s.out);
	buf_cleanup(&page);
}

static void
test_format_corners(void **state)
{
	struct seen s = { 0 };
	char err[128];

	/* CRLF, blanks, comments, spaces inside braces, trailing comma, timestamps, special
	 * values, exponent, no final newline. */
	assert_int_equal(parse("# HELP a x\r\n\r\n  # comment\n"
			       "a{ x = \"1\" , } 1e3 1700000000000\r\n"
			       "b +Inf\nc -Inf\nd NaN\ne -0.5 -12\nf{} 3",
			     &s, err, sizeof(err)),
	    6);
	assert_string_equal(s.out.data, "a|x=1|1000\nb|inf\nc|-inf\nd|NaN\ne|-0.5\nf|3\n");
	buf_cleanup(&s.out);
}

static void
expect_error(const char *text, size_t len, const char *want)
{
	struct seen s = { 0 };
	char err[128];

	buf_init(&s.out, 0);
	assert_int_equal(promtext_parse(text, len, collect, &s, err, sizeof(err)), -1);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
	buf_cleanup(&s.out);
}

#define EXPECT_ERROR(text, want) expect_error(text, sizeof(text) - 1, want)

static void
test_errors(void **state)
{
	char *big;
	struct buf many;

	EXPECT_ERROR("ok 1\n9bad 1\n", "line 2: a metric name");
	EXPECT_ERROR("a{x=\"1} 2\n", "line 1: unterminated label value");
	EXPECT_ERROR("a{x=1} 2\n", "expected \"");
	EXPECT_ERROR("a{x\"1\"} 2\n", "expected =");
	EXPECT_ERROR("a{x=\"1\" y=\"2\"} 2\n", "expected , or }");
	EXPECT_ERROR("a{x=\"\\t\"} 2\n", "bad escape");
	EXPECT_ERROR("a{9=\"1\"} 2\n", "bad label name");
	EXPECT_ERROR("a\n", "without a value");
	EXPECT_ERROR("a 0x10\n", "is not a number");
	EXPECT_ERROR("a infinity\n", "is not a number");
	EXPECT_ERROR("a 1e999\n", "is not a number");
	EXPECT_ERROR("a 1 12x\n", "bad timestamp");
	EXPECT_ERROR("a 1 12 more\n", "text after the timestamp");
	EXPECT_ERROR("a-b 1\n", "bad character");
	EXPECT_ERROR("a 1\nb\0 1\n", "line 2: a NUL byte");
	EXPECT_ERROR("<html><body>hello</body></html>\n", "line 1: a metric name");

	/* One line beyond the limit. */
	big = malloc(PROMTEXT_MAX_LINE + 16);
	assert_non_null(big);
	memset(big, 'a', PROMTEXT_MAX_LINE + 1);
	memcpy(big + PROMTEXT_MAX_LINE + 1, " 1\n", 3);
	expect_error(big, PROMTEXT_MAX_LINE + 4, "longer than");
	free(big);

	/* One label too many. */
	buf_init(&many, 0);
	buf_append_str(&many, "a{");
	for (int i = 0; i <= PROMTEXT_MAX_LABELS; i++)
		buf_printf(&many, "l%d=\"v\",", i);
	buf_append_str(&many, "} 1\n");
	expect_error(many.data, many.len, "labels");
	buf_cleanup(&many);
}

static void
test_callback_stops_and_helpers(void **state)
{
	struct seen s = { .stop_after = 2 };
	char err[128];
	const struct promtext_label l[] = { { "source", "audit" }, { "code", "200" } };

	assert_int_equal(parse("a 1\nb 2\nc 3\n", &s, err, sizeof(err)), -1);
	assert_string_equal(err, "line 2: stopped");
	assert_int_equal(s.n, 2);
	buf_cleanup(&s.out);
	assert_string_equal(promtext_label(l, 2, "code"), "200");
	assert_null(promtext_label(l, 2, "sink"));
	/* An empty page is 0 samples, not an error; a NULL callback only validates. */
	assert_int_equal(promtext_parse("", 0, collect, &s, err, sizeof(err)), 0);
	assert_int_equal(promtext_parse("a 1\n", 4, NULL, NULL, err, sizeof(err)), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_of_the_writer),
		cmocka_unit_test(test_format_corners),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_callback_stops_and_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
