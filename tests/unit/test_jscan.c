/* test_jscan.c — jscan against yajl itself: on every sample page, hand-made edge cases
 * and thousands of deterministic mutations of them, both must accept or reject alike
 * and, when they accept, emit the same callbacks with the same values and the same
 * bytes-consumed positions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "buf.h"
#include "jscan.h"

#define SAMPLES "tests/data/samples/"

struct rec {
	struct buf log;
	yajl_handle h;     /* set when recording yajl */
	struct jscan *js;  /* set when recording jscan */
	int stop_at;       /* callback number that returns 0; -1 = never */
	int count;
};

static size_t
pos(const struct rec *r)
{
	return r->h != NULL ? (size_t)yajl_get_bytes_consumed(r->h) : jscan_consumed(r->js);
}

static int
ev(struct rec *r, const char *what, const void *s, size_t n)
{
	buf_printf(&r->log, "%s@%zu:", what, pos(r));
	if (s != NULL)
		buf_append(&r->log, s, n);
	buf_append_char(&r->log, '\n');
	return r->count++ != r->stop_at;
}

static int c_null(void *c) { return ev(c, "null", NULL, 0); }
static int c_bool(void *c, int b) { return ev(c, b ? "true" : "false", NULL, 0); }
static int c_num(void *c, const char *s, size_t n) { return ev(c, "num", s, n); }
static int c_str(void *c, const unsigned char *s, size_t n) { return ev(c, "str", s, n); }
static int c_key(void *c, const unsigned char *s, size_t n) { return ev(c, "key", s, n); }
static int c_sm(void *c) { return ev(c, "{", NULL, 0); }
static int c_em(void *c) { return ev(c, "}", NULL, 0); }
static int c_sa(void *c) { return ev(c, "[", NULL, 0); }
static int c_ea(void *c) { return ev(c, "]", NULL, 0); }

static const yajl_callbacks cbs = {
	c_null, c_bool, NULL, NULL, c_num, c_str, c_sm, c_key, c_em, c_sa, c_ea,
};

