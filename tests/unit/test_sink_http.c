/*
 * test_sink_http.c — the generic http sink's wire format (json_array, ndjson, json,
 * template, headers, gzip, batch limits) and the engine's behaviour behind every sink
 * (retries, split on 400/413, dead letters, 403 pause, retry_max_time, queue bounds,
 * cancel on free, stats), against a real HTTP server in the test's loop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <strings.h>
#include <unistd.h>

#include "sink_http.h"
#include "sink_testsrv.h"
#include "template.h"

static struct sink *
mk(struct ts *t, struct conf_sink *k)
{
	struct err err;
	struct sink *s = sink_new(t->base, t->client, k, "/tmp", &err);

	if (s == NULL)
		fail_msg("sink_new: %s", err.msg);
	return s;
}

static void
test_json_array_headers(void **state)
{
	struct ts t;
	struct conf_sink k;
	char *hdrs[] = {"X-Api-Key: abc", "X-Other:  two words"};
	struct sink *s;
	json_t *j;
	json_error_t e;

	ts_start(&t);
	{
		char url[128];
		snprintf(url, sizeof(url), "%s/hook/path?x=1", t.url);
		ts_cfg(&k, CONF_SINK_HTTP, url);
		k.token = "s3cret";
		k.headers.items = hdrs;
		k.headers.n = 2;
		s = mk(&t, &k);
		ts_send(&t, s, 3, 0);
	}
	assert_int_equal(t.counts.delivered, 3);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.req[0].uri, "/hook/path?x=1");
	assert_true(ts_has_header(&t, 0, "Content-Type", "application/json"));
	assert_true(ts_has_header(&t, 0, "Authorization", "Bearer s3cret"));
	assert_true(ts_has_header(&t, 0, "X-Api-Key", "abc"));
	assert_false(t.req[0].gzipped);
	j = json_loads(t.req[0].body, 0, &e);
	assert_non_null(j);
	assert_int_equal(json_array_size(j), 3);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    json_array_get(j, 2), "event"), "id")), "e-2");
	json_decref(j);
	assert_int_equal(sink_stats(s)->events_sent, 3);
	assert_int_equal(sink_stats(s)->requests_by_status[200], 1);
	assert_int_equal(sink_stats(s)->seconds_count, 1);
	assert_true(sink_healthy(s));
	sink_free(s);
	ts_stop(&t);
}

static void
test_ndjson_and_gzip(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink *s;
	const char *p;
	int lines = 0;

	ts_start(&t);
	ts_cfg(&k, CONF_SINK_HTTP, t.url);
	k.encoding = CONF_ENC_NDJSON;
	k.compression = CONF_COMP_GZIP;
	s = mk(&t, &k);
	ts_send(&t, s, 50, 100);
	assert_int_equal(t.n, 1);
	assert_true(t.req[0].gzipped);
	assert_true(ts_has_header(&t, 0, "Content-Encoding", "gzip"));
	assert_true(ts_has_header(&t, 0, "Content-Type", "application/x-ndjson"));
	assert_true(t.req[0].wire_len < t.req[0].body_len / 4); /* the padding compresses */
	for (p = t.req[0].body; *p; p = strchr(p, '\n') + 1) {
		json_error_t e;
		json_t *j = json_loadb(p, (size_t)(strchr(p, '\n') - p), 0, &e);
		assert_non_null(j);
		json_decref(j);
		lines++;
	}
	assert_int_equal(lines, 50);
	assert_int_equal(t.req[0].body[t.req[0].body_len - 1], '\n');
	sink_free(s);
	ts_stop(&t);
}

static void
test_json_one_per_request_template(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink_http_conf tc = { 0 };
	struct sink *s;
	size_t i;

	ts_start(&t);
	ts_cfg(&k, CONF_SINK_HTTP, t.url);
	k.type_conf = &tc;
	k.encoding = CONF_ENC_JSON;
	tc.template = "{\"userId\": 1, \"title\": \"{{oci.source}}\", \"completed\": false}";
	s = mk(&t, &k);
	ts_send(&t, s, 4, 0);
	assert_int_equal(t.counts.delivered, 4);
	assert_int_equal(t.n, 4);
	for (i = 0; i < 4; i++)
		assert_string_equal(t.req[i].body,
		    "{\"userId\": 1, \"title\": \"src\", \"completed\": false}");
	sink_free(s);
	ts_stop(&t);
}

