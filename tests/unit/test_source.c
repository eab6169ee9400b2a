/*
 * test_source.c — the source's window machine against a fake search (source_env's
 * search_ops), on a real event loop with real file sinks: regular windows, splitting on
 * SEARCH_TOO_BIG, a window too big even at 1 s, the overlap sweep, events cancelled by a
 * sink (reload), OCI unreachable (retrying), per-record queue limits, max_record_bytes,
 * the checkpoint's plausibility and arithmetic near INT64_MAX, and health.  Several
 * windows at once (max_concurrent_searches): in backfill, not while tailing; out-of-order
 * completion keeps the checkpoint in order; a retry holds every search; splits, crashes,
 * queue limits and giving up with several searches in flight.
 *
 * Retry delays are scaled by 1/1000 (retry_scale_permille = 1): every test runs in
 * milliseconds of wall-clock time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <event2/event.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ack.h"
#include "conf.h"
#include "log.h"
#include "normalize.h"
#include "search.h"
#include "seen.h"
#include "sink.h"
#include "sink_file.h"
#include "source.h"
#include "state.h"
#include "timeutil.h"

/* ---- the fake search ------------------------------------------------------------------ */

/*
 * Page latency of the tests that want several searches: source.c grows concurrency while
 * its smoothed page wait (from 0, a quarter per page) is at least 50 ms: 200 ms pages do
 * it from the first page on.
 */
#define PAGE_MS 200

#define MAX_RECORDS 4096
#define MAX_SEARCHES 4096

struct fake;

struct fsearch {
	struct fake *f;
	int64_t start_ms, end_ms;
	struct search_callbacks cb;
	struct event *ev;
	int paused;
	size_t next;      /* next record (index into the window's records) to hand over */
	unsigned idx;     /* its number: 0 for the first search */
	int64_t not_before_mono; /* answers nothing before (latency, delays; even if resumed) */
	unsigned pages;   /* pages handed over (whole or in part) */
	int mid_page;     /* the last page was not consumed whole: its rest comes at once */
	int slowed;       /* F.slow_ms applied */
	int finishing;    /* every page handed over: only its end is left (no request) */
};

struct fake {
	struct event_base *base;
	struct source *src;
	/* The records OCI has: time, and from which search number on it is visible (late
	 * ingestion; 0 = always); big > 0 makes a record that many bytes long. */
	int64_t t[MAX_RECORDS];
	unsigned visible_from[MAX_RECORDS];
	size_t big[MAX_RECORDS];
	size_t n;
	size_t page_size;
	/* Behaviour */
	int64_t too_big_over_ms;   /* a window longer than this is SEARCH_TOO_BIG (0 = never) */
	int64_t poison_ms;         /* a window containing this instant is TOO_BIG ... */
	unsigned poison_fails;     /* ... this many times (UINT_MAX = always) */
	unsigned poison_count;
	unsigned outage_retries;   /* the first search retries this many times first */
	int64_t retry_delay_ms;    /* the delay it reports */
	int hang;                  /* searches never answer (stuck paging) */
	unsigned fail_searches;    /* the first this many searches end SEARCH_FAILED ... */
	long fail_http;            /* ... with this status (403, 413, 0 = malformed page) */
	const char *fail_rid;      /* ... and this opc-request-id */
	unsigned fail_count;
	int fail_after_page;       /* ... after handing over the window's first record */
	int64_t wait_since0;       /* waiting_since_ms after the first such failure */
	unsigned wait_since_moved; /* later failures that found it changed (reset by a page) */
	char seen_error[512];      /* last_error right after the last such failure */
	unsigned char reject[MAX_RECORDS];   /* record i is not an object (normalize rejects) */
	unsigned char too_big[MAX_RECORDS];  /* record i is over max_page_bytes: oversize() */
	unsigned oversize_refused;           /* oversize() calls that returned non-zero */
	unsigned oversize_calls;
	const char *mkdir_after_refusals;    /* created after mkdir_after (2) refusals */
	unsigned mkdir_after;
	/* Observations */
	struct { int64_t start_ms, end_ms; } log[MAX_SEARCHES];
	unsigned n_searches;
	unsigned running;          /* searches started and not finished/cancelled */
	unsigned max_running;
	unsigned partial_pages;    /* page callbacks that consumed fewer than offered */
	unsigned retry_calls;
	int waiting_seen, unhealthy_seen;
	int64_t cursor_during_outage;
	struct sink *watch;        /* queue_events checked after every page callback */
	uint64_t max_queue;
	/* Concurrency: search number i answers only after delay_ms[i] (0 = at once) ... */
	int64_t delay_ms[MAX_SEARCHES];
	/* ... and takes slow_ms[i] more after its first page (its other pages, its end). */
	int64_t slow_ms[MAX_SEARCHES];
	/* Page latency: each page comes latency_ms after its search could take it (started,
	 * previous page consumed, resumed), as OCI answers a page request. */
	int64_t latency_ms;
	unsigned outage_after_pages; /* the outage (outage_retries) starts after this many pages */
	unsigned pages_total;
	unsigned running_at_first_retry;
	unsigned done[MAX_SEARCHES];   /* search i ended (done called) */
	unsigned retry_from[MAX_SEARCHES]; /* retrying() calls per search number */
	unsigned searches_at_first_retry, searches_at_last_retry;
	unsigned started_while_full; /* searches started while F.watch was full */
	/* Search number fail_paused - 1 ends SEARCH_FAILED (403) when it runs while paused:
	 * the answer to a request already in flight when it was held. */
	unsigned fail_paused;
	/* Sinks' space callbacks (on_sink_space), and whether they leave the source be
	 * (no_wake: only the fallback re-check resumes it). */
	unsigned space_calls;
	int no_wake;
};

static struct fake F;

static void fs_run(evutil_socket_t fd, short what, void *arg);

static void
fs_schedule(struct fsearch *s, int64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };

	evtimer_add(s->ev, &tv);
}

static struct search *
fs_start(struct oci_client *c, const char *query, int64_t start_ms, int64_t end_ms,
    const struct search_opts *opts, const struct search_callbacks *cb)
{
	struct fsearch *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	assert_true(start_ms < end_ms);
	s->f = &F;
	s->start_ms = start_ms;
	s->end_ms = end_ms;
	s->cb = *cb;
	s->ev = evtimer_new(F.base, fs_run, s);
	assert_non_null(s->ev);
	assert_true(F.n_searches < MAX_SEARCHES);
	F.log[F.n_searches].start_ms = start_ms;
	F.log[F.n_searches].end_ms = end_ms;
	s->idx = F.n_searches;
	if (F.watch != NULL && sink_full(F.watch))
		F.started_while_full++;
	F.n_searches++;
	F.running++;
	if (F.running > F.max_running)
		F.max_running = F.running;
	/* from the loop, never inside search_start */
	s->not_before_mono = timeutil_mono_ms() + F.delay_ms[s->idx] + F.latency_ms;
	fs_schedule(s, F.delay_ms[s->idx] + F.latency_ms);
	return (struct search *)s;
}

static void
fs_free(struct fsearch *s)
{
	F.running--;
	event_free(s->ev);
	free(s);
}

/* done, then free (counted as not running before done: done may start the next one). */
static void
fs_finish(struct fsearch *s, const struct search_result *res)
{
	F.running--;
	F.done[s->idx]++;
	s->cb.done(s->cb.arg, res);
	event_free(s->ev);
	free(s);
}

static void
fs_pause(struct search *x)
{
	((struct fsearch *)x)->paused = 1;
}

static void
fs_resume(struct search *x)
{
	struct fsearch *s = (struct fsearch *)x;

	s->paused = 0;
	/* A request goes out only now: its page takes the latency (the rest of a page
	 * partly consumed is already here). */
	if (!s->mid_page && s->not_before_mono < timeutil_mono_ms() + F.latency_ms)
		s->not_before_mono = timeutil_mono_ms() + F.latency_ms;
	fs_schedule(s, 0);
}

static void
fs_cancel(struct search *x)
{
	fs_free((struct fsearch *)x);
}

static const struct search_ops fake_ops = { fs_start, fs_pause, fs_resume, fs_cancel };

/* The JSON of record i as SearchLogs returns it in results[].data. */
static char *
record_json(size_t i, size_t *len)
{
	char *out, when[TIMEUTIL_RFC3339_SIZE];
	size_t extra = F.big[i];

	if (F.reject[i]) {
		/* Valid JSON that normalize refuses: not an object. */
		if (asprintf(&out, "[\"rec-%zu\",%lld]", i, (long long)F.t[i]) < 0)
			fail();
		*len = strlen(out);
		return out;
	}

	if (timeutil_format_rfc3339(F.t[i], TIMEUTIL_MS, when) == 0)
		strcpy(when, "2099-01-01T00:00:00.000Z");
	if (asprintf(&out, "{\"datetime\":%lld,\"logContent\":{\"id\":\"rec-%zu\","
	        "\"source\":\"test\",\"time\":\"%s\",\"type\":\"com.example.test\","
	        "\"data\":{\"n\":%zu,\"pad\":\"", (long long)F.t[i], i, when, i) < 0)
		fail();
	if (extra > 0) {
		size_t base = strlen(out);
		out = realloc(out, base + extra + 8);
		assert_non_null(out);
		memset(out + base, 'x', extra);
		out[base + extra] = '\0';
	}
	{
		size_t base = strlen(out);
		out = realloc(out, base + 8);
		assert_non_null(out);
		strcpy(out + base, "\"}}}");
	}
	*len = strlen(out);
	return out;
}

