/*
 * test_normalize.c — normalize_record & co. over the samples and over every kind of bad
 * input (nulls, mistyped fields, invalid UTF-8, 1 MiB strings, deep
 * nesting, not-an-object), plus the fingerprint, the response splitter and dry-run.
 * Run from the repository root (paths are relative to it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "dryrun.h"
#include "fingerprint.h"
#include "format.h"
#include "normalize.h"
#include "search.h"
#include "timeutil.h"

#define SAMPLES "tests/data/samples/"

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	p[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return p;
}

/* Every format's output must parse back (jansson, NUL allowed) and be one line. */
static void
check_encodes(const struct event *ev)
{
	static const enum conf_format fmts[] = { CONF_FORMAT_ECS, CONF_FORMAT_OCSF,
		CONF_FORMAT_RAW };
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	for (i = 0; i < 3; i++) {
		json_error_t je;
		json_t *j;
		buf_reset(&b);
		assert_int_equal(format_encode(ev, fmts[i], "us-ashburn-1", &b), 0);
		assert_null(memchr(b.data, '\n', b.len));
		j = json_loadb(b.data, b.len, JSON_ALLOW_NUL, &je);
		if (j == NULL)
			fail_msg("%s output is not JSON (%s): %.300s", format_name(fmts[i]), je.text,
			    b.data);
		assert_true(json_is_object(j));
		json_decref(j);
	}
	buf_reset(&b);
	assert_int_equal(format_summary(ev, &b), 0);
	buf_cleanup(&b);
}

struct collect {
	const char *p[16];
	size_t n[16];
	int count;
};

/* Splits a response body with the daemon's own page splitter (search.h) and calls fn for
 * each results[i].data; the number of results, or -1. */
static long
each_result(const char *body, size_t len, int (*fn)(void *arg, const char *p, size_t n),
    void *arg, struct normalize_err *err)
{
	struct search_record *r = NULL;
	size_t cap = 0, n = 0, i;

	if (search_parse_page(body, len, &r, &cap, &n, err->msg, sizeof(err->msg)) != 0) {
		free(r);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (fn(arg, r[i].json, r[i].len) != 0) {
			free(r);
			return -1;
		}
	}
	free(r);
	return (long)n;
}

static int
collect_cb(void *arg, const char *p, size_t n)
{
	struct collect *c = arg;

	if (c->count >= 16)
		return -1;
	c->p[c->count] = p;
	c->n[c->count] = n;
	c->count++;
	return 0;
}

static const struct event *
norm_ok(struct normalizer *n, const char *json)
{
	const struct event *ev = NULL;
	struct normalize_err err;

	if (normalize_record(n, json, strlen(json), &ev, &err) != 0)
		fail_msg("normalize failed: %s on %.200s", err.msg, json);
	assert_non_null(ev);
	check_encodes(ev);
	return ev;
}

static int
str_is(struct ev_str s, const char *lit)
{
	return s.p != NULL && s.len == strlen(lit) && memcmp(s.p, lit, s.len) == 0;
}

/* ---- samples ---- */

static void
test_samples(void **state)
{
	static const struct {
		const char *file;
		enum event_kind kinds[5];
		int n;
	} files[] = {
		{ SAMPLES "search-response-audit.json", { EVENT_AUDIT, EVENT_AUDIT, EVENT_AUDIT }, 3 },
		{ SAMPLES "search-response-flowlogs.json",
		    { EVENT_FLOW, EVENT_FLOW, EVENT_FLOW, EVENT_FLOW, EVENT_FLOW }, 5 },
		{ SAMPLES "search-response-mixed-page1.json", { EVENT_AUDIT, EVENT_FLOW, EVENT_OTHER }, 3 },
		{ SAMPLES "search-response-mixed-page2.json", { EVENT_OTHER, EVENT_OTHER, EVENT_OTHER }, 3 },
	};
	struct normalizer *n = normalizer_new();
	size_t f;
	int i;

	(void)state;
	assert_non_null(n);
	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		size_t len;
		char *text = slurp(files[f].file, &len);
		struct collect c = { { 0 }, { 0 }, 0 };
		struct normalize_err err;
		json_t *doc = json_loads(text, 0, NULL);

		assert_non_null(doc);
		assert_int_equal(each_result(text, len, collect_cb, &c, &err), files[f].n);
		assert_int_equal(c.count, files[f].n);
		for (i = 0; i < c.count; i++) {
			const struct event *ev;
			json_t *lc = json_object_get(
			    json_object_get(json_array_get(json_object_get(doc, "results"), (size_t)i),
				"data"),
			    "logContent");
			json_t *raw;
			if (normalize_record(n, c.p[i], c.n[i], &ev, &err) != 0)
				fail_msg("%s[%d]: %s", files[f].file, i, err.msg);
			assert_int_equal(ev->kind, files[f].kinds[i]);
			assert_int_equal(ev->partial, 0);
			assert_non_null(ev->id);
			assert_string_equal(ev->id, json_string_value(json_object_get(lc, "id")));
			assert_true(ev->time_ns > 1741900000LL * 1000000000LL);
			assert_true(ev->ingested_ns > ev->time_ns);
			/* raw = the logContent bytes, exactly */
			raw = json_loadb(ev->raw, ev->raw_len, 0, NULL);
			assert_non_null(raw);
			assert_true(json_equal(raw, lc));
			json_decref(raw);
			assert_true(ev->raw[0] == '{' && ev->raw[ev->raw_len - 1] == '}');
			assert_true(ev->fingerprint == fingerprint_xxh64(ev->raw, ev->raw_len, 0));
			check_encodes(ev);
		}
		json_decref(doc);
		free(text);
	}
	normalizer_free(n);
}

static void
test_sample_fields(void **state)
{
	struct normalizer *n = normalizer_new();
	size_t len;
	char *text = slurp(SAMPLES "search-response-flowlogs.json", &len);
	struct collect c = { { 0 }, { 0 }, 0 };
	struct normalize_err err;
	const struct event *ev;

	(void)state;
	assert_int_equal(each_result(text, len, collect_cb, &c, &err), 5);
	/* record 3: TCP REJECT 192.0.2.201:41022 -> 10.0.1.15:22 */
	assert_int_equal(normalize_record(n, c.p[2], c.n[2], &ev, &err), 0);
	assert_int_equal(ev->flow_status, FLOW_STATUS_OK);
	assert_int_equal(ev->flow_action, FLOW_ACTION_REJECT);
	assert_true(str_is(ev->src_addr, "192.0.2.201"));
	assert_int_equal(ev->src_port, 41022);
	assert_int_equal(ev->dst_port, 22);
	assert_int_equal(ev->protocol, 6);
	assert_int_equal(ev->bytes_out, 60);
	assert_int_equal(ev->packets, 1);
	assert_int_equal(ev->start_s, 1741942831);
	assert_true(ev->time_ns == 1741942831LL * 1000000000LL);
	assert_true(ev->ingested_ns == 1741942901322LL * 1000000LL);
	assert_true(str_is(ev->version, "2"));
	/* record 5: NODATA with nulls everywhere, not partial */
	assert_int_equal(normalize_record(n, c.p[4], c.n[4], &ev, &err), 0);
	assert_int_equal(ev->kind, EVENT_FLOW);
	assert_int_equal(ev->flow_status, FLOW_STATUS_NODATA);
	assert_int_equal(ev->flow_action, FLOW_ACTION_ABSENT);
	assert_null(ev->src_addr.p);
	assert_false(ev->has & EV_HAS_SRC_PORT);
	assert_int_equal(ev->partial, 0);
	free(text);

	text = slurp(SAMPLES "search-response-audit.json", &len);
	c.count = 0;
	assert_int_equal(each_result(text, len, collect_cb, &c, &err), 3);
	assert_int_equal(normalize_record(n, c.p[2], c.n[2], &ev, &err), 0);
	assert_int_equal(ev->kind, EVENT_AUDIT);
	assert_true(str_is(ev->event_name, "GetBucket"));
	assert_int_equal(ev->verb, VERB_READ);
	assert_true(str_is(ev->service, "objectstorage"));
	assert_int_equal(ev->http_status, 404);
	assert_null(ev->resource_id.p); /* null in the record */
	assert_true(str_is(ev->resource_name, "finance-archive"));
	assert_true(str_is(ev->source, ""));
	assert_int_equal(normalize_record(n, c.p[0], c.n[0], &ev, &err), 0);
	assert_int_equal(ev->verb, VERB_UPDATE); /* InstanceAction */
	assert_true(str_is(ev->principal_name, "ops-automation"));
	assert_true(str_is(ev->ip_address, "203.0.113.45"));
	assert_true(str_is(ev->req_action, "POST"));
	free(text);
	normalizer_free(n);
}