/* 0 ok, 1 stopped, -1 invalid; the callback log in r->log. */
static int
run_yajl(struct rec *r, const char *in, size_t len, int flags)
{
	yajl_status st;

	r->h = yajl_alloc(&cbs, NULL, r);
	assert_non_null(r->h);
	if (!(flags & JSCAN_VALIDATE_UTF8))
		yajl_config(r->h, yajl_dont_validate_strings, 1);
	if (flags & JSCAN_MULTIPLE)
		yajl_config(r->h, yajl_allow_multiple_values, 1);
	st = yajl_parse(r->h, (const unsigned char *)in, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(r->h);
	yajl_free(r->h);
	r->h = NULL;
	return st == yajl_status_ok ? 0 : st == yajl_status_client_canceled ? 1 : -1;
}

static int
run_jscan(struct rec *r, struct jscan *js, const char *in, size_t len, int flags)
{
	r->js = js;
	return jscan_parse(js, &cbs, r, in, len, flags);
}

static long compared, accepted, tolerated;
/* yajl reports a top-level number at the end of the input with 0 bytes consumed (it is
 * lexed by yajl_complete_parse): for top-level scalars only the verdicts are compared. */
static int verdict_only;

static void
same(struct jscan *js, const char *in, size_t len, int flags, int stop_at)
{
	struct rec a, b;
	int ra, rb;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	buf_init(&a.log, 0);
	buf_init(&b.log, 0);
	a.stop_at = b.stop_at = stop_at;
	ra = run_yajl(&a, in, len, flags);
	rb = run_jscan(&b, js, in, len, flags);
	/* The one documented difference (jscan.h): yajl with allow_multiple_values accepts
	 * an unterminated token after a complete value at the end of the input. */
	if ((flags & JSCAN_MULTIPLE) && ra == 0 && rb == -1 &&
	    strcmp(jscan_error(js), "premature EOF") == 0 && a.log.len > 0) {
		tolerated++;
		goto out;
	}
	if (ra != rb)
		fail_msg("yajl %d, jscan %d (%s) on %zu bytes: %.*s", ra, rb, jscan_error(js), len,
		    (int)(len > 300 ? 300 : len), in);
	/* Both accepted (or stopped): the same events, values and positions.  After an
	 * error only the verdict counts (yajl reports some errors a token later). */
	if (ra >= 0 && !verdict_only && (a.log.len != b.log.len || memcmp(a.log.data, b.log.data, a.log.len) != 0))
		fail_msg("different callbacks on %.*s\nyajl:\n%.*s\njscan:\n%.*s",
		    (int)(len > 300 ? 300 : len), in, (int)(a.log.len > 2000 ? 2000 : a.log.len),
		    a.log.data, (int)(b.log.len > 2000 ? 2000 : b.log.len), b.log.data);
	compared++;
	accepted += ra == 0;
out:
	buf_cleanup(&a.log);
	buf_cleanup(&b.log);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static void
test_edge_cases(void **state)
{
	static const char *const cases[] = {
		"{}", "[]", " {\"a\":1} ", "{\"a\":[1,2,{\"b\":null}],\"c\":true,\"d\":false}",
		"{\"a\":-0.5e+10,\"b\":0,\"c\":-1,\"d\":1.25E-3,\"e\":10}",
		"{\"a\":01}", "{\"a\":-}", "{\"a\":1.}", "{\"a\":1e}", "{\"a\":.5}", "{\"a\":+1}",
		"{\"a\":\"\\u00e9\\n\\t\\\"\\\\\\/\\b\\f\\r\"}", "{\"a\":\"\\u0000x\"}",
		"{\"a\":\"\\ud83d\\ude00\"}", "{\"a\":\"\\ud83dxy\"}", "{\"a\":\"x\\ud83d\"}",
		"{\"a\":\"\\udc00\"}", "{\"a\":\"\\ud800\\n\"}", "{\"a\":\"\\uzzzz\"}",
		"{\"a\":\"\\x\"}", "{\"a\":\"\x01\"}", "{\"a\":\"\x7f\"}", "{\"\\u0061\":1}",
		"{\"a\":\"\xc3\xa9\"}", "{\"a\":\"\xc3\"}", "{\"a\":\"\xff\"}", "{\"a\":\"\xe2\x82\"}",
		"{\"a\":\"\xf0\x9f\x98\x80\"}", "{\"a\":1,}", "[1,]", "{\"a\" 1}", "{1:2}",
		"{\"a\":1}}", "{\"a\":1} x", "{\"a\":1}{\"b\":2}", "{\"a\":1} {\"b\":2} ",
		"\v{\f\"a\"\v:\f1\v}\f", "{\"a\":tru}", "{\"a\":nul}", "{\"a\":falsey}",
		"[[[[[[]]]]]]", "[{\"a\":[{}]}]", "", " ", "{", "[", "\"", "{\"a", "{\"a\":",
		"{\"a\":\"b", "{\"a\":\"b\\", "{\"a\":\"\\u12", "{\"a\":[1,2", "nope",
	};
	struct jscan *js = jscan_new();
	size_t i;
	int flags;

	assert_non_null(js);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (flags = 0; flags < 4; flags++)
			same(js, cases[i], strlen(cases[i]), flags, -1);
	{
		static const char *const scalars[] = {
			"5", "-", "5 6", "1.5e3", "\"s\"", "true", "null false", "[1] 2", "-0", "1e5x",
		};
		verdict_only = 1;
		for (i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++)
			for (flags = 0; flags < 4; flags++)
				same(js, scalars[i], strlen(scalars[i]), flags, -1);
		verdict_only = 0;
	}
	/* a callback that stops the parse, at every point */
	for (i = 0; i < 12; i++)
		same(js, cases[3], strlen(cases[3]), 0, (int)i);
	jscan_free(js);
}

static void
test_samples_and_mutations(void **state)
{
	static const char *const files[] = {
		"search-response-audit.json", "search-response-flowlogs.json",
		"search-response-mixed-page1.json", "search-response-mixed-page2.json",
		"error-400.json", "error-429.json",
	};
	static const char specials[] = "\"\\{}[],:0-.eE\xc3\xff\x01 \vtfnu";
	struct jscan *js = jscan_new();
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	size_t f;

	assert_non_null(js);
	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		char path[256];
		size_t len, i;
		char *body, *m;

		snprintf(path, sizeof(path), SAMPLES "%s", files[f]);
		body = slurp(path, &len);
		same(js, body, len, JSCAN_VALIDATE_UTF8, -1);
		same(js, body, len, 0, -1);
		m = malloc(len + 8);
		assert_non_null(m);
		for (i = 0; i < 1000; i++) {
			size_t at = (size_t)(rnd(&seed) % len), mlen = len;
			uint64_t r = rnd(&seed);

			memcpy(m, body, len);
			switch (r % 4) {
			case 0: /* replace a byte with a JSON-significant one */
				m[at] = specials[(r >> 8) % (sizeof(specials) - 1)];
				break;
			case 1: /* truncate */
				mlen = at;
				break;
			case 2: /* delete a byte */
				memmove(m + at, m + at + 1, len - at - 1);
				mlen = len - 1;
				break;
			default: /* insert a byte */
				memmove(m + at + 1, m + at, len - at);
				m[at] = specials[(r >> 8) % (sizeof(specials) - 1)];
				mlen = len + 1;
				break;
			}
			same(js, m, mlen, (int)((r >> 16) & 3), -1);
		}
		free(m);
		free(body);
	}
	jscan_free(js);
	/* the mutations must exercise both verdicts */
	assert_true(accepted > 100);
	assert_true(compared - accepted > 1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edge_cases),
		cmocka_unit_test(test_samples_and_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