static int
in_window(const struct fsearch *s, size_t i)
{
	return F.t[i] >= s->start_ms && F.t[i] < s->end_ms &&
	    (F.visible_from[i] == 0 || F.n_searches >= F.visible_from[i]);
}

static void
fs_run(evutil_socket_t fd, short what, void *arg)
{
	struct fsearch *s = arg;
	struct search_result res;
	size_t idx[MAX_RECORDS], n = 0;

	if (s->paused && F.fail_paused == s->idx + 1) {
		F.fail_paused = 0;
		memset(&res, 0, sizeof(res));
		res.status = SEARCH_FAILED;
		res.http_status = 403;
		res.code = "NotAllowed";
		res.message = "refused";
		fs_finish(s, &res);
		return;
	}
	if (s->paused || F.hang)
		return;
	if (timeutil_mono_ms() < s->not_before_mono) {
		fs_schedule(s, s->not_before_mono - timeutil_mono_ms());
		return;
	}
	memset(&res, 0, sizeof(res));
	if (F.outage_retries > 0 && F.pages_total >= F.outage_after_pages && !s->mid_page &&
	    !s->finishing) {
		/* OCI unreachable: the real search retries inside, keeping its place. */
		F.outage_retries--;
		res.status = SEARCH_FAILED;
		res.http_status = 0;
		res.message = "Couldn't connect to server";
		if (F.fail_rid != NULL) { /* a 503 from OCI, with its opc-request-id */
			res.http_status = 503;
			res.code = "ServiceUnavailable";
			res.message = "busy";
			res.request_id = F.fail_rid;
		}
		F.retry_calls++;
		F.retry_from[s->idx]++;
		if (F.retry_calls == 1) {
			F.searches_at_first_retry = F.n_searches;
			F.running_at_first_retry = F.running;
		}
		if (s->cb.response != NULL) /* the real search reports the answer first */
			s->cb.response(s->cb.arg, res.http_status);
		F.searches_at_last_retry = F.n_searches;
		if (s->cb.retrying != NULL)
			s->cb.retrying(s->cb.arg, &res, F.retry_delay_ms);
		snprintf(F.seen_error, sizeof(F.seen_error), "%s", source_stats(F.src)->last_error);
		F.cursor_during_outage = source_stats(F.src)->cursor_ms;
		if (source_stats(F.src)->waiting)
			F.waiting_seen = 1;
		if (!source_healthy(F.src))
			F.unhealthy_seen = 1;
		fs_schedule(s, 1); /* the fake does not really wait */
		return;
	}
	if (F.fail_count < F.fail_searches) {
		/* A failure that says nothing about size (403, a malformed page, a cycle). */
		F.fail_count++;
		if (F.fail_after_page) {
			/* like a token cycle: a page arrives, then the window fails */
			for (size_t i = 0; i < F.n; i++)
				if (in_window(s, i)) {
					struct search_record rec = { 0 };
					struct search_page page;
					char *b = record_json(i, &rec.len);
					rec.json = b;
					memset(&page, 0, sizeof(page));
					page.records = &rec;
					page.n = 1;
					page.request_id = "fake-request";
					(void)s->cb.page(s->cb.arg, &page);
					free(b);
					break;
				}
		}
		res.status = SEARCH_FAILED;
		res.http_status = F.fail_http;
		res.code = F.fail_http != 0 ? "NotAllowed" : NULL;
		res.message = "refused";
		res.request_id = F.fail_rid;
		fs_finish(s, &res);
		snprintf(F.seen_error, sizeof(F.seen_error), "%s", source_stats(F.src)->last_error);
		if (F.fail_count == 1)
			F.wait_since0 = source_stats(F.src)->waiting_since_ms;
		else if (source_stats(F.src)->waiting_since_ms != F.wait_since0)
			F.wait_since_moved++;
		return;
	}
	if ((F.too_big_over_ms > 0 && s->end_ms - s->start_ms > F.too_big_over_ms) ||
	    (F.poison_ms > 0 && s->start_ms <= F.poison_ms && F.poison_ms < s->end_ms &&
	        F.poison_count < F.poison_fails)) {
		if (F.poison_ms > 0 && s->start_ms <= F.poison_ms && F.poison_ms < s->end_ms)
			F.poison_count++;
		res.status = SEARCH_TOO_BIG;
		res.http_status = 500;
		res.message = "too big";
		fs_finish(s, &res);
		return;
	}
	for (size_t i = 0; i < F.n; i++)
		if (in_window(s, i))
			idx[n++] = i;
	if (n == 0 && s->pages == 0 && s->cb.response != NULL)
		s->cb.response(s->cb.arg, 200); /* the empty page */
	while (s->next < n) {
		size_t k = n - s->next, used;
		struct search_record recs[MAX_RECORDS];
		char *bufs[MAX_RECORDS];
		struct search_page page;

		if (F.too_big[idx[s->next]]) {
			/* Over max_page_bytes even alone: the real search asks oversize(). */
			int rc;
			assert_non_null(s->cb.oversize);
			F.oversize_calls++;
			rc = s->cb.oversize(s->cb.arg, (unsigned)s->next, 70u * 1024 * 1024,
			    "rid-oversize");
			if (rc != 0) {
				if (++F.oversize_refused == (F.mkdir_after ? F.mkdir_after : 2) &&
				    F.mkdir_after_refusals != NULL)
					assert_int_equal(mkdir(F.mkdir_after_refusals, 0700), 0);
				fs_schedule(s, 1); /* fetched again after a backoff */
				return;
			}
			s->next++;
			continue;
		}
		if (F.page_size > 0 && k > F.page_size)
			k = F.page_size;
		for (size_t j = 1; j < k; j++)
			if (F.too_big[idx[s->next + j]]) {
				k = j; /* the page ends before it (limit halved down to it) */
				break;
			}
		for (size_t j = 0; j < k; j++)
			bufs[j] = record_json(idx[s->next + j], &recs[j].len);
		for (size_t j = 0; j < k; j++) {
			recs[j].json = bufs[j];
			recs[j].parsed = NULL; /* normalized by the source itself */
		}
		memset(&page, 0, sizeof(page));
		page.records = recs;
		page.n = k;
		page.request_id = "fake-request";
		if (!s->mid_page && s->cb.response != NULL)
			s->cb.response(s->cb.arg, 200); /* one answer per page */
		s->pages++;
		F.pages_total++;
		used = s->cb.page(s->cb.arg, &page);
		for (size_t j = 0; j < k; j++)
			free(bufs[j]);
		assert_true(used <= k);
		if (F.watch != NULL && sink_stats(F.watch)->queue_events > F.max_queue)
			F.max_queue = sink_stats(F.watch)->queue_events;
		s->next += used;
		s->mid_page = used < k;
		if (used < k) {
			F.partial_pages++;
			s->paused = 1; /* the contract: the rest comes after search_resume */
			return;
		}
		if (s->paused)
			return; /* paused after a full page: the next page waits for resume */
		if (!s->slowed && F.slow_ms[s->idx] > 0) {
			s->slowed = 1;
			s->finishing = s->next >= n;
			s->not_before_mono = timeutil_mono_ms() + F.slow_ms[s->idx] +
			    (s->next < n ? F.latency_ms : 0);
			fs_schedule(s, s->not_before_mono - timeutil_mono_ms());
			return;
		}
		if (s->next < n && F.latency_ms > 0) {
			s->not_before_mono = timeutil_mono_ms() + F.latency_ms;
			fs_schedule(s, F.latency_ms);
			return;
		}
	}
	res.status = SEARCH_OK;
	res.records = n;
	fs_finish(s, &res);
}

/* ---- fixture -------------------------------------------------------------------------- */

struct fx {
	char dir[64];
	char out[3][128];      /* sink output files */
	char dl[3][128];       /* dead-letter files */
	struct sink_file_conf fconf[3]; /* the file sinks' own config (type_conf) */
	struct conf_source cfg;
	struct conf_sink kcfg[3];
	struct sink *sink[3];
	struct normalizer *norm;
	struct source_env env;
	int finished;
	int64_t now;
};

static void
on_finished(void *arg, struct source *src)
{
	struct fx *x = arg;

	x->finished = 1;
	event_base_loopbreak(F.base);
}

static void
sink_cfg(struct fx *x, int i)
{
	struct conf_sink *k = &x->kcfg[i];
	char d[sizeof(x->dir)];

	memset(k, 0, sizeof(*k));
	k->name = i == 0 ? "a" : i == 1 ? "b" : "c";
	k->type = CONF_SINK_FILE;
	k->format = CONF_FORMAT_RAW;
	k->batch_max_events = 50;
	k->batch_max_bytes = 1024 * 1024;
	k->batch_timeout_ms = 1;
	k->max_in_flight = 2;
	k->timeout_ms = 5000;
	k->retry_initial_ms = 10;
	k->retry_max_delay_ms = 100;
	k->queue_max_events = 100000;
	k->queue_max_bytes = 64LL * 1024 * 1024;
	memcpy(d, x->dir, sizeof(d)); /* a copy: gcc -Wrestrict cannot tell fields apart */
	snprintf(x->out[i], sizeof(x->out[i]), "%s/out-%s.ndjson", d, k->name);
	snprintf(x->dl[i], sizeof(x->dl[i]), "%s/dl-%s.ndjson", d, k->name);
	x->fconf[i].path = x->out[i];
	k->type_conf = &x->fconf[i];
	k->dead_letter = x->dl[i];
}

/* A sink has room again: what the pipeline's space callback does (source_wake). */
static void
on_sink_space(void *arg)
{
	F.space_calls++;
	if (F.src != NULL && !F.no_wake)
		source_wake(F.src);
}