/* ---- fingerprint ---- */

static void
test_fingerprint(void **state)
{
	unsigned char big[771];
	size_t i;
	struct normalizer *n = normalizer_new();
	const struct event *ev;
	struct normalize_err err;
	uint64_t f1, f2, f3;
	const char *a = "{\"datetime\":1,\"logContent\":{\"id\":\"x\",\"type\":\"t\",\"data\":{\"v\":1}}}";
	const char *b = "{\"datetime\":1,\"logContent\":{\"id\":\"x\",\"type\":\"t\",\"data\":{\"v\":2}}}";
	const char *a2 = "{\"datetime\":99,\"other\":true,\"logContent\":{\"id\":\"x\",\"type\":\"t\",\"data\":{\"v\":1}}}";

	(void)state;
	/* reference values from libxxhash 0.8.1 (XXH64, seed 0) */
	assert_true(fingerprint_xxh64("", 0, 0) == 0xef46db3751d8e999ULL);
	assert_true(fingerprint_xxh64(NULL, 0, 0) == 0xef46db3751d8e999ULL);
	assert_true(fingerprint_xxh64("a", 1, 0) == 0xd24ec4f1a98c6e5bULL);
	assert_true(fingerprint_xxh64("abc", 3, 0) == 0x44bc2cf5ad770999ULL);
	assert_true(fingerprint_xxh64("The quick brown fox jumps over the lazy dog", 43, 0) ==
	    0x0b242d361fda71bcULL);
	for (i = 0; i < 768; i++)
		big[i] = (unsigned char)(i % 256);
	memcpy(big + 768, "xyz", 3);
	assert_true(fingerprint_xxh64(big, 771, 0) == 0xe921a1b45bd779f8ULL);

	/* content, not id: same id different data differ; same logContent bytes match
	 * whatever the wrapper says */
	assert_int_equal(normalize_record(n, a, strlen(a), &ev, &err), 0);
	f1 = ev->fingerprint;
	assert_int_equal(normalize_record(n, b, strlen(b), &ev, &err), 0);
	f2 = ev->fingerprint;
	assert_int_equal(normalize_record(n, a2, strlen(a2), &ev, &err), 0);
	f3 = ev->fingerprint;
	assert_true(f1 != f2);
	assert_true(f1 == f3);
	normalizer_free(n);
}

/* ---- unusable input ---- */

static void
test_not_object(void **state)
{
	static const char *bad[] = {
		"[]", "[{\"logContent\":{}}]", "42", "\"str\"", "null", "true", "   ", "{",
		"{\"logContent\":{}", "{} {}", "{}x", "{\"a\":1,}", "{'a':1}",
		"{\"logContent\":5}", "{\"logContent\":\"x\"}", "{\"logContent\":[1]}",
		"{\"logContent\":null}", "{}", "{\"datetime\":1}", "{\"a\":\"\x01\"}",
	};
	struct normalizer *n = normalizer_new();
	const struct event *ev = NULL;
	struct normalize_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		if (normalize_record(n, bad[i], strlen(bad[i]), &ev, &err) != -1)
			fail_msg("accepted %s", bad[i]);
		assert_null(ev);
		assert_true(err.msg[0] != '\0');
	}
	assert_int_equal(normalize_record(n, "", 0, &ev, &err), -1);
	assert_int_equal(normalize_record(n, NULL, 0, &ev, &err), -1);
	assert_int_equal(normalize_record(n, "[1]", 3, &ev, &err), -1);
	assert_string_equal(err.msg, "not a JSON object");
	assert_int_equal(normalize_record(n, "{\"x\":1}", 7, &ev, &err), -1);
	assert_string_equal(err.msg, "no logContent in the result");
	/* the normalizer still works after errors */
	ev = norm_ok(n, "{\"datetime\":1741942805000,\"logContent\":{\"id\":\"i\",\"type\":\"a.b.c\","
			"\"time\":\"2025-03-14T09:00:05Z\",\"data\":{}}}");
	assert_int_equal(ev->kind, EVENT_OTHER);
	normalizer_free(n);
	normalizer_free(NULL);
}

static void
test_bare_logcontent(void **state)
{
	struct normalizer *n = normalizer_new();
	const struct event *ev;
	struct normalize_err err;
	const char *lc = "{\"id\":\"b1\",\"type\":\"com.oraclecloud.vcn.flowlogs.DataEvent\","
			 "\"time\":\"2025-03-14T09:00:05Z\",\"oracle\":{\"loggroupid\":\"g\"},"
			 "\"data\":{\"status\":\"SKIPDATA\",\"startTime\":1,\"endTime\":2}}";

	(void)state;
	assert_int_equal(normalize_record(n, lc, strlen(lc), &ev, &err), -1);
	assert_int_equal(normalize_logcontent(n, lc, strlen(lc), &ev, &err), 0);
	assert_int_equal(ev->kind, EVENT_FLOW);
	assert_int_equal(ev->flow_status, FLOW_STATUS_SKIPDATA);
	assert_int_equal(ev->raw_len, strlen(lc));
	assert_int_equal(normalize_any(n, lc, strlen(lc), &ev, &err), 0);
	assert_string_equal(ev->id, "b1");
	check_encodes(ev);
	assert_int_equal(normalize_any(n, "[1]", 3, &ev, &err), -1);
	assert_int_equal(normalize_logcontent(n, "[1]", 3, &ev, &err), -1);
	normalizer_free(n);
}

/* ---- times ---- */

static void
test_times(void **state)
{
	struct normalizer *n = normalizer_new();
	const struct event *ev;

	(void)state;
	/* datetime only */
	ev = norm_ok(n, "{\"datetime\":1741942867418,\"logContent\":{\"id\":\"i\",\"type\":\"x.y.z\","
			"\"oracle\":{\"tenantid\":\"t\",\"compartmentid\":\"c\",\"loggroupid\":\"g\","
			"\"ingestedtime\":\"2025-03-14T09:01:13.902Z\"},\"data\":{}}}");
	assert_true(ev->time_ns == 1741942867418LL * 1000000);
	assert_int_equal(ev->time_src, EV_TIME_DATETIME);
	assert_int_equal(ev->partial, 0);
	/* offsets, fractions, lower-case t/z */
	ev = norm_ok(n, "{\"logContent\":{\"time\":\"2025-03-14T11:01:07.123456789+02:00\",\"data\":{}}}");
	assert_true(ev->time_ns == 1741942867123456789LL);
	assert_int_equal(ev->time_src, EV_TIME_RECORD);
	ev = norm_ok(n, "{\"logContent\":{\"time\":\"2025-03-14t09:01:07z\",\"data\":{}}}");
	assert_true(ev->time_ns == 1741942867LL * 1000000000);
	ev = norm_ok(n, "{\"logContent\":{\"time\":\"1969-12-31T23:59:59.5Z\",\"data\":{}}}");
	assert_true(ev->time_ns == -500000000LL);
	/* bad time string: datetime wins, partial */
	ev = norm_ok(n, "{\"datetime\":1000,\"logContent\":{\"time\":\"yesterday\",\"data\":{}}}");
	assert_true(ev->time_ns == 1000000000LL);
	assert_int_equal(ev->partial, 1);
	normalizer_free(n);
}

