/*
 * test_sink_engine.c — the engine's guarantees behind every sink type: a changed sink
 * hands its events to its successor (sink_adopt), a discarded sink gives its events back
 * (cancelled, read again), a 2xx is judged by its status whatever its body, a dead-letter
 * write that fails keeps the event and is tried again, splitting stays within
 * max_in_flight and stops when everything is rejected, health counts from the last
 * delivery, no credential reaches a log line or a dead-letter record, and a batch mixing
 * several windows' events tells each window of each of its events exactly once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sink_impl.h"
#include "sink_arena.h"
#include "sink_testsrv.h"
#include "timeutil.h"

#define N_IDS 256
/* The blobs' arena (zeroed: holds no memory once they are all released). */
static struct sink_arena test_blobs;

static unsigned accepted[N_IDS]; /* per event id: how many accepted requests carried it */

static struct sink *
mk(struct ts *t, struct conf_sink *k)
{
	struct err err;
	struct sink *s = sink_new(t->base, t->client, k, "/tmp", &err);

	if (s == NULL)
		fail_msg("sink_new: %s", err.msg);
	return s;
}

/* Counts the ids of an accepted JSON array body into accepted[]. */
static void
count_ids(const char *body)
{
	json_error_t e;
	json_t *j = json_loads(body, 0, &e), *v;
	size_t i;

	assert_non_null(j);
	json_array_foreach(j, i, v) {
		unsigned id = (unsigned)json_integer_value(json_object_get(v, "n"));
		assert_true(id < N_IDS);
		accepted[id]++;
	}
	json_decref(j);
}

/* 401 unless the request carries the right token; accepted bodies are counted. */
static void
want_good_token(struct ts *t, const struct ts_req *r, int *code, struct buf *body)
{
	if (strstr(r->headers, "Authorization: Bearer good\n") == NULL) {
		*code = 401;
		buf_printf(body, "{\"error\":\"bad token\"}");
		return;
	}
	count_ids(r->body);
}

/* Submits n events (ids 0..n-1) under one ack, sealed; does not run the loop. */
static void
submit_n(struct ts *t, struct sink *s, unsigned n)
{
	struct ack *a = ack_new(ts_acked, t);
	struct buf b;
	struct sink_doc d;
	unsigned i;

	assert_non_null(a);
	t->acked = 0;
	buf_init(&b, 0);
	for (i = 0; i < n; i++) {
		ts_doc(&b, &d, i, "audit", 0);
		assert_int_equal(sink_submit(s, &d, a), SINK_ACCEPTED);
	}
	buf_cleanup(&b);
	sink_flush(s);
	ack_seal(a);
}

/* Runs the loop until cond(arg) or 10 s. */
static void
run_until(struct ts *t, int (*cond)(void *), void *arg)
{
	int64_t end = timeutil_mono_ms() + 10000;
	struct timeval tv = {0, 10000};
	struct event *tick = event_new(t->base, -1, EV_PERSIST, ts_tick, NULL);

	event_add(tick, &tv);
	while (!cond(arg) && timeutil_mono_ms() < end)
		event_base_loop(t->base, EVLOOP_ONCE);
	event_free(tick);
	assert_true(cond(arg));
}

static int
is_unhealthy(void *arg)
{
	return !sink_healthy(arg);
}

/* A paused sink's queue is taken over by its fixed successor. */
static void
test_adopt_paused_queue(void **state)
{
	struct ts t;
	struct conf_sink k1, k2;
	struct sink *old, *neu;
	const unsigned n = 40;
	unsigned i;

	memset(accepted, 0, sizeof(accepted));
	ts_start(&t);
	t.answer = want_good_token;
	ts_cfg(&k1, CONF_SINK_HTTP, t.url);
	k1.token = "wrong";
	k1.batch_max_events = 8;
	k1.retry_max_delay_ms = 50;
	k2 = k1;
	k2.token = "good";
	k2.name = "t2";
	old = mk(&t, &k1);
	submit_n(&t, old, n);
	run_until(&t, is_unhealthy, old); /* paused by the 401, its queue kept */
	assert_true(t.n >= 1);
	assert_false(t.acked);
	assert_int_equal(sink_stats(old)->events_sent, 0);
	neu = mk(&t, &k2);
	assert_int_equal(sink_adopt(neu, old), 0);
	assert_int_equal(sink_stats(old)->queue_events, 0);
	assert_int_equal(sink_stats(old)->inflight_events, 0);
	sink_free(old); /* holds nothing: acknowledges nothing */
	assert_false(t.acked);
	ts_run(&t);
	assert_int_equal(t.counts.delivered, n);
	assert_int_equal(t.counts.cancelled, 0);
	assert_int_equal(t.counts.dropped, 0);
	assert_int_equal(t.counts.dead_letter, 0);
	for (i = 0; i < n; i++)
		assert_int_equal(accepted[i], 1); /* exactly once */
	assert_int_equal(sink_stats(neu)->events_sent, n);
	sink_free(neu);
	ts_stop(&t);
}

