/*
 * source.c — see source.h.
 *
 * Windows.  A source keeps an ordered list of the windows it has started and not yet
 * finished.  While it is behind (catch-up, backfill) up to max_concurrent_searches of them
 * are searched at once, each in its own slot; tailing searches one.  A window is finished
 * when its search is over (succeeded, was split, or was given up as a gap) and every event
 * it routed has been acknowledged by every sink.
 * Finished windows are popped from the head only, so the cursor moves strictly in time
 * order: a later window that finishes first waits for the earlier ones.  A split window
 * stays in the list in front of its two halves and does not move the cursor itself; the
 * halves do.  Sweep windows lie before the cursor and never move it: they only add their
 * fingerprints to the delivered set.
 *
 * Delivered set.  Fingerprints of records routed by a window go to that window's pending
 * set; when the window finishes they join the committed set, which is what the state file
 * keeps.  A record is skipped when its fingerprint is in the committed set or in a
 * pending set of a window still in flight.  So a crash loses only pending sets: their
 * records are sent again (duplicates), never lost.
 *
 * Failures.  A search retries transport errors, 5xx, 3xx, 409 and 429 inside itself,
 * keeping its place; the source only reports them (on_retrying: stats, health, a log line
 * a minute).  A window is split only when the search says it is too big; at the smallest
 * size it is retried with capped backoff, never skipped.  A window whose events a sink
 * cancelled (a sink freed or given up at a reload) is searched again, unless the source is
 * stopping: then it holds the cursor and the next start reads it again.  The only range
 * ever skipped is one older than `retention`.
 */
#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "ack.h"
#include "backoff.h"
#include "buf.h"
#include "event.h"
#include "format.h"
#include "log.h"
#include "normalize.h"
#include "oci.h"
#include "recparser.h"
#include "route.h"
#include "search.h"
#include "safeopen.h"
#include "seen.h"
#include "sink.h"
#include "source_kafka.h"
#include "state.h"
#include "timeutil.h"

#define MIN_SPLIT_MS 1000          /* a window this short is not split further */
/*
 * Windows in the list (searching, or searched and waiting for acknowledgements): one more
 * than the searches allowed to run at once, so that one window is delivered while the
 * next ones are searched.  More would only add to what a crash resends (a restart
 * re-reads every window not yet checkpointed).  Tailing: 1 search, 2 windows.
 */
#define WINDOWS_BEYOND_SEARCHES 1
/*
 * More than one search runs only while the sinks keep up: concurrency stops growing while
 * a routed sink is full (its soft limit, sink.h) or once the events routed and not yet
 * acknowledged exceed this many pages per routed sink (the sinks are then the bottleneck;
 * more searching would only add memory).  Above a default sink's soft limit (6 batches
 * of 500), so that it binds only sinks with larger queues (when_full = drop, dead_letter).
 */
#define UNACKED_GROW_PAGES 8
/* Acknowledgements signal nothing to the source: while only the unacknowledged events
 * hold concurrency back it looks again this often (a few comparisons). */
#define UNACKED_CHECK_MS 5
/*
 * More than one search runs only while the source waits on OCI, not OCI on us: the
 * smoothed page wait (page_wait_ms) must be at least this.  A page's wait is the time
 * from the moment its search was free to take it (search start, previous page consumed,
 * resume) to its answer (0 when it came ahead).  Extra searches cost memory (each holds
 * its page and the one fetched ahead, ~1.5 MB at 1000 records) and gain only when pages
 * take time to come: against a loopback OCI the daemon is CPU-bound and the wait stays a
 * few ms (under load too), while the real API takes 200 ms - 2 s a page.
 */
#define GROW_WAIT_MS 50
/*
 * Weight of a new page's wait in the smoothed value, which starts at 0 (OCI keeps up until
 * shown otherwise): a page of 200 ms or more (the real API) makes it grow at once, 100 ms
 * pages after three, and one slow page on a loaded machine (up to 4 x GROW_WAIT_MS) does
 * not.
 */
#define PAGE_WAIT_ALPHA 0.25
/* The most searches of one source at once (max_concurrent_searches is capped here). */
#define MAX_SLOTS 16
#define SEEN_MARGIN_MS 60000       /* keep fingerprints a little past lag + overlap */
/* OCI refuses a search that spans more than 14 days (400 InvalidParameter). */
#define MAX_SPAN_MS (14LL * 24 * 3600 * 1000)
/*
 * A checkpoint later than now plus this was written under a wrong clock: rejected at load
 * (the source starts from `start`, as on a first start).  Five minutes absorbs an NTP
 * step without calling every small correction a clock jump.
 */
#define FUTURE_CURSOR_TOLERANCE_MS (5 * 60 * 1000)
/*
 * Fingerprint times are clamped to now + this: a record stamped in year 2200 would
 * otherwise never expire from the delivered set.
 */
#define SEEN_FUTURE_MS 60000
/* The delivered set holds at most this many fingerprints (16 bytes each: 64 MiB). */
#define SEEN_MAX_ENTRIES (4u * 1024 * 1024)
#define RETRY_LOG_EVERY_MS 60000   /* one line a minute while OCI keeps failing */
#define DEAD_LETTER_RETRY_MS 1000  /* an unwritable dead-letter file is tried again */
/* A rejected record is dead-lettered whole up to this size, else as an excerpt of... */
#define DL_RECORD_MAX (1024 * 1024)
#define DL_EXCERPT 65536           /* ...this many bytes (a JSON string) */
/* One-shot modes stop after this many tries of a window too big at 1 s (daemon: forever). */
#define ONESHOT_TOO_BIG_TRIES 5
/* One-shot modes stop after this many failed tries of a window (daemon: forever). */
#define ONESHOT_FAILED_TRIES 5

static const struct search_ops real_search_ops = {
	search_start, search_pause, search_resume, search_cancel,
};
#define OPS(src) ((src)->env.search_ops != NULL ? (src)->env.search_ops : &real_search_ops)

const double source_delay_bounds[SOURCE_HIST_BUCKETS - 1] = {
	1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600,
};

struct window {
	struct window *next;
	struct source *src;
	int64_t start_ms, end_ms;
	int sweep;        /* a sweep window: before the cursor, never moves it */
	int split;        /* replaced by two halves that follow it in the list */
	int searched;     /* search over (ok, split or gap) */
	int acked;        /* every routed event acknowledged */
	int failed;       /* an event was cancelled: the cursor must not pass */
	unsigned failures;
	unsigned too_big_tries; /* too big at the smallest size */
	struct ack *ack;  /* NULL once it fired */
	struct seen *pending;
	uint64_t records;
	struct slot *slot; /* the search running over it, or NULL */
};

/*
 * One search of the source.  While the source is behind (catch-up, backfill) up to
 * max_concurrent_searches consecutive windows are searched at once: on the real API a
 * page takes hundreds of ms, so one search at a time is latency-bound.  Each slot holds
 * at most its search's current page and the one fetched ahead (search.h).
 */
struct slot {
	struct source *src;
	struct window *w;          /* NULL: free */
	struct search *search;
	/* Records are normalized inside the search's page pass (each page lexed once); the
	 * events live until this search's next page, so each search has its own normalizer
	 * (env.norm, shared, normalizes only what comes without an event). */
	struct normalizer *norm;
	struct search_rec_parser rp;
	int bp_paused;             /* paused: a routed sink is full */
	int held;                  /* paused: another search of the source waits out a retry */
	/* Since when the search has been free to take its next page (started, previous page
	 * consumed, resumed); -1: not waiting (paused, or a retry: its wait is no latency). */
	int64_t wait_from_mono_ms;
	/* The record being dead-lettered when a write failed, and the routes (bits) whose
	 * files already have its line: the retry does not write it there again. */
	const void *dl_key_w;
	const char *dl_key_json;
	unsigned dl_key_page;
	uint64_t dl_done;
};


struct source {
	const struct conf_source *cfg;
	struct source_env env;
	struct route *routes;
	size_t n_routes;
	unsigned formats_used;     /* bit per enum conf_format */
	struct route_bufs rb;      /* encode buffers, one per format, and the summary */

	int64_t cursor_ms;         /* committed: everything before it is delivered */
	int64_t next_ms;           /* start of the next regular window */
	int64_t target_ms;         /* ONCE/BACKFILL/DRYRUN: stop here; 0 = daemon */
	int64_t floor_ms;          /* sweeps never reach before this (`start`) */
	struct seen *committed;    /* delivered fingerprints (saved with the checkpoint) */
	struct window *windows;    /* in time order */
	struct slot slots[MAX_SLOTS];
	size_t n_slots;            /* max_concurrent_searches (1 in DRYRUN: output in order) */
	size_t running;            /* slots with a search */
	/* The one search allowed to send while the source waits out a retry (429,
	 * Retry-After, OCI unreachable): every other search is held until it gets a page,
	 * so a throttled source sends one request per backoff, not one per search. */
	struct slot *probe;
	/* Smoothed page wait in ms (GROW_WAIT_MS); starts at 0. */
	double page_wait_ms;
	int stopping;
	int finished_called;
	int sweep_due;
	int losses;
	int state_dirty;
	/* No request of any search of the source before this (a retry delay: one for the
	 * whole source, never one per search). */
	int64_t hold_until_mono_ms;
	int64_t dl_hold_until_mono_ms; /* a dead-letter write failed: no routing before this */
	int64_t last_dl_err_log_mono_ms; /* dead-letter write errors: one line a minute */
	int64_t last_retry_log_mono_ms;
	int64_t last_page_mono_ms;  /* the running searches' last page (or a start) */
	int64_t seen_trim_logged_mono_ms;