/* A time nothing can represent never leaves an event without @timestamp.
 * The chain is lc.time, datetime, oracle.ingestedtime, then the time it was read; the
 * event is partial and lc.time is kept as received. */
static void
test_times_out_of_range(void **state)
{
	struct normalizer *n = normalizer_new();
	const struct event *ev;
	struct timespec t0, t1;
	int64_t ns0, ns1;

	(void)state;
	/* year 2999 in lc.time and in datetime: the ingestion time */
	ev = norm_ok(n, "{\"datetime\":32503680000000,\"logContent\":{\"id\":\"i\","
			"\"time\":\"2999-01-01T00:00:00Z\",\"type\":\"x.y.z\",\"oracle\":{"
			"\"tenantid\":\"t\",\"compartmentid\":\"c\",\"loggroupid\":\"g\","
			"\"ingestedtime\":\"2025-03-14T09:01:13.902Z\"},\"data\":{}}}");
	assert_true(ev->has & EV_HAS_TIME);
	assert_int_equal(ev->time_src, EV_TIME_INGESTED);
	assert_true(ev->time_ns == 1741942873902000000LL);
	assert_int_equal(ev->partial, 1);
	assert_int_equal(ev->time_s.len, 20);
	assert_memory_equal(ev->time_s.p, "2999-01-01T00:00:00Z", 20);
	/* year 2999 and a good datetime: datetime */
	ev = norm_ok(n, "{\"datetime\":1741942867418,\"logContent\":{\"time\":"
			"\"2999-01-01T00:00:00Z\",\"data\":{}}}");
	assert_int_equal(ev->time_src, EV_TIME_DATETIME);
	assert_true(ev->time_ns == 1741942867418LL * 1000000);
	assert_int_equal(ev->partial, 1);
	/* nothing usable at all: the time it was read */
	clock_gettime(CLOCK_REALTIME, &t0);
	ns0 = (int64_t)t0.tv_sec * 1000000000 + t0.tv_nsec;
	ev = norm_ok(n, "{\"logContent\":{\"time\":\"9999-12-31T23:59:59Z\",\"data\":{}}}");
	clock_gettime(CLOCK_REALTIME, &t1);
	ns1 = (int64_t)t1.tv_sec * 1000000000 + t1.tv_nsec;
	assert_true(ev->has & EV_HAS_TIME);
	assert_int_equal(ev->time_src, EV_TIME_READ);
	assert_true(ev->time_ns >= ns0 && ev->time_ns <= ns1);
	assert_int_equal(ev->partial, 1);
	ev = norm_ok(n, "{\"logContent\":{\"time\":\"2025-02-29T00:00:00Z\",\"data\":{}}}");
	assert_int_equal(ev->time_src, EV_TIME_READ);
	assert_int_equal(ev->partial, 1);
	/* datetime beyond 2^64, or 1e999, or a real: not a time */
	ev = norm_ok(n, "{\"datetime\":99999999999999999999,\"logContent\":{\"data\":{}}}");
	assert_int_equal(ev->time_src, EV_TIME_READ);
	assert_true(ev->time_ns >= ns0);
	ev = norm_ok(n, "{\"datetime\":1e999,\"logContent\":{\"data\":{}}}");
	assert_int_equal(ev->time_src, EV_TIME_READ);
	ev = norm_ok(n, "{\"datetime\":1.5e3,\"logContent\":{\"data\":{}}}");
	assert_int_equal(ev->time_src, EV_TIME_READ);
	/* the last representable instant is still the record's own */
	ev = norm_ok(n, "{\"logContent\":{\"time\":\"2262-04-11T23:47:15Z\",\"data\":{}}}");
	assert_int_equal(ev->time_src, EV_TIME_RECORD);
	ev = norm_ok(n, "{\"logContent\":{\"time\":\"2262-04-11T23:47:16Z\",\"data\":{}}}");
	assert_int_equal(ev->time_src, EV_TIME_READ);
	normalizer_free(n);
}

/* A mapped key twice in one object: the last value wins, whatever the
 * first one captured below it is forgotten, and the event is partial.  A key repeated
 * only because its parent repeated is not a duplicate of its own. */
static void
test_duplicate_keys(void **state)
{
	struct normalizer *n = normalizer_new();
	const struct event *ev;

	(void)state;
	ev = norm_ok(n, "{\"datetime\":1000,\"logContent\":{\"id\":\"a\",\"type\":\"x.y.z\","
			"\"id\":\"b\",\"data\":{}}}");
	assert_string_equal(ev->id, "b");
	assert_int_equal(ev->partial, 1);
	/* data twice: nothing of the first survives */
	ev = norm_ok(n, "{\"logContent\":{\"oracle\":{\"loggroupid\":\"_Audit\"},"
			"\"data\":{\"eventName\":\"DeleteX\",\"identity\":{\"principalName\":\"p\"},"
			"\"compartmentName\":\"c1\"},\"data\":{\"eventName\":\"GetX\","
			"\"identity\":{\"ipAddress\":\"192.0.2.1\"}}}}");
	assert_int_equal(ev->kind, EVENT_AUDIT);
	assert_memory_equal(ev->event_name.p, "GetX", 4);
	assert_int_equal(ev->verb, VERB_READ);
	assert_null(ev->principal_name.p);
	assert_null(ev->compartment_name.p);
	assert_memory_equal(ev->ip_address.p, "192.0.2.1", 9);
	assert_int_equal(ev->data_json.len, strlen("{\"eventName\":\"GetX\","
	    "\"identity\":{\"ipAddress\":\"192.0.2.1\"}}"));
	assert_int_equal(ev->partial, 1);
	/* an object, then a scalar: the scalar */
	ev = norm_ok(n, "{\"logContent\":{\"data\":{\"message\":\"m\"},\"data\":\"text\"}}");
	assert_null(ev->message.p);
	assert_int_equal(ev->data_json.len, 6);
	/* logContent twice: the second is the record (raw and fingerprint included) */
	ev = norm_ok(n, "{\"logContent\":{\"id\":\"one\",\"source\":\"s1\"},"
			"\"logContent\":{\"id\":\"two\"}}");
	assert_string_equal(ev->id, "two");
	assert_null(ev->source.p);
	assert_int_equal(ev->raw_len, strlen("{\"id\":\"two\"}"));
	/* no duplicate: one key each, in sibling objects of different parents */
	ev = norm_ok(n, "{\"datetime\":1000,\"logContent\":{\"id\":\"i\",\"type\":\"x.y.z\","
			"\"oracle\":{\"tenantid\":\"t\",\"compartmentid\":\"c\",\"loggroupid\":\"g\","
			"\"ingestedtime\":\"2025-03-14T09:01:13.902Z\"},\"data\":{\"request\":{\"id\":\"r\"},"
			"\"x\":{\"id\":1,\"id\":2}}}}");
	assert_string_equal(ev->id, "i");
	assert_int_equal(ev->partial, 0);
	normalizer_free(n);
}

/* ---- kinds ---- */