/* Events stored in another format cannot be sent by dst: nothing moves. */
static void
test_adopt_other_format(void **state)
{
	struct ts t;
	struct conf_sink k1, k2;
	struct sink *old, *neu;

	ts_start(&t);
	t.after_code = 503;
	ts_cfg(&k1, CONF_SINK_HTTP, t.url);
	k2 = k1;
	k2.format = CONF_FORMAT_RAW;
	old = mk(&t, &k1);
	neu = mk(&t, &k2);
	submit_n(&t, old, 5);
	assert_int_equal(sink_adopt(neu, old), -1);
	assert_int_equal(sink_stats(old)->queue_events, 5);
	sink_free(neu);
	sink_free(old);
	assert_true(t.acked);
	assert_int_equal(t.counts.cancelled, 5);
	ts_stop(&t);
}

/* Every accepted body is counted, whatever the request carries. */
static void
count_all(struct ts *t, const struct ts_req *r, int *code, struct buf *body)
{
	count_ids(r->body);
}

/*
 * One blob per event shared by two sinks of one format (a third sink gets the same
 * event copied): every sink delivers every event exactly once although the producer
 * dropped its reference and overwrote its buffer right after submitting; each sink counts
 * the whole blob in queue_bytes (as if it were alone: a copy's bytes plus the blob's
 * header); sink_adopt keeps sharing it; the last release frees it (valgrind).
 */
static void
test_shared_blob(void **state)
{
	struct ts t;
	struct conf_sink k1, k2, k3, kc;
	struct sink *s1, *s2, *s3, *sc;
	struct ack *a;
	struct buf b;
	struct sink_doc d, plain;
	const unsigned n = 20;
	uint64_t q1, qc;
	unsigned i;

	memset(accepted, 0, sizeof(accepted));
	ts_start(&t);
	t.answer = count_all;
	ts_cfg(&k1, CONF_SINK_HTTP, t.url);
	k1.batch_max_events = 8;
	k2 = k1;
	k2.name = "t2";
	k3 = k1;
	k3.name = "t3";
	kc = k1;
	kc.name = "copy";
	s1 = mk(&t, &k1);
	s2 = mk(&t, &k2);
	sc = mk(&t, &kc);
	a = ack_new(ts_acked, &t);
	assert_non_null(a);
	t.acked = 0;
	buf_init(&b, 0);
	for (i = 0; i < n; i++) {
		ts_doc(&b, &d, i, "audit", 100);
		d.blob = sink_blob_new(&test_blobs, &d);
		assert_non_null(d.blob);
		assert_int_equal(sink_submit(s1, &d, a), SINK_ACCEPTED);
		assert_int_equal(sink_submit(s2, &d, a), SINK_ACCEPTED);
		plain = d;
		plain.blob = NULL;
		assert_int_equal(sink_submit(sc, &plain, a), SINK_ACCEPTED);
		sink_blob_release(d.blob); /* the sinks keep their own references */
		memset(b.data, 'x', b.len); /* nothing may borrow the producer's buffer */
	}
	buf_cleanup(&b);
	q1 = sink_stats(s1)->queue_bytes;
	qc = sink_stats(sc)->queue_bytes;
	assert_int_equal(sink_stats(s2)->queue_bytes, q1);
	assert_true(q1 > qc);                 /* the whole blob, in each sink */
	assert_int_equal((q1 - qc) % n, 0);   /* + the same header per event */
	assert_true((q1 - qc) / n <= 64);
	s3 = mk(&t, &k3);
	assert_int_equal(sink_adopt(s3, s1), 0);
	assert_int_equal(sink_stats(s3)->queue_bytes, q1);
	sink_free(s1); /* holds nothing now */
	sink_flush(s2);
	sink_flush(s3);
	sink_flush(sc);
	ack_seal(a);
	ts_run(&t);
	assert_int_equal(t.counts.delivered, 3 * n);
	assert_int_equal(t.counts.cancelled, 0);
	assert_int_equal(t.counts.dead_letter, 0);
	for (i = 0; i < n; i++)
		assert_int_equal(accepted[i], 3);
	sink_free(s2);
	sink_free(s3);
	sink_free(sc);
	ts_stop(&t);
}