static struct sink *
sink_up(struct fx *x, int i)
{
	struct err err;

	x->sink[i] = sink_new(F.base, NULL, &x->kcfg[i], x->dir, &err);
	assert_non_null(x->sink[i]);
	sink_set_space_cb(x->sink[i], on_sink_space, NULL);
	return x->sink[i];
}

static void
fx_init(struct fx *x, enum source_mode mode)
{
	memset(&F, 0, sizeof(F));
	memset(x, 0, sizeof(*x));
	F.base = event_base_new();
	assert_non_null(F.base);
	snprintf(x->dir, sizeof(x->dir), "/tmp/test_source_XXXXXX");
	assert_non_null(mkdtemp(x->dir));
	x->now = timeutil_now_ms();
	x->cfg.name = "s";
	x->cfg.query = "search \"x\"";
	x->cfg.interval_ms = 20;
	x->cfg.lag_ms = 0;
	x->cfg.overlap_ms = 0;
	x->cfg.sweep_interval_ms = 20;
	x->cfg.window_ms = 10000;
	x->cfg.start_is_relative = 0;
	x->cfg.start_ms = x->now - 60000;
	x->cfg.page_size = 1000;
	x->cfg.retention_ms = 30LL * 86400 * 1000;
	x->cfg.max_record_bytes = 1024 * 1024;
	x->norm = normalizer_new();
	assert_non_null(x->norm);
	x->env.base = F.base;
	x->env.norm = x->norm;
	x->env.state_dir = x->dir;
	x->env.mode = mode;
	x->env.finished = on_finished;
	x->env.arg = x;
	x->env.retry_scale_permille = 1;
	x->env.search_ops = &fake_ops;
	/* A paused source resumes only when woken (on_sink_space): an hour's fallback
	 * would time every test out. */
	x->env.backpressure_fallback_ms = 3600000;
	for (int i = 0; i < 3; i++)
		sink_cfg(x, i);
}

static struct source *
fx_source(struct fx *x, int nsinks)
{
	char err[256];
	struct source *src = source_new(&x->cfg, &x->env, err, sizeof(err));
	struct sink *s[3];
	const struct conf_sink *c[3];

	assert_non_null(src);
	for (int i = 0; i < nsinks; i++) {
		s[i] = x->sink[i] != NULL ? x->sink[i] : sink_up(x, i);
		c[i] = &x->kcfg[i];
	}
	assert_int_equal(source_set_routes(src, s, c, (size_t)nsinks), 0);
	F.src = src;
	return src;
}

static void
tick(evutil_socket_t fd, short what, void *arg)
{
	int (*cond)(void) = (int (*)(void))arg;

	if (cond != NULL && cond())
		event_base_loopbreak(F.base);
}

/* Runs the loop until cond() holds (checked every 2 ms) or the source finished; fails
 * the test after 10 s. */
static void
run_until(struct fx *x, int (*cond)(void))
{
	struct timeval tv = { 0, 2000 };
	struct event *t = event_new(F.base, -1, EV_PERSIST, tick, (void *)cond);
	int64_t end = timeutil_mono_ms() + 10000;

	assert_non_null(t);
	evtimer_add(t, &tv);
	while (!(cond != NULL ? cond() : x->finished)) {
		assert_true(timeutil_mono_ms() < end);
		event_base_loop(F.base, EVLOOP_ONCE);
	}
	event_free(t);
}

static void
fx_free(struct fx *x, struct source *src)
{
	source_free(src);
	for (int i = 0; i < 3; i++)
		sink_free(x->sink[i]);
	normalizer_free(x->norm);
	event_base_free(F.base);
	{
		DIR *d = opendir(x->dir);
		struct dirent *e;
		char p[512];
		while (d != NULL && (e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", x->dir, e->d_name);
			unlink(p);
		}
		if (d != NULL)
			closedir(d);
		rmdir(x->dir);
	}
}

/* Records at start + 500 ms + i * step. */
static void
add_records(int64_t from, size_t n, int64_t step)
{
	for (size_t i = 0; i < n; i++) {
		assert_true(F.n < MAX_RECORDS);
		F.t[F.n++] = from + 500 + (int64_t)i * step;
	}
}

/*
 * Counts, per record index, how often it is in file path (raw format: logContent with
 * id "rec-N").  Returns the number of lines.
 */
static size_t
count_in(const char *path, unsigned *per)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, lines = 0;

	memset(per, 0, sizeof(*per) * MAX_RECORDS);
	if (f == NULL)
		return 0;
	while (getline(&line, &cap, f) > 0) {
		json_error_t e;
		json_t *j = json_loads(line, 0, &e);
		const char *id;
		assert_non_null(j);
		id = json_string_value(json_object_get(j, "id"));
		assert_non_null(id);
		assert_int_equal(strncmp(id, "rec-", 4), 0);
		per[atoi(id + 4)]++;
		json_decref(j);
		lines++;
	}
	free(line);
	fclose(f);
	return lines;
}

static unsigned PER[MAX_RECORDS];

/* Every record of F (with index in [0, upto)) exactly once in path. */
static void
assert_exactly_once(const char *path, size_t upto)
{
	count_in(path, PER);
	for (size_t i = 0; i < upto; i++) {
		if (PER[i] != 1)
			fail_msg("record %zu (time %lld) arrived %u times in %s", i,
			    (long long)F.t[i], PER[i], path);
	}
}

/* The checkpoint's cursor; INT64_MIN when there is no state file. */
static int64_t
state_cursor(struct fx *x)
{
	int64_t cur = 0;
	struct state_err err;
	int rc = state_load(x->dir, "s", &cur, NULL, &err);

	assert_true(rc >= 0);
	return rc == 1 ? cur : INT64_MIN;
}

/* Searched windows: contiguous from start, none longer than max_ms (regular ones). */
static void
assert_windows_cover(int64_t from, int64_t to, int64_t max_ms)
{
	for (unsigned i = 0; i < F.n_searches; i++)
		assert_true(F.log[i].end_ms - F.log[i].start_ms <= max_ms);
	assert_int_equal(F.log[0].start_ms, from);
	(void)to;
}

/* ---- tests ---------------------------------------------------------------------------- */

static void
test_regular_windows(void **state)
{
	struct fx x;
	struct source *src;

	fx_init(&x, SOURCE_MODE_ONCE);
	add_records(x.cfg.start_ms, 55, 1000); /* 55 records over 55 s */
	src = fx_source(&x, 2);
	source_start(src);
	run_until(&x, NULL);
	assert_false(source_had_losses(src));
	assert_exactly_once(x.out[0], F.n);
	assert_exactly_once(x.out[1], F.n);
	/* 60 s in windows of 10 s: 6 searches, contiguous, none overlapping */
	assert_int_equal(F.n_searches, 6);
	for (unsigned i = 0; i < F.n_searches; i++) {
		assert_int_equal(F.log[i].start_ms, x.cfg.start_ms + 10000 * (int64_t)i);
		assert_true(F.log[i].end_ms - F.log[i].start_ms <= 10000);
		if (i > 0)
			assert_int_equal(F.log[i].start_ms, F.log[i - 1].end_ms);
	}
	assert_true(F.max_running <= 1);
	assert_true(state_cursor(&x) == F.log[F.n_searches - 1].end_ms);
	assert_int_equal(source_stats(src)->gaps, 0);
	assert_true(source_healthy(src));
	fx_free(&x, src);
}

static void
test_split_on_too_big(void **state)
{
	struct fx x;
	struct source *src;

	fx_init(&x, SOURCE_MODE_ONCE);
	add_records(x.cfg.start_ms, 119, 500); /* the last at now - 500 ms */
	F.too_big_over_ms = 3000; /* 10 s -> 5 s -> 2.5 s halves are fetched */
	src = fx_source(&x, 1);
	source_start(src);
	run_until(&x, NULL);
	assert_exactly_once(x.out[0], F.n);
	assert_true(source_stats(src)->windows_split >= 6);
	assert_int_equal(source_stats(src)->gaps, 0);
	assert_false(source_had_losses(src));
	assert_true(state_cursor(&x) >= x.now - 1000);
	fx_free(&x, src);
}

/* A window too big even at 1 s is retried, never skipped as a gap. */
static void
test_too_big_at_minimum_is_retried(void **state)
{
	struct fx x;
	struct source *src;
	struct stat st;

	fx_init(&x, SOURCE_MODE_ONCE);
	add_records(x.cfg.start_ms, 40, 1000);
	F.poison_ms = x.cfg.start_ms + 15500; /* record 15's instant */
	F.poison_fails = 7; /* splits 10 s -> 1.25 s (4), then 3 more at the smallest size */
	src = fx_source(&x, 1);
	source_start(src);
	run_until(&x, NULL);
	assert_exactly_once(x.out[0], F.n);
	assert_int_equal(source_stats(src)->gaps, 0);
	assert_true(source_stats(src)->researched >= 1);
	assert_false(source_had_losses(src));
	/* No gap line in the dead-letter file: it was never even created. */
	assert_int_not_equal(stat(x.dl[0], &st), 0);
	fx_free(&x, src);
}