static void
test_kinds(void **state)
{
	struct normalizer *n = normalizer_new();
	const struct event *ev;

	(void)state;
	/* audit by log group prefix, whatever the type */
	ev = norm_ok(n, "{\"logContent\":{\"type\":\"weird\",\"oracle\":{\"loggroupid\":\"_Audit_Include_Subcompartment\"},\"data\":{}}}");
	assert_int_equal(ev->kind, EVENT_AUDIT);
	/* audit v2 shape without the group */
	ev = norm_ok(n, "{\"logContent\":{\"type\":\"x\",\"oracle\":{\"loggroupid\":\"ocid1.loggroup\"},"
			"\"data\":{\"eventName\":\"GetX\",\"identity\":{}}}}");
	assert_int_equal(ev->kind, EVENT_AUDIT);
	/* identity not an object: not audit */
	ev = norm_ok(n, "{\"logContent\":{\"type\":\"x\",\"data\":{\"eventName\":\"GetX\",\"identity\":\"me\"}}}");
	assert_int_equal(ev->kind, EVENT_OTHER);
	/* object storage service log shares the audit type prefix: other */
	ev = norm_ok(n, "{\"logContent\":{\"type\":\"com.oraclecloud.objectstorage.getobject\","
			"\"oracle\":{\"loggroupid\":\"ocid1.loggroup.x\"},\"data\":{\"eventName\":1}}}");
	assert_int_equal(ev->kind, EVENT_OTHER);
	/* flow by prefix, even under an odd group */
	ev = norm_ok(n, "{\"logContent\":{\"type\":\"com.oraclecloud.vcn.flowlogs.Whatever\",\"oracle\":{\"loggroupid\":\"_Audit\"},\"data\":{}}}");
	assert_int_equal(ev->kind, EVENT_FLOW);
	/* the prefix needs its trailing dot */
	ev = norm_ok(n, "{\"logContent\":{\"type\":\"com.oraclecloud.vcn.flowlogs\",\"data\":{}}}");
	assert_int_equal(ev->kind, EVENT_OTHER);
	/* unknown type, data not an object */
	ev = norm_ok(n, "{\"logContent\":{\"type\":\"my.own.thing\",\"data\":\"just text\"}}");
	assert_int_equal(ev->kind, EVENT_OTHER);
	assert_true(str_is(ev->data_json, "\"just text\""));
	assert_string_equal(event_kind_name(EVENT_AUDIT), "audit");
	assert_string_equal(event_kind_name(EVENT_FLOW), "flow");
	assert_string_equal(event_kind_name(EVENT_OTHER), "other");
	assert_string_equal(event_kind_name((enum event_kind)42), "other");
	normalizer_free(n);
}

/* ---- nulls and mistyped fields ---- */

/* True when j (recursively) holds a null, skipping the verbatim pass-through data. */
static int
has_null(json_t *j, const char *key)
{
	const char *k;
	json_t *v;
	size_t i;

	if (key != NULL && strcmp(key, "data") == 0)
		return 0;
	if (json_is_null(j))
		return 1;
	if (json_is_object(j)) {
		json_object_foreach(j, k, v)
			if (has_null(v, k))
				return 1;
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (has_null(v, NULL))
				return 1;
	}
	return 0;
}

static void
assert_no_nulls(const struct event *ev)
{
	struct buf b;
	int f;

	buf_init(&b, 0);
	for (f = CONF_FORMAT_ECS; f <= CONF_FORMAT_OCSF; f++) {
		json_t *j;
		buf_reset(&b);
		assert_int_equal(format_encode(ev, (enum conf_format)f, NULL, &b), 0);
		j = json_loadb(b.data, b.len, JSON_ALLOW_NUL, NULL);
		assert_non_null(j);
		if (has_null(j, NULL))
			fail_msg("null in output: %s", b.data);
		json_decref(j);
	}
	buf_cleanup(&b);
}

/*
 * Keys that differ from a mapped key in one byte only (first, middle or last; shorter
 * or longer) are not that key, whichever comes first: cb_map_key compares keys a word at
 * a time, with overlapping loads, and must still see every byte.
 */
static void
test_near_miss_keys(void **state)
{
	static const char *const recs[] = {
		"{\"logContent\":{\"type\":\"com.oraclecloud.vcn.flowlogs.DataEvent\",\"tImE\":"
		"\"2030-01-01T00:00:00Z\",\"time\":\"2025-03-14T09:00:05Z\",\"time \":\"x\",\"data\":{"
		"\"status\":\"OK\",\"actioN\":\"REJECT\",\"action\":\"ACCEPT\",\"action_\":\"REJECT\","
		"\"sourcePorT\":9,\"sourcePort\":7,\"xourcePort\":9,\"sourcePortt\":9,"
		"\"destinationAddress\":\"10.0.0.1\",\"destinationAddresz\":\"10.9.9.9\","
		"\"DestinationAddress\":\"10.9.9.9\",\"destinatioNAddress\":\"10.9.9.9\","
		"\"destinationPort\":443,\"sourceAddress\":\"10.0.0.2\",\"protocoL\":17,"
		"\"protocol\":6,\"packet\":1,\"packets\":4,\"packetz\":1,\"bytesOuT\":1,"
		"\"bytesOut\":80,\"startTime\":1741942800,\"endTime\":1741942860,\"endTimes\":1,"
		"\"version\":\"2\",\"versio\":\"9\"},\"id\":\"f1\",\"ie\":\"f2\",\"i\":\"f3\","
		"\"oracle\":{\"tenantid\":\"t1\",\"tenantiD\":\"t9\",\"compartmentid\":\"c1\","
		"\"loggroupid\":\"g1\",\"loggroupidd\":\"g9\",\"vnicsubnetocid\":\"s1\","
		"\"vnicsubnetocie\":\"s9\",\"ingestedtime\":\"2025-03-14T09:00:06Z\"}}}",
	};
	struct normalizer *n = normalizer_new();
	const struct event *ev;

	(void)state;
	ev = norm_ok(n, recs[0]);
	assert_int_equal(ev->kind, EVENT_FLOW);
	assert_int_equal(ev->flow_action, FLOW_ACTION_ACCEPT);
	assert_int_equal(ev->src_port, 7);
	assert_int_equal(ev->dst_port, 443);
	assert_int_equal(ev->protocol, 6);
	assert_int_equal(ev->packets, 4);
	assert_int_equal(ev->bytes_out, 80);
	assert_int_equal(ev->end_s, 1741942860);
	assert_int_equal(ev->dst_addr.len, 8);
	assert_memory_equal(ev->dst_addr.p, "10.0.0.1", 8);
	assert_int_equal(ev->version.len, 1);
	assert_memory_equal(ev->version.p, "2", 1);
	assert_string_equal(ev->id, "f1");
	assert_int_equal(ev->time_src, EV_TIME_RECORD);
	assert_int_equal(ev->time_ns, 1741942805000000000LL);
	assert_int_equal(ev->tenant_id.len, 2);
	assert_memory_equal(ev->tenant_id.p, "t1", 2);
	assert_memory_equal(ev->log_group_id.p, "g1", 2);
	assert_memory_equal(ev->subnet_id.p, "s1", 2);
	assert_int_equal(ev->partial, 0);
	normalizer_free(n);
}

static void
test_nulls_everywhere(void **state)
{
	static const char *recs[] = {
		"{\"datetime\":null,\"logContent\":{\"id\":null,\"type\":null,\"source\":null,"
		"\"subject\":null,\"time\":null,\"specversion\":null,\"oracle\":null,\"data\":null}}",
		/* audit shape, every field null */
		"{\"datetime\":null,\"logContent\":{\"id\":null,\"type\":null,\"source\":null,"
		"\"time\":null,\"oracle\":{\"loggroupid\":\"_Audit\",\"tenantid\":null,"
		"\"compartmentid\":null,\"ingestedtime\":null,\"logid\":null},\"data\":{"
		"\"eventName\":null,\"eventGroupingId\":null,\"compartmentName\":null,"
		"\"resourceName\":null,\"resourceId\":null,\"availabilityDomain\":null,"
		"\"identity\":{\"principalName\":null,\"principalId\":null,\"ipAddress\":null,"
		"\"userAgent\":null,\"authType\":null},\"request\":{\"action\":null,\"id\":null,"
		"\"path\":null},\"response\":{\"status\":null},\"message\":null}}}",
		"{\"logContent\":{\"oracle\":{\"loggroupid\":\"_Audit\"},\"data\":{\"identity\":null,"
		"\"request\":null,\"response\":null}}}",
		/* flow shape, every field null */
		"{\"datetime\":null,\"logContent\":{\"id\":null,\"type\":\"com.oraclecloud.vcn.flowlogs.DataEvent\","
		"\"source\":null,\"subject\":null,\"time\":null,\"oracle\":{\"vnicocid\":null,"
		"\"vnicsubnetocid\":null,\"vcnOcid\":null},\"data\":{\"action\":null,\"bytesOut\":null,"
		"\"destinationAddress\":null,\"destinationPort\":null,\"endTime\":null,\"flowid\":null,"
		"\"packets\":null,\"protocol\":null,\"protocolName\":null,\"sourceAddress\":null,"
		"\"sourcePort\":null,\"startTime\":null,\"status\":null,\"version\":null}}}",
		"{\"logContent\":{\"type\":\"com.oraclecloud.vcn.flowlogs.DataEvent\",\"data\":{\"status\":\"NODATA\"}}}",
		"{\"logContent\":{\"type\":\"com.oraclecloud.vcn.flowlogs.DataEvent\",\"data\":[]}}",
		"{\"logContent\":{}}",
	};
	struct normalizer *n = normalizer_new();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		const struct event *ev = norm_ok(n, recs[i]);
		assert_int_equal(ev->partial, 1);
		assert_null(ev->id);
		assert_no_nulls(ev);
	}
	normalizer_free(n);
}