/* One window's acknowledgements, as ts_acked (test_windows_by_run). */
struct win {
	struct ack_counts counts;
	int calls;
};

static void
win_acked(void *arg, const struct ack_counts *c)
{
	struct win *w = arg;

	w->counts = *c;
	w->calls++;
}

static int
all_windows(void *arg)
{
	const struct win *w = arg;

	return w[0].calls > 0 && w[1].calls > 0 && w[2].calls > 0;
}

/*
 * Batches mixing the events of several windows (runs of 7 from 3 acks by turns, so a
 * window comes back after others inside one batch), shared blobs for most events and a
 * copy for every fifth (blobs and copies side by side in the sinks' arenas),
 * two sinks, the first two requests answered 503 (their events held while later ones
 * are delivered): every window is told of each of its events exactly once per sink,
 * every event reaches the server twice, and nothing leaks (valgrind).
 */
static void
test_windows_by_run(void **state)
{
	struct ts t;
	struct conf_sink k1, k2;
	struct sink *s1, *s2;
	struct ack *a[3];
	struct win w[3];
	unsigned per[3] = {0, 0, 0};
	struct buf b;
	struct sink_doc d;
	const unsigned n = 250;
	unsigned i, j;

	memset(accepted, 0, sizeof(accepted));
	memset(w, 0, sizeof(w));
	ts_start(&t);
	t.answer = count_all;
	t.script[0] = 503;
	t.script[1] = 503;
	t.n_script = 2;
	ts_cfg(&k1, CONF_SINK_HTTP, t.url);
	k1.batch_max_events = 16;
	k2 = k1;
	k2.name = "t2";
	s1 = mk(&t, &k1);
	s2 = mk(&t, &k2);
	for (j = 0; j < 3; j++) {
		a[j] = ack_new(win_acked, &w[j]);
		assert_non_null(a[j]);
	}
	buf_init(&b, 0);
	for (i = 0; i < n; i++) {
		j = (i / 7) % 3;
		per[j]++;
		ts_doc(&b, &d, i, "audit", 0);
		if (i % 5 != 0)
			d.blob = sink_blob_new(&test_blobs, &d);
		assert_int_equal(sink_submit(s1, &d, a[j]), SINK_ACCEPTED);
		assert_int_equal(sink_submit(s2, &d, a[j]), SINK_ACCEPTED);
		sink_blob_release(d.blob);
	}
	buf_cleanup(&b);
	for (j = 0; j < 3; j++)
		ack_seal(a[j]);
	sink_flush(s1);
	sink_flush(s2);
	run_until(&t, all_windows, w);
	for (j = 0; j < 3; j++) {
		assert_int_equal(w[j].calls, 1);
		assert_int_equal(w[j].counts.delivered, 2 * per[j]);
		assert_int_equal(w[j].counts.dead_letter, 0);
		assert_int_equal(w[j].counts.cancelled, 0);
	}
	for (i = 0; i < n; i++)
		assert_int_equal(accepted[i], 2);
	assert_int_equal(sink_stats(s1)->events_sent + sink_stats(s2)->events_sent, 2 * n);
	sink_free(s1);
	sink_free(s2);
	ts_stop(&t);
}

/* A removed sink given up: its events are cancelled (read again), never "dropped". */
static void
test_discard_cancels(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink *s;

	ts_start(&t);
	t.after_code = 503;
	ts_cfg(&k, CONF_SINK_HTTP, t.url);
	k.batch_max_events = 2;
	k.max_in_flight = 1;
	s = mk(&t, &k);
	submit_n(&t, s, 6);
	while (t.n < 2)
		event_base_loop(t.base, EVLOOP_ONCE);
	sink_discard(s);
	assert_true(t.acked);
	assert_int_equal(t.counts.cancelled, 6);
	assert_int_equal(t.counts.dropped, 0);
	ts_stop(&t);
}