/* A one-shot run that can never fetch a window stops with the checkpoint before it. */
static void
test_too_big_forever_oneshot_stops_before_it(void **state)
{
	struct fx x;
	struct source *src;
	struct stat st;

	fx_init(&x, SOURCE_MODE_ONCE);
	add_records(x.cfg.start_ms, 40, 1000);
	F.poison_ms = x.cfg.start_ms + 25500;
	F.poison_fails = ~0u;
	src = fx_source(&x, 1);
	source_start(src);
	run_until(&x, NULL);
	assert_true(source_had_losses(src));
	assert_int_equal(source_stats(src)->gaps, 0);
	assert_true(state_cursor(&x) <= F.poison_ms);
	assert_int_not_equal(stat(x.dl[0], &st), 0);
	/* Everything before the poisoned second arrived (25 records). */
	assert_exactly_once(x.out[0], 25);
	fx_free(&x, src);
}

/*
 * Issue 10.1 (audit): a failure that is no evidence of size (403, a malformed page, a
 * token cycle) retries the window whole with backoff: never split, never a gap; the
 * error names the full opc-request-id (98 characters, as ocisim's: issue 11.8).
 */
static void
test_failed_search_retried_not_split(void **state)
{
	static const char rid[] = "0123456789ABCDEF0123456789ABCDEF/0123456789ABCDEF0123456789"
	    "ABCDEF/0123456789ABCDEF0123456789ABCDEF";
	struct fx x;
	struct source *src;

	assert_int_equal(strlen(rid), 98);
	fx_init(&x, SOURCE_MODE_ONCE);
	add_records(x.cfg.start_ms, 30, 1000);
	F.fail_searches = 4;
	F.fail_http = 403;
	F.fail_rid = rid;
	src = fx_source(&x, 1);
	source_start(src);
	run_until(&x, NULL);
	assert_int_equal(F.fail_count, 4);
	assert_int_equal(source_stats(src)->windows_split, 0);
	assert_int_equal(source_stats(src)->gaps, 0);
	/* Every failed try asked for the same, whole window. */
	for (unsigned i = 1; i <= 4; i++) {
		assert_int_equal(F.log[i].start_ms, F.log[0].start_ms);
		assert_int_equal(F.log[i].end_ms, F.log[0].end_ms);
	}
	assert_non_null(strstr(F.seen_error, rid));
	assert_non_null(strstr(F.seen_error, "403"));
	assert_false(source_had_losses(src));
	assert_exactly_once(x.out[0], F.n);
	fx_free(&x, src);
}

static int
cond_unhealthy(void)
{
	return !source_healthy(F.src) && F.fail_count >= 6;
}

/*
 * A window that keeps failing after some pages (a token cycle) is unhealthy: its pages
 * must not count as "searching works again".
 */
static void
test_failing_window_with_pages_unhealthy(void **state)
{
	struct fx x;
	struct source *src;

	fx_init(&x, SOURCE_MODE_DAEMON);
	add_records(x.cfg.start_ms, 30, 1000);
	F.fail_searches = ~0u;
	F.fail_http = 200;
	F.fail_after_page = 1;
	src = fx_source(&x, 1);
	source_start(src);
	run_until(&x, cond_unhealthy);
	assert_true(F.fail_count >= 6);
	/* the wait began at the first failure; the pages in between did not end it */
	assert_int_equal(F.wait_since_moved, 0);
	assert_int_equal(source_stats(src)->windows_split, 0);
	assert_true(source_stats(src)->waiting);
	fx_free(&x, src);
}

/* Issue 11.8 (audit): a retried 503 names its whole opc-request-id (98 characters). */
static void
test_retry_names_whole_request_id(void **state)
{
	static const char rid[] = "0123456789ABCDEF0123456789ABCDEF/0123456789ABCDEF0123456789"
	    "ABCDEF/0123456789ABCDEF0123456789ABCDEZ";
	struct fx x;
	struct source *src;

	fx_init(&x, SOURCE_MODE_ONCE);
	add_records(x.cfg.start_ms, 5, 1000);
	F.outage_retries = 2;
	F.fail_rid = rid;
	src = fx_source(&x, 1);
	source_start(src);
	run_until(&x, NULL);
	assert_int_equal(F.retry_calls, 2);
	assert_non_null(strstr(F.seen_error, rid));
	assert_exactly_once(x.out[0], F.n);
	fx_free(&x, src);
}

/* A one-shot run whose window keeps failing (malformed pages) stops before it, unsplit. */
static void
test_failed_search_forever_oneshot_stops(void **state)
{
	struct fx x;
	struct source *src;
	struct stat st;

	fx_init(&x, SOURCE_MODE_ONCE);
	add_records(x.cfg.start_ms, 30, 1000);
	F.fail_searches = ~0u;
	F.fail_http = 200;
	src = fx_source(&x, 1);
	source_start(src);
	run_until(&x, NULL);
	assert_true(source_had_losses(src));
	assert_int_equal(F.fail_count, 5);
	assert_int_equal(source_stats(src)->windows_split, 0);
	assert_int_equal(source_stats(src)->gaps, 0);
	assert_int_not_equal(stat(x.dl[0], &st), 0);
	assert_true(state_cursor(&x) <= x.cfg.start_ms);
	fx_free(&x, src);
}

static int cond_outage_over(void);
static struct fx *CUR;

static int
cond_outage_over(void)
{
	return F.outage_retries == 0 && CUR->finished;
}

/* OCI unreachable: retries reported, no split, no gap, the cursor kept. */
static void
test_outage_keeps_cursor(void **state)
{
	struct fx x;
	struct source *src;

	fx_init(&x, SOURCE_MODE_ONCE);
	CUR = &x;
	add_records(x.cfg.start_ms, 30, 2000);
	F.outage_retries = 8;
	/* A wait beyond the health bound (120 s, scaled to 120 ms here): a long Retry-After. */
	F.retry_delay_ms = 500;
	src = fx_source(&x, 1);
	source_start(src);
	run_until(&x, cond_outage_over);
	assert_int_equal(F.retry_calls, 8);
	assert_int_equal(source_stats(src)->retries, 8);
	assert_true(F.waiting_seen);
	assert_true(F.unhealthy_seen); /* a wait beyond the bound is unhealthy at once */
	assert_int_equal(F.cursor_during_outage, x.cfg.start_ms);
	assert_int_equal(source_stats(src)->windows_split, 0);
	assert_int_equal(source_stats(src)->gaps, 0);
	assert_false(source_stats(src)->waiting);
	assert_true(source_healthy(src));
	assert_exactly_once(x.out[0], F.n);
	fx_free(&x, src);
}

/* Health: short retries stay healthy; only a long wait or a long retry loop is not. */
static void
test_short_retries_stay_healthy(void **state)
{
	struct fx x;
	struct source *src;

	fx_init(&x, SOURCE_MODE_ONCE);
	add_records(x.cfg.start_ms, 10, 5000);
	F.outage_retries = 3;
	F.retry_delay_ms = 10; /* well within the bound (120 ms here) */
	src = fx_source(&x, 1);
	source_start(src);
	run_until(&x, NULL);
	assert_true(F.waiting_seen);
	assert_false(F.unhealthy_seen);
	assert_exactly_once(x.out[0], F.n);
	fx_free(&x, src);
}

static struct fx *SW;
static int
cond_late_delivered(void)
{
	count_in(SW->out[0], PER);
	for (size_t i = 0; i < F.n; i++)
		if (PER[i] == 0)
			return 0;
	return source_stats(F.src)->late_records > 0;
}

/* The overlap sweep finds a record ingested late, and resends nothing else. */
static void
test_sweep_finds_late_record(void **state)
{
	struct fx x;
	struct source *src;

	fx_init(&x, SOURCE_MODE_DAEMON);
	SW = &x;
	x.cfg.start_ms = x.now - 20000;
	x.cfg.overlap_ms = 30000;
	add_records(x.cfg.start_ms, 15, 1000);
	F.visible_from[3] = 4; /* seen only from the 4th search on: after its window */
	src = fx_source(&x, 1);
	source_start(src);
	run_until(&x, cond_late_delivered);
	assert_int_equal(source_stats(src)->late_records, 1);
	/* a few more sweeps: nothing arrives twice */
	for (int i = 0; i < 5; i++) {
		unsigned n0 = F.n_searches;
		while (F.n_searches < n0 + 2)
			event_base_loop(F.base, EVLOOP_ONCE);
	}
	assert_exactly_once(x.out[0], F.n);
	assert_true(source_stats(src)->duplicates > 0);
	fx_free(&x, src);
}

static struct fx *CX;
static int
cond_queued(void)
{
	return sink_stats(CX->sink[0])->queue_events + sink_stats(CX->sink[0])->inflight_events
	    >= 20;
}
static int
cond_b_has_all(void)
{
	count_in(CX->out[1], PER);
	for (size_t i = 0; i < 20; i++)
		if (PER[i] == 0)
			return 0;
	return source_stats(F.src)->cursor_ms >= CX->cfg.start_ms + 10000;
}

/*
 * A reload replaces sink a by sink b and frees a with events still queued:
 * they are acknowledged ACK_CANCELLED, and the window is searched again (into b) instead
 * of holding the cursor forever.
 */
static void
test_cancelled_window_is_searched_again(void **state)
{
	struct fx x;
	struct source *src;
	struct sink *b;
	const struct conf_sink *cb;
	unsigned searches_before;

	fx_init(&x, SOURCE_MODE_DAEMON);
	CX = &x;
	x.cfg.start_ms = x.now - 10000;
	x.kcfg[0].batch_timeout_ms = 3600000; /* a holds its events */
	x.kcfg[0].batch_max_events = 1000;
	add_records(x.cfg.start_ms, 20, 400);
	src = fx_source(&x, 1);
	source_start(src);
	run_until(&x, cond_queued);
	assert_int_equal(source_stats(src)->cursor_ms, x.cfg.start_ms);
	searches_before = F.n_searches;
	/* the reload: routes to b, then a is freed */
	b = sink_up(&x, 1);
	cb = &x.kcfg[1];
	assert_int_equal(source_set_routes(src, &b, &cb, 1), 0);
	sink_free(x.sink[0]);
	x.sink[0] = NULL;
	run_until(&x, cond_b_has_all);
	assert_true(F.n_searches > searches_before);
	assert_true(source_stats(src)->researched >= 1);
	assert_exactly_once(x.out[1], 20);
	assert_int_equal(source_stats(src)->gaps, 0);
	fx_free(&x, src);
}