static void
test_template_values(void **state)
{
	char err[256];
	struct buf b;
	struct template *tp;
	const char *ev = "{\"n\":7,\"a.b\":\"flat\",\"o\":{\"q\":\"x\\\"y\"},\"l\":[1,2]}";

	tp = template_new("{\"n\": {{n}}, \"s\": \"n={{ n }} q={{o.q}}\", \"f\": \"{{a.b}}\", "
	    "\"o\": {{o}}, \"m\": {{missing}}, \"ms\": \"<{{missing}}>\", \"l\": \"{{l}}\"}",
	    err, sizeof(err));
	assert_non_null(tp);
	buf_init(&b, 0);
	assert_int_equal(template_render(tp, ev, strlen(ev), &b, err, sizeof(err)), 0);
	assert_string_equal(b.data, "{\"n\": 7, \"s\": \"n=7 q=x\\\"y\", \"f\": \"flat\", "
	    "\"o\": {\"q\":\"x\\\"y\"}, \"m\": null, \"ms\": \"<>\", \"l\": \"[1,2]\"}");
	assert_int_equal(template_render(tp, "[1]", 3, &b, err, sizeof(err)), -1);
	buf_cleanup(&b);
	template_free(tp);
	assert_null(template_new("{\"a\": \"{{x\"}", err, sizeof(err)));
	assert_null(template_new("{\"a\": {{}}}", err, sizeof(err)));
	assert_null(template_new("{\"a\": 1", err, sizeof(err)));
	assert_non_null(strstr(err, "not valid JSON"));
	template_free(NULL);
}

/* Numbers jansson refuses ("too big integer") keep their text. */
static void
test_template_big_numbers(void **state)
{
	char err[256];
	struct buf b;
	struct template *tp;
	const char *ev = "{\"big\":123456789012345678901234567890,\"neg\":-99999999999999999999,"
	    "\"e\":1e999,\"o\":{\"id\":18446744073709551616,\"s\":\"x\"},\"d\":1,\"d\":2}";

	tp = template_new("{\"big\": {{big}}, \"neg\": {{neg}}, \"e\": {{e}}, \"o\": {{o}}, "
	    "\"s\": \"id={{o.id}}\", \"d\": {{d}}}", err, sizeof(err));
	assert_non_null(tp);
	buf_init(&b, 0);
	assert_int_equal(template_render(tp, ev, strlen(ev), &b, err, sizeof(err)), 0);
	assert_string_equal(b.data, "{\"big\": 123456789012345678901234567890, "
	    "\"neg\": -99999999999999999999, \"e\": 1e999, "
	    "\"o\": {\"id\":18446744073709551616,\"s\":\"x\"}, "
	    "\"s\": \"id=18446744073709551616\", \"d\": 2}");
	buf_cleanup(&b);
	template_free(tp);
	/* A big integer in the template's own text is fine too. */
	tp = template_new("{\"k\": 99999999999999999999999, \"v\": {{big}}}", err, sizeof(err));
	assert_non_null(tp);
	template_free(tp);
}