	struct event *poll_timer;
	struct event *sweep_timer;
	struct event *bp_timer;    /* backpressure re-check: the fallback (source.h) */
	struct event *wake_ev;     /* source_wake: a routed sink has room */
	/* maybe_start_search stopped because a routed sink was full: bp_check calls it again
	 * (not the poll timer: that one keeps the tailing interval). */
	int grow_on_space;
	struct backoff retry;      /* for failing searches */
	struct source_stats stats;
	struct ksource *kafka;     /* type = streaming: every call goes there */
};

static void schedule_poll(struct source *src, int64_t delay_ms);
static void maybe_start_search(struct source *src);
static void advance(struct source *src);

/* --- small helpers ------------------------------------------------------------------- */

static void
set_timer(struct event *ev, int64_t ms)
{
	timeutil_timer_add(ev, ms);
}

static void
fmt_time(int64_t ms, char *out, size_t n)
{
	char t[TIMEUTIL_RFC3339_SIZE];

	/* A year beyond 9999 is a corrupt or hostile cursor. */
	if (timeutil_format_rfc3339(ms, TIMEUTIL_SECONDS, t) == 0)
		snprintf(out, n, "@%lld ms", (long long)ms);
	else
		snprintf(out, n, "%s", t);
}

static int64_t
scaled(const struct source *src, int64_t ms)
{
	if (src->env.retry_scale_permille > 0)
		return ms * src->env.retry_scale_permille / 1000;
	return ms;
}

static void
count_code(struct source *src, long code)
{
	struct source_stats *st = &src->stats;

	for (size_t i = 0; i < st->n_codes; i++) {
		if (st->codes[i].code == code) {
			st->codes[i].n++;
			return;
		}
	}
	if (st->n_codes < sizeof(st->codes) / sizeof(st->codes[0])) {
		st->codes[st->n_codes].code = code;
		st->codes[st->n_codes].n = 1;
		st->n_codes++;
	}
}

static void
observe_delay(struct source *src, double secs)
{
	struct source_stats *st = &src->stats;

	if (secs < 0)
		secs = 0;
	for (size_t i = 0; i < SOURCE_HIST_BUCKETS - 1; i++)
		if (secs <= source_delay_bounds[i])
			st->delay_bucket[i]++;
	st->delay_bucket[SOURCE_HIST_BUCKETS - 1]++;
	st->delay_sum += secs;
	st->delay_count++;
}

/* 1 while no event can be routed now: a sink is full, or a dead-letter write failed. */
static int
routes_blocked(const struct source *src)
{
	if (src->dl_hold_until_mono_ms > 0 && timeutil_mono_ms() < src->dl_hold_until_mono_ms)
		return 1;
	for (size_t i = 0; i < src->n_routes; i++)
		if (sink_full(src->routes[i].sink))
			return 1;
	return 0;
}

static size_t
windows_in_flight(const struct source *src)
{
	size_t n = 0;

	for (const struct window *w = src->windows; w != NULL; w = w->next)
		n++;
	return n;
}

/* Events routed by the windows in flight and not yet acknowledged, summed over sinks. */
static uint64_t
events_unacked(const struct source *src)
{
	uint64_t n = 0;

	for (const struct window *w = src->windows; w != NULL; w = w->next)
		if (w->ack != NULL)
			n += ack_outstanding(w->ack);
	return n;
}

/* A slot's search is paused for two reasons, backpressure and a hold: it goes on only
 * when neither holds it. */
static void
slot_pause(struct source *src, struct slot *s)
{
	OPS(src)->pause(s->search);
}

static void
slot_resume_if_free(struct source *src, struct slot *s)
{
	if (s->search != NULL && !s->bp_paused && !s->held) {
		s->wait_from_mono_ms = timeutil_mono_ms(); /* the paused time was ours */
		OPS(src)->resume(s->search);
	}
}

/* Holds every running search but keep (NULL: all): no request until released. */
static void
hold_searches(struct source *src, const struct slot *keep)
{
	for (size_t i = 0; i < src->n_slots; i++) {
		struct slot *s = &src->slots[i];
		if (s->search == NULL || s == keep || s->held)
			continue;
		s->held = 1;
		if (!s->bp_paused)
			slot_pause(src, s);
	}
}

/* The wait is over: held searches go on (those a full sink holds wait for bp_check). */
static void
release_searches(struct source *src)
{
	for (size_t i = 0; i < src->n_slots; i++) {
		struct slot *s = &src->slots[i];
		if (s->search == NULL || !s->held)
			continue;
		s->held = 0;
		slot_resume_if_free(src, s);
	}
}

static int
already_delivered(const struct source *src, uint64_t fp)
{
	if (seen_has(src->committed, fp))
		return 1;
	for (const struct window *w = src->windows; w != NULL; w = w->next)
		if (w->pending != NULL && seen_has(w->pending, fp))
			return 1;
	return 0;
}

static int
checkpointing(const struct source *src)
{
	return src->env.mode == SOURCE_MODE_DAEMON || src->env.mode == SOURCE_MODE_ONCE;
}

static void
save_state(struct source *src)
{
	struct state_err err;

	if (!checkpointing(src) || !src->state_dirty)
		return;
	if (state_save(src->env.state_dir, src->cfg->name, src->cursor_ms, src->committed,
	        &err) != 0) {
		log_source(LOG_LVL_ERROR, src->cfg->name, "cannot write checkpoint: %s "
		    "(delivery goes on; a restart would resend from the last checkpoint)", err.msg);
		return;
	}
	src->state_dirty = 0;
}

/*
 * Appends one line to a sink's dead-letter file (conf_load fills its default path) and
 * syncs it.  Created 0600 and never through a symlink (it holds log content).  0, or -1
 * with errno set.
 */
static int
append_dead_letter(const struct conf_sink *k, const char *line, size_t len)
{
	int fd, rc = 0, e = 0;

	if (k->dead_letter == NULL)
		return 0;
	fd = safeopen_append(k->dead_letter); /* never blocks on a FIFO, never via a link */
	if (fd < 0)
		return -1;
	while (len > 0) {
		ssize_t w = write(fd, line, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			e = w < 0 ? errno : EIO;
			rc = -1;
			break;
		}
		line += w;
		len -= (size_t)w;
	}
	if (rc == 0 && fsync(fd) != 0 && errno != EINVAL) {
		e = errno;
		rc = -1;
	}
	close(fd);
	if (rc != 0)
		errno = e;
	return rc;
}

/*
 * Notes a skipped range where an operator will look: the log, the metrics and each
 * routed sink's dead-letter file.  Only for data OCI no longer keeps (retention): nothing
 * else is ever skipped.
 */
static void
record_gap(struct source *src, int64_t from_ms, int64_t to_ms, const char *why)
{
	char a[40], b[40];

	fmt_time(from_ms, a, sizeof(a));
	fmt_time(to_ms, b, sizeof(b));
	src->stats.gaps++;
	src->losses = 1;
	log_source(LOG_LVL_WARNING, src->cfg->name,
	    "GAP: skipping [%s, %s): %s; records in this range were NOT forwarded", a, b, why);
	for (size_t i = 0; i < src->n_routes; i++) {
		struct buf line;
		buf_init(&line, 0);
		if (buf_printf(&line, "{\"gap\":{\"source\":") == 0 &&
		    buf_append_json_string(&line, src->cfg->name, strlen(src->cfg->name)) == 0 &&
		    buf_printf(&line, ",\"from\":\"%s\",\"to\":\"%s\",\"reason\":", a, b) == 0 &&
		    buf_append_json_string(&line, why, strlen(why)) == 0 &&
		    buf_append_str(&line, "}}\n") == 0 &&
		    append_dead_letter(src->routes[i].cfg, line.data, line.len) != 0)
			log_source(LOG_LVL_ERROR, src->cfg->name, "cannot note the gap in %s: %s",
			    src->routes[i].cfg->dead_letter, safeopen_strerror(errno));
		buf_cleanup(&line);
	}
}

/* --- windows ------------------------------------------------------------------------- */

static void window_acked(void *arg, const struct ack_counts *c);

static struct window *
window_new(struct source *src, int64_t start_ms, int64_t end_ms, int sweep)
{
	struct window *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	w->src = src;
	w->start_ms = start_ms;
	w->end_ms = end_ms;
	w->sweep = sweep;
	return w;
}

static void
window_free(struct window *w)
{
	if (w == NULL)
		return;
	if (w->ack != NULL)
		ack_abandon(w->ack);
	seen_free(w->pending);
	free(w);
}

/* Inserts w after `after` (NULL = at the head), keeping the list in time order. */
static void
window_insert_after(struct source *src, struct window *after, struct window *w)
{
	if (after == NULL) {
		w->next = src->windows;
		src->windows = w;
	} else {
		w->next = after->next;
		after->next = w;
	}
}

static void
window_append(struct source *src, struct window *w)
{
	struct window **pp = &src->windows;

	while (*pp != NULL)
		pp = &(*pp)->next;
	*pp = w;
}

/*
 * Events of w were cancelled (a sink freed, or given up at a reload): they were neither
 * delivered nor dead-lettered, so the cursor must not pass them.  Running: the window is
 * searched again with a new ack (its records may reach the other sinks twice).  Stopping:
 * it holds the cursor, and the next start reads it again.
 */