/* While stopping, cancelled events hold the cursor (the next start reads them again). */
static void
test_cancelled_while_stopping_holds_cursor(void **state)
{
	struct fx x;
	struct source *src;
	unsigned n;

	fx_init(&x, SOURCE_MODE_DAEMON);
	CX = &x;
	x.cfg.start_ms = x.now - 10000;
	x.kcfg[0].batch_timeout_ms = 3600000;
	x.kcfg[0].batch_max_events = 1000;
	add_records(x.cfg.start_ms, 20, 400);
	src = fx_source(&x, 1);
	source_start(src);
	run_until(&x, cond_queued);
	source_stop_polling(src);
	n = F.n_searches;
	sink_free(x.sink[0]);
	x.sink[0] = NULL;
	for (int i = 0; i < 20; i++)
		event_base_loop(F.base, EVLOOP_NONBLOCK);
	assert_int_equal(F.n_searches, n); /* not searched again while stopping */
	source_free(src);
	assert_true(state_cursor(&x) <= x.cfg.start_ms);
	fx_free(&x, NULL);
}

/* One page of many records never overfills a small queue. */
static void
test_queue_limit_per_record(void **state)
{
	struct fx x;
	struct source *src;

	fx_init(&x, SOURCE_MODE_ONCE);
	x.kcfg[0].queue_max_events = 50;
	x.kcfg[0].batch_max_events = 10;
	add_records(x.cfg.start_ms, 300, 30); /* 300 records in the first 10 s: one page */
	src = fx_source(&x, 1);
	F.watch = x.sink[0];
	source_start(src);
	run_until(&x, NULL);
	assert_true(F.partial_pages > 0);
	assert_true(F.max_queue <= 50);
	assert_exactly_once(x.out[0], F.n);
	fx_free(&x, src);
}

/*
 * Backpressure is event-driven: a paused source resumes when its sinks' space callbacks
 * wake it.  The fixture's fallback re-check is an hour, so this finishes only if every
 * pause ends by a wake-up, with two sinks of different sizes filling at different times.
 */
static void
test_paused_source_resumes_when_sinks_have_room(void **state)
{
	struct fx x;
	struct source *src;

	fx_init(&x, SOURCE_MODE_ONCE);
	x.kcfg[0].queue_max_events = 50;
	x.kcfg[0].batch_max_events = 10;
	x.kcfg[1].queue_max_events = 70;
	x.kcfg[1].batch_max_events = 30;
	add_records(x.cfg.start_ms, 300, 30); /* one page of 300 */
	src = fx_source(&x, 2);
	F.watch = x.sink[0];
	source_start(src);
	run_until(&x, NULL);
	assert_true(F.partial_pages > 0);     /* it did pause ... */
	assert_true(F.space_calls > 0);       /* ... and the sinks said when they had room */
	assert_true(F.max_queue <= 50);
	assert_exactly_once(x.out[0], F.n);
	assert_exactly_once(x.out[1], F.n);
	fx_free(&x, src);
}

/* Room made where no space callback tells (here: none is listened to): the fallback
 * re-check still resumes the source. */
static void
test_fallback_recheck_resumes_without_wake(void **state)
{
	struct fx x;
	struct source *src;

	fx_init(&x, SOURCE_MODE_ONCE);
	x.env.backpressure_fallback_ms = 10;
	x.kcfg[0].queue_max_events = 50;
	x.kcfg[0].batch_max_events = 10;
	add_records(x.cfg.start_ms, 300, 30);
	src = fx_source(&x, 1);
	F.no_wake = 1;
	F.watch = x.sink[0];
	source_start(src);
	run_until(&x, NULL);
	assert_true(F.partial_pages > 0);
	assert_true(F.max_queue <= 50);
	assert_exactly_once(x.out[0], F.n);
	fx_free(&x, src);
}

static int
cond_paused_on_full_a(void)
{
	return F.partial_pages > 0 && sink_full(CX->sink[0]);
}

static int
cond_b_has_rest(void)
{
	/* everything a does not hold */
	return count_in(CX->out[1], PER) >= F.n - sink_stats(CX->sink[0])->queue_events;
}

/*
 * A reload routes a paused source away from the full sink it waits for (to one with
 * room): no space callback can come from the new routes, yet the source goes on at once
 * (source_set_routes looks again), not after the hour's fallback.
 */
static void
test_new_routes_wake_paused_source(void **state)
{
	struct fx x;
	struct source *src;
	struct sink *b;
	const struct conf_sink *cb;

	fx_init(&x, SOURCE_MODE_DAEMON);
	CX = &x;
	x.cfg.start_ms = x.now - 10000;
	x.kcfg[0].queue_max_events = 50;
	x.kcfg[0].batch_max_events = 1000;    /* never a full batch ... */
	x.kcfg[0].batch_timeout_ms = 3600000; /* ... nor a timeout: a stays full */
	add_records(x.cfg.start_ms, 300, 30);
	src = fx_source(&x, 1);
	source_start(src);
	run_until(&x, cond_paused_on_full_a);
	b = sink_up(&x, 1);
	cb = &x.kcfg[1];
	assert_int_equal(source_set_routes(src, &b, &cb, 1), 0);
	run_until(&x, cond_b_has_rest);
	assert_int_equal(sink_stats(x.sink[0])->queue_events, 50);
	count_in(x.out[1], PER);
	for (size_t i = 0; i < F.n; i++)
		assert_true(PER[i] <= 1);
	fx_free(&x, src);
}

static void
prefill_done(void *arg, const struct ack_counts *c)
{
	*(int *)arg = 1;
}

static int
cond_all_delivered(void)
{
	count_in(CX->out[0], PER);
	for (size_t i = 0; i < F.n; i++)
		if (PER[i] == 0)
			return 0;
	return 1;
}

/*
 * A tailing source whose sink is full when it wants to start a search waits for the
 * sink's wake-up, and afterwards goes on polling every interval: waiting must not take
 * the poll over (a caught-up source keeps the poll it has; one pushed out to the
 * fallback would stop the tailing for that long).  Records that appear later arrive.
 */
static void
test_tailing_goes_on_after_waiting_for_room(void **state)
{
	struct fx x;
	struct source *src;
	struct ack *a;
	int prefill_acked = 0;

	fx_init(&x, SOURCE_MODE_DAEMON);
	CX = &x;
	x.cfg.start_ms = x.now - 10000;
	x.kcfg[0].queue_max_events = 50;
	x.kcfg[0].batch_max_events = 1000;
	x.kcfg[0].batch_timeout_ms = 100;     /* full until its batch times out */
	add_records(x.cfg.start_ms, 20, 400); /* the first window */
	add_records(x.now, 5, 100);           /* later ones: now + 0.5 s ... */
	src = fx_source(&x, 1);
	/* The sink is full before the source starts. */
	a = ack_new(prefill_done, &prefill_acked);
	assert_non_null(a);
	for (int i = 0; i < 50; i++) {
		struct sink_doc d;
		char json[64];
		memset(&d, 0, sizeof(d));
		snprintf(json, sizeof(json), "{\"id\":\"rec-%d\"}", 4000 + i);
		d.json = json;
		d.len = strlen(json);
		sink_submit(x.sink[0], &d, a);
	}
	ack_seal(a);
	assert_true(sink_full(x.sink[0]));
	source_start(src);
	run_until(&x, cond_all_delivered);
	assert_true(prefill_acked);
	assert_exactly_once(x.out[0], F.n);
	fx_free(&x, src);
}

