/*
 * fuzz_normalize — libFuzzer target over the normalizer, the response splitter and the
 * three encoders (make fuzz; tests/fuzz/run.sh builds it with clang
 * -fsanitize=fuzzer,address,undefined and seeds it from tests/data/samples).
 *
 * For every input: normalize it (search result, else bare logContent), and the results
 * of it read as a response body; encode each event as ecs, ocsf and raw and check that
 *   - every encode and the summary succeed, and no output holds a raw newline;
 *   - every output is strict JSON (yajl with UTF-8 validation, one value, nothing after)
 *     and compact (no whitespace outside strings: yajl itself tolerates \v and \f);
 *   - when jansson accepts our raw output (it refuses some valid JSON: integers beyond
 *     int64 and reals beyond double, lone surrogate escapes), it accepts ecs and ocsf
 *     too, and raw is JSON-equal to the logContent bytes read by jansson;
 *   - raw is the logContent object and the fingerprint its XXH64.
 * Any violation aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <yajl/yajl_parse.h>

#include "buf.h"
#include "fingerprint.h"
#include "format.h"
#include "normalize.h"
#include "search.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                       \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "fuzz_normalize: check failed: %s (line %d)\n", #cond, \
			    __LINE__);                                                    \
			abort();                                                          \
		}                                                                         \
	} while (0)

static int
strict_json(const char *p, size_t n)
{
	yajl_handle h = yajl_alloc(NULL, NULL, NULL);
	yajl_status st;

	CHECK(h != NULL);
	st = yajl_parse(h, (const unsigned char *)p, n);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	yajl_free(h);
	return st == yajl_status_ok;
}

/* Our output is compact: no whitespace at all outside strings. */
static int
compact(const char *p, size_t n)
{
	size_t i;
	int in_str = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
		    c == '\f') {
			return 0;
		}
	}
	return 1;
}

static void
check_event(const struct event *ev)
{
	static const enum conf_format fmts[] = { CONF_FORMAT_RAW, CONF_FORMAT_ECS,
		CONF_FORMAT_OCSF };
	struct buf b;
	json_t *raw_j = NULL;
	int jansson_ok = 0;
	size_t i;

	CHECK(ev->raw != NULL && ev->raw_len >= 2);
	CHECK(ev->raw[0] == '{' && ev->raw[ev->raw_len - 1] == '}');
	CHECK(ev->fingerprint == fingerprint_xxh64(ev->raw, ev->raw_len, 0));
	CHECK(ev->kind == EVENT_AUDIT || ev->kind == EVENT_FLOW || ev->kind == EVENT_OTHER);
	buf_init(&b, 0);
	for (i = 0; i < 3; i++) {
		json_t *j;
		buf_reset(&b);
		CHECK(format_encode(ev, fmts[i], i == 2 ? "r\"\xff" : "us-ashburn-1", &b) == 0);
		CHECK(b.data != NULL && b.data[b.len] == '\0');
		CHECK(memchr(b.data, '\n', b.len) == NULL);
		if (!strict_json(b.data, b.len) || !compact(b.data, b.len)) {
			fprintf(stderr, "not strict JSON: %.*s\n", (int)(b.len > 2000 ? 2000 : b.len),
			    b.data);
			abort();
		}
		j = json_loadb(b.data, b.len, JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, NULL);
		if (i == 0) {
			jansson_ok = j != NULL;
			if (jansson_ok) {
				/* raw must be the logContent, value for value */
				json_t *orig = json_loadb(ev->raw, ev->raw_len,
				    JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, NULL);
				if (orig != NULL) {
					CHECK(json_equal(orig, j));
					json_decref(orig);
				}
				raw_j = j;
				j = NULL;
			}
		} else if (jansson_ok) {
			if (j == NULL) {
				fprintf(stderr, "jansson rejects %s: %.*s\n", format_name(fmts[i]),
				    (int)(b.len > 2000 ? 2000 : b.len), b.data);
				abort();
			}
			CHECK(json_is_object(j));
		}
		json_decref(j);
	}
	json_decref(raw_j);
	buf_reset(&b);
	CHECK(format_summary(ev, &b) == 0);
	buf_cleanup(&b);
}

static int
each(void *arg, const char *p, size_t n)
{
	struct normalizer *nz = arg;
	const struct event *ev;
	struct normalize_err err;

	if (normalize_record(nz, p, n, &ev, &err) == 0)
		check_event(ev);
	else
		CHECK(err.msg[0] != '\0');
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct normalizer *nz = normalizer_new();
	const struct event *ev;
	struct normalize_err err;
	/* a private copy with no slack after it, so ASan sees any over-read */
	char *in = malloc(size ? size : 1);

	CHECK(nz != NULL && in != NULL);
	memcpy(in, data, size);
	if (normalize_any(nz, in, size, &ev, &err) == 0)
		check_event(ev);
	else
		CHECK(err.msg[0] != '\0');
	if (normalize_logcontent(nz, in, size, &ev, &err) == 0)
		check_event(ev);
	{
		/* the daemon's page splitter, then each record it finds */
		struct search_record *r = NULL;
		size_t cap = 0, n = 0;
		char perr[256];
		if (search_parse_page(in, size, &r, &cap, &n, perr, sizeof(perr)) == 0)
			for (size_t i = 0; i < n; i++)
				(void)each(nz, r[i].json, r[i].len);
		free(r);
	}
	normalizer_free(nz);
	free(in);
	return 0;
}