/* A 2xx with a 6 MiB body. */
static void
huge_ok(struct ts *t, const struct ts_req *r, int *code, struct buf *body)
{
	size_t i;

	buf_append_str(body, "{\"errors\":false,\"pad\":\"");
	for (i = 0; i < (6u << 20); i++)
		buf_append_char(body, 'x');
	buf_append_str(body, "\"}");
}

/* Judged by its status, not re-sent. */
static void
test_2xx_large_body(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink *s;

	ts_start(&t);
	t.answer = huge_ok;
	ts_cfg(&k, CONF_SINK_HTTP, t.url);
	s = mk(&t, &k);
	ts_send(&t, s, 3, 0);
	assert_int_equal(t.counts.delivered, 3);
	assert_int_equal(t.n, 1);
	assert_int_equal(sink_stats(s)->retries, 0);
	assert_true(sink_healthy(s));
	sink_free(s);
	/* Elasticsearch: errors:false at the start is all it needs. */
	ts_cfg(&k, CONF_SINK_ELASTICSEARCH, t.url);
	s = mk(&t, &k);
	ts_reset(&t);
	ts_send(&t, s, 3, 0);
	assert_int_equal(t.counts.delivered, 3);
	assert_int_equal(t.n, 1);
	assert_true(sink_healthy(s));
	sink_free(s);
	ts_stop(&t);
}

static int unreadable_left;

/* A bulk answer that does not parse (while unreadable_left > 0), then a good one. */
static void
es_garbage(struct ts *t, const struct ts_req *r, int *code, struct buf *body)
{
	if (unreadable_left > 0) {
		unreadable_left--;
		buf_append_str(body, "<html>proxy says hi</html>");
		return;
	}
	buf_append_str(body, "{\"took\":1,\"errors\":false,\"items\":[]}");
}

/* An unreadable 2xx is not re-sent forever, and is unhealthy. */
static void
test_es_unreadable_2xx(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink *s;

	ts_start(&t);
	t.answer = es_garbage;
	unreadable_left = 1000;
	ts_cfg(&k, CONF_SINK_ELASTICSEARCH, t.url);
	s = mk(&t, &k);
	ts_send(&t, s, 4, 0);
	assert_int_equal(t.counts.delivered, 4);
	assert_int_equal(t.n, 1);
	assert_false(sink_healthy(s));
	assert_non_null(strstr(sink_stats(s)->last_error, "cannot be read"));
	unreadable_left = 0;
	ts_send(&t, s, 2, 0);
	assert_true(sink_healthy(s));
	assert_true(sink_stats(s)->last_success_ms > 0);
	sink_free(s);
	ts_stop(&t);
}

/* The space callback: how often, and the backlog at the first call. */
static int space_calls;
static uint64_t space_backlog;
static void
on_space(void *arg)
{
	if (space_calls++ == 0)
		space_backlog = sink_stats(arg)->queue_events;
}

/*
 * A full sink wakes its producer once, when its backlog is two batches below the mark
 * (max_in_flight + 4 batches), not at the first batch taken off (a pause and a resume per
 * batch).  10-event batches, one in flight: mark 50, woken at 30 or less.
 */
static void
test_space_wakes_two_batches_below(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink *s;

	ts_start(&t);
	ts_cfg(&k, CONF_SINK_HTTP, t.url);
	k.batch_max_events = 10;
	k.max_in_flight = 1;
	s = mk(&t, &k);
	space_calls = 0;
	sink_set_space_cb(s, on_space, s);
	submit_n(&t, s, 60);
	assert_true(sink_full(s));
	ts_run(&t);
	assert_int_equal(t.counts.delivered, 60);
	assert_int_equal(space_calls, 1);
	assert_true(space_backlog <= 30);
	assert_true(space_backlog >= 20); /* and not later than needed */
	sink_free(s);
	ts_stop(&t);
}