static void
test_mistyped(void **state)
{
	struct normalizer *n = normalizer_new();
	const struct event *ev;

	(void)state;
	/* numbers where strings belong */
	ev = norm_ok(n, "{\"datetime\":1000,\"logContent\":{\"id\":5,\"type\":\"com.oraclecloud.vcn.flowlogs.DataEvent\","
			"\"source\":1,\"time\":20250314,\"oracle\":{\"vnicocid\":7},\"data\":{\"status\":\"OK\","
			"\"action\":1,\"sourceAddress\":123,\"destinationAddress\":[1],\"protocolName\":{},"
			"\"protocol\":6,\"startTime\":1,\"endTime\":2}}}");
	assert_int_equal(ev->kind, EVENT_FLOW);
	assert_int_equal(ev->partial, 1);
	assert_null(ev->id);
	assert_null(ev->source.p);
	assert_null(ev->vnic_id.p);
	assert_null(ev->src_addr.p);
	assert_null(ev->dst_addr.p);
	assert_null(ev->protocol_name.p);
	assert_int_equal(ev->flow_action, FLOW_ACTION_ABSENT);
	assert_int_equal(ev->protocol, 6);
	assert_no_nulls(ev);
	/* strings where numbers belong, and out-of-range numbers */
	ev = norm_ok(n, "{\"logContent\":{\"id\":\"i\",\"type\":\"com.oraclecloud.vcn.flowlogs.DataEvent\","
			"\"data\":{\"status\":\"OK\",\"action\":\"ACCEPT\",\"sourcePort\":\"22\","
			"\"destinationPort\":70000,\"bytesOut\":\"60\",\"packets\":-1,\"protocol\":6.0,"
			"\"startTime\":\"x\",\"endTime\":true,\"version\":2,\"sourceAddress\":\"a\","
			"\"destinationAddress\":\"b\"}}}");
	assert_int_equal(ev->partial, 1);
	assert_false(ev->has & (EV_HAS_SRC_PORT | EV_HAS_DST_PORT | EV_HAS_BYTES |
	    EV_HAS_PACKETS | EV_HAS_PROTOCOL | EV_HAS_START | EV_HAS_END));
	assert_true(str_is(ev->version, "2")); /* number accepted for version */
	assert_no_nulls(ev);
	/* audit: numeric status accepted, string status must be numeric */
	ev = norm_ok(n, "{\"logContent\":{\"id\":\"i\",\"type\":\"t.s.GetX\",\"time\":\"2025-03-14T09:00:05Z\","
			"\"oracle\":{\"loggroupid\":\"_Audit\",\"tenantid\":\"t\",\"compartmentid\":\"c\","
			"\"ingestedtime\":\"2025-03-14T09:00:06Z\"},\"data\":{\"eventName\":\"GetX\","
			"\"identity\":{\"principalName\":42},\"response\":{\"status\":404}}}}");
	assert_int_equal(ev->http_status, 404);
	assert_null(ev->principal_name.p);
	assert_int_equal(ev->partial, 1); /* principalName mistyped */
	ev = norm_ok(n, "{\"logContent\":{\"oracle\":{\"loggroupid\":\"_Audit\"},\"data\":{"
			"\"eventName\":[\"GetX\"],\"identity\":{},\"response\":{\"status\":\"OK\"}}}}");
	assert_false(ev->has & EV_HAS_STATUS);
	assert_null(ev->event_name.p);
	assert_true(str_is(ev->status_text, "OK"));
	assert_int_equal(ev->partial, 1);
	assert_no_nulls(ev);
	/* oracle not an object */
	ev = norm_ok(n, "{\"logContent\":{\"oracle\":\"x\",\"data\":{}}}");
	assert_null(ev->tenant_id.p);
	assert_int_equal(ev->partial, 1);
	normalizer_free(n);
}

/* ---- strings: escapes, invalid UTF-8, 1 MiB ---- */

static void
test_escapes(void **state)
{
	struct normalizer *n = normalizer_new();
	const struct event *ev;

	(void)state;
	ev = norm_ok(n, "{\"logContent\":{\"id\":\"a\\\"b\\\\c\\u00e9\\ud83d\\ude00\",\"type\":\"t\\/x\","
			"\"source\":\"s\\n\",\"data\":{\"message\":\"m\\u0000z\"}}}");
	assert_string_equal(ev->id, "a\"b\\c\xc3\xa9\xf0\x9f\x98\x80");
	assert_true(str_is(ev->type, "t/x"));
	assert_true(str_is(ev->source, "s\n"));
	assert_int_equal(ev->message.len, 3);
	assert_memory_equal(ev->message.p, "m\0z", 3);
	normalizer_free(n);
}

static void
test_invalid_utf8(void **state)
{
	struct normalizer *n = normalizer_new();
	const struct event *ev;
	struct buf b;
	int f;

	(void)state;
	buf_init(&b, 0);
	ev = norm_ok(n, "{\"logContent\":{\"id\":\"\xff\xfe\",\"type\":\"bad\xc3\",\"source\":\"\xed\xa0\x80\","
			"\"subject\":\"ok \xe2\x82\xac\",\"data\":{\"message\":\"x\xc0\xafy\",\"k\xff\":[\"\xf5\"]}}}");
	assert_int_equal(ev->kind, EVENT_OTHER);
	for (f = CONF_FORMAT_ECS; f <= CONF_FORMAT_RAW; f++) {
		buf_reset(&b);
		assert_int_equal(format_encode(ev, (enum conf_format)f, NULL, &b), 0);
		assert_non_null(strstr(b.data, "\xef\xbf\xbd")); /* U+FFFD */
		assert_null(strstr(b.data, "\xff"));
	}
	/* also for audit and flow fields */
	ev = norm_ok(n, "{\"logContent\":{\"oracle\":{\"loggroupid\":\"_Audit\"},\"data\":{\"eventName\":\"G\xfft\","
			"\"identity\":{\"principalName\":\"\x80\"},\"response\":{\"status\":\"200\"}}}}");
	assert_int_equal(ev->kind, EVENT_AUDIT);
	ev = norm_ok(n, "{\"logContent\":{\"type\":\"com.oraclecloud.vcn.flowlogs.DataEvent\",\"data\":{"
			"\"status\":\"OK\",\"action\":\"ACC\xffPT\",\"protocolName\":\"T\xc3P\","
			"\"sourceAddress\":\"\xfe\"}}}");
	assert_int_equal(ev->kind, EVENT_FLOW);
	buf_cleanup(&b);
	normalizer_free(n);
}

