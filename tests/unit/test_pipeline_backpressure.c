/*
 * test_pipeline_backpressure.c — the pipeline wakes a source paused on a full sink when
 * that sink has room (its space callback), also across reloads: a changed sink that took
 * the full queue over, a full sink removed.  A whole pipeline from a configuration file,
 * with a fake search (pipeline_opts.search_ops) and file sinks; the sources' fallback
 * re-check is an hour (OCI_LOGFWD_TEST_BACKPRESSURE_FALLBACK_MS), so every test finishes
 * only if each pause ends by a wake-up.  Waits re-evaluate their condition, bounded by a
 * generous overall timeout; nothing is timed.
 */
#define _GNU_SOURCE /* nftw, asprintf */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "buf.h"
#include "conf.h"
#include "log.h"
#include "pipeline.h"
#include "pipeline_testdir.h"
#include "search.h"
#include "timeutil.h"

#define N_RECORDS 600
#define WAIT_MS 20000

static char tmpdir[] = "/tmp/test_pipeline_bp.XXXXXX";
static char head[PATH_MAX * 4]; /* [daemon], [oci], [source s] */

/* ---- the fake search: every record of its window, one page, handed over in parts ---- */

struct fsearch {
	struct search_callbacks cb;
	struct event *ev;
	int64_t start_ms, end_ms;
	size_t next;
	int paused;
};

static struct {
	struct event_base *base;
	int64_t t[N_RECORDS];     /* record times */
	unsigned searches, pauses, partial_pages;
	struct fsearch *live;     /* the search running, if any */
} F;

static void fs_run(evutil_socket_t fd, short what, void *arg);

static struct search *
fs_start(struct oci_client *c, const char *query, int64_t start_ms, int64_t end_ms,
    const struct search_opts *opts, const struct search_callbacks *cb)
{
	struct fsearch *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	s->cb = *cb;
	s->start_ms = start_ms;
	s->end_ms = end_ms;
	s->ev = evtimer_new(F.base, fs_run, s);
	assert_non_null(s->ev);
	F.searches++;
	F.live = s;
	event_active(s->ev, EV_TIMEOUT, 0); /* from the loop, never inside search_start */
	return (struct search *)s;
}

static void
fs_free(struct fsearch *s)
{
	if (F.live == s)
		F.live = NULL;
	event_free(s->ev);
	free(s);
}

static void
fs_pause(struct search *x)
{
	((struct fsearch *)x)->paused = 1;
	F.pauses++;
}

static void
fs_resume(struct search *x)
{
	struct fsearch *s = (struct fsearch *)x;

	s->paused = 0;
	event_active(s->ev, EV_TIMEOUT, 0);
}

static void
fs_cancel(struct search *x)
{
	fs_free((struct fsearch *)x);
}

static const struct search_ops fake_ops = { fs_start, fs_pause, fs_resume, fs_cancel };

static char *
record_json(size_t i, size_t *len)
{
	char *out, when[TIMEUTIL_RFC3339_SIZE];

	assert_int_not_equal(timeutil_format_rfc3339(F.t[i], TIMEUTIL_MS, when), 0);
	if (asprintf(&out, "{\"datetime\":%lld,\"logContent\":{\"id\":\"rec-%zu\","
	        "\"source\":\"test\",\"time\":\"%s\",\"type\":\"com.example.test\","
	        "\"data\":{\"n\":%zu}}}", (long long)F.t[i], i, when, i) < 0)
		fail();
	*len = strlen(out);
	return out;
}

static void
fs_run(evutil_socket_t fd, short what, void *arg)
{
	struct fsearch *s = arg;
	struct search_record recs[N_RECORDS];
	char *bufs[N_RECORDS];
	size_t idx[N_RECORDS], n = 0, used;
	struct search_page page;
	struct search_result res;

	if (s->paused)
		return;
	for (size_t i = 0; i < N_RECORDS; i++)
		if (F.t[i] >= s->start_ms && F.t[i] < s->end_ms)
			idx[n++] = i;
	if (s->next < n) {
		size_t k = n - s->next;
		for (size_t j = 0; j < k; j++) {
			bufs[j] = record_json(idx[s->next + j], &recs[j].len);
			recs[j].json = bufs[j];
			recs[j].parsed = NULL;
		}
		memset(&page, 0, sizeof(page));
		page.records = recs;
		page.n = k;
		page.request_id = "fake-request";
		if (s->cb.response != NULL)
			s->cb.response(s->cb.arg, 200);
		used = s->cb.page(s->cb.arg, &page);
		for (size_t j = 0; j < k; j++)
			free(bufs[j]);
		assert_true(used <= k);
		s->next += used;
		if (used < k) {
			F.partial_pages++;
			s->paused = 1; /* the contract: the rest comes after search_resume */
			return;
		}
	}
	memset(&res, 0, sizeof(res));
	res.status = SEARCH_OK;
	res.records = n;
	if (F.live == s)
		F.live = NULL;
	s->cb.done(s->cb.arg, &res);
	event_free(s->ev);
	free(s);
}