static void
test_batch_limits(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink *s;
	size_t i;

	ts_start(&t);
	ts_cfg(&k, CONF_SINK_HTTP, t.url);
	k.batch_max_events = 4;
	k.max_in_flight = 1;
	s = mk(&t, &k);
	ts_send(&t, s, 10, 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(ts_array_len(t.req[0].body), 4);
	assert_int_equal(ts_array_len(t.req[1].body), 4);
	assert_int_equal(ts_array_len(t.req[2].body), 2);
	sink_free(s);
	/* Bytes: each event is ~300 bytes; 1000-byte bodies hold 3 of them. */
	ts_cfg(&k, CONF_SINK_HTTP, t.url);
	k.batch_max_bytes = 1000;
	s = mk(&t, &k);
	ts_reset(&t);
	ts_send(&t, s, 9, 240);
	assert_int_equal(t.counts.delivered, 9);
	for (i = 0; i < t.n; i++) {
		assert_true(t.req[i].body_len <= 1000);
		assert_int_equal(ts_array_len(t.req[i].body), 3);
	}
	sink_free(s);
	ts_stop(&t);
}

static void
test_retries(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink *s;

	ts_start(&t);
	t.script[0] = 500;
	t.script[1] = 503;
	t.script[2] = 429;
	t.script[3] = 408;
	t.n_script = 4;
	t.retry_after = "0";
	ts_cfg(&k, CONF_SINK_HTTP, t.url);
	s = mk(&t, &k);
	ts_send(&t, s, 5, 0);
	assert_int_equal(t.counts.delivered, 5);
	assert_int_equal(t.n, 5);
	assert_int_equal(sink_stats(s)->retries, 4);
	assert_int_equal(sink_stats(s)->requests, 5);
	assert_int_equal(sink_stats(s)->requests_by_status[503], 1);
	assert_int_equal(sink_stats(s)->failing_since_ms, 0); /* healthy again */
	assert_non_null(strstr(sink_stats(s)->last_error, "408"));
	sink_free(s);
	ts_stop(&t);
}

/* Rejects (400) any request containing event e-3 or e-6. */
static void
reject_some(struct ts *t, const struct ts_req *r, int *code, struct buf *body)
{
	if (strstr(r->body, "\"e-3\"") || strstr(r->body, "\"e-6\"")) {
		*code = 400;
		buf_printf(body, "{\"error\":\"bad event\"}");
	}
}

/*
 * A batch stays re-sendable when its body is not kept as one buffer: a retry sends the
 * same bytes again (streamed from the events, or the kept compressed copy), and a 400
 * splits it into halves built anew from their events; with and without gzip.
 */
static void
test_resend_streamed_and_gzip(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink *s;
	char path[] = "/tmp/test_sink_rs_XXXXXX";
	int fd = mkstemp(path), gz;
	size_t i, rejected;

	assert_true(fd >= 0);
	close(fd);
	for (gz = 0; gz < 2; gz++) {
		ts_start(&t);
		t.script[0] = 500;
		t.n_script = 1;
		t.retry_after = "0";
		t.answer = reject_some;
		ts_cfg(&k, CONF_SINK_HTTP, t.url);
		k.dead_letter = path;
		k.compression = gz ? CONF_COMP_GZIP : CONF_COMP_NONE;
		s = mk(&t, &k);
		ts_send(&t, s, 16, 0);
		assert_int_equal(t.counts.delivered, 14);
		assert_int_equal(t.counts.dead_letter, 2);
		/* The 500 and its retry: the same body, byte for byte. */
		assert_true(t.n > 2);
		assert_int_equal(t.req[0].body_len, t.req[1].body_len);
		assert_memory_equal(t.req[0].body, t.req[1].body, t.req[0].body_len);
		for (i = 0, rejected = 0; i < t.n; i++) {
			json_error_t e;
			json_t *j = json_loadb(t.req[i].body, t.req[i].body_len, 0, &e);
			assert_non_null(j); /* every body, halves included, is whole JSON */
			assert_true(json_is_array(j));
			assert_int_equal(t.req[i].gzipped, gz);
			if (strstr(t.req[i].body, "\"e-3\"") || strstr(t.req[i].body, "\"e-6\""))
				rejected++;
			json_decref(j);
		}
		assert_true(rejected >= 3); /* the first batch, its retry, halves */
		sink_free(s);
		ts_stop(&t);
	}
	unlink(path);
}

static void
test_split_dead_letter(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink *s;
	char path[] = "/tmp/test_sink_dl_XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	char line[4096];
	int n = 0;

	assert_true(fd >= 0);
	close(fd);
	ts_start(&t);
	t.answer = reject_some;
	ts_cfg(&k, CONF_SINK_HTTP, t.url);
	k.dead_letter = path;
	s = mk(&t, &k);
	ts_send(&t, s, 16, 0);
	assert_int_equal(t.counts.delivered, 14);
	assert_int_equal(t.counts.dead_letter, 2);
	assert_int_equal(sink_stats(s)->events_dead_letter, 2);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		json_error_t e;
		json_t *j = json_loads(line, 0, &e);
		const char *id;
		assert_non_null(j);
		id = json_string_value(json_object_get(json_object_get(json_object_get(j,
		    "event"), "event"), "id"));
		assert_true(strcmp(id, "e-3") == 0 || strcmp(id, "e-6") == 0);
		assert_int_equal(json_integer_value(json_object_get(j, "status")), 400);
		assert_string_equal(json_string_value(json_object_get(j, "sink")), "t");
		assert_non_null(strstr(json_string_value(json_object_get(j, "response")),
		    "bad event"));
		json_decref(j);
		n++;
	}
	fclose(f);
	unlink(path);
	assert_int_equal(n, 2);
	/* The sink carries on. */
	t.answer = NULL;
	ts_send(&t, s, 5, 0);
	assert_int_equal(t.counts.delivered, 5);
	sink_free(s);
	ts_stop(&t);
}