/* Every item answered 429 in a 200 (while es_busy), then accepted. */
static int es_busy;
static void
es_items_busy(struct ts *t, const struct ts_req *r, int *code, struct buf *body)
{
	const char *p;
	int first = 1;

	if (!es_busy) {
		buf_append_str(body, "{\"errors\":false,\"items\":[]}");
		return;
	}
	buf_append_str(body, "{\"took\":1,\"errors\":true,\"items\":[");
	for (p = r->body; (p = strstr(p, "{\"create\"")) != NULL; p++) {
		buf_printf(body, "%s{\"create\":{\"status\":429,\"error\":{\"type\":"
		    "\"es_rejected_execution_exception\",\"reason\":\"busy\"}}}",
		    first ? "" : ",");
		first = 0;
	}
	buf_append_str(body, "]}");
}

/* 2xx answers that deliver nothing do not make a sink healthy. */
static void
test_health_from_last_delivery(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink *s;

	ts_start(&t);
	t.answer = es_items_busy;
	es_busy = 1;
	ts_cfg(&k, CONF_SINK_ELASTICSEARCH, t.url);
	k.retry_max_delay_ms = 30; /* unhealthy after 3 x 30 ms without a delivery */
	k.retry_initial_ms = 5;
	s = mk(&t, &k);
	submit_n(&t, s, 3);
	run_until(&t, is_unhealthy, s);
	/*
	 * Only 200s so far. The server shares this loop, so it may already have
	 * answered one more request than the sink has read: compare with <=.
	 */
	assert_true(sink_stats(s)->requests_by_status[200] >= 2);
	assert_true(sink_stats(s)->requests_by_status[200] <= t.n);
	assert_true(t.n - sink_stats(s)->requests_by_status[200] <= 1);
	assert_int_equal(sink_stats(s)->last_success_ms, 0);
	es_busy = 0;
	ts_run(&t);
	assert_int_equal(t.counts.delivered, 3);
	assert_true(sink_healthy(s));
	assert_true(sink_stats(s)->last_success_ms > 0);
	sink_free(s);
	ts_stop(&t);
}

static int
has_acked(void *arg)
{
	return ((struct ts *)arg)->acked;
}

/* Runs the loop for ms: for what must NOT happen meanwhile. */
static void
run_for(struct ts *t, int64_t ms)
{
	int64_t end = timeutil_mono_ms() + ms;
	struct timeval tv = {0, 5000};
	struct event *tick = event_new(t->base, -1, EV_PERSIST, ts_tick, NULL);

	event_add(tick, &tv);
	while (timeutil_mono_ms() < end)
		event_base_loop(t->base, EVLOOP_ONCE);
	event_free(tick);
}

/* An event that cannot be dead-lettered is kept, loudly, until it can. */
static void
test_dead_letter_write_retried(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink *s;
	char dir[] = "/tmp/test_sink_dlr_XXXXXX", sub[256], path[256];
	struct ack *a;
	struct sink_doc d;
	struct stat st;

	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/dl", dir);
	snprintf(path, sizeof(path), "%s/dl/dead.ndjson", dir);
	ts_start(&t);
	t.after_code = 400;
	ts_cfg(&k, CONF_SINK_HTTP, t.url);
	k.dead_letter = path; /* its folder is missing: writes fail */
	k.retry_max_delay_ms = 20;
	s = mk(&t, &k);
	submit_n(&t, s, 1);
	run_until(&t, is_unhealthy, s);
	/* A bad event (cannot be encoded) too: kept, not given back. */
	a = ack_new(ts_acked, &t);
	memset(&d, 0, sizeof(d));
	d.json = "[1,2]";
	d.len = 5;
	sink_submit(s, &d, a);
	ack_seal(a);
	run_for(&t, 200); /* ten write attempts */
	assert_false(t.acked);
	assert_int_equal(sink_stats(s)->events_cancelled, 0);
	assert_int_equal(sink_stats(s)->events_dead_letter, 0);
	assert_false(sink_healthy(s));
	assert_non_null(strstr(sink_stats(s)->last_error, "dead-letter"));
	/* The request is not sent again for a write error: once is enough. */
	assert_int_equal(t.n, 1);
	assert_int_equal(mkdir(sub, 0700), 0);
	t.acked = 0;
	run_until(&t, has_acked, &t);
	while (sink_stats(s)->events_dead_letter < 2)
		event_base_loop(t.base, EVLOOP_ONCE);
	assert_int_equal(sink_stats(s)->events_dead_letter, 2);
	assert_int_equal(sink_stats(s)->events_cancelled, 0);
	assert_true(sink_healthy(s));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	sink_free(s);
	unlink(path);
	rmdir(sub);
	rmdir(dir);
	ts_stop(&t);
}