/* A record over max_record_bytes is dead-lettered with a reason. */
static void
test_oversize_record_dead_lettered(void **state)
{
	struct fx x;
	struct source *src;
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	int found = 0;
	struct stat st;

	fx_init(&x, SOURCE_MODE_ONCE);
	x.cfg.max_record_bytes = 2048;
	add_records(x.cfg.start_ms, 10, 1000);
	F.big[4] = 5000;
	src = fx_source(&x, 1);
	source_start(src);
	run_until(&x, NULL);
	assert_int_equal(source_stats(src)->oversize_records, 1);
	count_in(x.out[0], PER);
	for (size_t i = 0; i < F.n; i++)
		assert_int_equal(PER[i], i == 4 ? 0 : 1);
	f = fopen(x.dl[0], "r");
	assert_non_null(f);
	while (getline(&line, &cap, f) > 0) {
		json_error_t e;
		json_t *j = json_loads(line, 0, &e);
		assert_non_null(j);
		if (strstr(json_string_value(json_object_get(j, "reason")), "max_record_bytes") &&
		    strcmp(json_string_value(json_object_get(json_object_get(
		        json_object_get(j, "record"), "logContent"), "id")), "rec-4") == 0)
			found = 1;
		json_decref(j);
	}
	free(line);
	fclose(f);
	assert_true(found);
	assert_int_equal(stat(x.dl[0], &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	fx_free(&x, src);
}

/* Dead-letter lines of path whose "reason" contains want, and one of them (caller frees). */
static int
dl_lines(const char *path, const char *want, json_t **one)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	int n = 0;

	if (f == NULL)
		return 0;
	while (getline(&line, &cap, f) > 0) {
		json_error_t e;
		json_t *j = json_loads(line, 0, &e);
		const char *r;
		assert_non_null(j);
		r = json_string_value(json_object_get(j, "reason"));
		if (r != NULL && strstr(r, want) != NULL) {
			n++;
			if (one != NULL && *one == NULL) {
				*one = j;
				continue;
			}
		}
		json_decref(j);
	}
	free(line);
	fclose(f);
	return n;
}

/*
 * Issue 10.10 (audit): a record over max_page_bytes is dead-lettered by the source (one
 * line per routed sink: reason, window, opc-request-id) and counted; the rest of the
 * window is delivered.  A dead-letter file that cannot be written holds it (fetched again),
 * and the retry does not write it again to the file that already has it.
 */
static void
test_record_over_max_page_bytes_dead_lettered(void **state)
{
	struct fx x;
	struct source *src;
	char sub[160], dl_b[200];
	json_t *j = NULL;

	fx_init(&x, SOURCE_MODE_ONCE);
	snprintf(sub, sizeof(sub), "%s/later", x.dir);
	snprintf(dl_b, sizeof(dl_b), "%s/dl-b.ndjson", sub);
	x.kcfg[1].dead_letter = dl_b; /* its folder appears after 2 refusals */
	F.mkdir_after_refusals = sub;
	add_records(x.cfg.start_ms, 10, 1000);
	F.too_big[6] = 1;
	src = fx_source(&x, 2);
	source_start(src);
	run_until(&x, NULL);
	assert_int_equal(F.oversize_refused, 2);
	assert_int_equal(F.oversize_calls, 3);
	assert_int_equal(source_stats(src)->oversize_records, 1);
	assert_int_equal(source_stats(src)->gaps, 0);
	count_in(x.out[0], PER);
	for (size_t i = 0; i < F.n; i++)
		assert_int_equal(PER[i], i == 6 ? 0 : 1);
	/* Exactly one line in each file, though sink a's was written before b's failed. */
	assert_int_equal(dl_lines(x.dl[0], "record over max_page_bytes", &j), 1);
	assert_int_equal(dl_lines(dl_b, "record over max_page_bytes", NULL), 1);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "opc-request-id")),
	    "rid-oversize");
	assert_non_null(json_string_value(json_object_get(j, "window")));
	assert_int_equal(json_integer_value(json_object_get(j, "bytes")), 70 * 1024 * 1024);
	json_decref(j);
	assert_true(source_had_losses(src)); /* not delivered: one-shot exits 1 */
	unlink(dl_b);
	rmdir(sub);
	fx_free(&x, src);
}

/* A dead-letter file that stays unwritable for a while is said once, not once a try. */
static void
test_dead_letter_error_rate_limited(void **state)
{
	struct fx x;
	struct source *src;
	char sub[160], dl_a[200], logf[200], *line = NULL;
	size_t cap = 0;
	int saved, fd, said = 0;
	enum log_level lvl = log_get_level();
	FILE *f;

	fx_init(&x, SOURCE_MODE_ONCE);
	snprintf(sub, sizeof(sub), "%s/later", x.dir);
	snprintf(dl_a, sizeof(dl_a), "%s/dl-a.ndjson", sub);
	snprintf(logf, sizeof(logf), "%s/stderr.log", x.dir);
	x.kcfg[0].dead_letter = dl_a;
	F.mkdir_after_refusals = sub;
	F.mkdir_after = 6;
	add_records(x.cfg.start_ms, 5, 1000);
	F.too_big[2] = 1;
	src = fx_source(&x, 1);
	fflush(stderr);
	saved = dup(2);
	fd = open(logf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 2);
	close(fd);
	log_set_level(LOG_LVL_ERROR);
	source_start(src);
	run_until(&x, NULL);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	log_set_level(lvl);
	assert_int_equal(F.oversize_refused, 6);
	f = fopen(logf, "r");
	assert_non_null(f);
	while (getline(&line, &cap, f) > 0)
		if (strstr(line, "cannot write a record") != NULL)
			said++;
	free(line);
	fclose(f);
	assert_int_equal(said, 1);
	assert_int_equal(dl_lines(dl_a, "record over max_page_bytes", NULL), 1);
	unlink(dl_a);
	rmdir(sub);
	fx_free(&x, src);
}

/* A record normalize rejects (not an object) is dead-lettered with the record, counted. */
static void
test_rejected_record_dead_lettered(void **state)
{
	struct fx x;
	struct source *src;
	json_t *j = NULL;

	fx_init(&x, SOURCE_MODE_ONCE);
	add_records(x.cfg.start_ms, 10, 1000);
	F.reject[3] = 1;
	src = fx_source(&x, 1);
	source_start(src);
	run_until(&x, NULL);
	assert_int_equal(source_stats(src)->bad_records, 1);
	count_in(x.out[0], PER);
	for (size_t i = 0; i < F.n; i++)
		assert_int_equal(PER[i], i == 3 ? 0 : 1);
	assert_int_equal(dl_lines(x.dl[0], "cannot be forwarded", &j), 1);
	assert_non_null(j);
	assert_true(json_is_array(json_object_get(j, "record")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "record"), 0)),
	    "rec-3");
	json_decref(j);
	fx_free(&x, src);
}

/* A checkpoint later than now is not trusted. */
static void
test_future_cursor_rejected(void **state)
{
	struct fx x;
	struct source *src;
	struct seen *s = seen_new();
	struct state_err err;

	fx_init(&x, SOURCE_MODE_DAEMON);
	assert_non_null(s);
	assert_int_equal(seen_add(s, 42, x.now + 200LL * 365 * 86400 * 1000), 1);
	assert_int_equal(state_save(x.dir, "s", x.now + 86400000, s, &err), 0);
	seen_free(s);
	src = fx_source(&x, 1);
	assert_int_equal(source_stats(src)->cursor_ms, x.cfg.start_ms);
	/* a near-future cursor (within the tolerance) is kept */
	source_free(src);
	assert_int_equal(state_save(x.dir, "s", x.now + 1000, NULL, &err), 0);
	src = fx_source(&x, 1);
	assert_int_equal(source_stats(src)->cursor_ms, x.now + 1000);
	fx_free(&x, src);
}

/* No signed overflow with a cursor near INT64_MAX (run under UBSan). */
static void
test_cursor_near_int64_max(void **state)
{
	struct fx x;
	struct source *src;

	fx_init(&x, SOURCE_MODE_DAEMON);
	x.cfg.start_ms = INT64_MAX - 5;
	src = fx_source(&x, 1);
	source_start(src);
	for (int i = 0; i < 5; i++)
		event_base_loop(F.base, EVLOOP_NONBLOCK);
	assert_int_equal(F.n_searches, 0);
	fx_free(&x, src);

	fx_init(&x, SOURCE_MODE_BACKFILL);
	x.env.from_ms = INT64_MAX - 25000;
	x.env.to_ms = INT64_MAX;
	src = fx_source(&x, 1);
	source_start(src);
	run_until(&x, NULL);
	assert_true(F.n_searches >= 3);
	assert_int_equal(F.log[F.n_searches - 1].end_ms, INT64_MAX);
	fx_free(&x, src);
}

/* A window never spans more than OCI's 14 days, whatever `window` says. */
static void
test_window_at_most_14_days(void **state)
{
	struct fx x;
	struct source *src;
	const int64_t day = 86400000;

	fx_init(&x, SOURCE_MODE_BACKFILL);
	x.cfg.window_ms = 20 * day;
	x.env.from_ms = x.now - 25 * day;
	x.env.to_ms = x.now - day;
	src = fx_source(&x, 1);
	source_start(src);
	run_until(&x, NULL);
	assert_int_equal(F.n_searches, 2);
	assert_windows_cover(x.env.from_ms, x.env.to_ms, 14 * day);
	fx_free(&x, src);
}