/* 413 for any body with more than 2 events. */
static void
too_large(struct ts *t, const struct ts_req *r, int *code, struct buf *body)
{
	if (ts_array_len(r->body) > 2)
		*code = 413;
}

static void
test_413_splits(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink *s;
	size_t i, total = 0;

	ts_start(&t);
	t.answer = too_large;
	ts_cfg(&k, CONF_SINK_HTTP, t.url);
	s = mk(&t, &k);
	ts_send(&t, s, 9, 0);
	assert_int_equal(t.counts.delivered, 9);
	assert_int_equal(t.counts.dead_letter, 0);
	for (i = 0; i < t.n; i++)
		if (ts_array_len(t.req[i].body) <= 2)
			total += ts_array_len(t.req[i].body);
	assert_int_equal(total, 9);
	sink_free(s);
	ts_stop(&t);
}

static void
test_403_pauses(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink *s;
	struct ack *a;
	struct buf b;
	struct sink_doc d;
	int i;

	ts_start(&t);
	for (i = 0; i < 6; i++)
		t.script[i] = i < 3 ? 403 : 401;
	t.n_script = 6;
	ts_cfg(&k, CONF_SINK_HTTP, t.url);
	k.retry_max_delay_ms = 50;
	k.max_in_flight = 1;
	s = mk(&t, &k);
	a = ack_new(ts_acked, &t);
	buf_init(&b, 0);
	for (i = 0; i < 10; i++) {
		ts_doc(&b, &d, (unsigned)i, "audit", 0);
		sink_submit(s, &d, a);
	}
	sink_flush(s);
	ack_seal(a);
	/* Until the first 403 arrives, then while paused. */
	while (t.n < 2)
		event_base_loop(t.base, EVLOOP_ONCE);
	assert_false(sink_healthy(s));
	assert_int_not_equal(sink_stats(s)->failing_since_ms, 0);
	ts_run(&t);
	buf_cleanup(&b);
	assert_int_equal(t.counts.delivered, 10);
	assert_int_equal(t.counts.dead_letter, 0);
	assert_int_equal(sink_stats(s)->requests_by_status[403], 3);
	assert_int_equal(sink_stats(s)->requests_by_status[401], 3);
	assert_true(sink_healthy(s));
	sink_free(s);
	ts_stop(&t);
}

static void
test_retry_max_time(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink *s;

	ts_start(&t);
	t.after_code = 502;
	ts_cfg(&k, CONF_SINK_HTTP, t.url);
	k.retry_max_time_ms = 150;
	k.dead_letter = "/dev/null";
	s = mk(&t, &k);
	ts_send(&t, s, 7, 0);
	assert_int_equal(t.counts.dead_letter, 7);
	assert_true(t.n >= 2);
	sink_free(s);
	ts_stop(&t);
}

static int space_calls;
static void
on_space(void *arg)
{
	space_calls++;
}

static void
test_queue_bounds(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink *s;
	struct ack *a;
	struct buf b;
	struct sink_doc d;
	int i, dropped = 0;

	ts_start(&t);
	ts_cfg(&k, CONF_SINK_HTTP, t.url);
	k.queue_max_events = 5;
	k.when_full = CONF_FULL_DROP_NEWEST;
	s = mk(&t, &k);
	a = ack_new(ts_acked, &t);
	buf_init(&b, 0);
	for (i = 0; i < 20; i++) {
		ts_doc(&b, &d, (unsigned)i, "audit", 0);
		dropped += sink_submit(s, &d, a) == SINK_DROPPED;
	}
	assert_int_equal(dropped, 15);
	assert_int_equal(sink_stats(s)->events_dropped, 15);
	ack_seal(a);
	sink_flush(s);
	ts_run(&t);
	assert_int_equal(t.counts.delivered, 5);
	assert_int_equal(t.counts.dropped, 15);
	sink_free(s);

	/* block: accepted past the bound, sink_full says so, the space callback resumes. */
	k.when_full = CONF_FULL_BLOCK;
	s = mk(&t, &k);
	sink_set_space_cb(s, on_space, NULL);
	t.acked = 0;
	a = ack_new(ts_acked, &t);
	for (i = 0; i < 7; i++) {
		ts_doc(&b, &d, (unsigned)i, "audit", 0);
		assert_int_equal(sink_submit(s, &d, a), SINK_ACCEPTED);
	}
	assert_true(sink_full(s));
	assert_int_equal(sink_stats(s)->queue_events, 7);
	ack_seal(a);
	sink_flush(s);
	ts_run(&t);
	assert_false(sink_full(s));
	assert_int_equal(space_calls, 1);
	assert_int_equal(t.counts.delivered, 7);
	buf_cleanup(&b);
	sink_free(s);
	ts_stop(&t);
}