/* A symbolic link planted at the dead-letter path is not followed. */
static void
test_dead_letter_no_symlink(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink *s;
	char dir[] = "/tmp/test_sink_dls_XXXXXX", victim[256], path[256];
	struct stat st;

	assert_non_null(mkdtemp(dir));
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(path, sizeof(path), "%s/dead.ndjson", dir);
	assert_int_equal(close(open(victim, O_WRONLY | O_CREAT, 0600)), 0);
	assert_int_equal(symlink(victim, path), 0);
	ts_start(&t);
	t.after_code = 400;
	ts_cfg(&k, CONF_SINK_HTTP, t.url);
	k.dead_letter = path;
	k.retry_max_delay_ms = 20;
	s = mk(&t, &k);
	submit_n(&t, s, 1);
	run_until(&t, is_unhealthy, s);
	assert_int_equal(stat(victim, &st), 0);
	assert_int_equal(st.st_size, 0); /* nothing written through the link */
	assert_false(t.acked);
	sink_free(s);
	assert_int_equal(t.counts.cancelled, 1);
	unlink(path);
	unlink(victim);
	rmdir(dir);
	ts_stop(&t);
}

/* A 400 for everything does not cost 2N-1 requests. */
static void
test_reject_all_cheap(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink *s;
	char path[] = "/tmp/test_sink_ra_XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	char line[4096];
	int lines = 0;

	assert_true(fd >= 0);
	close(fd);
	ts_start(&t);
	t.after_code = 400;
	ts_cfg(&k, CONF_SINK_HTTP, t.url);
	k.dead_letter = path;
	k.max_in_flight = 2;
	s = mk(&t, &k);
	ts_send(&t, s, 128, 0);
	assert_int_equal(t.counts.dead_letter, 128);
	assert_true(t.n <= 31); /* 1 + 2 + 7 x 4, where bisecting costs 255 */
	assert_true(t.n >= 15); /* 1 + 2 + 4 + 8: the first alike pairs are bisected */
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		assert_non_null(strstr(line, "\"status\":400"));
		lines++;
	}
	fclose(f);
	assert_int_equal(lines, 128);
	unlink(path);
	sink_free(s);
	ts_stop(&t);
}

/* Echoes the request's credentials back in a 400, as some servers do. */
static void
echo_creds(struct ts *t, const struct ts_req *r, int *code, struct buf *body)
{
	*code = 400;
	buf_printf(body, "{\"error\":\"denied\",\"request_headers\":\"%s\",\"uri\":\"%s\"}",
	    r->headers, r->uri);
}

/* No credential in a log line or a dead-letter record. */
static void
test_secrets_masked(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct sink *s;
	char url[256], logp[] = "/tmp/test_sink_log_XXXXXX", dlp[] = "/tmp/test_sink_dlm_XXXXXX";
	char *hdrs[] = {"X-Api-Key: hdrsecret77"};
	int lfd = mkstemp(logp), dfd = mkstemp(dlp), saved;
	FILE *f;
	char buf[65536];
	size_t n;

	assert_true(lfd >= 0 && dfd >= 0);
	close(dfd);
	ts_start(&t);
	t.answer = echo_creds;
	snprintf(url, sizeof(url), "http://user:pw5ecret@127.0.0.1:%d/in?api_key=qsecret99&x=1",
	    t.port);
	ts_cfg(&k, CONF_SINK_HTTP, url);
	k.token = "tok5ecret";
	k.headers.items = hdrs;
	k.headers.n = 1;
	k.dead_letter = dlp;
	k.max_in_flight = 1;
	fflush(stderr);
	saved = dup(2);
	dup2(lfd, 2);
	s = mk(&t, &k);
	ts_send(&t, s, 1, 0);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	assert_int_equal(t.counts.dead_letter, 1);
	/* The server did see them (the test is not vacuous). */
	assert_non_null(strstr(t.req[0].headers, "tok5ecret"));
	assert_non_null(strstr(t.req[0].uri, "qsecret99"));
	n = (size_t)pread(lfd, buf, sizeof(buf) - 1, 0);
	buf[n] = '\0';
	close(lfd);
	assert_non_null(strstr(buf, "HTTP 400"));
	assert_non_null(strstr(buf, "api_key=***"));
	f = fopen(dlp, "r");
	assert_non_null(f);
	{
		size_t off = n + 1;
		n = fread(buf + off, 1, sizeof(buf) - off - 1, f);
		buf[off + n] = '\0';
	}
	fclose(f);
	assert_true(n > 0);
	{
		const char *secrets[] = {"tok5ecret", "qsecret99", "pw5ecret", "hdrsecret77"};
		size_t i;
		char *all = buf;
		/* both the log text and the dead-letter text */
		for (i = 0; i < 4; i++) {
			assert_null(strstr(all, secrets[i]));
			assert_null(strstr(all + strlen(all) + 1, secrets[i]));
		}
		assert_non_null(strstr(all + strlen(all) + 1, "***"));
	}
	unlink(logp);
	unlink(dlp);
	sink_free(s);
	ts_stop(&t);
}