static void
test_huge_strings(void **state)
{
	const size_t big = 1024 * 1024;
	struct buf in, out;
	struct normalizer *n = normalizer_new();
	const struct event *ev;
	struct normalize_err err;
	size_t i;
	json_t *j;

	(void)state;
	buf_init(&in, 0);
	buf_init(&out, 0);
	/* 1 MiB plain message and 1 MiB source with escapes every 100 bytes */
	assert_int_equal(buf_append_str(&in, "{\"datetime\":1,\"logContent\":{\"id\":\"i\",\"type\":\"x.y.z\",\"source\":\""), 0);
	for (i = 0; i < big; i++)
		assert_int_equal(buf_append_str(&in, i % 100 == 99 ? "\\n" : "s"), 0);
	assert_int_equal(buf_append_str(&in, "\",\"data\":{\"message\":\""), 0);
	for (i = 0; i < big; i++)
		assert_int_equal(buf_append_char(&in, (char)('a' + i % 26)), 0);
	assert_int_equal(buf_append_str(&in, "\"}}}"), 0);
	assert_int_equal(normalize_record(n, in.data, in.len, &ev, &err), 0);
	assert_int_equal(ev->source.len, big);
	assert_int_equal(ev->message.len, big);
	assert_int_equal(ev->source.p[99], '\n');
	check_encodes(ev);
	assert_int_equal(format_encode(ev, CONF_FORMAT_ECS, NULL, &out), 0);
	j = json_loadb(out.data, out.len, 0, NULL);
	assert_non_null(j);
	/* the summary carries both */
	assert_true(strlen(json_string_value(json_object_get(j, "message"))) > 2 * big);
	json_decref(j);
	/* a cap smaller than the output: -1, buffer unchanged */
	buf_cleanup(&out);
	buf_init(&out, 4096);
	assert_int_equal(buf_append_str(&out, "keep"), 0);
	assert_int_equal(format_encode(ev, CONF_FORMAT_ECS, NULL, &out), -1);
	assert_int_equal(out.len, 4);
	assert_string_equal(out.data, "keep");
	assert_int_equal(format_encode(ev, CONF_FORMAT_RAW, NULL, &out), -1);
	assert_string_equal(out.data, "keep");
	assert_int_equal(format_summary(ev, &out), -1);
	assert_string_equal(out.data, "keep");
	buf_cleanup(&out);
	buf_cleanup(&in);
	normalizer_free(n);
}

/* ---- nesting ---- */

static void
nested(struct buf *b, int depth)
{
	int i;

	buf_reset(b);
	assert_int_equal(buf_append_str(b, "{\"logContent\":{\"id\":\"i\",\"type\":\"x.y.z\",\"data\":"), 0);
	for (i = 0; i < depth; i++)
		assert_int_equal(buf_append_char(b, '['), 0);
	for (i = 0; i < depth; i++)
		assert_int_equal(buf_append_char(b, ']'), 0);
	assert_int_equal(buf_append_str(b, "}}"), 0);
}

/* search_rec_parser glue over a page normalizer, as the source wires it. */
static int
tp_page_begin(void *arg, yajl_handle h, const char *text, size_t len)
{
	return normalize_page_begin(arg, h, text, len);
}

static void
tp_rec_begin(void *arg)
{
	normalize_page_record_begin(arg);
}

static const void *
tp_rec_end(void *arg, int failed)
{
	const struct event *ev;
	struct normalize_err err;

	if (failed || normalize_page_record_end(arg, &ev, &err) != 0)
		return NULL;
	return ev;
}

/* Every field the pipeline reads, and every format's encoding, of two events. */
static void
assert_same_event(const struct event *a, const struct event *b0)
{
	struct buf ba, bb;
	struct event bt = *b0;
	const struct event *b = &bt;

	assert_true(a->fingerprint == b->fingerprint);
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->partial, b->partial);
	assert_int_equal(a->time_src, b->time_src);
	/* no time in the record: both took the clock, at different moments */
	if (a->time_src == EV_TIME_READ)
		bt.time_ns = a->time_ns;
	assert_true(a->time_ns == b->time_ns);
	assert_true(a->ingested_ns == b->ingested_ns);
	assert_int_equal(a->has, b->has);
	assert_int_equal(a->raw_len, b->raw_len);
	assert_memory_equal(a->raw, b->raw, a->raw_len);
	if (a->id == NULL)
		assert_null(b->id);
	else
		assert_string_equal(a->id, b->id);
	buf_init(&ba, 0);
	buf_init(&bb, 0);
	for (int f = CONF_FORMAT_ECS; f <= CONF_FORMAT_RAW; f++) {
		buf_reset(&ba);
		buf_reset(&bb);
		assert_int_equal(format_encode(a, (enum conf_format)f, "us-ashburn-1", &ba), 0);
		assert_int_equal(format_encode(b, (enum conf_format)f, "us-ashburn-1", &bb), 0);
		assert_int_equal(ba.len, bb.len);
		assert_memory_equal(ba.data, bb.data, ba.len);
	}
	buf_cleanup(&ba);
	buf_cleanup(&bb);
}

/*
 * Page mode (each page lexed once): every record of a page normalized inside the page's
 * own pass gives the same event as normalize_record on the record alone (fields,
 * fingerprint, every encoding), including records with escapes (decoded into the
 * page's arena: all of them stay valid together), duplicate keys, and records that
 * cannot be normalized (nesting too deep, no logContent): those come without an event,
 * and the records after them are still read.
 */