/* ---- configuration, output ------------------------------------------------------------- */

/* head + one file sink section per (name, file, extra) triple in sinks. */
static struct conf *
conf_of(const char *sinks)
{
	struct buf b;
	struct conf *c;

	buf_init(&b, 0);
	buf_append_str(&b, head);
	buf_append_str(&b, sinks);
	c = testdir_conf(tmpdir, b.data);
	buf_cleanup(&b);
	return c;
}

/* "[sink NAME]": a raw file sink writing tmpdir/NAME.out; its queue is full at 50
 * events, a batch, which it writes as soon as its one slot is free. */
static const char *
file_sink(char *out, size_t n, const char *name, const char *extra)
{
	snprintf(out, n, "[sink %s]\ntype = file\nformat = raw\npath = %s/%s.out\n"
	    "dead_letter = %s/dl-%s\nqueue_max_events = 50\nbatch_max_events = 50\n"
	    "max_in_flight = 1\n%s", name, tmpdir, name, tmpdir, name, extra);
	return out;
}

/* A sink that stays full: its first batch is written, the second waits for a rate-limit
 * token (1000 s) holding the only slot, and the queue fills behind it. */
#define HELD "rate_limit = 0.001\nrate_burst = 1\n"


/* Per record, how often it is in tmpdir/NAME.out (added to per); returns the lines. */
static size_t
count_in(const char *name, unsigned *per)
{
	char p[PATH_MAX], *line = NULL;
	size_t cap = 0, lines = 0;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s.out", tmpdir, name);
	f = fopen(p, "r");
	if (f == NULL)
		return 0;
	while (getline(&line, &cap, f) > 0) {
		json_error_t e;
		json_t *j = json_loads(line, 0, &e);
		const char *id;
		if (j == NULL)
			break; /* a line being written */
		id = json_string_value(json_object_get(j, "id"));
		assert_non_null(id);
		assert_int_equal(strncmp(id, "rec-", 4), 0);
		if (per != NULL)
			per[atoi(id + 4)]++;
		json_decref(j);
		lines++;
	}
	free(line);
	fclose(f);
	return lines;
}

/* Every record exactly once over the files named (NULL-terminated). */
static void
assert_exactly_once(const char *const *names)
{
	static unsigned per[N_RECORDS];

	memset(per, 0, sizeof(per));
	for (size_t i = 0; names[i] != NULL; i++)
		count_in(names[i], per);
	for (size_t i = 0; i < N_RECORDS; i++)
		if (per[i] != 1)
			fail_msg("record %zu arrived %u times", i, per[i]);
}

static void
tick(evutil_socket_t fd, short what, void *arg)
{
	event_base_loopbreak(F.base);
}

/* Runs the loop until cond(arg) holds, re-evaluated at least every 5 ms; fails after
 * WAIT_MS. */
static void
run_until(int (*cond)(void *), void *arg)
{
	struct timeval tv = { 0, 5000 };
	struct event *t = event_new(F.base, -1, EV_PERSIST, tick, NULL);
	int64_t end = timeutil_mono_ms() + WAIT_MS;

	assert_non_null(t);
	evtimer_add(t, &tv);
	while (!cond(arg)) {
		if (timeutil_mono_ms() >= end)
			fail_msg("condition not met within %d ms", WAIT_MS);
		event_base_loop(F.base, EVLOOP_ONCE);
	}
	event_free(t);
}

static int
cond_lines(void *arg)
{
	const char *const *names = arg;
	size_t n = 0;

	for (size_t i = 0; names[i] != NULL; i++)
		n += count_in(names[i], NULL);
	return n >= N_RECORDS;
}

/* The search is paused with the rest of its page, the sink full (it holds 50). */
static int
cond_paused(void *arg)
{
	return F.live != NULL && F.live->paused && F.partial_pages > 0;
}

static struct pipeline *
start(const char *sinks)
{
	struct pipeline_opts po;
	struct pipeline *p;
	struct err err;
	int64_t now = timeutil_now_ms();

	memset(&F, 0, sizeof(F));
	F.base = event_base_new();
	assert_non_null(F.base);
	/* one window: [now - 1m, now) */
	for (size_t i = 0; i < N_RECORDS; i++)
		F.t[i] = now - 50000 + (int64_t)i * 10;
	memset(&po, 0, sizeof(po));
	po.mode = SOURCE_MODE_DAEMON;
	po.search_ops = &fake_ops;
	p = pipeline_new(F.base, conf_of(sinks), &po, &err);
	if (p == NULL)
		fail_msg("pipeline_new: %s", err.msg);
	return p;
}

static void
stop(struct pipeline *p)
{
	pipeline_free(p);
	event_base_free(F.base);
	F.base = NULL;
}

/* ---- tests ---------------------------------------------------------------------------- */