static void
test_free_cancels(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink *s;
	struct ack *a;
	struct buf b;
	struct sink_doc d;
	int i;

	ts_start(&t);
	t.after_code = 503;
	ts_cfg(&k, CONF_SINK_HTTP, t.url);
	k.batch_max_events = 2;
	k.max_in_flight = 1;
	s = mk(&t, &k);
	a = ack_new(ts_acked, &t);
	buf_init(&b, 0);
	for (i = 0; i < 6; i++) {
		ts_doc(&b, &d, (unsigned)i, "audit", 0);
		sink_submit(s, &d, a);
	}
	buf_cleanup(&b);
	ack_seal(a);
	sink_flush(s);
	while (t.n < 2)
		event_base_loop(t.base, EVLOOP_ONCE);
	assert_false(t.acked);
	sink_free(s); /* one batch retrying, the rest queued */
	assert_true(t.acked);
	assert_int_equal(t.counts.cancelled, 6);
	assert_int_equal(t.counts.delivered, 0);
	ts_stop(&t);
}

static void
on_drained(void *arg)
{
	(*(int *)arg)++;
}

static void
test_drained_and_bad_input(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink_http_conf tc = { 0 };
	struct sink *s;
	struct err err;
	struct ack *a;
	struct sink_doc d;
	int drained = 0;

	ts_start(&t);
	ts_cfg(&k, CONF_SINK_HTTP, NULL);
	k.type_conf = &tc;
	assert_null(sink_new(t.base, t.client, &k, "/tmp", &err));
	assert_non_null(strstr(err.msg, "url"));
	k.url = t.url;
	tc.template = "{\"x\": {{y}"; /* unterminated */
	assert_null(sink_new(t.base, t.client, &k, "/tmp", &err));
	tc.template = NULL;
	assert_null(sink_new(t.base, NULL, &k, "/tmp", &err)); /* no HTTP client */
	s = mk(&t, &k);
	/* Not a JSON object: dead-lettered at once, never sent. */
	a = ack_new(ts_acked, &t);
	memset(&d, 0, sizeof(d));
	d.json = "[1,2]";
	d.len = 5;
	assert_int_equal(sink_submit(s, &d, a), SINK_ACCEPTED);
	ack_seal(a);
	assert_true(t.acked);
	assert_int_equal(t.counts.dead_letter, 1);
	/* when_drained: after the queued events are all acknowledged. */
	t.acked = 0;
	ts_send(&t, s, 3, 0);
	sink_when_drained(s, on_drained, &drained);
	assert_int_equal(drained, 0); /* called from the loop, not from inside */
	event_base_loop(t.base, EVLOOP_NONBLOCK);
	assert_int_equal(drained, 1);
	sink_free(s);
	ts_stop(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_array_headers),
		cmocka_unit_test(test_ndjson_and_gzip),
		cmocka_unit_test(test_json_one_per_request_template),
		cmocka_unit_test(test_template_values),
		cmocka_unit_test(test_template_big_numbers),
		cmocka_unit_test(test_batch_limits),
		cmocka_unit_test(test_retries),
		cmocka_unit_test(test_split_dead_letter),
		cmocka_unit_test(test_resend_streamed_and_gzip),
		cmocka_unit_test(test_413_splits),
		cmocka_unit_test(test_403_pauses),
		cmocka_unit_test(test_retry_max_time),
		cmocka_unit_test(test_queue_bounds),
		cmocka_unit_test(test_free_cancels),
		cmocka_unit_test(test_drained_and_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