/* The one gap there is: data older than retention.  Its dead-letter line is 0600. */
static void
test_retention_is_the_only_gap(void **state)
{
	struct fx x;
	struct source *src;
	const int64_t day = 86400000;
	struct stat st;
	FILE *f;
	char line[1024] = "";

	fx_init(&x, SOURCE_MODE_BACKFILL);
	x.env.from_ms = x.now - 31 * day;
	x.env.to_ms = x.now - 29 * day;
	x.cfg.window_ms = day;
	src = fx_source(&x, 1);
	source_start(src);
	run_until(&x, NULL);
	assert_int_equal(source_stats(src)->gaps, 1);
	assert_true(source_had_losses(src));
	/* nothing older than retention was searched; the rest was */
	assert_true(F.n_searches >= 1);
	for (unsigned i = 0; i < F.n_searches; i++)
		assert_true(F.log[i].start_ms >= x.now - 30 * day);
	assert_int_equal(F.log[F.n_searches - 1].end_ms, x.env.to_ms);
	assert_int_equal(stat(x.dl[0], &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	f = fopen(x.dl[0], "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_non_null(strstr(line, "{\"gap\":{\"source\":\"s\""));
	assert_non_null(strstr(line, "retention"));
	fx_free(&x, src);
}

static int64_t HANG_UNTIL;
static int
cond_time(void)
{
	return timeutil_mono_ms() >= HANG_UNTIL;
}

/* A search that gets no page for longer than the bound is unhealthy. */
static void
test_stuck_search_unhealthy(void **state)
{
	struct fx x;
	struct source *src;

	fx_init(&x, SOURCE_MODE_DAEMON);
	F.hang = 1;
	src = fx_source(&x, 1);
	source_start(src);
	HANG_UNTIL = timeutil_mono_ms() + 20;
	run_until(&x, cond_time);
	assert_int_equal(F.n_searches, 1);
	assert_true(source_healthy(src)); /* 20 ms: within the bound (120 ms here) */
	HANG_UNTIL = timeutil_mono_ms() + 200;
	run_until(&x, cond_time);
	assert_false(source_healthy(src));
	fx_free(&x, src);
}

/* ---- several windows at once (max_concurrent_searches) -------------------------------- */

/* A backfill runs max_concurrent_searches consecutive windows at once; nothing twice. */
static void
test_backfill_runs_searches_concurrently(void **state)
{
	struct fx x;
	struct source *src;

	fx_init(&x, SOURCE_MODE_BACKFILL);
	x.cfg.max_concurrent_searches = 3;
	x.env.from_ms = x.cfg.start_ms;
	x.env.to_ms = x.cfg.start_ms + 60000;
	add_records(x.cfg.start_ms, 55, 1000);
	/* pages take PAGE_MS (above GROW_WAIT_MS): concurrency grows once the first page
	 * came; the first window then takes long: the others overlap it */
	F.latency_ms = PAGE_MS;
	F.slow_ms[0] = 200;
	src = fx_source(&x, 2);
	source_start(src);
	run_until(&x, NULL);
	assert_int_equal(F.max_running, 3);
	assert_int_equal(F.n_searches, 6);
	/* every response counted, on the source (the callbacks' arg is the search's slot) */
	assert_int_equal(source_stats(src)->n_codes, 1);
	assert_int_equal(source_stats(src)->codes[0].code, 200);
	assert_int_equal(source_stats(src)->codes[0].n, 6);
	/* consecutive windows, each searched once, in order of their start */
	for (unsigned i = 0; i < F.n_searches; i++) {
		assert_int_equal(F.log[i].start_ms, x.cfg.start_ms + 10000 * (int64_t)i);
		assert_int_equal(F.log[i].end_ms, F.log[i].start_ms + 10000);
	}
	assert_false(source_had_losses(src));
	assert_exactly_once(x.out[0], F.n);
	assert_exactly_once(x.out[1], F.n);
	fx_free(&x, src);
}

/* One 60 s backfill of 55 records in pages of 4, pages latency_ms apart: max_running. */
static unsigned
backfill_max_running(int64_t latency_ms)
{
	struct fx x;
	struct source *src;
	unsigned n;

	fx_init(&x, SOURCE_MODE_BACKFILL);
	x.cfg.max_concurrent_searches = 3;
	x.env.from_ms = x.cfg.start_ms;
	x.env.to_ms = x.cfg.start_ms + 60000;
	add_records(x.cfg.start_ms, 55, 1000);
	F.page_size = 4;
	F.latency_ms = latency_ms;
	src = fx_source(&x, 1);
	source_start(src);
	run_until(&x, NULL);
	assert_int_equal(F.n_searches, 6);
	assert_false(source_had_losses(src));
	assert_exactly_once(x.out[0], F.n);
	n = F.max_running;
	fx_free(&x, src);
	return n;
}

/*
 * Concurrency grows only when it helps: pages that come at once (OCI waits on us: more
 * searches would only hold more pages) keep a backfill at one search; pages that take
 * long enough (PAGE_MS) make it grow to max_concurrent_searches.
 */
static void
test_concurrency_grows_only_with_page_latency(void **state)
{
	assert_int_equal(backfill_max_running(0), 1);
	assert_int_equal(backfill_max_running(PAGE_MS), 3);
}

static int
cond_polled_a_while(void)
{
	return F.done[0] && F.n_searches >= 2 &&
	    source_stats(F.src)->cursor_ms >= F.log[0].end_ms; /* acknowledged: written */
}

/*
 * Tailing (less than a window behind): one search at a time, whatever the key says.  The
 * first search takes longer than a poll interval plus the smallest window (1 s), so the
 * next window is due while it runs: it still waits for it.
 */
static void
test_tailing_runs_one_search(void **state)
{
	struct fx x;
	struct source *src;

	fx_init(&x, SOURCE_MODE_DAEMON);
	x.cfg.max_concurrent_searches = 3;
	x.cfg.start_ms = x.now - 5000; /* half a window behind */
	add_records(x.cfg.start_ms, 5, 1000);
	F.latency_ms = PAGE_MS; /* pages wait: only tailing keeps it at one */
	F.slow_ms[0] = 1300;
	src = fx_source(&x, 1);
	source_start(src);
	run_until(&x, cond_polled_a_while);
	assert_int_equal(F.max_running, 1);
	assert_true(F.log[1].start_ms == F.log[0].end_ms);
	assert_exactly_once(x.out[0], F.n);
	fx_free(&x, src);
}

static struct fx *OOO;
/* Windows 1 and 2 (not 0) are searched and every record of theirs is in the file. */
static int
cond_later_windows_delivered(void)
{
	if (!F.done[1] || !F.done[2])
		return 0;
	count_in(OOO->out[0], PER);
	for (size_t i = 10; i < 30; i++)
		if (PER[i] == 0)
			return 0;
	return 1;
}

/*
 * Windows that finish before an earlier one wait for it: the checkpoint never passes a
 * window still searching, then moves to the end once it is done.
 */
static void
test_out_of_order_completion_keeps_checkpoint_in_order(void **state)
{
	struct fx x;
	struct source *src;

	fx_init(&x, SOURCE_MODE_ONCE);
	OOO = &x;
	x.cfg.max_concurrent_searches = 3;
	x.cfg.overlap_ms = 600000; /* pending fingerprint sets in play */
	add_records(x.cfg.start_ms, 55, 1000);
	F.latency_ms = PAGE_MS;
	F.slow_ms[0] = 300;
	src = fx_source(&x, 1);
	source_start(src);
	run_until(&x, cond_later_windows_delivered);
	assert_int_equal(F.done[0], 0);
	assert_int_equal(source_stats(src)->cursor_ms, x.cfg.start_ms);
	assert_true(state_cursor(&x) == INT64_MIN || state_cursor(&x) == x.cfg.start_ms);
	run_until(&x, NULL);
	assert_true(F.max_running >= 2);
	assert_false(source_had_losses(src));
	assert_exactly_once(x.out[0], F.n);
	assert_true(state_cursor(&x) == F.log[F.n_searches - 1].end_ms);
	assert_int_equal(source_stats(src)->cursor_ms, F.log[F.n_searches - 1].end_ms);
	fx_free(&x, src);
}

/*
 * A retry (429, OCI unreachable) of one search holds every search of the source: only
 * that one retries, no other sends and none starts until it gets a page; then all go on.
 */
static void
test_retry_holds_all_searches(void **state)
{
	struct fx x;
	struct source *src;
	unsigned retrying = 0;

	fx_init(&x, SOURCE_MODE_ONCE);
	x.cfg.max_concurrent_searches = 3;
	add_records(x.cfg.start_ms, 55, 1000);
	F.latency_ms = PAGE_MS;
	F.outage_after_pages = 1; /* once concurrency grew */
	F.outage_retries = 6;
	F.retry_delay_ms = 3;
	src = fx_source(&x, 1);
	source_start(src);
	run_until(&x, NULL);
	assert_int_equal(F.retry_calls, 6);
	for (unsigned i = 0; i < F.n_searches; i++)
		if (F.retry_from[i] > 0)
			retrying++;
	assert_int_equal(retrying, 1); /* one search retried; the others were held */
	assert_int_equal(F.running_at_first_retry, 3); /* 3 were running ... */
	/* ... and none started meanwhile */
	assert_int_equal(F.searches_at_last_retry, F.searches_at_first_retry);
	assert_int_equal(F.max_running, 3);
	assert_int_equal(source_stats(src)->retries, 6);
	assert_false(source_stats(src)->waiting);
	assert_int_equal(source_stats(src)->gaps, 0);
	assert_exactly_once(x.out[0], F.n);
	assert_true(state_cursor(&x) == F.log[F.n_searches - 1].end_ms);
	fx_free(&x, src);
}

/* A split window (too big) keeps working with other windows in flight. */
static void
test_split_with_others_in_flight(void **state)
{
	struct fx x;
	struct source *src;

	fx_init(&x, SOURCE_MODE_ONCE);
	x.cfg.max_concurrent_searches = 3;
	add_records(x.cfg.start_ms, 119, 500);
	F.latency_ms = PAGE_MS;
	F.poison_ms = x.cfg.start_ms + 15500; /* the second window splits down to 2.5 s */
	F.poison_fails = 2;
	src = fx_source(&x, 1);
	source_start(src);
	run_until(&x, NULL);
	assert_true(source_stats(src)->windows_split >= 2);
	assert_true(F.max_running >= 2);
	assert_false(source_had_losses(src));
	assert_exactly_once(x.out[0], F.n);
	assert_true(state_cursor(&x) >= x.now - 1000);
	fx_free(&x, src);
}

static struct fx *CR;
/* Window 3 (search 3) is still searching; windows 4 and 5 are searched and delivered. */
static int
cond_crash_point(void)
{
	if (!F.done[4] || !F.done[5] || F.done[3])
		return 0;
	count_in(CR->out[0], PER);
	for (size_t i = 40; i < 55; i++)
		if (PER[i] == 0)
			return 0;
	return state_cursor(CR) == CR->cfg.start_ms + 30000;
}

/*
 * A crash with windows done out of order loses nothing: the checkpoint stayed before the
 * oldest unfinished window, so a restart reads it (and the later ones) again:
 * duplicates at most, never a gap.
 */
static void
test_crash_midway_loses_nothing(void **state)
{
	struct fx x;
	struct source *src;
	char path[256], *saved = NULL;
	size_t saved_len = 0;
	FILE *f;

	fx_init(&x, SOURCE_MODE_ONCE);
	CR = &x;
	x.cfg.max_concurrent_searches = 3;
	add_records(x.cfg.start_ms, 55, 1000);
	F.latency_ms = PAGE_MS;
	F.slow_ms[3] = 400;
	src = fx_source(&x, 1);
	source_start(src);
	run_until(&x, cond_crash_point);
	/* The crash: what is on disk now is all a restart sees. */
	snprintf(path, sizeof(path), "%s/s.state", x.dir);
	f = fopen(path, "rb");
	assert_non_null(f);
	saved = malloc(1 << 16);
	assert_non_null(saved);
	saved_len = fread(saved, 1, 1 << 16, f);
	fclose(f);
	assert_true(saved_len > 0);
	source_free(src);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(saved, 1, saved_len, f), saved_len);
	fclose(f);
	free(saved);
	/* The restart reads from window 3 on. */
	x.finished = 0;
	src = fx_source(&x, 1);
	assert_int_equal(source_stats(src)->cursor_ms, x.cfg.start_ms + 30000);
	source_start(src);
	run_until(&x, NULL);
	assert_false(source_had_losses(src));
	count_in(x.out[0], PER);
	for (size_t i = 0; i < F.n; i++) {
		if (PER[i] == 0)
			fail_msg("record %zu lost", i);
		if (i < 30 && PER[i] != 1) /* checkpointed before the crash: not again */
			fail_msg("record %zu arrived %u times", i, PER[i]);
	}
	assert_true(state_cursor(&x) >= x.now - 1000);
	fx_free(&x, src);
}

/* With several searches a small queue still never overfills. */
static void
test_queue_limit_with_concurrency(void **state)
{
	struct fx x;
	struct source *src;

	fx_init(&x, SOURCE_MODE_ONCE);
	x.cfg.max_concurrent_searches = 3;
	x.kcfg[0].queue_max_events = 50;
	x.kcfg[0].batch_max_events = 10;
	add_records(x.cfg.start_ms, 900, 60); /* 900 records over 54 s */
	F.latency_ms = PAGE_MS;
	src = fx_source(&x, 1);
	F.watch = x.sink[0];
	source_start(src);
	run_until(&x, NULL);
	assert_true(F.partial_pages > 0);
	assert_true(F.max_queue <= 50);
	assert_true(F.max_running >= 2);
	/* concurrency never grew while the sink was full */
	assert_int_equal(F.started_while_full, 0);
	assert_exactly_once(x.out[0], F.n);
	fx_free(&x, src);
}

static int
cond_w1_w2_done_then_a_while(void)
{
	if (!F.done[1] || !F.done[2])
		return 0;
	if (HANG_UNTIL == 0)
		HANG_UNTIL = timeutil_mono_ms() + 100; /* several 50 ms re-checks */
	return timeutil_mono_ms() >= HANG_UNTIL;
}

/*
 * A full sink stops concurrency from growing: with the first window's events stuck in a
 * full queue, the next two windows finish (empty) and no further search starts, although
 * two slots and a window are free.
 */
static void
test_concurrency_stops_growing_while_sink_full(void **state)
{
	struct fx x;
	struct source *src;

	fx_init(&x, SOURCE_MODE_ONCE);
	x.cfg.max_concurrent_searches = 3;
	x.kcfg[0].queue_max_events = 50;
	x.kcfg[0].batch_max_events = 1000;      /* never a full batch ... */
	x.kcfg[0].batch_timeout_ms = 3600000;   /* ... nor a timeout: the queue stays full */
	add_records(x.cfg.start_ms, 60, 100);  /* all in the first window */
	/* Pages of 10 that wait: concurrency grows after the first one, before the queue
	 * fills (after 5); the next two windows end (empty) once it is full. */
	F.latency_ms = PAGE_MS;
	F.page_size = 10;
	F.delay_ms[1] = 1500;
	F.delay_ms[2] = 1500;
	src = fx_source(&x, 1);
	F.watch = x.sink[0];
	source_start(src);
	HANG_UNTIL = 0;
	run_until(&x, cond_w1_w2_done_then_a_while);
	assert_true(sink_full(x.sink[0]));
	assert_int_equal(F.n_searches, 3);
	assert_int_equal(F.running, 1);
	assert_int_equal(F.started_while_full, 0);
	fx_free(&x, src);
}

/*
 * A held search that ends failing (its answer was in flight) while another one retries:
 * the hold of the failure holds the retrying one too, and then releases everything (no
 * search left waiting for a page that can never come).
 */
static void
test_failure_while_another_retries(void **state)
{
	struct fx x;
	struct source *src;

	fx_init(&x, SOURCE_MODE_ONCE);
	x.cfg.max_concurrent_searches = 3;
	add_records(x.cfg.start_ms, 55, 1000);
	F.latency_ms = PAGE_MS;
	F.outage_after_pages = 1; /* once searches 1, 2 and 3 run */
	F.outage_retries = 50;
	F.retry_delay_ms = 1;
	F.delay_ms[2] = 20; /* answers after search 1 or 3 began retrying: held by then */
	F.fail_paused = 3;  /* search 2 */
	src = fx_source(&x, 1);
	source_start(src);
	run_until(&x, NULL);
	assert_int_equal(F.fail_paused, 0); /* it did fail while held */
	assert_int_equal(F.retry_calls, 50);
	assert_false(source_had_losses(src));
	assert_exactly_once(x.out[0], F.n);
	assert_true(state_cursor(&x) == F.log[F.n_searches - 1].end_ms);
	fx_free(&x, src);
}

/* A one-shot run that gives up on a window stops the other windows' searches too. */
static void
test_give_up_stops_all_searches(void **state)
{
	struct fx x;
	struct source *src;

	fx_init(&x, SOURCE_MODE_ONCE);
	x.cfg.max_concurrent_searches = 3;
	add_records(x.cfg.start_ms, 40, 1000);
	F.latency_ms = PAGE_MS;
	F.poison_ms = x.cfg.start_ms + 12500; /* the second window can never be fetched */
	F.poison_fails = ~0u;
	F.delay_ms[2] = 5000; /* the next two are still searching when it gives up */
	F.delay_ms[3] = 5000;
	src = fx_source(&x, 1);
	source_start(src);
	run_until(&x, NULL);
	assert_true(source_had_losses(src));
	assert_int_equal(F.running, 0);
	assert_int_equal(F.done[2] + F.done[3], 0);
	assert_int_equal(F.done[0], 1);
	assert_true(state_cursor(&x) == INT64_MIN || state_cursor(&x) <= F.poison_ms);
	fx_free(&x, src);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regular_windows),
		cmocka_unit_test(test_split_on_too_big),
		cmocka_unit_test(test_too_big_at_minimum_is_retried),
		cmocka_unit_test(test_too_big_forever_oneshot_stops_before_it),
		cmocka_unit_test(test_outage_keeps_cursor),
		cmocka_unit_test(test_failed_search_retried_not_split),
		cmocka_unit_test(test_failed_search_forever_oneshot_stops),
		cmocka_unit_test(test_retry_names_whole_request_id),
		cmocka_unit_test(test_failing_window_with_pages_unhealthy),
		cmocka_unit_test(test_short_retries_stay_healthy),
		cmocka_unit_test(test_sweep_finds_late_record),
		cmocka_unit_test(test_cancelled_window_is_searched_again),
		cmocka_unit_test(test_cancelled_while_stopping_holds_cursor),
		cmocka_unit_test(test_queue_limit_per_record),
		cmocka_unit_test(test_oversize_record_dead_lettered),
		cmocka_unit_test(test_record_over_max_page_bytes_dead_lettered),
		cmocka_unit_test(test_rejected_record_dead_lettered),
		cmocka_unit_test(test_dead_letter_error_rate_limited),
		cmocka_unit_test(test_future_cursor_rejected),
		cmocka_unit_test(test_cursor_near_int64_max),
		cmocka_unit_test(test_window_at_most_14_days),
		cmocka_unit_test(test_retention_is_the_only_gap),
		cmocka_unit_test(test_stuck_search_unhealthy),
		cmocka_unit_test(test_backfill_runs_searches_concurrently),
		cmocka_unit_test(test_tailing_runs_one_search),
		cmocka_unit_test(test_out_of_order_completion_keeps_checkpoint_in_order),
		cmocka_unit_test(test_retry_holds_all_searches),
		cmocka_unit_test(test_split_with_others_in_flight),
		cmocka_unit_test(test_crash_midway_loses_nothing),
		cmocka_unit_test(test_queue_limit_with_concurrency),
		cmocka_unit_test(test_give_up_stops_all_searches),
		cmocka_unit_test(test_concurrency_stops_growing_while_sink_full),
		cmocka_unit_test(test_paused_source_resumes_when_sinks_have_room),
		cmocka_unit_test(test_fallback_recheck_resumes_without_wake),
		cmocka_unit_test(test_new_routes_wake_paused_source),
		cmocka_unit_test(test_tailing_goes_on_after_waiting_for_room),
		cmocka_unit_test(test_failure_while_another_retries),
		cmocka_unit_test(test_concurrency_grows_only_with_page_latency),
	};

	log_init();
	log_set_level(getenv("TEST_SOURCE_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_ERROR - 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