static void
window_cancelled(struct source *src, struct window *w, uint64_t n)
{
	char from[40], to[40];

	fmt_time(w->start_ms, from, sizeof(from));
	fmt_time(w->end_ms, to, sizeof(to));
	if (src->stopping) {
		w->failed = 1;
		log_source(LOG_LVL_NOTICE, src->cfg->name, "%llu event(s) of [%s, %s) were "
		    "cancelled before delivery (a sink stopped): the checkpoint stays at or "
		    "before %s, so the next start reads them again", (unsigned long long)n,
		    from, to, from);
		return;
	}
	log_source(LOG_LVL_WARNING, src->cfg->name, "%llu event(s) of [%s, %s) were "
	    "cancelled before delivery (a sink was removed or replaced): searching the window "
	    "again (records may reach the other sinks twice)", (unsigned long long)n, from, to);
	src->stats.researched++;
	w->searched = 0;
	w->acked = 0;
	w->failed = 0;
	w->records = 0;
	/* Forget its fingerprints, or the search would skip the very records to resend. */
	seen_free(w->pending);
	w->pending = NULL;
}

static void
window_acked(void *arg, const struct ack_counts *c)
{
	struct window *w = arg;
	struct source *src = w->src;

	w->ack = NULL; /* freed by ack.c after we return */
	w->acked = 1;
	if (c->dead_letter > 0 || c->dropped > 0)
		src->losses = 1;
	if (c->cancelled > 0)
		window_cancelled(src, w, c->cancelled);
	advance(src);
}

/* One-shot modes: reports the end once everything up to the target is finished. */
static int
check_done(struct source *src)
{
	/* Written without next_ms + MIN_SPLIT_MS: no overflow near INT64_MAX. */
	if (src->target_ms > 0 && !src->finished_called && src->windows == NULL &&
	    src->running == 0 && (src->next_ms > src->target_ms - MIN_SPLIT_MS ||
	                               src->stopping)) {
		src->finished_called = 1;
		if (src->env.finished != NULL)
			src->env.finished(src->env.arg, src);
		return 1;
	}
	return src->finished_called;
}

/*
 * Pops finished windows from the head, moving the cursor and committing their
 * fingerprints; then writes the checkpoint and, in the one-shot modes, reports the end.
 */
static void
advance(struct source *src)
{
	int moved = 0;
	int64_t now = timeutil_now_ms();

	while (src->windows != NULL) {
		struct window *w = src->windows;
		if (!w->searched || !w->acked || w->failed)
			break;
		src->windows = w->next;
		if (w->pending != NULL && seen_merge(src->committed, w->pending) != 0)
			log_source(LOG_LVL_WARNING, src->cfg->name,
			    "out of memory keeping fingerprints: a later sweep may resend records");
		if (!w->sweep && !w->split && w->end_ms > src->cursor_ms) {
			src->cursor_ms = w->end_ms;
			moved = 1;
		}
		if (w->pending != NULL)
			src->state_dirty = 1;
		window_free(w);
	}
	if (moved) {
		src->stats.cursor_ms = src->cursor_ms;
		src->state_dirty = 1;
	}
	if (src->cfg->overlap_ms > 0)
		seen_expire(src->committed, now - src->cfg->lag_ms - src->cfg->overlap_ms -
		    SEEN_MARGIN_MS);
	if (seen_count(src->committed) > SEEN_MAX_ENTRIES) {
		/* Bounded memory: the oldest fingerprints go first (a sweep may resend them). */
		size_t before = seen_count(src->committed);
		seen_trim(src->committed, SEEN_MAX_ENTRIES / 4 * 3);
		if (timeutil_mono_ms() - src->seen_trim_logged_mono_ms >= RETRY_LOG_EVERY_MS ||
		    src->seen_trim_logged_mono_ms == 0) {
			src->seen_trim_logged_mono_ms = timeutil_mono_ms();
			log_source(LOG_LVL_WARNING, src->cfg->name, "the delivered-records set "
			    "reached %u fingerprints: forgot the %zu oldest (a sweep may resend "
			    "them; a smaller overlap keeps the set smaller)", SEEN_MAX_ENTRIES,
			    before - seen_count(src->committed));
		}
		src->state_dirty = 1;
	}
	save_state(src);

	if (check_done(src))
		return;
	/* A window slot freed up: the next search may go. */
	if (!src->stopping)
		maybe_start_search(src);
}

/* --- routing one record ------------------------------------------------------------ */

static void
route_event(struct source *src, struct window *w, const struct event *ev)
{
	const char *region = src->env.oci != NULL ? oci_client_region(src->env.oci) : NULL;

	if (src->env.mode == SOURCE_MODE_DRYRUN) {
		struct buf *b = &src->rb.enc[src->env.dryrun_format];
		buf_reset(b);
		if (format_encode(ev, src->env.dryrun_format, region, b) == 0) {
			buf_append_char(b, '\n');
			fwrite(b->data, 1, b->len, src->env.dryrun_out);
		}
		return;
	}
	route_event_to_sinks(src->routes, src->n_routes, src->formats_used, &src->rb, ev,
	    src->cfg->name, region, w->ack);
}

/* --- search callbacks -------------------------------------------------------------- */

static int
any_bp_paused(const struct source *src)
{
	for (size_t i = 0; i < src->n_slots; i++)
		if (src->slots[i].search != NULL && src->slots[i].bp_paused)
			return 1;
	return 0;
}

/*
 * When a paused source looks again by itself.  Normally a routed sink's space callback
 * wakes it (source_wake) long before; the fallback covers room made some other way.  A
 * dead-letter hold ends at a known time: it is looked at then (nothing else signals it).
 */
static int64_t
bp_recheck_ms(const struct source *src)
{
	int64_t ms = src->env.backpressure_fallback_ms > 0 ? src->env.backpressure_fallback_ms :
	    SOURCE_BACKPRESSURE_FALLBACK_MS;
	int64_t left = src->dl_hold_until_mono_ms - timeutil_mono_ms();

	if (src->dl_hold_until_mono_ms > 0 && left >= 0 && left + 1 < ms)
		ms = left + 1;
	return ms;
}

/* The fallback timer and source_wake's event: paused searches go on, and more may
 * start, once every routed sink has room. */
static void
bp_check(evutil_socket_t fd, short what, void *arg)
{
	struct source *src = arg;

	if (src->stopping || (!any_bp_paused(src) && !src->grow_on_space))
		return;
	if (routes_blocked(src)) {
		set_timer(src->bp_timer, bp_recheck_ms(src));
		return;
	}
	evtimer_del(src->bp_timer); /* woken early: the fallback is not needed */
	log_source(LOG_LVL_DEBUG, src->cfg->name, "sinks have room again: resuming");
	for (size_t i = 0; i < src->n_slots; i++) {
		struct slot *s = &src->slots[i];
		if (s->search == NULL || !s->bp_paused)
			continue;
		s->bp_paused = 0;
		slot_resume_if_free(src, s);
	}
	if (src->grow_on_space) {
		src->grow_on_space = 0;
		maybe_start_search(src);
	}
}