/* A type with an asynchronous transport (a broker with delivery reports). */
static struct {
	struct sink *s;
	struct event *report;  /* delivers the outcome of the pending send from the loop */
	void *token;           /* the pending send */
	int sends, cancels, events;
	const char *fail_next; /* the next report's error; NULL = delivered */
	int no_report;         /* leave sends pending (for the cancel case) */
	/* per-item reports: the first reports event 1 rejected and event 2 to retry; the
	 * others report every item delivered */
	int items;
	int first_evs[8], last_evs[8]; /* "n" of the events of the first and last body */
} fk;

/* The "n" of each event of a JSON array body into out; returns how many. */
static int
body_ns(const char *body, int *out, int max)
{
	int k = 0;

	for (const char *p = body; k < max && (p = strstr(p, "\"n\":")) != NULL; p += 4)
		out[k++] = atoi(p + 4);
	return k;
}

static void
fake_report(evutil_socket_t fd, short what, void *arg)
{
	void *t = fk.token;
	const char *e = fk.fail_next;

	fk.token = NULL;
	fk.fail_next = NULL;
	if (fk.items) {
		struct sink_item_result res[8];

		memset(res, 0, sizeof(res));
		if (fk.sends == 1) {
			res[1].action = SINK_ITEM_REJECT;
			res[1].status = 10;
			snprintf(res[1].reason, sizeof(res[1].reason), "message too large");
			res[2].action = SINK_ITEM_RETRY;
			snprintf(res[2].reason, sizeof(res[2].reason), "leader moved");
		}
		sink_send_done_items(fk.s, t, res);
		return;
	}
	sink_send_done(fk.s, t, e);
}

static int
fake_init(struct sink *s, struct err *err)
{
	return 0;
}

static int
fake_assemble(struct sink *s, struct sink_event *const *evs, size_t n, struct buf *out)
{
	return sink_join_items(out, evs, n, "[", ",", "]");
}

static int
fake_send(struct sink *s, void *token, const char *body, size_t len, char *errbuf,
    size_t errlen)
{
	struct timeval tv = { 0, 1000 };

	assert_null(fk.token); /* max_in_flight = 1 */
	fk.token = token;
	fk.sends++;
	fk.events = (int)ts_array_len(body);
	if (fk.sends == 1)
		body_ns(body, fk.first_evs, 8);
	memset(fk.last_evs, -1, sizeof(fk.last_evs));
	body_ns(body, fk.last_evs, 8);
	if (!fk.no_report)
		evtimer_add(fk.report, &tv);
	return 0;
}

static void
fake_cancel(struct sink *s, void *token)
{
	assert_ptr_equal(token, fk.token);
	fk.token = NULL;
	fk.cancels++;
}

static const struct sink_ops fake_ops = {
	.type = "fake",
	.init = fake_init,
	.assemble = fake_assemble,
	.send = fake_send,
	.cancel = fake_cancel,
};

/*
 * Issue 12 item 1: a transport may be asynchronous.  A failed delivery report is retried,
 * a good one acknowledges the events; a sink freed while a send is pending cancels it and
 * its events are cancelled (read again).
 */