static void
test_page_mode(void **state)
{
	static const char *files[] = { "search-response-audit.json",
	    "search-response-flowlogs.json", "search-response-mixed-page1.json",
	    "search-response-mixed-page2.json" };
	static const char *extra[] = {
		"{\"logContent\":{\"id\":\"a\\\"b\\\\c\\u00e9\\ud83d\\ude00\",\"type\":\"t\\/x\","
		"\"source\":\"s\\n\",\"data\":{\"message\":\"m\\u0000z\"}}}",
		"{\"datetime\":1741942800000,\"logContent\":{\"id\":\"d1\",\"id\":\"d2\","
		"\"type\":\"com.oraclecloud.vcn.flowlogs.DataEvent\",\"data\":{\"action\":\"ACCEPT\","
		"\"status\":\"OK\",\"sourcePort\":\"x\"}}}",
		"{\"datetime\":1}",
		"{\"logContent\":{\"id\":\"\\u0041\\u0042\",\"time\":\"2025-03-14T09:00:00.123Z\","
		"\"oracle\":{\"loggroupid\":\"_Audit\",\"tenantid\":null},\"data\":[1,{\"a\":[]}]}}",
	};
	struct normalizer *pn = normalizer_new(), *one = normalizer_new();
	struct search_rec_parser rp = { normalize_page_callbacks(), pn, tp_page_begin,
	    tp_rec_begin, tp_rec_end };
	struct search_record *r = NULL;
	size_t cap = 0, n = 0, i, k, want = 0;
	struct buf page, deep;
	char err[200];

	(void)state;
	assert_non_null(pn);
	assert_non_null(one);
	buf_init(&page, 0);
	buf_init(&deep, 0);
	assert_int_equal(buf_append_str(&page, "{\"results\":["), 0);
	for (k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		char path[200];
		size_t len, m = 0;
		char *body;

		snprintf(path, sizeof(path), SAMPLES "%s", files[k]);
		body = slurp(path, &len);
		assert_int_equal(search_parse_page(body, len, &r, &cap, &m, err, sizeof(err)), 0);
		for (i = 0; i < m; i++, want++) {
			assert_int_equal(buf_append_str(&page, want > 0 ? ",{\"data\":" :
			    "{\"data\":"), 0);
			assert_int_equal(buf_append(&page, r[i].json, r[i].len), 0);
			assert_int_equal(buf_append_str(&page, "}"), 0);
		}
		free(body);
	}
	for (k = 0; k < sizeof(extra) / sizeof(extra[0]); k++, want++)
		assert_int_equal(buf_printf(&page, ",{\"data\":%s}", extra[k]), 0);
	nested(&deep, 10000); /* too deep for the normalizer, fine for the page */
	assert_int_equal(buf_printf(&page, ",{\"data\":%s}", deep.data), 0);
	want++;
	assert_int_equal(buf_append_str(&page, ",{\"data\":{\"logContent\":{\"id\":\"last\"}}}]}"), 0);
	want++;

	assert_int_equal(search_parse_page_rp(page.data, page.len, &rp, &r, &cap, &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, want);
	for (i = 0; i < n; i++) {
		const struct event *ev = NULL;
		struct normalize_err nerr;
		int rc = normalize_record(one, r[i].json, r[i].len, &ev, &nerr);

		if (rc != 0) {
			assert_null(r[i].parsed);
			continue;
		}
		assert_non_null(r[i].parsed);
		assert_same_event(r[i].parsed, ev);
	}
	/* the failures are the ones expected: no logContent, and the deep one */
	assert_null(r[want - 4].parsed);
	assert_null(r[want - 2].parsed);
	assert_non_null(r[want - 1].parsed);
	assert_string_equal(((const struct event *)r[want - 1].parsed)->id, "last");
	assert_string_equal(((const struct event *)r[want - 3].parsed)->id, "AB");

	/* a second page through the same normalizer: events of the new page */
	assert_int_equal(search_parse_page_rp(page.data, page.len, &rp, &r, &cap, &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, want);
	assert_string_equal(((const struct event *)r[want - 1].parsed)->id, "last");
	free(r);
	buf_cleanup(&page);
	buf_cleanup(&deep);
	normalizer_free(pn);
	normalizer_free(one);
}

/*
 * RFC 3339 times go through a cache of their first 19 bytes (the seconds of "Z" times,
 * see normalize.c's time_ns): every time here, twice in a row through one normalizer
 * (the second time from the cache), must read as timeutil reads it alone.  Times that
 * share a cached prefix but differ after it (an offset, no zone, ten digits), differ
 * from a cached one in one byte of each word of the prefix, or are invalid or out of
 * range (never cached).
 */
static void
test_time_cache(void **state)
{
	static const char *const times[] = {
		"2025-03-14T09:00:05Z", "2025-03-14T09:00:05.5Z", "2025-03-14T09:00:05.123456789Z",
		"2025-03-14T09:00:05.1234567891Z", "2025-03-14T09:00:05+01:00",
		"2025-03-14T09:00:05.25-02:30", "2025-03-14T09:00:05.5", "2025-03-14T09:00:05.Z",
		"2025-03-14T09:00:05.5ZZ", "2025-03-14T09:00:05z", "2025-03-14t09:00:05.75z",
		"2025-03-14 09:00:05.1Z", "2025-03-14T09:00:06Z", "2025-03-14T09:00:15.2Z",
		"2025-03-15T09:00:05Z", "2025-04-14T09:00:05Z", "2026-03-14T09:00:05.9Z",
		"2025-02-29T09:00:05Z", "2024-02-29T09:00:05.001Z", "2262-04-11T23:47:17Z",
		"2262-04-11T23:47:16.5Z", "1677-09-21T00:12:43Z", "1969-12-31T23:59:59.999Z",
		"2025-03-14T09:00:60Z", "2025-03-14T09:00:59.5Z", "2025-03-14T24:00:05Z",
	};
	struct normalizer *n = normalizer_new();
	char rec[512];
	size_t pass, i;

	(void)state;
	assert_non_null(n);
	for (pass = 0; pass < 3; pass++) {
		for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
			/* pass 2: the list backwards, other neighbours in the cache */
			const char *t = times[pass == 2 ? sizeof(times) / sizeof(times[0]) - 1 - i : i];
			const struct event *ev;
			int64_t want;
			int ok = timeutil_parse_rfc3339_ns(t, strlen(t), &want) == 0;

			snprintf(rec, sizeof(rec), "{\"datetime\":1000,\"logContent\":{\"id\":\"i\","
			    "\"type\":\"x.y.z\",\"time\":\"%s\",\"oracle\":{\"tenantid\":\"t\","
			    "\"compartmentid\":\"c\",\"loggroupid\":\"g\",\"ingestedtime\":\"%s\"},"
			    "\"data\":{}}}", t, t);
			ev = norm_ok(n, rec);
			if (ok) {
				if (ev->time_src != EV_TIME_RECORD || ev->time_ns != want ||
				    !(ev->has & EV_HAS_INGESTED) || ev->ingested_ns != want)
					fail_msg("%s (pass %zu): %lld, want %lld", t, pass,
					    (long long)ev->time_ns, (long long)want);
				assert_int_equal(ev->partial, 0);
			} else {
				if (ev->time_src != EV_TIME_DATETIME || (ev->has & EV_HAS_INGESTED))
					fail_msg("%s (pass %zu) read as a time", t, pass);
				assert_int_equal(ev->partial, 1);
			}
		}
	}
	normalizer_free(n);
}

/*
 * Mapped keys reach cb_map_key three ways: in the text with a window of 24 bytes before
 * their end (compared as masked words), in the text near its start (byte compare), and
 * decoded by yajl into its own buffer when they have escapes (byte compare).  Near
 * misses here share a mapped key's hash (length, first, middle and last byte), so only
 * the compare tells them apart, at a byte in each word of the window; each comes after
 * the real key, so a false match would take its value.  Single records and page mode.
 */
static void
test_key_paths(void **state)
{
	static const char rec[] =
		"{\"logContent\":{\"type\":\"com.oraclecloud.vcn.flowlogs.DataEvent\","
		"\"t\\u0069me\":\"2025-03-14T09:00:05Z\",\"tXme\":\"2030-01-01T00:00:00Z\","
		"\"tX\\u006de\":\"2031-01-01T00:00:00Z\",\"data\":{\"status\":\"OK\","
		"\"\\u0061ction\":\"ACCEPT\",\"aXtion\":\"REJECT\",\"a\\u0058tion\":\"REJECT\","
		"\"sourc\\u0065Port\":7,\"sXurcePort\":9,\"s\\u0058urcePort\":9,"
		"\"destinationAddres\\u0073\":\"10.0.0.1\",\"dXstinationAddress\":\"10.9.9.1\","
		"\"destinXtionAddress\":\"10.9.9.2\",\"destinationAdXress\":\"10.9.9.3\","
		"\"destinationAddr\\u0058ss\":\"10.9.9.4\",\"sourceAddress\":\"10.0.0.2\","
		"\"destinationPort\":443,\"protocol\":6,\"startTime\":1741942800,"
		"\"endTime\":1741942860,\"version\":\"2\"},\"id\":\"k1\",\"iX\":\"k9\","
		"\"oracle\":{\"tenantid\":\"t1\",\"tenXntid\":\"t9\",\"compartmentid\":\"c1\","
		"\"loggroupid\":\"g1\",\"ingestedtime\":\"2025-03-14T09:00:06Z\"}}}";
	struct normalizer *one = normalizer_new(), *pn = normalizer_new();
	struct search_rec_parser rp = { normalize_page_callbacks(), pn, tp_page_begin,
	    tp_rec_begin, tp_rec_end };
	const struct event *evs[3];
	struct search_record *r = NULL;
	size_t cap = 0, cnt = 0, i;
	struct buf page;
	char err[200];

	(void)state;
	assert_non_null(one);
	assert_non_null(pn);
	buf_init(&page, 0);
	/* the record first in the page (its keys near the page's start), then later */
	assert_int_equal(buf_printf(&page, "{\"results\":[{\"data\":%s},{\"data\":%s}]}", rec,
	    rec), 0);
	assert_int_equal(search_parse_page_rp(page.data, page.len, &rp, &r, &cap, &cnt, err,
	    sizeof(err)), 0);
	assert_int_equal(cnt, 2);
	evs[0] = r[0].parsed;
	evs[1] = r[1].parsed;
	evs[2] = norm_ok(one, rec);
	for (i = 0; i < 3; i++) {
		const struct event *ev = evs[i];

		assert_non_null(ev);
		assert_int_equal(ev->kind, EVENT_FLOW);
		assert_int_equal(ev->partial, 0);
		assert_int_equal(ev->time_src, EV_TIME_RECORD);
		assert_true(ev->time_ns == 1741942805000000000LL);
		assert_int_equal(ev->flow_action, FLOW_ACTION_ACCEPT);
		assert_int_equal(ev->src_port, 7);
		assert_int_equal(ev->dst_addr.len, 8);
		assert_memory_equal(ev->dst_addr.p, "10.0.0.1", 8);
		assert_string_equal(ev->id, "k1");
		assert_int_equal(ev->tenant_id.len, 2);
		assert_memory_equal(ev->tenant_id.p, "t1", 2);
	}
	free(r);
	buf_cleanup(&page);
	normalizer_free(one);
	normalizer_free(pn);
}

static void
test_deep_nesting(void **state)
{
	struct buf in;
	struct normalizer *n = normalizer_new();
	const struct event *ev = NULL;
	struct normalize_err err;

	(void)state;
	buf_init(&in, 0);
	nested(&in, 10000);
	assert_int_equal(normalize_record(n, in.data, in.len, &ev, &err), -1);
	assert_string_equal(err.msg, "nesting too deep");
	nested(&in, 1000000);
	assert_int_equal(normalize_record(n, in.data, in.len, &ev, &err), -1);
	/* the deepest accepted: root and logContent are 2 levels, so
	 * NORMALIZE_MAX_DEPTH - 2 arrays make NORMALIZE_MAX_DEPTH in all */
	nested(&in, NORMALIZE_MAX_DEPTH - 2);
	assert_int_equal(normalize_record(n, in.data, in.len, &ev, &err), 0);
	check_encodes(ev);
	nested(&in, NORMALIZE_MAX_DEPTH - 1);
	assert_int_equal(normalize_record(n, in.data, in.len, &ev, &err), -1);
	buf_cleanup(&in);
	normalizer_free(n);
}

/* ---- response splitter ---- */

static void
test_each_result(void **state)
{
	struct collect c = { { 0 }, { 0 }, 0 };
	struct normalize_err err;
	struct normalizer *n = normalizer_new();
	const struct event *ev;
	const char *body = "{\"summary\":{\"resultCount\":4},\"results\":[{\"data\":{\"logContent\":{\"id\":\"1\"}}},"
			   "{\"data\":5},{\"data\":{\"nodata\":1}},{\"data\" : {\"datetime\":7,\"logContent\":{\"id\":\"2\"}} }]}";
	const char *bad = "{\"results\":[{\"data\":{}},5]}";

	(void)state;
	/* results[1].data is not an object: the page splitter refuses the page */
	assert_int_equal(each_result(body, strlen(body), collect_cb, &c, &err), -1);
	c.count = 0;
	body = "{\"summary\":{\"resultCount\":4},\"results\":[{\"data\":{\"logContent\":{\"id\":\"1\"}}},"
	       "{\"data\":[5]},{\"data\":{\"nodata\":1}},{\"data\" : {\"datetime\":7,\"logContent\":{\"id\":\"2\"}} }]}";
	assert_int_equal(each_result(body, strlen(body), collect_cb, &c, &err), -1);
	c.count = 0;
	body = "{\"summary\":{\"resultCount\":4},\"results\":[{\"data\":{\"logContent\":{\"id\":\"1\"}}},"
	       "{\"data\":{\"logContent\":5}},{\"data\":{\"nodata\":1}},{\"data\" : {\"datetime\":7,\"logContent\":{\"id\":\"2\"}} }]}";
	assert_int_equal(each_result(body, strlen(body), collect_cb, &c, &err), 4);
	assert_int_equal(each_result(bad, strlen(bad), collect_cb, &c, &err), -1);
	assert_int_equal(normalize_record(n, c.p[0], c.n[0], &ev, &err), 0);
	assert_string_equal(ev->id, "1");
	assert_int_equal(normalize_record(n, c.p[1], c.n[1], &ev, &err), -1);
	assert_int_equal(normalize_record(n, c.p[2], c.n[2], &ev, &err), -1);
	assert_int_equal(normalize_record(n, c.p[3], c.n[3], &ev, &err), 0);
	assert_string_equal(ev->id, "2");
	assert_int_equal(ev->time_ns, 7000000);
	c.count = 0;
	/* no "results", or null: an empty page (only "summary" is mandatory in the SDKs) */
	assert_int_equal(each_result("{}", 2, collect_cb, &c, &err), 0);
	assert_int_equal(each_result("{\"results\":null}", 16, collect_cb, &c, &err), 0);
	assert_int_equal(each_result("{\"results\":[]}", 14, collect_cb, &c, &err), 0);
	assert_int_equal(each_result("{\"results\":{}}", 14, collect_cb, &c, &err), -1);
	assert_int_equal(each_result("{\"results\":5}", 13, collect_cb, &c, &err), -1);
	assert_int_equal(each_result("[]", 2, collect_cb, &c, &err), -1);
	assert_int_equal(each_result("7", 1, collect_cb, &c, &err), -1);
	assert_int_equal(each_result("{\"results\":[", 12, collect_cb, &c, &err), -1);
	assert_int_equal(c.count, 0);
	normalizer_free(n);
}

/* ---- dry-run ---- */

static char *
tmpfile_with(const char *content)
{
	char *path = strdup("/tmp/test_normalize_XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
	return path;
}

static long
dry(const char *path, enum conf_format fmt, struct buf *out, struct normalize_err *err)
{
	char *mem = NULL;
	size_t memlen = 0;
	FILE *f = open_memstream(&mem, &memlen);
	long r;

	assert_non_null(f);
	r = dryrun_file(path, fmt, "eu-frankfurt-1", f, err);
	fclose(f);
	buf_reset(out);
	assert_int_equal(buf_append(out, mem, memlen), 0);
	free(mem);
	return r;
}

static void
test_dryrun(void **state)
{
	struct buf out;
	struct normalize_err err;
	char *p;
	size_t i, lines;

	(void)state;
	buf_init(&out, 0);
	assert_int_equal(dry(SAMPLES "search-response-flowlogs.json", CONF_FORMAT_ECS, &out, &err), 5);
	assert_string_equal(err.msg, "");
	for (i = 0, lines = 0; i < out.len; i++)
		lines += out.data[i] == '\n';
	assert_int_equal(lines, 5);
	assert_non_null(strstr(out.data, "\"region\":\"eu-frankfurt-1\""));

	p = tmpfile_with(
	    "{\"datetime\":1,\"logContent\":{\"id\":\"r1\",\"type\":\"x.y.z\",\"data\":{}}}\n"
	    "\n"
	    "{\"id\":\"bare\",\"type\":\"com.oraclecloud.vcn.flowlogs.DataEvent\",\"data\":{\"status\":\"NODATA\"}}\r\n"
	    "not json\n"
	    "[1,2]\n"
	    "  {\"logContent\":{\"id\":\"r3\"}}  ");
	assert_int_equal(dry(p, CONF_FORMAT_OCSF, &out, &err), 3);
	assert_non_null(strstr(err.msg, "2 records skipped"));
	assert_non_null(strstr(err.msg, "line 4"));
	assert_non_null(strstr(out.data, "\"uid\":\"bare\""));
	assert_non_null(strstr(out.data, "\"uid\":\"r3\""));
	unlink(p);
	free(p);

	/* one pretty-printed record spanning lines */
	p = tmpfile_with("{\n  \"datetime\": 1,\n  \"logContent\": {\n    \"id\": \"pretty\",\n"
			 "    \"data\": {\"a\": [1, 2]}\n  }\n}\n");
	assert_int_equal(dry(p, CONF_FORMAT_RAW, &out, &err), 1);
	assert_string_equal(out.data, "{\"id\":\"pretty\",\"data\":{\"a\":[1,2]}}\n");
	unlink(p);
	free(p);

	p = tmpfile_with("");
	assert_int_equal(dry(p, CONF_FORMAT_RAW, &out, &err), 0);
	unlink(p);
	free(p);

	assert_int_equal(dry("/nonexistent/file.json", CONF_FORMAT_ECS, &out, &err), -1);
	assert_non_null(strstr(err.msg, "/nonexistent/file.json"));
	buf_cleanup(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_sample_fields),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_not_object),
		cmocka_unit_test(test_bare_logcontent),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_times_out_of_range),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_near_miss_keys),
		cmocka_unit_test(test_nulls_everywhere),
		cmocka_unit_test(test_mistyped),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_huge_strings),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_page_mode),
		cmocka_unit_test(test_time_cache),
		cmocka_unit_test(test_key_paths),
		cmocka_unit_test(test_each_result),
		cmocka_unit_test(test_dryrun),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