/* A sink that drains by itself (batch_timeout) wakes the source every time. */
static void
test_sink_room_wakes_source(void **state)
{
	char a[PATH_MAX * 2];
	const char *names[] = { "f1", NULL };
	struct pipeline *p = start(file_sink(a, sizeof(a), "f1", ""));

	run_until(cond_lines, names);
	assert_true(F.partial_pages >= N_RECORDS / 50 - 1); /* paused on every queue-full */
	assert_exactly_once(names);
	stop(p);
}

/*
 * Reload while paused on a full sink that does not drain (HELD): the changed sink (same
 * name, no rate limit) takes its 100 events over, drains, and its space callback wakes
 * the source.  (The adoption fills the new sink's queue: it must know it was full.)
 */
static void
test_reload_changed_sink_wakes_source(void **state)
{
	char a[PATH_MAX * 2];
	const char *names[] = { "f1", NULL };
	struct pipeline *p = start(file_sink(a, sizeof(a), "f1", HELD));
	struct err err;

	run_until(cond_paused, NULL);
	assert_int_equal(count_in("f1", NULL), 50);
	assert_int_equal(pipeline_reload(p, conf_of(file_sink(a, sizeof(a), "f1", "")), &err),
	    0);
	run_until(cond_lines, names);
	assert_exactly_once(names);
	stop(p);
}

static int
cond_f2_has_rest(void *arg)
{
	return count_in("f2", NULL) >= N_RECORDS - 150; /* all but what f1 took */
}

/*
 * Reload while paused: the full sink is removed, another one (with room) added.  No space
 * callback can come from the sink the source waited for (it is out of its routes, and
 * stays full); the new routes wake it.
 */
static void
test_reload_removed_sink_wakes_source(void **state)
{
	char a[PATH_MAX * 2];
	static unsigned per[N_RECORDS];
	struct pipeline *p = start(file_sink(a, sizeof(a), "f1", HELD));
	struct err err;

	run_until(cond_paused, NULL);
	assert_int_equal(pipeline_reload(p, conf_of(file_sink(a, sizeof(a), "f2", "")), &err),
	    0);
	run_until(cond_f2_has_rest, NULL);
	memset(per, 0, sizeof(per));
	assert_int_equal(count_in("f1", per), 50);
	count_in("f2", per);
	for (size_t i = 0; i < N_RECORDS; i++)
		assert_true(per[i] <= 1);
	stop(p);
}

static void
on_shutdown(void *arg)
{
	*(int *)arg = 1;
}

static int
cond_flag(void *arg)
{
	return *(int *)arg;
}

/* Shutdown while paused (f1 cannot drain): the stop completes, nothing is left behind. */
static void
test_shutdown_while_paused(void **state)
{
	char a[PATH_MAX * 2];
	struct pipeline *p = start(file_sink(a, sizeof(a), "f1", HELD));
	int done = 0;

	run_until(cond_paused, NULL);
	pipeline_shutdown(p, 100, on_shutdown, &done); /* f1 cannot drain: the timeout */
	run_until(cond_flag, &done);
	assert_int_equal(count_in("f1", NULL), 50);
	stop(p);
}

/* ---- setup ---------------------------------------------------------------------------- */

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* Each test starts with no checkpoint and no output. */
static int
clean(void **state)
{
	const char *files[] = { "f1.out", "f2.out", "dl-f1", "dl-f2", "st/s.state", NULL };
	char p[PATH_MAX];

	for (size_t i = 0; files[i] != NULL; i++) {
		snprintf(p, sizeof(p), "%s/%s", tmpdir, files[i]);
		unlink(p);
	}
	return 0;
}

static int
setup(void **state)
{
	if (testdir_setup_oci(tmpdir) != 0)
		return -1;
	/* The fake answers at once: no page wait, so one search (one window) at a time. */
	snprintf(head, sizeof(head),
	    "[daemon]\nstate_dir = %s/st\nlog_level = error\n"
	    "[oci]\nconfig_file = %s/oci-config\nendpoint = http://127.0.0.1:1\n"
	    "region = us-ashburn-1\n"
	    "[source s]\nquery = search \"x\"\ninterval = 1h\nstart = -1m\nlag = 0s\n"
	    "window = 1h\noverlap = 0s\n", tmpdir, tmpdir);
	log_set_level(LOG_LVL_ERROR);
	/* Only a wake-up resumes a paused source (the fallback would take an hour). */
	setenv("OCI_LOGFWD_TEST_BACKPRESSURE_FALLBACK_MS", "3600000", 1);
	return 0;
}

static int
teardown(void **state)
{
	return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_sink_room_wakes_source, clean),
		cmocka_unit_test_setup(test_reload_changed_sink_wakes_source, clean),
		cmocka_unit_test_setup(test_reload_removed_sink_wakes_source, clean),
		cmocka_unit_test_setup(test_shutdown_while_paused, clean),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