static void
test_async_transport(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct err err;

	memset(&t, 0, sizeof(t));
	memset(&fk, 0, sizeof(fk));
	t.base = event_base_new();
	fk.report = evtimer_new(t.base, fake_report, NULL);
	ts_cfg(&k, CONF_SINK_HTTP, NULL);
	k.max_in_flight = 1;
	fk.s = sink_new_ops(t.base, NULL, &k, &fake_ops, "/tmp", &err);
	if (fk.s == NULL)
		fail_msg("sink_new_ops: %s", err.msg);
	assert_null(sink_url(fk.s));
	fk.fail_next = "broker down";
	submit_n(&t, fk.s, 5);
	sink_flush(fk.s);
	ts_run(&t);
	assert_int_equal(fk.sends, 2);
	assert_int_equal(fk.events, 5);
	assert_int_equal(t.counts.delivered, 5);
	assert_int_equal(sink_stats(fk.s)->retries, 1);
	assert_int_equal(sink_stats(fk.s)->events_sent, 5);

	fk.no_report = 1;
	submit_n(&t, fk.s, 3);
	sink_flush(fk.s);
	while (fk.sends < 3)
		event_base_loop(t.base, EVLOOP_ONCE);
	assert_non_null(fk.token);
	sink_free(fk.s);
	assert_int_equal(fk.cancels, 1);
	assert_true(t.acked);
	assert_int_equal(t.counts.cancelled, 3);
	event_free(fk.report);
	event_base_free(t.base);
}

/*
 * Per-item delivery reports (sink_send_done_items): of a batch of 5, the delivered are
 * acknowledged, the one rejected is dead-lettered alone (the others do not reach the
 * dead-letter file), and the one to retry is sent again alone, then delivered.
 */
static void
test_async_items(void **state)
{
	struct ts t;
	struct conf_sink k;
	struct err err;
	char dir[] = "/tmp/test_sink_items_XXXXXX", path[256], line[512];
	FILE *f;
	int nlines = 0, found = 0;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/dead.ndjson", dir);
	memset(&t, 0, sizeof(t));
	memset(&fk, 0, sizeof(fk));
	fk.items = 1;
	t.base = event_base_new();
	fk.report = evtimer_new(t.base, fake_report, NULL);
	ts_cfg(&k, CONF_SINK_HTTP, NULL);
	k.max_in_flight = 1;
	k.dead_letter = path;
	k.retry_initial_ms = 1;
	k.retry_max_delay_ms = 5;
	fk.s = sink_new_ops(t.base, NULL, &k, &fake_ops, dir, &err);
	if (fk.s == NULL)
		fail_msg("sink_new_ops: %s", err.msg);
	submit_n(&t, fk.s, 5);
	ts_run(&t);
	assert_true(t.acked);
	assert_int_equal(fk.sends, 2);
	assert_int_equal(fk.first_evs[1], 1);
	assert_int_equal(fk.first_evs[2], 2);
	assert_int_equal(fk.events, 1);          /* the retry: event 2 alone */
	assert_int_equal(fk.last_evs[0], 2);
	assert_int_equal(t.counts.delivered, 4);
	assert_int_equal(t.counts.dead_letter, 1);
	assert_int_equal(sink_stats(fk.s)->events_sent, 4);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		nlines++;
		found += strstr(line, "e-1") != NULL && strstr(line, "message too large") != NULL;
	}
	fclose(f);
	assert_int_equal(nlines, 1);
	assert_int_equal(found, 1);
	sink_free(fk.s);
	unlink(path);
	rmdir(dir);
	event_free(fk.report);
	event_base_free(t.base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_adopt_paused_queue),
		cmocka_unit_test(test_adopt_other_format),
		cmocka_unit_test(test_shared_blob),
		cmocka_unit_test(test_windows_by_run),
		cmocka_unit_test(test_discard_cancels),
		cmocka_unit_test(test_2xx_large_body),
		cmocka_unit_test(test_es_unreadable_2xx),
		cmocka_unit_test(test_health_from_last_delivery),
		cmocka_unit_test(test_space_wakes_two_batches_below),
		cmocka_unit_test(test_dead_letter_write_retried),
		cmocka_unit_test(test_dead_letter_no_symlink),
		cmocka_unit_test(test_reject_all_cheap),
		cmocka_unit_test(test_secrets_masked),
		cmocka_unit_test(test_async_transport),
		cmocka_unit_test(test_async_items),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