/* stats.last_error, truncated as needed (it is shown by /healthz). */
static void
set_last_error(struct source *src, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
set_last_error(struct source *src, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(src->stats.last_error, sizeof(src->stats.last_error), fmt, ap);
	va_end(ap);
}

/* A page arrived: OCI answers; whatever the source was waiting out is over. */
static void
note_progress(struct source *src)
{
	int64_t mono = timeutil_mono_ms();

	src->last_page_mono_ms = mono;
	src->stats.last_success_mono_ms = mono;
	if (src->stats.waiting) {
		char since[40];
		fmt_time(src->stats.waiting_since_ms, since, sizeof(since));
		log_source(LOG_LVL_NOTICE, src->cfg->name, "searching works again (waiting "
		    "since %s; %llu search retries so far): going on from the cursor", since,
		    (unsigned long long)src->stats.retries);
		src->stats.waiting = 0;
		src->stats.waiting_since_ms = 0;
		src->stats.waiting_until_ms = 0;
		src->stats.last_error[0] = '\0';
	}
}

/* Copies s into out with control characters (CR/LF from the network) as '?'. */
static void
clean_copy(char *out, size_t n, const char *s)
{
	size_t i = 0;

	if (n == 0)
		return;
	for (; s != NULL && s[i] != '\0' && i + 1 < n; i++)
		out[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	out[i] = '\0';
}

/* A record the source cannot forward, for dead_letter_record(). */
struct dl_rec {
	const char *reason;
	const char *json;       /* the record, or NULL: never received (over max_page_bytes) */
	size_t len;
	size_t max;             /* 0: the record whole; else beyond max bytes an excerpt */
	const char *window;     /* json NULL: "[from, to)" of its window */
	uint64_t bytes;         /* json NULL: its size (at least) */
	const char *request_id; /* opc-request-id of its page */
	unsigned page_index;
};

static int
dl_format(struct buf *line, const struct source *src, const struct conf_sink *k,
    const struct dl_rec *d, const char *now)
{
	const char *rid = d->request_id != NULL ? d->request_id : "-";

	if (buf_printf(line, "{\"time\":\"%s\",\"sink\":", now) != 0 ||
	    buf_append_json_string(line, k->name, strlen(k->name)) != 0 ||
	    buf_append_str(line, ",\"status\":0,\"reason\":") != 0 ||
	    buf_append_json_string(line, d->reason, strlen(d->reason)) != 0 ||
	    buf_append_str(line, ",\"source\":") != 0 ||
	    buf_append_json_string(line, src->cfg->name, strlen(src->cfg->name)) != 0 ||
	    buf_append_str(line, ",\"opc-request-id\":") != 0 ||
	    buf_append_json_string(line, rid, strlen(rid)) != 0)
		return -1;
	if (d->json == NULL) {
		if (buf_append_str(line, ",\"window\":") != 0 ||
		    buf_append_json_string(line, d->window, strlen(d->window)) != 0 ||
		    buf_printf(line, ",\"bytes\":%llu", (unsigned long long)d->bytes) != 0)
			return -1;
	} else if (d->max > 0 && d->len > d->max) {
		if (buf_printf(line, ",\"record_bytes\":%zu,\"record_excerpt\":", d->len) != 0 ||
		    buf_append_json_string(line, d->json, DL_EXCERPT < d->len ? DL_EXCERPT :
		        d->len) != 0)
			return -1;
	} else if (buf_append_str(line, ",\"record\":") != 0 ||
	    buf_append(line, d->json, d->len) != 0) {
		return -1;
	}
	return buf_append_str(line, "}\n");
}

/*
 * One dead-letter line per routed sink for a record the source cannot forward.  After a
 * failed write the record is kept and tried again; that retry skips the sinks whose file
 * already has the line.  0, or -1 with an error line (at most one a minute).
 */
static int
dead_letter_record(struct source *src, struct slot *sl, const struct dl_rec *d)
{
	char now[40];

	if (sl->dl_key_w != (const void *)sl->w || sl->dl_key_json != d->json ||
	    sl->dl_key_page != d->page_index) {
		sl->dl_key_w = sl->w;
		sl->dl_key_json = d->json;
		sl->dl_key_page = d->page_index;
		sl->dl_done = 0;
	}
	fmt_time(timeutil_now_ms(), now, sizeof(now));
	for (size_t i = 0; i < src->n_routes; i++) {
		const struct conf_sink *k = src->routes[i].cfg;
		struct buf line;
		int rc = 0, e = 0;

		if (i < 64 && (sl->dl_done >> i) & 1)
			continue;
		buf_init(&line, 0);
		if (dl_format(&line, src, k, d, now) != 0) {
			rc = -1;
			e = ENOMEM;
		} else if (append_dead_letter(k, line.data, line.len) != 0) {
			rc = -1;
			e = errno;
		}
		buf_cleanup(&line);
		if (rc != 0) {
			int64_t mono = timeutil_mono_ms();
			if (src->last_dl_err_log_mono_ms == 0 ||
			    mono - src->last_dl_err_log_mono_ms >= RETRY_LOG_EVERY_MS) {
				src->last_dl_err_log_mono_ms = mono;
				log_source(LOG_LVL_ERROR, src->cfg->name, "cannot write a record "
				    "(%s) to the dead-letter file %s: %s; keeping it and trying "
				    "again (said at most once a minute)", d->reason,
				    k->dead_letter ? k->dead_letter : "-", safeopen_strerror(e));
			}
			errno = e;
			return -1;
		}
		if (i < 64)
			sl->dl_done |= 1ull << i;
	}
	sl->dl_key_w = NULL;
	sl->dl_key_json = NULL;
	sl->dl_done = 0;
	return 0;
}

/*
 * A record normalize rejects (not an object, nested too deep) is dead-lettered with the
 * reason, never dropped: 0 once every routed sink's file has it.
 */
static int
dead_letter_rejected(struct source *src, struct slot *sl, const struct search_page *page,
    const struct search_record *r, const char *why)
{
	char reason[300];
	struct dl_rec d;

	snprintf(reason, sizeof(reason), "record cannot be forwarded: %s", why);
	memset(&d, 0, sizeof(d));
	d.reason = reason;
	d.json = r->json;
	d.len = r->len;
	d.max = DL_RECORD_MAX;
	d.request_id = page->request_id;
	d.page_index = page->page_index;
	return dead_letter_record(src, sl, &d);
}

/*
 * The search met a record over max_page_bytes (a page at limit 1): it can never be
 * fetched.  Dead-letter what is known of it (window, size, opc-request-id) in each routed
 * sink's file and count it; 0 lets the search skip it, -1 has it fetched again later.
 */
static int
on_oversize(void *arg, unsigned page_index, uint64_t bytes, const char *request_id)
{
	struct slot *sl = arg;
	struct source *src = sl->src;
	struct window *w = sl->w;
	char from[40], to[40], win[100];
	struct dl_rec d;

	fmt_time(w != NULL ? w->start_ms : 0, from, sizeof(from));
	fmt_time(w != NULL ? w->end_ms : 0, to, sizeof(to));
	snprintf(win, sizeof(win), "[%s, %s)", from, to);
	if (src->env.mode != SOURCE_MODE_DRYRUN) {
		memset(&d, 0, sizeof(d));
		d.reason = "record over max_page_bytes";
		d.window = win;
		d.bytes = bytes;
		d.request_id = request_id;
		d.page_index = page_index;
		if (dead_letter_record(src, sl, &d) != 0)
			return -1;
	}
	src->stats.oversize_records++;
	if (src->env.mode != SOURCE_MODE_DRYRUN)
		src->losses = 1;
	log_source(LOG_LVL_WARNING, src->cfg->name, "a record of at least %llu bytes in %s is "
	    "over max_page_bytes: it cannot be fetched; %s (opc-request-id %s; %llu such "
	    "records so far)", (unsigned long long)bytes, win,
	    src->env.mode == SOURCE_MODE_DRYRUN ? "skipped" : "dead-lettered, not forwarded",
	    request_id ? request_id : "-", (unsigned long long)src->stats.oversize_records);
	return 0;
}

/*
 * A record over max_record_bytes is not normalized (its size is the problem): it goes
 * to each routed sink's dead-letter file, with the reason.  0, or -1 when a file cannot
 * be written (the record is then kept: the caller stops the page and tries again).
 */
static int
dead_letter_oversize(struct source *src, struct slot *sl, const struct search_page *page,
    const struct search_record *r)
{
	char reason[160];
	struct dl_rec d;

	snprintf(reason, sizeof(reason), "record of %zu bytes is larger than "
	    "max_record_bytes = %lld", r->len, (long long)src->cfg->max_record_bytes);
	memset(&d, 0, sizeof(d));
	d.reason = reason;
	d.json = r->json;
	d.len = r->len;
	d.request_id = page->request_id;
	d.page_index = page->page_index;
	if (dead_letter_record(src, sl, &d) != 0)
		return -1;
	src->stats.oversize_records++;
	src->losses = 1;
	if (src->stats.oversize_records <= 10 || src->stats.oversize_records % 1000 == 0)
		log_source(LOG_LVL_WARNING, src->cfg->name, "dead-lettered a %s (not forwarded); "
		    "opc-request-id %s (%llu such records so far)", reason,
		    page->request_id ? page->request_id : "-",
		    (unsigned long long)src->stats.oversize_records);
	return 0;
}

/*
 * Routes the page's records one by one, stopping at the first record that finds a routed
 * sink full (queue limits hold per event, not per page): returns how many it consumed;
 * the search hands over the rest after bp_check resumes it (source_wake, or the fallback).
 */
static size_t
on_page(void *arg, const struct search_page *page)
{
	struct slot *sl = arg;
	struct source *src = sl->src;
	struct window *w = sl->w;
	int64_t now = timeutil_now_ms();
	int64_t keep_from = now - src->cfg->lag_ms - src->cfg->overlap_ms - SEEN_MARGIN_MS;
	size_t i;

	if (sl == src->probe) {
		/* OCI answers the search that waited out the retry: the others may go on
		 * (from the loop, once hold_until is over too). */
		src->probe = NULL;
		schedule_poll(src, 0);
	}
	if (w != NULL && w->failures > 0)
		/* Pages of a window that failed before (a token cycle fails after some pages):
		 * paging, not stuck, but not working again until the window succeeds. */
		src->last_page_mono_ms = timeutil_mono_ms();
	else
		note_progress(src);
	for (i = 0; i < page->n; i++) {
		const struct event *ev;
		struct normalize_err nerr;

		if (routes_blocked(src))
			break;
		if (src->cfg->max_record_bytes > 0 &&
		    page->records[i].len > (uint64_t)src->cfg->max_record_bytes) {
			if (src->env.mode == SOURCE_MODE_DRYRUN) {
				src->stats.oversize_records++;
				log_source(LOG_LVL_WARNING, src->cfg->name, "skipping a record of %zu "
				    "bytes (max_record_bytes = %lld)", page->records[i].len,
				    (long long)src->cfg->max_record_bytes);
				continue;
			}
			if (dead_letter_oversize(src, sl, page, &page->records[i]) != 0) {
				src->dl_hold_until_mono_ms = timeutil_mono_ms() +
				    scaled(src, DEAD_LETTER_RETRY_MS);
				break;
			}
			continue;
		}
		ev = page->records[i].parsed;
		if (ev == NULL && normalize_record(src->env.norm, page->records[i].json,
		        page->records[i].len, &ev, &nerr) != 0) {
			if (src->env.mode != SOURCE_MODE_DRYRUN &&
			    dead_letter_rejected(src, sl, page, &page->records[i], nerr.msg) != 0) {
				src->dl_hold_until_mono_ms = timeutil_mono_ms() +
				    scaled(src, DEAD_LETTER_RETRY_MS);
				break;
			}
			src->stats.bad_records++;
			if (src->env.mode != SOURCE_MODE_DRYRUN)
				src->losses = 1; /* dead-lettered: not delivered */
			if (src->stats.bad_records <= 10 || src->stats.bad_records % 1000 == 0)
				log_source(LOG_LVL_WARNING, src->cfg->name,
				    "dead-lettered a record that cannot be forwarded (%s); "
				    "opc-request-id %s (%llu such records so far)", nerr.msg,
				    page->request_id ? page->request_id : "-",
				    (unsigned long long)src->stats.bad_records);
			continue;
		}
		if (ev->partial)
			src->stats.partial_records++;
		if (already_delivered(src, ev->fingerprint)) {
			src->stats.duplicates++;
			continue;
		}
		if (ev->ingested_ns > 0 && ev->time_ns > 0)
			observe_delay(src, (double)(ev->ingested_ns - ev->time_ns) / 1e9);
		if (w->sweep)
			src->stats.late_records++;
		if (src->cfg->overlap_ms > 0 && ev->time_ns / 1000000 >= keep_from &&
		    src->env.mode != SOURCE_MODE_DRYRUN) {
			/* A record stamped far ahead would never expire: clamp its time. */
			int64_t t = ev->time_ns / 1000000;
			if (t > now + SEEN_FUTURE_MS)
				t = now + SEEN_FUTURE_MS;
			if (w->pending == NULL)
				w->pending = seen_new();
			if (w->pending == NULL || seen_add(w->pending, ev->fingerprint, t) < 0)
				log_source(LOG_LVL_WARNING, src->cfg->name,
				    "out of memory keeping fingerprints");
		}
		w->records++;
		src->stats.records++;
		route_event(src, w, ev);
	}
	if ((i < page->n || routes_blocked(src)) && !sl->bp_paused) {
		sl->bp_paused = 1;
		log_source(LOG_LVL_DEBUG, src->cfg->name, "a sink queue is full: pausing "
		    "(%zu of %zu records of this page routed)", i, page->n);
		if (!sl->held)
			slot_pause(src, sl);
		set_timer(src->bp_timer, bp_recheck_ms(src));
	}
	/* From now on the search waits for its next page (a paused one: from its resume). */
	sl->wait_from_mono_ms = sl->bp_paused || sl->held ? -1 : timeutil_mono_ms();
	return i;
}

/*
 * The search scheduled a retry (it keeps its cursor and page token): say so, in the
 * stats (health, metrics) at once and in the log at most once a minute.
 */
static void
on_retrying(void *arg, const struct search_result *why, int64_t delay_ms)
{
	struct slot *sl = arg;
	struct source *src = sl->src;
	struct source_stats *st = &src->stats;
	int64_t now = timeutil_now_ms(), mono = timeutil_mono_ms();
	char code[64], msg[160], rid[256], cur[40], what[640];
	int first = !st->waiting;

	/*
	 * One wait for the whole source: OCI throttles (or fails) the tenancy, not one
	 * window.  The first search to retry becomes the probe and retries alone; every
	 * other search is held (a held one that retries too only pushes the wait out), so
	 * N searches never make N retry storms.  The probe's next page releases them.
	 */
	if (mono + (delay_ms > 0 ? delay_ms : 0) > src->hold_until_mono_ms)
		src->hold_until_mono_ms = mono + (delay_ms > 0 ? delay_ms : 0);
	if (src->probe == NULL && !sl->held)
		src->probe = sl;
	if (src->probe == sl)
		hold_searches(src, sl);
	else if (!sl->held) {
		sl->held = 1;
		if (!sl->bp_paused)
			slot_pause(src, sl);
	}
	st->retries++;
	if (first) {
		st->waiting = 1;
		st->waiting_since_ms = now;
	}
	st->waiting_until_ms = now + (delay_ms > 0 ? delay_ms : 0);
	clean_copy(code, sizeof(code), why->code);
	clean_copy(msg, sizeof(msg), why->message);
	clean_copy(rid, sizeof(rid), why->request_id);
	if (why->http_status == 0)
		snprintf(what, sizeof(what), "OCI is unreachable (%s)", msg[0] ? msg : "no answer");
	else if (why->http_status == 429)
		snprintf(what, sizeof(what), "OCI is rate limiting the search (429 %s; "
		    "opc-request-id %s)", code[0] ? code : "-", rid[0] ? rid : "-");
	else
		snprintf(what, sizeof(what), "OCI is failing (%ld %s: %s; opc-request-id %s)",
		    why->http_status, code[0] ? code : "-", msg[0] ? msg : "-",
		    rid[0] ? rid : "-");
	set_last_error(src, "%s", what);
	if (!first && mono - src->last_retry_log_mono_ms < RETRY_LOG_EVERY_MS)
		return;
	src->last_retry_log_mono_ms = mono;
	fmt_time(sl->w != NULL ? sl->w->start_ms : src->cursor_ms, cur, sizeof(cur));
	if (first)
		log_source(LOG_LVL_WARNING, src->cfg->name, "%s; retrying in %lld ms; the "
		    "cursor stays at %s: nothing is skipped", what, (long long)delay_ms, cur);
	else
		log_source(LOG_LVL_WARNING, src->cfg->name, "%s, for %lld s now (%llu retries); "
		    "retrying in %lld ms; the cursor stays at %s: nothing is skipped", what,
		    (long long)((now - st->waiting_since_ms) / 1000),
		    (unsigned long long)st->retries, (long long)delay_ms, cur);
}

static size_t search_limit(const struct source *src);

/*
 * Every HTTP answer of a search.  A page (2xx) measures how long the search waited for
 * it (GROW_WAIT_MS); the answer to a page fetched ahead is only processed once the page
 * before it is consumed, so a page that was there comes with a wait of ~0.  Another
 * answer (429, 5xx) is no page: the retry's wait is backoff, not latency.
 */
static void
on_response(void *arg, long status)
{
	struct slot *sl = arg;
	struct source *src = sl->src;
	int64_t mono = timeutil_mono_ms();

	count_code(src, status);
	if (status < 200 || status > 299) {
		sl->wait_from_mono_ms = -1;
		return;
	}
	if (sl->wait_from_mono_ms >= 0) {
		double w = (double)(mono - sl->wait_from_mono_ms);
		int was_low = src->page_wait_ms < GROW_WAIT_MS;
		src->page_wait_ms += PAGE_WAIT_ALPHA * (w - src->page_wait_ms);
		sl->wait_from_mono_ms = -1;
		if (was_low != (src->page_wait_ms < GROW_WAIT_MS))
			log_source(LOG_LVL_DEBUG, src->cfg->name, "pages take %.0f ms to come "
			    "(smoothed): %s", src->page_wait_ms, was_low ? "searching several "
			    "windows at once while behind" : "one search (running ones end)");
		/* Became worth growing: start more from the loop (not inside the search). */
		if (was_low && src->page_wait_ms >= GROW_WAIT_MS && !src->stopping &&
		    src->running < search_limit(src))
			schedule_poll(src, 0);
	}
}

/*
 * Replaces w (failed as too big) by its two halves, searched next: 1.  0 when w is
 * already at the smallest size, or out of memory: the caller retries w as a whole.
 */
static int
split_window(struct source *src, struct window *w, const char *why)
{
	int64_t mid = w->start_ms + (w->end_ms - w->start_ms) / 2;
	struct window *a, *b;
	char from[40], to[40];

	fmt_time(w->start_ms, from, sizeof(from));
	fmt_time(w->end_ms, to, sizeof(to));
	if (w->end_ms - w->start_ms < 2 * MIN_SPLIT_MS)
		return 0;
	a = window_new(src, w->start_ms, mid, w->sweep);
	b = window_new(src, mid, w->end_ms, w->sweep);
	if (a == NULL || b == NULL) {
		free(a);
		free(b);
		return 0;
	}
	log_source(LOG_LVL_NOTICE, src->cfg->name,
	    "window [%s, %s) failed (%s): splitting it in halves", from, to, why);
	src->stats.windows_split++;
	w->split = 1;
	w->searched = 1;
	w->acked = 1; /* nothing of its own: the halves cover it */
	window_insert_after(src, w, a);
	window_insert_after(src, a, b);
	return 1;
}

/* A search that did not complete: its routed events stay in flight under an abandoned
 * ack, and the range is searched again (or split) with a fresh one.  Its fingerprints
 * are forgotten so that the retry routes those records again: a duplicate, never a loss. */
static void
window_search_failed(struct window *w)
{
	if (w->ack != NULL) {
		ack_abandon(w->ack);
		w->ack = NULL;
	}
	w->acked = 0;
	seen_free(w->pending);
	w->pending = NULL;
}

/* One-shot modes give up on errors that waiting will not fix. */
static void
give_up(struct source *src)
{
	src->losses = 1;
	/* The other windows' searches stop too (their windows hold the checkpoint). */
	source_stop_polling(src);
	if (!src->finished_called) {
		src->finished_called = 1;
		if (src->env.finished != NULL)
			src->env.finished(src->env.arg, src);
	}
}

/*
 * w failed as too big at the smallest size: it is retried as a whole after
 * a capped backoff, never skipped.  Returns the delay.  Loud: the cursor cannot move on.
 */
static int64_t
too_big_at_minimum(struct source *src, struct window *w, const struct search_result *res)
{
	char from[40], to[40], msg[160], code[64], rid[256];
	int64_t delay = scaled(src, backoff_next(&src->retry));

	w->too_big_tries++;
	src->stats.researched++;
	fmt_time(w->start_ms, from, sizeof(from));
	fmt_time(w->end_ms, to, sizeof(to));
	clean_copy(msg, sizeof(msg), res->message);
	clean_copy(code, sizeof(code), res->code);
	clean_copy(rid, sizeof(rid), res->request_id);
	set_last_error(src, "window [%s, %s) cannot be fetched even at %d ms (%ld %s: %s)", from, to, MIN_SPLIT_MS,
	    res->http_status, code[0] ? code : "-", msg[0] ? msg : "-");
	if (src->target_ms > 0 && w->too_big_tries >= ONESHOT_TOO_BIG_TRIES)
		log_source(LOG_LVL_ERROR, src->cfg->name, "window [%s, %s) cannot be fetched "
		    "even at %d ms (%ld %s: %s; opc-request-id %s), %u tries: stopping; the "
		    "checkpoint stays before %s", from, to, MIN_SPLIT_MS, res->http_status,
		    code[0] ? code : "-", msg[0] ? msg : "-", rid[0] ? rid : "-",
		    w->too_big_tries, from);
	else
		log_source(LOG_LVL_ERROR, src->cfg->name, "window [%s, %s) cannot be fetched "
		    "even at %d ms (%ld %s: %s; opc-request-id %s), try %u: retrying it in "
		    "%lld ms; the cursor stays at %s: nothing is skipped", from, to,
		    MIN_SPLIT_MS, res->http_status, code[0] ? code : "-", msg[0] ? msg : "-",
		    rid[0] ? rid : "-", w->too_big_tries, (long long)delay, from);
	return delay;
}

/*
 * w failed for a reason that says nothing about its size (403, 405, 413, another 4xx, 501,
 * a malformed 2xx page, a page-token cycle, too many pages): splitting it would only
 * multiply the failing requests, so it is retried whole after a capped backoff.  Loud
 * (an error line per try, last_error, waiting: unhealthy once it lasts); the cursor stays.
 * Returns the delay.
 */
static int64_t
search_failed_retry(struct source *src, struct window *w, const struct search_result *res)
{
	char from[40], to[40], msg[160], code[64], rid[256];
	int64_t delay = scaled(src, backoff_next(&src->retry));

	w->failures++;
	fmt_time(w->start_ms, from, sizeof(from));
	fmt_time(w->end_ms, to, sizeof(to));
	clean_copy(msg, sizeof(msg), res->message);
	clean_copy(code, sizeof(code), res->code);
	clean_copy(rid, sizeof(rid), res->request_id);
	set_last_error(src, "search of [%s, %s) failed (%ld %s: %s; opc-request-id %s)", from, to,
	    res->http_status, code[0] ? code : "-", msg[0] ? msg : "search failed",
	    rid[0] ? rid : "-");
	if (src->target_ms > 0 && w->failures >= ONESHOT_FAILED_TRIES)
		log_source(LOG_LVL_ERROR, src->cfg->name, "search of [%s, %s) failed (%ld %s: "
		    "%s; opc-request-id %s), %u tries: stopping; the checkpoint stays before %s",
		    from, to, res->http_status, code[0] ? code : "-", msg[0] ? msg : "-",
		    rid[0] ? rid : "-", w->failures, from);
	else
		log_source(LOG_LVL_ERROR, src->cfg->name, "search of [%s, %s) failed (%ld %s: "
		    "%s; opc-request-id %s), try %u: retrying the whole window in %lld ms (not "
		    "split: this is no sign of size); the cursor stays at %s", from, to,
		    res->http_status, code[0] ? code : "-", msg[0] ? msg : "-",
		    rid[0] ? rid : "-", w->failures, (long long)delay, from);
	return delay;
}

/* The slot's search is over (done or cancelled): the slot is free again. */
static void
slot_clear(struct source *src, struct slot *sl)
{
	if (sl->w != NULL)
		sl->w->slot = NULL;
	sl->w = NULL;
	sl->search = NULL;
	sl->bp_paused = 0;
	sl->held = 0;
	sl->dl_key_w = NULL;
	sl->dl_key_json = NULL;
	sl->dl_done = 0;
	src->running--;
	if (src->probe == sl)
		src->probe = NULL; /* the others wait for hold_until, then go on */
}

static void
on_done(void *arg, const struct search_result *res)
{
	struct slot *sl = arg;
	struct source *src = sl->src;
	struct window *w = sl->w;
	int64_t delay = 0;
	const char *name = src->cfg->name;

	slot_clear(src, sl);
	if (res->status == SEARCH_CANCELLED)
		return;
	if (res->status == SEARCH_OK) {
		struct ack *a = w->ack;
		note_progress(src);
		w->searched = 1;
		w->ack = NULL;
		w->too_big_tries = 0;
		src->stats.last_error[0] = '\0';
		backoff_reset(&src->retry);
		/* Say when a sweep finds what the regular polls missed, so that
		 * users can tune lag and overlap (w may be freed below: log now). */
		if (w->sweep && w->records > 0) {
			char from[40], to[40];
			fmt_time(w->start_ms, from, sizeof(from));
			fmt_time(w->end_ms, to, sizeof(to));
			log_source(LOG_LVL_NOTICE, src->cfg->name, "sweep of [%s, %s) found %llu "
			    "late record%s that the regular polls missed (ingested more than lag = "
			    "%lld ms late; see oci_logfwd_source_ingest_delay_seconds)", from, to,
			    (unsigned long long)w->records, w->records == 1 ? "" : "s",
			    (long long)src->cfg->lag_ms);
		}
		/* All pages are routed: the ack may fire now (window_acked -> advance, which
		 * may pop and free w and start the next search). */
		if (a != NULL) {
			w->ack = a;
			ack_seal(a);
		}
		if (!src->stopping)
			advance(src);
		return;
	}

	window_search_failed(w);
	src->stats.searches_failed++;
	switch (res->status) {
	case SEARCH_TOO_BIG:
		if (!split_window(src, w, res->message ? res->message : "too big"))
			delay = too_big_at_minimum(src, w, res);
		break;
	case SEARCH_AUTH:
	case SEARCH_NOT_FOUND:
		snprintf(src->stats.last_error, sizeof(src->stats.last_error), "%ld %s: %s",
		    res->http_status, res->code ? res->code : "", res->message ? res->message : "");
		/* Not hammered: minutes between attempts. */
		delay = scaled(src, 120000 + (int64_t)(rand() % 60000));
		log_source(LOG_LVL_ERROR, name,
		    "OCI refused the search (%ld %s: %s; opc-request-id %s)%s. %s",
		    res->http_status, res->code ? res->code : "-", res->message ? res->message : "-",
		    res->request_id ? res->request_id : "-",
		    src->target_ms > 0 ? "" : "; retrying in a few minutes",
		    res->status == SEARCH_AUTH ?
		        "Check the user OCID, the key fingerprint, the private key and the clock." :
		        "Check the query's compartment/log OCIDs and that an IAM policy allows "
		        "`read log-content` on them, e.g. \"Allow group <group> to read "
		        "log-content in compartment <compartment>\" (for instance principals: "
		        "\"Allow dynamic-group <dynamic-group> to read log-content in compartment "
		        "<compartment>\").");
		break;
	case SEARCH_BAD_QUERY:
		snprintf(src->stats.last_error, sizeof(src->stats.last_error), "bad query: %s",
		    res->message ? res->message : "");
		delay = scaled(src, 600000);
		log_source(LOG_LVL_ERROR, name,
		    "configuration error: OCI rejected the query (%s: %s; opc-request-id %s). "
		    "Fix `query` in [source %s]: %s", res->code ? res->code : "-",
		    res->message ? res->message : "-", res->request_id ? res->request_id : "-",
		    name, src->cfg->query);
		break;
	default: /* SEARCH_FAILED */
		delay = search_failed_retry(src, w, res);
		break;
	}
	if (src->target_ms > 0 && (res->status == SEARCH_AUTH ||
	        res->status == SEARCH_NOT_FOUND || res->status == SEARCH_BAD_QUERY ||
	        w->too_big_tries >= ONESHOT_TOO_BIG_TRIES ||
	        (res->status == SEARCH_FAILED && w->failures >= ONESHOT_FAILED_TRIES))) {
		give_up(src);
		return;
	}
	if (delay > 0) {
		int64_t now = timeutil_now_ms();
		/* No request of any search before the delay is over (maybe_start_search
		 * releases them).  A probe is held too and stops being one: it would
		 * never get the page that releases the others. */
		src->hold_until_mono_ms = timeutil_mono_ms() + delay;
		src->probe = NULL;
		hold_searches(src, NULL);
		if (!src->stats.waiting) {
			src->stats.waiting = 1;
			src->stats.waiting_since_ms = now;
		}
		src->stats.waiting_until_ms = now + delay;
		schedule_poll(src, delay);
	}
	advance(src);
}

/* --- scheduling ---------------------------------------------------------------------- */

/* The first window not yet searched nor searching (a split half, a failed window). */
static struct window *
first_unsearched(struct source *src)
{
	for (struct window *w = src->windows; w != NULL; w = w->next)
		if (!w->searched && w->slot == NULL)
			return w;
	return NULL;
}

/* Starts w's search in a free slot: 1, or 0 (out of memory: a poll is scheduled). */
static int
start_search(struct source *src, struct window *w)
{
	struct search_opts o;
	struct search_callbacks cb;
	struct slot *sl = NULL;

	for (size_t i = 0; i < src->n_slots && sl == NULL; i++)
		if (src->slots[i].search == NULL)
			sl = &src->slots[i];
	if (sl == NULL)
		return 0; /* callers check running < n_slots: not reached */
	if (w->ack == NULL) {
		w->ack = ack_new(window_acked, w);
		if (w->ack == NULL) {
			schedule_poll(src, 1000);
			return 0;
		}
		w->acked = 0;
	}
	if (sl->norm == NULL) {
		/* Created on first use: a tailing source needs one.  Without it (out of
		 * memory) records are normalized one by one with env.norm: slower, same. */
		sl->norm = normalizer_new();
		recparser_init(&sl->rp, sl->norm);
	}
	search_opts_default(&o);
	o.limit = src->cfg->page_size;
	if (src->cfg->search_timeout_ms > 0)
		o.timeout_ms = src->cfg->search_timeout_ms;
	o.source_name = src->cfg->name;
	if (sl->norm != NULL)
		o.rec_parser = &sl->rp;
	if (src->env.retry_scale_permille > 0) {
		o.retry_initial_ms = scaled(src, o.retry_initial_ms);
		o.retry_max_ms = scaled(src, o.retry_max_ms);
	}
	memset(&cb, 0, sizeof(cb));
	cb.page = on_page;
	cb.done = on_done;
	cb.response = on_response;
	cb.retrying = on_retrying;
	cb.oversize = on_oversize;
	cb.arg = sl;
	src->last_page_mono_ms = timeutil_mono_ms();
	sl->wait_from_mono_ms = src->last_page_mono_ms;
	sl->search = OPS(src)->start(src->env.oci, src->cfg->query, w->start_ms, w->end_ms,
	    &o, &cb);
	if (sl->search == NULL) {
		log_source(LOG_LVL_ERROR, src->cfg->name, "cannot start a search (out of memory)");
		schedule_poll(src, 1000);
		return 0;
	}
	sl->w = w;
	w->slot = sl;
	src->running++;
	return 1;
}

/* The regular window's span: `window`, capped at OCI's 14 days. */
static int64_t
window_span(const struct source *src)
{
	return src->cfg->window_ms < MAX_SPAN_MS ? src->cfg->window_ms : MAX_SPAN_MS;
}

/*
 * How many searches may run now: max_concurrent_searches while the cursor is more than
 * one window behind the horizon (catch-up after an outage, a backfill), else one (tailing:
 * one window an interval, nothing to gain).
 */
static size_t
search_limit(const struct source *src)
{
	int64_t horizon;

	if (src->n_slots <= 1)
		return 1;
	horizon = src->target_ms > 0 ? src->target_ms : timeutil_now_ms() - src->cfg->lag_ms;
	/* Written without cursor + span: no overflow near INT64_MAX. */
	return src->cursor_ms < horizon - window_span(src) ? src->n_slots : 1;
}

/*
 * Starts the next search: a pending half or retry, a sweep, or a new window.  1 when one
 * started (the caller may start another), else 0.
 */
static int
start_next(struct source *src, size_t limit)
{
	int64_t now, horizon, end;
	struct window *w;

	w = first_unsearched(src);
	if (w != NULL)
		return start_search(src, w);
	if (windows_in_flight(src) >= limit + WINDOWS_BEYOND_SEARCHES)
		return 0; /* advance() calls us again when one finishes */
	now = timeutil_now_ms();
	horizon = src->target_ms > 0 ? src->target_ms : now - src->cfg->lag_ms;

	if (src->sweep_due && src->env.mode == SOURCE_MODE_DAEMON) {
		int64_t from = now - src->cfg->lag_ms - src->cfg->overlap_ms;
		int64_t to = now - src->cfg->lag_ms < src->cursor_ms ? now - src->cfg->lag_ms :
		    src->cursor_ms;
		src->sweep_due = 0;
		if (from < src->floor_ms)
			from = src->floor_ms;
		if (to - from > MAX_SPAN_MS)
			from = to - MAX_SPAN_MS;
		if (to - from >= MIN_SPLIT_MS) {
			w = window_new(src, from, to, 1);
			if (w != NULL) {
				/* Sweeps lie before every regular window: put it at the head so
				 * it never holds the cursor back. */
				w->searched = 0;
				window_insert_after(src, NULL, w);
				log_source(LOG_LVL_DEBUG, src->cfg->name, "sweep of the last %lld s",
				    (long long)((to - from) / 1000));
				return start_search(src, w);
			}
		}
	}

	/* Retention: what OCI no longer keeps cannot be fetched; say so once. */
	if (src->cfg->retention_ms > 0 && src->next_ms < now - src->cfg->retention_ms) {
		int64_t skip_to = now - src->cfg->retention_ms + 60000;
		struct window *g;
		/* A backfill (--from/--to) skips only what it was asked for: the gap named
		 * [from, now - retention) even for a range ending long before that. */
		if (src->target_ms > 0 && skip_to > src->target_ms)
			skip_to = src->target_ms;
		g = window_new(src, src->next_ms, skip_to, 0);
		if (g != NULL) {
			record_gap(src, src->next_ms, skip_to, src->env.mode == SOURCE_MODE_DAEMON ||
			        src->env.mode == SOURCE_MODE_ONCE ?
			        "checkpoint is older than the log retention (OCI no longer keeps it)" :
			        "older than the log retention (OCI no longer keeps it)");
			g->searched = 1;
			g->acked = 1;
			window_append(src, g);
			src->next_ms = skip_to;
			advance(src); /* starts what comes next */
			return 0;
		}
	}

	/* Compared without next_ms + x: a cursor near INT64_MAX must not overflow. */
	if (src->next_ms > horizon - MIN_SPLIT_MS) {
		if (src->target_ms > 0) {
			/* Nothing left to search: done now, or when the last acks arrive
			 * (advance checks again).  Never call advance from here: the two
			 * would chase each other forever. */
			check_done(src);
			return 0;
		}
		/* Caught up.  Keep a poll that is already due sooner (acknowledgements
		 * call us too, and must not push the next poll further out each time). */
		if (!evtimer_pending(src->poll_timer, NULL))
			schedule_poll(src, src->cfg->interval_ms);
		return 0;
	}
	{
		/* OCI refuses a span over 14 days; window is capped lower by the
		 * configuration, but the rule lives here.  horizon - next_ms > 0 here. */
		int64_t span = window_span(src);
		end = horizon - src->next_ms > span ? src->next_ms + span : horizon;
	}
	w = window_new(src, src->next_ms, end, 0);
	if (w == NULL) {
		schedule_poll(src, 1000);
		return 0;
	}
	window_append(src, w);
	src->next_ms = end;
	return start_search(src, w);
}

/*
 * Starts searches up to search_limit().  Beyond the first, concurrency grows only while
 * the source waits on OCI (page_wait_ms >= GROW_WAIT_MS: a backfill starts with one
 * search), no routed sink is full and the sinks keep up
 * (UNACKED_GROW_PAGES): memory stays bounded by what the sinks hold plus two pages per
 * search.  Searches already running are not cancelled when the wait drops (their pages
 * are in flight; cancelling would refetch them): they are just not replaced beyond one
 * when their windows end.
 */
static void
maybe_start_search(struct source *src)
{
	if (src->stopping)
		return;
	if (src->probe != NULL)
		return; /* a retry is being waited out: its page (or its end) calls us again */
	if (timeutil_mono_ms() < src->hold_until_mono_ms) {
		/* A retry delay runs.  The poll timer calls us again; re-armed here because
		 * libevent's clock may fire it a little before ours says the delay is over. */
		if (!evtimer_pending(src->poll_timer, NULL))
			schedule_poll(src, src->hold_until_mono_ms - timeutil_mono_ms() + 1);
		return;
	}
	release_searches(src);
	for (;;) {
		size_t limit = search_limit(src);
		uint64_t grow_max = (uint64_t)UNACKED_GROW_PAGES * (uint64_t)src->cfg->page_size *
		    (src->n_routes > 0 ? src->n_routes : 1);

		if (src->running >= limit || src->stopping || src->probe != NULL)
			return;
		if (src->running > 0 && src->page_wait_ms < GROW_WAIT_MS)
			return; /* OCI keeps up with us: on_response calls us when it no longer does */
		/* Concurrency grows back as soon as the sinks have room, not only when a
		 * window finishes: a full sink wakes us (source_wake); acknowledgements
		 * do not, so they are looked at again shortly. */
		if (routes_blocked(src)) {
			src->grow_on_space = 1;
			set_timer(src->bp_timer, bp_recheck_ms(src));
			return;
		}
		if (src->running > 0 && events_unacked(src) >= grow_max) {
			schedule_poll(src, UNACKED_CHECK_MS);
			return;
		}
		if (!start_next(src, limit))
			return;
	}
}

static void
poll_cb(evutil_socket_t fd, short what, void *arg)
{
	maybe_start_search(arg);
}

static void
sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct source *src = arg;

	src->sweep_due = 1;
	set_timer(src->sweep_timer, src->cfg->sweep_interval_ms);
	maybe_start_search(src);
}

static void
schedule_poll(struct source *src, int64_t delay_ms)
{
	if (src->stopping)
		return;
	set_timer(src->poll_timer, delay_ms);
}

/* --- API ------------------------------------------------------------------------------- */

struct source *
source_new(const struct conf_source *cfg, const struct source_env *env, char *err,
    size_t errlen)
{
	struct source *src = calloc(1, sizeof(*src));
	int64_t now = timeutil_now_ms();

	if (src == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	src->cfg = cfg;
	src->env = *env;
	if (cfg->type == CONF_SOURCE_STREAMING) {
		src->kafka = ksource_new(cfg, env, src, &src->stats, err, errlen);
		if (src->kafka == NULL) {
			free(src);
			return NULL;
		}
		return src;
	}
	route_bufs_init(&src->rb);
	backoff_init(&src->retry, 1000, 300000);
	src->committed = seen_new();
	src->poll_timer = evtimer_new(env->base, poll_cb, src);
	src->sweep_timer = evtimer_new(env->base, sweep_cb, src);
	src->bp_timer = evtimer_new(env->base, bp_check, src);
	src->wake_ev = event_new(env->base, -1, 0, bp_check, src);
	/* 0 (a configuration built without conf_source_defaults) is today's 1.  DRYRUN
	 * prints events in time order: one search. */
	src->n_slots = cfg->max_concurrent_searches > 1 ? (size_t)cfg->max_concurrent_searches : 1;
	if (src->n_slots > MAX_SLOTS)
		src->n_slots = MAX_SLOTS;
	if (env->mode == SOURCE_MODE_DRYRUN)
		src->n_slots = 1;
	for (size_t i = 0; i < MAX_SLOTS; i++)
		src->slots[i].src = src;
	if (src->committed == NULL || src->poll_timer == NULL || src->sweep_timer == NULL ||
	    src->bp_timer == NULL || src->wake_ev == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}

	/* Where to begin. */
	src->cursor_ms = cfg->start_is_relative ? now + cfg->start_ms : cfg->start_ms;
	/* Sweeps must not reach before `start`: those records were not asked for (a first
	 * start with start = 12:00 and overlap = 15m would otherwise forward 11:45-12:00).
	 * A relative start is known only on the first start: it is not in the checkpoint. */
	src->floor_ms = src->cursor_ms;
	if (checkpointing(src)) {
		struct state_err serr;
		int64_t cur;
		int rc = state_load(env->state_dir, cfg->name, &cur, src->committed, &serr);
		if (rc < 0) {
			snprintf(err, errlen, "%s", serr.msg);
			goto fail;
		}
		if (rc == 1 && cur > now + FUTURE_CURSOR_TOLERANCE_MS) {
			/* Written under a clock that was ahead: trusting it would skip
			 * everything up to that time (or forever, near INT64_MAX). */
			char c[40], n[40], st[40];
			fmt_time(cur, c, sizeof(c));
			fmt_time(now, n, sizeof(n));
			fmt_time(src->cursor_ms, st, sizeof(st));
			log_source(LOG_LVL_ERROR, cfg->name, "the checkpoint (%s) is later than "
			    "now (%s): the clock was or is wrong.  Ignoring it: starting from "
			    "`start` (%s) as on a first start; fingerprints in the state file "
			    "still keep recent records from being sent twice", c, n, st);
		} else if (rc == 1) {
			src->cursor_ms = cur;
			if (cfg->start_is_relative)
				src->floor_ms = INT64_MIN;
		}
		/* Fingerprint times beyond now would never expire (and a set larger than
		 * the cap, from an older version, is cut now). */
		seen_clamp(src->committed, now + SEEN_FUTURE_MS);
		if (seen_count(src->committed) > SEEN_MAX_ENTRIES)
			seen_trim(src->committed, SEEN_MAX_ENTRIES / 4 * 3);
	}
	switch (env->mode) {
	case SOURCE_MODE_DAEMON:
		src->target_ms = 0;
		break;
	case SOURCE_MODE_ONCE:
		src->target_ms = now - cfg->lag_ms;
		break;
	case SOURCE_MODE_BACKFILL:
		src->cursor_ms = env->from_ms;
		src->target_ms = env->to_ms;
		break;
	case SOURCE_MODE_DRYRUN:
		if (env->to_ms > 0) {
			src->cursor_ms = env->from_ms;
			src->target_ms = env->to_ms;
		} else {
			src->target_ms = now - cfg->lag_ms;
		}
		break;
	}
	src->next_ms = src->cursor_ms;
	src->stats.cursor_ms = src->cursor_ms;
	return src;
fail:
	source_free(src);
	return NULL;
}

int
source_set_routes(struct source *src, struct sink *const *sinks,
    const struct conf_sink *const *cfgs, size_t n)
{
	struct route *r = NULL;

	if (src->kafka != NULL)
		return ksource_set_routes(src->kafka, sinks, cfgs, n);
	if (route_table_new(sinks, cfgs, n, &r, &src->formats_used) != 0)
		return -1;
	free(src->routes);
	src->routes = r;
	src->n_routes = n;
	/* A reload may have replaced the full sink it waits for (one that took its queue
	 * over, or none): no space callback would tell it. */
	source_wake(src);
	return 0;
}

void
source_wake(struct source *src)
{
	if (src == NULL)
		return;
	if (src->kafka != NULL) {
		ksource_wake(src->kafka);
		return;
	}
	if (src->stopping || (!src->grow_on_space && !any_bp_paused(src)))
		return;
	event_active(src->wake_ev, EV_TIMEOUT, 0);
}

int
source_start(struct source *src)
{
	char when[40];

	if (src->kafka != NULL)
		return ksource_start(src->kafka);
	fmt_time(src->cursor_ms, when, sizeof(when));
	log_source(LOG_LVL_INFO, src->cfg->name, "starting at %s", when);
	if (src->env.mode == SOURCE_MODE_DAEMON && src->cfg->overlap_ms > 0)
		set_timer(src->sweep_timer, src->cfg->sweep_interval_ms);
	schedule_poll(src, 0);
	return 0;
}

void
source_stop_polling(struct source *src)
{
	if (src == NULL)
		return;
	if (src->kafka != NULL) {
		ksource_stop_polling(src->kafka);
		return;
	}
	src->stopping = 1;
	evtimer_del(src->poll_timer);
	evtimer_del(src->sweep_timer);
	evtimer_del(src->bp_timer);
	event_del(src->wake_ev);
	src->grow_on_space = 0;
	for (size_t i = 0; i < src->n_slots; i++) {
		struct slot *sl = &src->slots[i];
		struct window *w = sl->w;
		if (sl->search == NULL)
			continue;
		OPS(src)->cancel(sl->search);
		slot_clear(src, sl);
		/* A window cut short must be searched again next time: it must hold the
		 * cursor.  Its routed events still get acknowledged (and deduplicated). */
		if (w != NULL && w->ack != NULL) {
			ack_abandon(w->ack);
			w->ack = NULL;
		}
	}
}

void
source_free(struct source *src)
{
	if (src == NULL)
		return;
	if (src->kafka != NULL) {
		ksource_free(src->kafka);
		free(src);
		return;
	}
	source_stop_polling(src);
	save_state(src);
	while (src->windows != NULL) {
		struct window *w = src->windows;
		src->windows = w->next;
		window_free(w);
	}
	if (src->poll_timer)
		event_free(src->poll_timer);
	if (src->sweep_timer)
		event_free(src->sweep_timer);
	if (src->bp_timer)
		event_free(src->bp_timer);
	if (src->wake_ev)
		event_free(src->wake_ev);
	seen_free(src->committed);
	route_bufs_cleanup(&src->rb);
	free(src->routes);
	/* after the searches (stopped above), whose held pages point into them */
	for (size_t i = 0; i < MAX_SLOTS; i++)
		normalizer_free(src->slots[i].norm);
	free(src);
}

const char *
source_name(const struct source *src)
{
	return src->cfg->name;
}

const struct conf_source *
source_conf(const struct source *src)
{
	return src->cfg;
}

const struct source_stats *
source_stats(const struct source *src)
{
	return &src->stats;
}

int
source_busy(const struct source *src)
{
	if (src->kafka != NULL)
		return ksource_busy(src->kafka);
	return src->running > 0 || src->windows != NULL;
}

int
source_healthy(const struct source *src)
{
	int64_t mono = timeutil_mono_ms(), now = timeutil_now_ms();
	int64_t bound = scaled(src, SOURCE_WAIT_UNHEALTHY_MS);
	const struct source_stats *st = &src->stats;

	if (src->kafka != NULL)
		return ksource_healthy(src->kafka);
	if (st->waiting && (now - st->waiting_since_ms > bound ||
	                       st->waiting_until_ms - now > bound))
		return 0; /* retrying for long, or told to wait long (Retry-After) */
	if (src->running > 0) {
		/* Stuck paging: no page for long, while no sink holds the searches back. */
		return any_bp_paused(src) || mono - src->last_page_mono_ms <= bound;
	}
	if (st->last_success_mono_ms == 0)
		return st->searches_failed == 0; /* still on its first search */
	return mono - st->last_success_mono_ms <= 3 * src->cfg->interval_ms +
	    src->cfg->window_ms / 10 + 60000;
}

int
source_had_losses(const struct source *src)
{
	if (src->kafka != NULL)
		return ksource_had_losses(src->kafka);
	return src->losses;
}

struct ksource *
source_kafka(const struct source *src)
{
	return src->kafka;
}
