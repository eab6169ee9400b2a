/*
 * sink.c — the generic per-sink engine (see sink.h): queue, batching, in-flight
 * requests, retries with backoff, rate limit, splitting, dead letters, health, stats.
 * The vendor envelopes live in sink_<type>.c behind struct sink_ops (sink_impl.h).
 *
 * Control flow: sink_submit only queues and "kicks" (activates a one-shot event), so a
 * burst of submits in one loop turn is batched together and no callback ever runs inside
 * sink_submit except the drop path.  The kick runs dispatch(), which turns queued events
 * into batches while a request slot and a rate-limit token are free.  A batch holds its
 * slot until every event in it is acknowledged (delivered or dead-lettered), retries
 * included: that is how max_in_flight bounds the load on a failing server.
 */
#include "hash.h"
#include "sink.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "backoff.h"
#include "buf.h"
#include "gzip.h"
#include "http.h"
#include "log.h"
#include "queue.h"
#include "ratelimit.h"
#include "safeopen.h"
#include "sink_arena.h"
#include "sink_impl.h"
#include "timeutil.h"

const double sink_seconds_bounds[SINK_SECONDS_BUCKETS] = {0.005, 0.01, 0.025,
    0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, INFINITY};

#define EXCERPT_MAX 256   /* response bytes kept for logs and dead letters */
#define CAUSES_MAX 64     /* distinct failure causes remembered for log-once */
#define DROP_LOG_EVERY_MS 10000
#define RESPONSE_KEEP 65536 /* response bytes kept unless the type needs more */

/* The halves of one original batch, however deep the splitting went. */
struct split_tree {
	unsigned refs;
	unsigned alike;          /* pairs of halves rejected alike so far */
};

/*
 * Pairs of halves rejected alike that are still bisected, per original batch: up to this
 * many bad events spread over a batch are isolated one by one; past it the rejection is
 * taken as being everywhere (a batch rejected for everything costs at most 1 + 2 + 7 x 4
 * = 31 requests, not 2N-1).
 */
#define SPLIT_ALIKE_MAX 7

struct batch {
	struct sink *s;
	struct batch *prev, *next;
	struct sink_event **evs;
	size_t n;
	/* Built once, reused by retries: the pieces curl reads (streamed, HTTP without
	 * compression), else one buffer (compressed, or a write/send type's). */
	struct sink_body pieces;
	struct buf body;
	int streamed;            /* the body is pieces */
	int body_ready;
	struct http_xfer *xfer;
	int sending;             /* handed to the type's asynchronous send */
	struct event *timer;     /* retry / rate-limit wait */
	struct backoff bo;
	int64_t first_ms;        /* monotonic: first attempt (retry_max_time) */
	int64_t sent_ms;
	int is_retry;
	/* Concurrency: a batch being sent, retried or paused holds one of max_in_flight's
	 * slots; the halves of a split wait in the sink's FIFO until a slot is free. */
	int slot;
	int waiting;
	struct batch *wnext;
	/* The other half of the split that made this batch, while neither is decided: a
	 * rejected half waits (parked, no slot) for its sibling's outcome, so that two
	 * halves rejected alike are dead-lettered whole instead of bisected further. */
	struct batch *sibling;
	int parked;
	long rej_status;
	char *rej_reason;        /* heap; the rejection a parked or decided half carries */
	int rej_decided;         /* proceed with rej_* when the timer fires */
	struct split_tree *tree; /* shared by every batch split from one batch */
	/* Dead-lettering that failed (file error): kept and written again on the timer. */
	int dl_pending;
	int *dl_st;
	char **dl_rs;
	size_t dl_n;             /* entries in dl_st/dl_rs (b->n goes to 0 on finish) */
};

struct sink {
	struct sink_common c;    /* first: sink_common() */
	const struct sink_ops *ops;
	struct event_base *base;
	struct http *http;
	char *name;
	struct queue *q;
	uint64_t queued_body_bytes; /* item + separator bytes of the queued events */
	struct batch *batches;   /* live batches (in flight or waiting to retry) */
	size_t n_batches;
	size_t n_slots;          /* batches holding an in-flight slot */
	struct batch *wait_head, *wait_tail; /* split halves waiting for a slot */
	int dl_failing;          /* the dead-letter file cannot be written */
	int unreadable;          /* the last 2xx answer could not be read */
	int64_t created_ms;      /* epoch ms */
	char *url_masked;        /* the URL for log lines (conf_mask_url) */
	char **secrets;          /* credential values never echoed in excerpts */
	size_t n_secrets, secret_max;
	struct event *kick;
	struct event *batch_timer;
	struct ratelimit rl;
	uint64_t flush_pending;  /* events to send without waiting for batch_timeout */
	int paused;              /* 401/403/404/407 */
	int refused;             /* the type's service refused the credentials (kafka) */
	int64_t hold_until_ms;   /* monotonic: a Retry-After holds every request until then */
	int closing;
	int was_full;
	/* Block mode pauses the producer at this backlog already, below the queue bound:
	 * max_in_flight + 4 full batches (those in flight, and about two SearchLogs pages
	 * ready behind them, so that the sink is not left idle while a paused source
	 * resumes: it is woken through space_fn, or its fallback re-check).  A deeper backlog with a healthy sink only
	 * costs memory (make bench: the daemon's peak RSS went to 40-84 MiB whenever sinksim
	 * lagged, the queue filling towards 64 MiB).  The source loses nothing by waiting:
	 * OCI is the durable buffer.  0 = no such mark. */
	uint64_t soft_events, soft_bytes;
	void (*space_fn)(void *);
	void *space_arg;
	void (*drained_fn)(void *);
	void *drained_arg;
	struct buf scratch;      /* encode_item output */
	struct sink_arena arena; /* its events (sink_arena.h) */
	/* The queueing time of the events submitted since the last dispatch: read once per
	 * loop turn, not per event (4 sinks read the clock 4 times a record: ~1 % of the
	 * daemon's cycles, make bench).  Every submit and adopt kicks, and the kick's
	 * dispatch, in the same loop turn, forgets it: an event's enq_ms is late by at most the callbacks run
	 * before that, as libevent's own cached time. */
	int64_t stamp_ms;
	int stamp_ok;
	int gz_user;             /* counted in gz_users (compression scratch) */
	int uses_summary;        /* ops->uses_summary: its events keep doc->message */
	char *dl_path;
	int dl_fd;
	uint64_t causes[CAUSES_MAX];
	size_t n_causes;
	int64_t drop_logged_ms;
	uint64_t drops_since_log;
	struct sink_stats st;
};

static void dispatch(struct sink *s);
static void batch_send(struct batch *b);
static void on_batch_timer(evutil_socket_t fd, short what, void *arg);
static void batch_wait(struct batch *b, int64_t ms);
static size_t batch_body_len(const struct batch *b);

struct sink_common *
sink_common(struct sink *s)
{
	return &s->c;
}

struct event_base *
sink_event_base(struct sink *s)
{
	return s->base;
}

/* ---- helpers for the types ---- */

int
sink_add_header(struct sink_common *c, const char *fmt, ...)
{
	struct buf b;
	va_list ap;
	int rc;

	if (c->n_headers >= SINK_MAX_HEADERS)
		return -1;
	buf_init(&b, 16384);
	va_start(ap, fmt);
	rc = buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (rc != 0) {
		buf_cleanup(&b);
		return -1;
	}
	c->headers[c->n_headers++] = buf_steal(&b, NULL);
	return 0;
}

int
sink_add_auth(struct sink_common *c, const enum sink_auth *schemes)
{
	const char *from;
	char *h;
	int rc;

	if (sink_auth_header(c->cfg, schemes, &h, &from) != 0)
		return -1;
	if (h == NULL)
		return 0;
	rc = sink_add_header(c, "%s", h);
	explicit_bzero(h, strlen(h)); /* the credential */
	free(h);
	return rc;
}

int
sink_add_config_headers(struct sink_common *c, struct err *err)
{
	size_t i;

	for (i = 0; i < c->cfg->headers.n; i++) {
		const char *h = c->cfg->headers.items[i];
		const char *colon = strchr(h, ':');
		if (colon == NULL || colon == h || strpbrk(h, "\r\n") != NULL) {
			snprintf(err->msg, sizeof(err->msg),
			    "header %zu: expected \"Name: value\"", i + 1);
			return -1;
		}
		if (sink_add_header(c, "%s", h) != 0) {
			snprintf(err->msg, sizeof(err->msg), "too many headers");
			return -1;
		}
	}
	return 0;
}

int
sink_set_url(struct sink_common *c, const char *url, const char *default_path,
    struct err *err)
{
	const char *p;
	size_t len;
	struct buf b;

	if (url == NULL || *url == '\0') {
		snprintf(err->msg, sizeof(err->msg), "url is required");
		return -1;
	}
	p = strstr(url, "://");
	p = p ? strchr(p + 3, '/') : NULL;
	buf_init(&b, 8192);
	len = strlen(url);
	if (p != NULL && strcmp(p, "/") != 0) {
		if (buf_append(&b, url, len) != 0)
			goto oom;
	} else {
		while (len > 0 && url[len - 1] == '/')
			len--;
		if (buf_append(&b, url, len) != 0 ||
		    buf_append_str(&b, default_path) != 0)
			goto oom;
	}
	free(c->url);
	c->url = buf_steal(&b, NULL);
	return 0;
oom:
	buf_cleanup(&b);
	snprintf(err->msg, sizeof(err->msg), "url too long or out of memory");
	return -1;
}

enum sink_kind
sink_kind_parse(const char *kind)
{
	if (kind == NULL)
		return SINK_KIND_OTHER;
	if (strcmp(kind, "audit") == 0)
		return SINK_KIND_AUDIT;
	if (strcmp(kind, "flow") == 0)
		return SINK_KIND_FLOW;
	return SINK_KIND_OTHER;
}

const char *
sink_kind_name(enum sink_kind k)
{
	switch (k) {
	case SINK_KIND_AUDIT: return "audit";
	case SINK_KIND_FLOW: return "flow";
	case SINK_KIND_OTHER: break;
	}
	return "other";
}

int
sink_join_items(struct buf *out, struct sink_event *const *evs, size_t n,
    const char *open, const char *sep, const char *close)
{
	size_t i, total = strlen(open) + strlen(close), seplen = strlen(sep);

	for (i = 0; i < n; i++)
		total += evs[i]->item_len + seplen;
	if (buf_reserve(out, total) != 0 || buf_append_str(out, open) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (i > 0 && buf_append(out, sep, seplen) != 0)
			return -1;
		if (buf_append(out, evs[i]->item, evs[i]->item_len) != 0)
			return -1;
	}
	return buf_append_str(out, close);
}

int
sink_body_join_items(struct sink_body *out, struct sink_event *const *evs, size_t n,
    const char *open, const char *sep, const char *close)
{
	struct buf *g = sink_body_glue(out);
	size_t i, seplen = strlen(sep);

	/* open, then item and separator by turns, then close */
	if (sink_body_reserve(out, 2 * n + 1) != 0 || buf_append_str(g, open) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (i > 0 && buf_append(g, sep, seplen) != 0)
			return -1;
		if (sink_body_ref(out, evs[i]->item, evs[i]->item_len) != 0)
			return -1;
	}
	return buf_append_str(g, close);
}

/* ---- logging ---- */

/*
 * 1 the first time a cause is seen (log it loudly), 0 after.  Digits are left out of the
 * cause, so "event 17 rejected" and "event 250 rejected" are one cause.
 */
static int
cause_is_new(struct sink *s, int status, const char *text)
{
	uint64_t h = hash_fnv1a(HASH_FNV1A_INIT, &status, sizeof(status));
	size_t i;

	for (i = 0; i < 120 && text[i] != '\0'; i++)
		if (text[i] < '0' || text[i] > '9')
			h = hash_fnv1a(h, &text[i], 1);
	for (i = 0; i < s->n_causes; i++)
		if (s->causes[i] == h)
			return 0;
	if (s->n_causes < CAUSES_MAX)
		s->causes[s->n_causes++] = h;
	return 1;
}

/*
 * A printable one-line excerpt of a response body in which every credential of the sink
 * (token, API key, password, the values of credential headers and URL parameters) is
 * replaced by "***": servers echo request headers in error pages, and an excerpt goes to
 * the log and to dead-letter records.
 */
static void
excerpt(const struct sink *s, const char *body, size_t len, char *out, size_t outlen)
{
	size_t i, j = 0, k, take;

	if (body == NULL)
		len = 0;
	/* Enough of the body that a secret straddling the excerpt's end is still seen
	 * whole (and masked) before the excerpt is cut. */
	take = outlen - 1 + (s != NULL ? s->secret_max : 0);
	if (len > take)
		len = take;
	for (i = 0; i < len && j + 1 < outlen;) {
		unsigned char ch = (unsigned char)body[i];
		int hit = 0;
		for (k = 0; s != NULL && k < s->n_secrets; k++) {
			size_t sl = strlen(s->secrets[k]);
			if (sl > 0 && sl <= len - i && memcmp(body + i, s->secrets[k], sl) == 0) {
				const char *m = "***";
				while (*m && j + 1 < outlen)
					out[j++] = *m++;
				i += sl;
				hit = 1;
				break;
			}
		}
		if (hit)
			continue;
		out[j++] = (ch < 0x20 || ch == 0x7f) ? ' ' : (char)ch;
		i++;
	}
	out[j] = '\0';
}

static void
set_failing(struct sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
set_failing(struct sink *s, const char *fmt, ...)
{
	va_list ap;

	if (s->st.failing_since_ms == 0)
		s->st.failing_since_ms = timeutil_now_ms();
	va_start(ap, fmt);
	vsnprintf(s->st.last_error, sizeof(s->st.last_error), fmt, ap);
	va_end(ap);
}

/* Events were delivered: the sink works (health counts from here). */
static void
set_ok(struct sink *s)
{
	if (s->paused)
		log_sink(LOG_LVL_NOTICE, s->name, "sink accepted a request again; resuming");
	else if (s->st.failing_since_ms != 0)
		log_sink(LOG_LVL_INFO, s->name, "sink recovered after %.1f s",
		    (double)(timeutil_now_ms() - s->st.failing_since_ms) / 1000.0);
	s->paused = 0;
	s->refused = 0;
	s->st.failing_since_ms = 0;
	s->st.last_success_ms = timeutil_now_ms();
}

void
sink_set_refused(struct sink *s, const char *why)
{
	s->refused = 1;
	set_failing(s, "credentials refused: %s", why);
}

int
sink_refused(const struct sink *s)
{
	/* A paused HTTP sink (401/403/404/407) waits for its operator, as a refused one. */
	return s->refused || s->paused;
}

/* ---- shared event blobs ---- */

struct sink_blob {
	unsigned refs;
	size_t size;          /* bytes of the allocation (queue accounting) */
	size_t json_len;
	const char *source;   /* into data */
	const char *message;  /* into data, NULL when none */
	char data[];          /* json NUL source NUL [message NUL] */
};

struct sink_blob *
sink_blob_new(struct sink_arena *arena, const struct sink_doc *doc)
{
	const char *src = doc->source ? doc->source : "";
	size_t srclen = strlen(src), msglen = doc->message ? strlen(doc->message) + 1 : 0;
	size_t total = sizeof(struct sink_blob) + doc->len + 1 + srclen + 1 + msglen;
	struct sink_blob *b = sink_arena_alloc(arena, total);
	char *p;

	if (b == NULL)
		return NULL;
	b->refs = 1;
	b->size = total;
	b->json_len = doc->len;
	p = b->data;
	memcpy(p, doc->json, doc->len);
	p[doc->len] = '\0';
	p += doc->len + 1;
	memcpy(p, src, srclen + 1);
	b->source = p;
	p += srclen + 1;
	b->message = NULL;
	if (msglen > 0) {
		memcpy(p, doc->message, msglen);
		b->message = p;
	}
	return b;
}

void
sink_blob_release(struct sink_blob *b)
{
	if (b != NULL && --b->refs == 0)
		sink_arena_free(b);
}

/* ---- events and batches ---- */

/* Frees ev's storage (and its reference to a shared blob); no acknowledgement. */
static void
event_release(struct sink_event *ev)
{
	if (ev == NULL)
		return;
	sink_blob_release(ev->blob);
	sink_arena_free(ev);
}

static void
kick(struct sink *s)
{
	if (!s->closing)
		event_active(s->kick, EV_TIMEOUT, 0);
}

static void
count_finished(struct sink *s, enum ack_result r, uint64_t n)
{
	switch (r) {
	case ACK_DELIVERED: s->st.events_sent += n; break;
	case ACK_DEAD_LETTER: s->st.events_dead_letter += n; break;
	case ACK_DROPPED: s->st.events_dropped += n; break;
	case ACK_CANCELLED: s->st.events_cancelled += n; break;
	}
}

static void
event_finish(struct sink *s, struct sink_event *ev, enum ack_result r)
{
	count_finished(s, r, 1);
	if (ev->ack != NULL)
		ack_done(ev->ack, r);
	event_release(ev);
}

/* How far ahead events_finish prefetches: the event, and (half as far) its blob. */
#define FINISH_AHEAD 8

/*
 * event_finish for evs[0..n), cheaper: a batch's events were queued a page or more ago
 * and are cold (batch_finish was ~4 % of the daemon's cycles with 4 sinks, make bench),
 * so each one and its blob are prefetched a few events ahead, and each run of events of
 * one window is acknowledged in one call.
 */
static void
events_finish(struct sink *s, struct sink_event *const *evs, size_t n, enum ack_result r)
{
	struct ack *run_ack = NULL;
	uint32_t run = 0;
	size_t i;

	count_finished(s, r, n);
	for (i = 0; i < n; i++) {
		struct sink_event *ev = evs[i];
		struct ack *a;
		if (i + FINISH_AHEAD < n)
			__builtin_prefetch(evs[i + FINISH_AHEAD], 1);
		if (i + FINISH_AHEAD / 2 < n && evs[i + FINISH_AHEAD / 2]->blob != NULL)
			__builtin_prefetch(evs[i + FINISH_AHEAD / 2]->blob, 1);
		a = ev->ack;
		event_release(ev);
		if (a != run_ack || run == UINT32_MAX) {
			if (run_ack != NULL)
				ack_done_n(run_ack, r, run);
			run_ack = a;
			run = 0;
		}
		run++;
	}
	if (run_ack != NULL)
		ack_done_n(run_ack, r, run);
}

/* Takes evs (heap array of n events) on success only.  The batch holds no slot yet. */
static struct batch *
batch_new(struct sink *s, struct sink_event **evs, size_t n, int64_t first_ms)
{
	struct batch *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->timer = evtimer_new(s->base, on_batch_timer, b);
	if (b->timer == NULL) {
		free(b);
		return NULL;
	}
	b->evs = evs;
	b->n = n;
	b->s = s;
	buf_init(&b->body, 0);
	sink_body_init(&b->pieces);
	backoff_init(&b->bo, s->c.cfg->retry_initial_ms, s->c.cfg->retry_max_delay_ms);
	b->first_ms = first_ms;
	b->next = s->batches;
	if (s->batches)
		s->batches->prev = b;
	s->batches = b;
	s->n_batches++;
	return b;
}

static void
slot_take(struct batch *b)
{
	if (!b->slot) {
		b->slot = 1;
		b->s->n_slots++;
	}
}

static void
slot_release(struct batch *b)
{
	if (b->slot) {
		b->slot = 0;
		b->s->n_slots--;
	}
}

static void
wait_remove(struct batch *b)
{
	struct sink *s = b->s;
	struct batch **pp, *prev = NULL;

	if (!b->waiting)
		return;
	for (pp = &s->wait_head; *pp != NULL; prev = *pp, pp = &(*pp)->wnext)
		if (*pp == b) {
			*pp = b->wnext;
			if (s->wait_tail == b)
				s->wait_tail = prev;
			break;
		}
	b->wnext = NULL;
	b->waiting = 0;
}

/* b waits for a slot; front: before the others (the first half of a split). */
static void
wait_add(struct batch *b, int front)
{
	struct sink *s = b->s;

	slot_release(b);
	b->waiting = 1;
	if (front || s->wait_head == NULL) {
		b->wnext = s->wait_head;
		s->wait_head = b;
		if (s->wait_tail == NULL)
			s->wait_tail = b;
	} else {
		b->wnext = NULL;
		s->wait_tail->wnext = b;
		s->wait_tail = b;
	}
}

static void
sibling_unlink(struct batch *b)
{
	if (b->sibling != NULL) {
		b->sibling->sibling = NULL;
		b->sibling = NULL;
	}
}

/* A parked half whose sibling turned out differently: it goes on with its rejection. */
static void
unpark(struct batch *b)
{
	sibling_unlink(b);
	if (!b->parked)
		return;
	b->parked = 0;
	b->rej_decided = 1;
	if (!b->s->closing)
		batch_wait(b, 0);
}

static void
dl_arrays_free(struct batch *b)
{
	size_t i;

	if (b->dl_rs != NULL)
		for (i = 0; i < b->dl_n; i++)
			free(b->dl_rs[i]);
	free(b->dl_rs);
	free(b->dl_st);
	b->dl_rs = NULL;
	b->dl_st = NULL;
	b->dl_pending = 0;
}

/* Unlinks and frees b; its events must already be finished or handed on. */
static void
batch_free(struct batch *b)
{
	struct sink *s = b->s;
	struct batch *sib = b->sibling;

	if (b->xfer != NULL)
		http_cancel(b->xfer);
	if (b->sending && s->ops->cancel != NULL)
		s->ops->cancel(s, b);
	b->sending = 0;
	if (sib != NULL) {
		sibling_unlink(b);
		if (sib->parked) {
			/* This half was delivered (or given up otherwise): not alike. */
			sib->sibling = NULL;
			unpark(sib);
		}
	}
	wait_remove(b);
	slot_release(b);
	if (b->prev)
		b->prev->next = b->next;
	else
		s->batches = b->next;
	if (b->next)
		b->next->prev = b->prev;
	s->n_batches--;
	event_free(b->timer);
	buf_cleanup(&b->body);
	sink_body_cleanup(&b->pieces);
	dl_arrays_free(b);
	if (b->tree != NULL && --b->tree->refs == 0)
		free(b->tree);
	free(b->rej_reason);
	free(b->evs);
	free(b);
}

static void
batch_finish(struct batch *b, enum ack_result r)
{
	struct sink *s = b->s;

	s->st.inflight_events -= b->n;
	events_finish(s, b->evs, b->n, r);
	b->n = 0;
	batch_free(b);
	kick(s);
}

/* ---- dead letters ---- */

/*
 * The dead-letter file: created 0600 (it holds whole events), never through a symbolic
 * link (a link planted at its path would make the daemon write elsewhere), and never a
 * FIFO or device (opening a FIFO would block the whole daemon): safeopen.h.
 */
static int
dl_open(struct sink *s)
{
	if (s->dl_fd >= 0)
		return 0;
	s->dl_fd = safeopen_append(s->dl_path);
	return s->dl_fd >= 0 ? 0 : -1;
}

/*
 * Appends one dead-letter line per event and syncs the file (the producer's checkpoint
 * moves past these events once they are acknowledged).  reason[i] may be NULL.  0, or -1
 * (the caller keeps the events and tries again: see dl_failed).
 */
static int
dl_write(struct sink *s, struct sink_event *const *evs, size_t n,
    const int *status, const char *const *reason)
{
	struct buf b;
	char now[64];
	size_t i, off = 0;
	int rc = -1, saved = 0;

	buf_init(&b, 0);
	timeutil_format_rfc3339(timeutil_now_ms(), TIMEUTIL_MS, now);
	for (i = 0; i < n; i++) {
		const char *r = reason[i] ? reason[i] : "";
		if (buf_printf(&b, "{\"time\":\"%s\",\"sink\":", now) != 0 ||
		    buf_append_json_string(&b, s->name, strlen(s->name)) != 0 ||
		    buf_printf(&b, ",\"status\":%d,\"response\":", status[i]) != 0 ||
		    buf_append_json_string(&b, r, strlen(r)) != 0 ||
		    buf_append_str(&b, ",\"source\":") != 0 ||
		    buf_append_json_string(&b, evs[i]->source, strlen(evs[i]->source)) != 0 ||
		    buf_append_str(&b, ",\"event\":") != 0 ||
		    buf_append(&b, evs[i]->json, evs[i]->json_len) != 0 ||
		    buf_append_str(&b, "}\n") != 0) {
			saved = ENOMEM;
			goto done;
		}
	}
	if (dl_open(s) != 0) {
		saved = errno;
		goto done;
	}
	while (off < b.len) {
		ssize_t w = write(s->dl_fd, b.data + off, b.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			saved = w < 0 ? errno : ENOSPC;
			goto done;
		}
		off += (size_t)w;
	}
	if (fsync(s->dl_fd) != 0 && errno != EINVAL) {
		saved = errno;
		goto done;
	}
	rc = 0;
done:
	if (rc != 0) {
		/* A partial line may be there: the next write starts on a fresh line. */
		if (s->dl_fd >= 0 && off > 0 && write(s->dl_fd, "\n", 1) < 0)
			saved = saved ? saved : errno;
		if (s->dl_fd >= 0) {
			close(s->dl_fd); /* reopened (maybe fixed by then) on the next try */
			s->dl_fd = -1;
		}
		errno = saved;
	}
	buf_cleanup(&b);
	return rc;
}

/* A dead-letter write failed: loud once per run of failures, the sink unhealthy. */
static void
dl_failed(struct sink *s, size_t n, int err)
{
	set_failing(s, "cannot write dead-letter file %s: %s", s->dl_path,
	    safeopen_strerror(err));
	if (!s->dl_failing)
		log_sink(LOG_LVL_ERROR, s->name,
		    "cannot write dead-letter file %s: %s; keeping %zu event(s) and writing "
		    "them again every %lld ms (the sink is unhealthy until it works)",
		    s->dl_path, safeopen_strerror(err), n,
		    (long long)s->c.cfg->retry_max_delay_ms);
	s->dl_failing = 1;
}

static void
dl_ok(struct sink *s)
{
	if (s->dl_failing) {
		log_sink(LOG_LVL_NOTICE, s->name, "dead-letter file %s written again",
		    s->dl_path);
		/* The failure run was the file's: it is over (the events are accounted). */
		if (!s->paused && !s->unreadable)
			s->st.failing_since_ms = 0;
	}
	s->dl_failing = 0;
}

static void
batch_wait(struct batch *b, int64_t ms)
{
	timeutil_timer_add(b->timer, ms);
}

static void batch_dead_letter_items(struct batch *b, const int *st,
    const char *const *rs);
static void batch_rejected_go(struct batch *b);

static void
on_batch_timer(evutil_socket_t fd, short what, void *arg)
{
	struct batch *b = arg;

	if (b->dl_pending)
		batch_dead_letter_items(b, b->dl_st, (const char *const *)b->dl_rs);
	else if (b->rej_decided)
		batch_rejected_go(b);
	else
		batch_send(b);
}

/*
 * Dead-letters every event of b, event i with st[i]/rs[i].  When the file cannot be
 * written the events are kept (not acknowledged), the sink is unhealthy, and the write is
 * tried again every retry_max_delay: an event that can neither be delivered nor
 * dead-lettered must hold its source back, never be given up silently.
 */
static void
batch_dead_letter_items(struct batch *b, const int *st, const char *const *rs)
{
	struct sink *s = b->s;
	size_t i;

	if (dl_write(s, b->evs, b->n, st, rs) == 0) {
		dl_ok(s);
		batch_finish(b, ACK_DEAD_LETTER);
		return;
	}
	dl_failed(s, b->n, errno);
	if (!b->dl_pending) {
		int *nst = calloc(b->n, sizeof(*nst));
		char **nrs = calloc(b->n, sizeof(*nrs));
		if (nst != NULL && nrs != NULL) {
			for (i = 0; i < b->n; i++) {
				nst[i] = st[i];
				nrs[i] = rs[i] ? strdup(rs[i]) : NULL; /* NULL: "" */
			}
			b->dl_st = nst;
			b->dl_rs = nrs;
			b->dl_n = b->n;
			b->dl_pending = 1;
		} else {
			free(nst);
			free(nrs);
			/* Out of memory: the batch goes back to the server and is judged
			 * again then (not lost). */
			b->is_retry = 1;
		}
	}
	batch_wait(b, s->c.cfg->retry_max_delay_ms);
}

/* Dead-letters the whole batch with one status/reason. */
static void
batch_dead_letter(struct batch *b, int status, const char *reason)
{
	struct sink *s = b->s;
	int *st = malloc(b->n * sizeof(*st));
	const char **rs = malloc(b->n * sizeof(*rs));
	size_t i;

	if (st == NULL || rs == NULL) {
		free(st);
		free(rs);
		log_sink(LOG_LVL_ERROR, s->name, "out of memory dead-lettering; retrying");
		b->is_retry = 1;
		batch_wait(b, s->c.cfg->retry_max_delay_ms);
		return;
	}
	for (i = 0; i < b->n; i++) {
		st[i] = status;
		rs[i] = reason;
	}
	batch_dead_letter_items(b, st, rs);
	free(st);
	free(rs);
}

/* A retryable failure: wait (backoff, Retry-After) or give up after retry_max_time. */
static void
batch_retry(struct batch *b, int status, int64_t retry_after_ms)
{
	struct sink *s = b->s;
	int64_t delay, max_time = s->c.cfg->retry_max_time_ms;

	if (max_time > 0 && timeutil_mono_ms() - b->first_ms >= max_time) {
		char why[sizeof(s->st.last_error) + 64];
		snprintf(why, sizeof(why), "gave up after retry_max_time: %s",
		    s->st.last_error);
		if (cause_is_new(s, -status - 1, why))
			log_sink(LOG_LVL_ERROR, s->name,
			    "dead-lettering %zu event(s): %s", b->n, why);
		batch_dead_letter(b, status, why);
		return;
	}
	delay = backoff_next(&b->bo);
	if (retry_after_ms >= 0 && retry_after_ms > delay)
		delay = retry_after_ms > 3600000 ? 3600000 : retry_after_ms;
	b->is_retry = 1;
	log_debug("sink %s: retrying %zu event(s) in %lld ms (%s)", s->name, b->n,
	    (long long)delay, s->st.last_error);
	batch_wait(b, delay);
}

/*
 * Splits b in halves; b's events pass to the halves, which wait for a slot (so that a
 * split never raises the number of requests in flight above max_in_flight) and are
 * each other's siblings.
 */
static void
batch_split(struct batch *b)
{
	struct sink *s = b->s;
	size_t half = b->n / 2;
	struct sink_event **e1 = malloc(half * sizeof(*e1));
	struct sink_event **e2 = malloc((b->n - half) * sizeof(*e2));
	struct batch *b1 = NULL, *b2 = NULL;

	if (e1 == NULL || e2 == NULL)
		goto fail;
	memcpy(e1, b->evs, half * sizeof(*e1));
	memcpy(e2, b->evs + half, (b->n - half) * sizeof(*e2));
	if ((b1 = batch_new(s, e1, half, b->first_ms)) == NULL)
		goto fail;
	e1 = NULL;
	if ((b2 = batch_new(s, e2, b->n - half, b->first_ms)) == NULL)
		goto fail;
	if (b->tree == NULL && (b->tree = calloc(1, sizeof(*b->tree))) != NULL)
		b->tree->refs = 1;
	if (b->tree != NULL) {
		b1->tree = b2->tree = b->tree;
		b->tree->refs += 2;
	}
	b->n = 0;
	batch_free(b);
	b1->sibling = b2;
	b2->sibling = b1;
	wait_add(b2, 1);
	wait_add(b1, 1);
	/* Sent from the loop (dispatch), not from inside the HTTP completion callback. */
	kick(s);
	return;
fail:
	free(e1);
	free(e2);
	if (b1 != NULL) {
		b1->n = 0;
		batch_free(b1);
	}
	log_sink(LOG_LVL_ERROR, s->name, "out of memory splitting a batch; retrying");
	b->is_retry = 1;
	batch_wait(b, s->c.cfg->retry_max_delay_ms);
}

/* A decided rejection (b->rej_*): halve b to find the bad events, or dead-letter it. */
static void
batch_rejected_go(struct batch *b)
{
	b->rej_decided = 0;
	if (b->n > 1) {
		batch_split(b);
		return;
	}
	batch_dead_letter(b, (int)b->rej_status, b->rej_reason);
}

/*
 * A rejection (4xx other than the pause statuses; 413 included) with response excerpt ex.
 * One half of a split waits for the other's outcome.  Both halves rejected with the same
 * status means bad events on both sides; after SPLIT_ALIKE_MAX such pairs in one
 * original batch the bad events are taken to be everywhere (a 400 for every event, say):
 * bisecting on would cost up to 2N-1 requests to learn it, so from then on both halves of
 * an alike pair are dead-lettered whole with the server's reason.  A few bad events
 * spread over a batch are still isolated one by one.  413 (too large) never counts as
 * alike: halving is its remedy.
 */
static void
batch_rejected(struct batch *b, long st, const char *ex)
{
	struct sink *s = b->s;
	struct batch *sib = b->sibling;

	free(b->rej_reason);
	b->rej_reason = strdup(ex);
	b->rej_status = st;
	if (sib != NULL && st != 413) {
		if (sib->parked && sib->rej_status == st &&
		    (b->tree == NULL || ++b->tree->alike <= SPLIT_ALIKE_MAX)) {
			sibling_unlink(b);
			sib->parked = 0;
			sib->rej_decided = 1;
			batch_wait(sib, 0);
			batch_rejected_go(b);
			return;
		}
		if (sib->parked && sib->rej_status == st) {
			sibling_unlink(b);
			sib->parked = 0;
			if (cause_is_new(s, (int)st, "both halves rejected alike"))
				log_sink(LOG_LVL_WARNING, s->name,
				    "HTTP %ld for both halves of a split batch, again: "
				    "dead-lettering them whole (%zu events here) instead of "
				    "splitting further: %s",
				    st, b->n + sib->n, ex);
			batch_dead_letter(sib, (int)st, sib->rej_reason);
			batch_dead_letter(b, (int)st, ex);
			return;
		}
		if (!sib->parked) {
			/* Wait for the sibling's outcome, without holding a slot (it may
			 * need it). */
			b->parked = 1;
			slot_release(b);
			kick(s);
			return;
		}
		unpark(sib); /* its sibling failed otherwise: it goes on alone */
	} else if (sib != NULL) {
		unpark(sib);
	}
	batch_rejected_go(b);
}

/* A 2xx: judged by its status; per-item outcomes when the type reads them (Elasticsearch). */
/*
 * Per-item outcomes res[0..b->n) of a batch the service took: delivered items are
 * acknowledged, rejected ones dead-lettered (a batch of their own), the others retried
 * in a body rebuilt from them.  res's reasons are cleaned of credentials here.  status:
 * what the retry is recorded with.
 */
static void
apply_items(struct batch *b, struct sink_item_result *res, int status)
{
	struct sink *s = b->s;
	struct sink_event **rej = malloc(b->n * sizeof(*rej));
	struct sink_event **keep = malloc(b->n * sizeof(*keep));
	int *rst = malloc(b->n * sizeof(*rst));
	const char **rrs = malloc(b->n * sizeof(*rrs));
	size_t i, nrej = 0, nkeep = 0, nok = 0;

	if (rej == NULL || keep == NULL || rst == NULL || rrs == NULL) {
		log_sink(LOG_LVL_ERROR, s->name, "out of memory reading a response; retrying");
		batch_retry(b, status, -1);
		goto done;
	}
	for (i = 0; i < b->n; i++) {
		if (res[i].action != SINK_ITEM_OK) {
			/* The vendor's reason is response text too: no credential in it. */
			char clean[sizeof(res[i].reason)];
			excerpt(s, res[i].reason, strlen(res[i].reason), clean, sizeof(clean));
			memcpy(res[i].reason, clean, sizeof(clean));
		}
		if (res[i].action == SINK_ITEM_REJECT) {
			rst[nrej] = res[i].status;
			rrs[nrej] = res[i].reason;
			rej[nrej++] = b->evs[i];
			if (cause_is_new(s, res[i].status, res[i].reason))
				log_sink(LOG_LVL_WARNING, s->name,
				    "item rejected (status %d): %s; dead-lettered to %s",
				    res[i].status, res[i].reason, s->dl_path);
		} else if (res[i].action == SINK_ITEM_RETRY) {
			keep[nkeep++] = b->evs[i];
			set_failing(s, "item status %d: %s", res[i].status, res[i].reason);
			if (cause_is_new(s, res[i].status, res[i].reason))
				log_sink(LOG_LVL_WARNING, s->name,
				    "item failed (status %d): %s; retrying it",
				    res[i].status, res[i].reason);
		} else {
			nok++;
			s->st.inflight_events--;
			event_finish(s, b->evs[i], ACK_DELIVERED);
		}
	}
	if (nok > 0 && nkeep == 0)
		set_ok(s);
	else if (nok > 0)
		s->st.last_success_ms = timeutil_now_ms();
	if (nrej > 0) {
		/* A batch of their own, so that a dead-letter file error keeps exactly
		 * these (and writes them again) while the others go on. */
		struct sink_event **revs = malloc(nrej * sizeof(*revs));
		struct batch *rb = revs != NULL ? batch_new(s, revs, nrej, b->first_ms) : NULL;
		if (rb == NULL) {
			free(revs);
			for (i = 0; i < nrej; i++)
				keep[nkeep++] = rej[i];
		} else {
			memcpy(revs, rej, nrej * sizeof(*revs));
			batch_dead_letter_items(rb, rst, rrs);
		}
	}
	if (nkeep == 0) {
		b->n = 0;
		batch_free(b);
		kick(s);
	} else {
		/* Retry only the failed items, in a body rebuilt from them. */
		memcpy(b->evs, keep, nkeep * sizeof(*keep));
		b->n = nkeep;
		b->body_ready = 0;
		batch_retry(b, status, -1);
	}
done:
	free(rej);
	free(keep);
	free(rst);
	free(rrs);
}

static void
handle_2xx(struct batch *b, const struct http_response *r)
{
	struct sink *s = b->s;
	struct sink_item_result *res;

	if (b->sibling != NULL)
		unpark(b->sibling); /* accepted: not rejected alike */
	if (s->ops->parse_2xx == NULL) {
		set_ok(s);
		backoff_reset(&b->bo);
		batch_finish(b, ACK_DELIVERED);
		return;
	}
	if ((res = calloc(b->n, sizeof(*res))) == NULL) {
		log_sink(LOG_LVL_ERROR, s->name, "out of memory reading a response; retrying");
		batch_retry(b, (int)r->status, -1);
		return;
	}
	if (s->ops->parse_2xx(s, r, b->evs, b->n, res) != 0) {
		/* The status says accepted: the events are not sent again (that would go on
		 * for as long as the server answers so), but per-item failures in the body
		 * cannot be seen: the sink is unhealthy until a 2xx can be read again. */
		set_failing(s, "HTTP %ld with a response that cannot be read%s", r->status,
		    r->truncated ? " (too large, cut)" : "");
		if (!s->unreadable || cause_is_new(s, (int)r->status, "unreadable"))
			log_sink(LOG_LVL_ERROR, s->name, "%s from %s; taking the %zu event(s) "
			    "as delivered by the status, per-item errors unknown",
			    s->st.last_error, s->url_masked, b->n);
		s->unreadable = 1;
		batch_finish(b, ACK_DELIVERED);
		free(res);
		return;
	}
	s->unreadable = 0;
	apply_items(b, res, 200);
	free(res);
}

static void
record_request(struct sink *s, long status, double seconds, size_t bytes)
{
	size_t i;

	s->st.requests++;
	s->st.bytes_sent += bytes;
	s->st.requests_by_status[(status >= 100 && status < SINK_STATUS_MAX) ? status : 0]++;
	for (i = 0; i < SINK_SECONDS_BUCKETS - 1 && seconds > sink_seconds_bounds[i]; i++)
		;
	s->st.seconds_bucket[i]++;
	s->st.seconds_sum += seconds;
	s->st.seconds_count++;
}

/* The engine sends the body over HTTP itself unless the type has a transport of its own. */
static int
uses_http(const struct sink_ops *ops)
{
	return ops->write == NULL && ops->send == NULL;
}

enum sink_verdict
sink_classify_default(long status)
{
	if (status == 408 || status == 429 || status >= 500)
		return SINK_VERDICT_RETRY;
	if (status == 401 || status == 403 || status == 404 || status == 407)
		return SINK_VERDICT_PAUSE;
	return SINK_VERDICT_REJECT;
}

static void
on_http_done(void *arg, const struct http_response *r)
{
	struct batch *b = arg;
	struct sink *s = b->s;
	char ex[EXCERPT_MAX];
	long st = r->ok ? r->status : 0;
	enum sink_verdict verdict;

	b->xfer = NULL;
	record_request(s, st, r->seconds, batch_body_len(b));
	if (!r->ok) {
		set_failing(s, "%s", r->timed_out ? "timeout" :
		    (r->error ? r->error : "connection failed"));
		if (cause_is_new(s, 0, s->st.last_error))
			log_sink(LOG_LVL_WARNING, s->name, "request to %s failed: %s; retrying",
			    s->url_masked, s->st.last_error);
		batch_retry(b, 0, -1);
		return;
	}
	if (st >= 200 && st < 300) {
		handle_2xx(b, r);
		return;
	}
	excerpt(s, r->body, r->body_len, ex, sizeof(ex));
	verdict = s->ops->classify != NULL ? s->ops->classify(s->c.cfg, st) :
	    sink_classify_default(st);
	if (verdict == SINK_VERDICT_RETRY) {
		int64_t ra = backoff_retry_after_ms(http_response_header(r, "retry-after"),
		    timeutil_now_ms());
		set_failing(s, "HTTP %ld: %s", st, ex);
		if (cause_is_new(s, (int)st, ex))
			log_sink(LOG_LVL_WARNING, s->name, "HTTP %ld from %s: %s; retrying",
			    st, s->url_masked, ex);
		if (ra >= 0) {
			int64_t until = timeutil_mono_ms() + (ra > 3600000 ? 3600000 : ra);
			if (until > s->hold_until_ms)
				s->hold_until_ms = until;
		}
		batch_retry(b, (int)st, ra);
		return;
	}
	if (verdict == SINK_VERDICT_PAUSE) {
		set_failing(s, "HTTP %ld: %s", st, ex);
		if (!s->paused)
			log_sink(LOG_LVL_ERROR, s->name,
			    "HTTP %ld from %s: %s -- the sink is misconfigured (URL or "
			    "credentials); pausing it with its queue kept, retrying every "
			    "%lld ms", st, s->url_masked, ex,
			    (long long)s->c.cfg->retry_max_delay_ms);
		s->paused = 1;
		b->is_retry = 1;
		batch_wait(b, s->c.cfg->retry_max_delay_ms);
		return;
	}
	/* 413, and any other rejection: find the bad events by halving. */
	if (cause_is_new(s, (int)st, ex))
		log_sink(LOG_LVL_WARNING, s->name, "HTTP %ld from %s: %s; %s", st,
		    s->url_masked, ex, b->n > 1 ? "splitting the batch to isolate the "
		    "rejected events" : "dead-lettering the event");
	batch_rejected(b, st, ex);
}

/*
 * Scratch for compressing a body: the body in one piece (libdeflate compresses whole
 * buffers) and the compressor's output (sized for the worst case), of which each batch
 * keeps an exact copy (~1/11 of the body).  Shared by every sink that compresses: bodies
 * are built one at a time on the loop (each batch in flight kept a 1 MiB output buffer
 * for its ~70 KB before, buf_reserve rounding up).  Freed with the last such sink.
 */
static struct buf gz_flat, gz_out;
static unsigned gz_users;

static int
uses_gzip(const struct sink *s)
{
	return s->c.cfg->compression == CONF_COMP_GZIP && uses_http(s->ops);
}

/* Builds (once) the body: assembled (as pieces for a streamed one), then compressed
 * when configured. */
static int
batch_body(struct batch *b)
{
	struct sink *s = b->s;
	const char *p;
	size_t len;
	int rc;

	if (b->body_ready)
		return 0;
	buf_reset(&b->body);
	sink_body_reset(&b->pieces);
	b->streamed = 0;
	if (s->ops->assemble_body != NULL) {
		if (s->ops->assemble_body(s, b->evs, b->n, &b->pieces) != 0 ||
		    sink_body_end(&b->pieces) != 0)
			return -1;
		if (!uses_gzip(s) && uses_http(s->ops)) {
			b->streamed = 1;
			b->body_ready = 1;
			return 0;
		}
		p = sink_body_flat(&b->pieces, &gz_flat, &len);
		if (p == NULL)
			return -1;
		if (!uses_gzip(s)) {
			/* One buffer for a write/send transport. */
			rc = buf_append(&b->body, p, len);
			buf_reset(&gz_flat);
			sink_body_cleanup(&b->pieces);
			if (rc != 0)
				return -1;
			b->body_ready = 1;
			return 0;
		}
	} else {
		if (s->ops->assemble(s, b->evs, b->n, &b->body) != 0)
			return -1;
		if (!uses_gzip(s)) {
			b->body_ready = 1;
			return 0;
		}
		p = b->body.data;
		len = b->body.len;
	}
	rc = gzip_compress(p, len, GZIP_LEVEL_DEFAULT, &gz_out);
	sink_body_cleanup(&b->pieces); /* only the compressed body is kept */
	if (rc == 0)
		rc = buf_copy_exact(&b->body, gz_out.data, gz_out.len);
	else
		buf_cleanup(&b->body);
	buf_reset(&gz_flat);
	buf_reset(&gz_out);
	if (rc != 0)
		return -1;
	b->body_ready = 1;
	return 0;
}

/* Request body bytes (after compression) of a built body. */
static size_t
batch_body_len(const struct batch *b)
{
	return b->streamed ? b->pieces.len : b->body.len;
}

static size_t
batch_body_read(void *arg, size_t off, char *dst, size_t max)
{
	return sink_body_read(arg, off, dst, max);
}

/* The outcome of a write or an asynchronous send: error NULL = delivered. */
static void
transport_done(struct batch *b, const char *error)
{
	struct sink *s = b->s;

	record_request(s, error == NULL ? 200 : 0,
	    (double)(timeutil_mono_ms() - b->sent_ms) / 1000.0, batch_body_len(b));
	if (error == NULL) {
		set_ok(s);
		batch_finish(b, ACK_DELIVERED);
		return;
	}
	set_failing(s, "%s", error);
	if (cause_is_new(s, 0, error))
		log_sink(LOG_LVL_ERROR, s->name, "write failed: %s; retrying", error);
	batch_retry(b, 0, -1);
}

void
sink_send_done_items(struct sink *s, void *token, struct sink_item_result *res)
{
	struct batch *b = token;

	if (b == NULL || b->s != s || !b->sending)
		return;
	b->sending = 0;
	record_request(s, 200, (double)(timeutil_mono_ms() - b->sent_ms) / 1000.0,
	    batch_body_len(b));
	apply_items(b, res, 0);
}

void
sink_send_done(struct sink *s, void *token, const char *error)
{
	struct batch *b = token;

	if (b == NULL || b->s != s || !b->sending)
		return;
	b->sending = 0;
	transport_done(b, error);
}

static void
batch_send(struct batch *b)
{
	struct sink *s = b->s;
	int64_t wait;
	struct http_request req;
	char errbuf[200];

	if (s->closing)
		return;
	/* A Retry-After is the server's word on the whole endpoint, not on one batch: no
	 * request at all (new batch or retry) goes out before it has passed. */
	wait = s->hold_until_ms - timeutil_mono_ms();
	if (wait > 0) {
		batch_wait(b, wait);
		return;
	}
	wait = ratelimit_take(&s->rl, timeutil_mono_ms());
	if (wait > 0) {
		batch_wait(b, wait);
		return;
	}
	if (batch_body(b) != 0) {
		set_failing(s, "out of memory building a request");
		log_sink(LOG_LVL_ERROR, s->name, "%s; retrying", s->st.last_error);
		batch_wait(b, s->c.cfg->retry_max_delay_ms);
		return;
	}
	if (b->is_retry)
		s->st.retries++;
	b->sent_ms = timeutil_mono_ms();
	if (s->ops->write != NULL) {
		int rc = s->ops->write(s, b->body.data, b->body.len, errbuf, sizeof(errbuf));
		transport_done(b, rc == 0 ? NULL : errbuf);
		return;
	}
	if (s->ops->send != NULL) {
		b->sending = 1;
		if (s->ops->send(s, b, b->body.data, b->body.len, errbuf, sizeof(errbuf)) != 0) {
			b->sending = 0;
			transport_done(b, errbuf);
		}
		return;
	}
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = s->c.url;
	req.headers = (const char *const *)s->c.headers;
	req.n_headers = s->c.n_headers;
	if (b->streamed) {
		req.body_read = batch_body_read;
		req.body_arg = &b->pieces;
		req.body_len = b->pieces.len;
	} else {
		req.body = b->body.data;
		req.body_len = b->body.len;
	}
	req.timeout_ms = s->c.cfg->timeout_ms;
	req.tls_verify = s->c.cfg->tls_verify;
	req.tls_ca_file = s->c.cfg->tls_ca_file;
	/* Only what the type reads is kept (a small excerpt for most): a 2xx with a
	 * larger body is still judged by its status. */
	req.max_response = s->c.max_response > 0 ? s->c.max_response : RESPONSE_KEEP;
	req.discard_excess = 1;
	b->xfer = http_submit(s->http, &req, on_http_done, b);
	if (b->xfer == NULL) {
		record_request(s, 0, 0, 0);
		set_failing(s, "cannot start a request to %s", s->url_masked);
		if (cause_is_new(s, 0, s->st.last_error))
			log_sink(LOG_LVL_ERROR, s->name, "%s; retrying", s->st.last_error);
		batch_retry(b, 0, -1);
	}
}

/* ---- the queue side ---- */

static void
update_qstats(struct sink *s)
{
	s->st.queue_events = queue_events(s->q);
	s->st.queue_bytes = queue_bytes(s->q);
}

static int
batch_ready(struct sink *s, int64_t now, int64_t *wait)
{
	struct sink_event *head = queue_peek(s->q, NULL);
	int64_t age;

	if (s->flush_pending > 0 ||
	    queue_events(s->q) >= (uint64_t)s->c.lim_events ||
	    s->queued_body_bytes + s->c.body_overhead >= s->c.lim_bytes)
		return 1;
	age = now - head->enq_ms;
	if (age >= s->c.cfg->batch_timeout_ms)
		return 1;
	*wait = s->c.cfg->batch_timeout_ms - age;
	return 0;
}

/* Takes the next batch's events off the queue; NULL when out of memory. */
static struct batch *
form_batch(struct sink *s, int64_t now)
{
	size_t max = (size_t)s->c.lim_events, n = 0, bytes = s->c.body_overhead;
	struct sink_event **evs, *ev;
	struct batch *b;

	if (max > queue_events(s->q))
		max = (size_t)queue_events(s->q);
	evs = malloc(max * sizeof(*evs));
	if (evs == NULL)
		return NULL;
	while (n < max && (ev = queue_peek(s->q, NULL)) != NULL) {
		size_t add = ev->item_len + s->c.per_item_overhead;
		if (n > 0 && bytes + add > s->c.lim_bytes)
			break;
		bytes += add;
		evs[n++] = queue_pop(s->q, NULL);
		s->queued_body_bytes -= add;
	}
	b = batch_new(s, evs, n, now);
	if (b == NULL) {
		/* Put them back, in order. */
		while (n > 0) {
			ev = evs[--n];
			queue_push_front(s->q, ev, ev->size); /* cannot fail: room was there */
			s->queued_body_bytes += ev->item_len + s->c.per_item_overhead;
		}
		free(evs);
		return NULL;
	}
	s->flush_pending = s->flush_pending > n ? s->flush_pending - n : 0;
	s->st.inflight_events += n;
	return b;
}

/*
 * A full sink wakes its producers only once its backlog is two batches below the mark
 * that paused them: resumed at the first batch taken off, a source fills that one slot,
 * pauses again, and pays a pause and a resume per batch (make bench, 1 sink: ~500 pauses
 * per 300,000 records instead of ~100).  The sink is not starved meanwhile: the backlog
 * it keeps is at least max_in_flight + 2 batches.
 */
static int
has_room_again(const struct sink *s)
{
	const struct conf_sink *cfg = s->c.cfg;

	if (sink_full(s))
		return 0;
	if (s->soft_events > 0 && queue_events(s->q) + 2 * (uint64_t)cfg->batch_max_events >
	    s->soft_events)
		return 0;
	if (s->soft_bytes > 0 && queue_bytes(s->q) + 2 * (uint64_t)cfg->batch_max_bytes >
	    s->soft_bytes)
		return 0;
	return 1;
}

static void
dispatch(struct sink *s)
{
	int64_t now = timeutil_mono_ms(), wait = 0;
	struct batch *b;
	size_t max_in_flight = s->c.cfg->max_in_flight > 0 ? (size_t)s->c.cfg->max_in_flight : 1;

	s->stamp_ok = 0;
	if (s->closing)
		return;
	while (!s->paused && s->n_slots < max_in_flight) {
		if (s->wait_head != NULL) {
			/* Split halves first: they are older than anything queued. */
			b = s->wait_head;
			wait_remove(b);
			slot_take(b);
			batch_send(b);
			continue;
		}
		if (queue_events(s->q) == 0)
			break;
		if (!batch_ready(s, now, &wait)) {
			struct timeval tv = {(time_t)(wait / 1000),
			    (suseconds_t)(wait % 1000) * 1000};
			evtimer_add(s->batch_timer, &tv);
			break;
		}
		b = form_batch(s, now);
		if (b == NULL) {
			struct timeval tv = {1, 0};
			log_sink(LOG_LVL_ERROR, s->name, "out of memory forming a batch");
			evtimer_add(s->batch_timer, &tv);
			break;
		}
		slot_take(b);
		update_qstats(s);
		batch_send(b);
	}
	update_qstats(s);
	if (s->was_full && has_room_again(s)) {
		s->was_full = 0;
		if (s->space_fn != NULL)
			s->space_fn(s->space_arg);
	}
	if (s->drained_fn != NULL && queue_events(s->q) == 0 && s->n_batches == 0) {
		void (*fn)(void *) = s->drained_fn;
		s->drained_fn = NULL;
		fn(s->drained_arg); /* may free s: nothing after this */
	}
}

static void
on_kick(evutil_socket_t fd, short what, void *arg)
{
	dispatch(arg);
}

/* Minimal check that the event is one JSON object (the envelopes embed it as such). */
static int
is_json_object(const char *p, size_t n)
{
	while (n > 0 && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')) {
		p++;
		n--;
	}
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\n' || p[n - 1] == '\t' ||
	    p[n - 1] == '\r'))
		n--;
	return n >= 2 && p[0] == '{' && p[n - 1] == '}';
}

static void
log_drop(struct sink *s)
{
	int64_t now = timeutil_mono_ms();

	s->drops_since_log++;
	if (s->drop_logged_ms != 0 && now - s->drop_logged_ms < DROP_LOG_EVERY_MS)
		return;
	log_sink(LOG_LVL_WARNING, s->name,
	    "queue full (%llu events, %llu bytes): dropped %llu event(s) "
	    "(when_full = drop_newest; %llu dropped in all)",
	    (unsigned long long)queue_events(s->q), (unsigned long long)queue_bytes(s->q),
	    (unsigned long long)s->drops_since_log,
	    (unsigned long long)s->st.events_dropped);
	s->drop_logged_ms = now;
	s->drops_since_log = 0;
}

/*
 * Builds the queued form of doc for s: a copy of the event (or a reference to
 * doc->blob, which holds it already) and its envelope item.  NULL when out of memory.  *bad is set (err filled) when the event cannot be encoded for s:
 * the caller dead-letters it.
 */
static struct sink_event *
event_make(struct sink *s, const struct sink_doc *doc, struct ack *ack, int *bad,
    struct err *err)
{
	struct sink_event *ev;
	const char *src = doc->source ? doc->source : "";
	size_t srclen = strlen(src), itemlen = 0, msglen = 0, total;
	int own_item = 0;
	char *p;

	*bad = 0;
	err->msg[0] = '\0';
	buf_reset(&s->scratch);
	if (!is_json_object(doc->json, doc->len)) {
		*bad = 1;
		snprintf(err->msg, sizeof(err->msg), "the event is not a JSON object");
	} else if (s->ops->encode_item != NULL && !s->c.item_is_json) {
		if (s->ops->encode_item(s, doc, &s->scratch, err) != 0) {
			*bad = 1;
			if (err->msg[0] == '\0')
				snprintf(err->msg, sizeof(err->msg), "cannot encode the event");
		} else {
			own_item = 1;
			itemlen = s->scratch.len;
		}
	}
	if (doc->blob != NULL) {
		/* Shared: only the sink's own envelope item is stored here. */
		struct sink_blob *bl = doc->blob;
		total = sizeof(*ev) + (own_item ? itemlen + 1 : 0);
		ev = sink_arena_alloc(&s->arena, total);
		if (ev == NULL)
			return NULL;
		bl->refs++;
		ev->blob = bl;
		ev->json = bl->data;
		ev->json_len = bl->json_len;
		ev->source = bl->source;
		ev->message = s->uses_summary ? bl->message : NULL;
		p = (char *)(ev + 1);
		total += bl->size; /* counted in every sink holding it (sink.h) */
	} else {
		if (doc->message != NULL && s->uses_summary)
			msglen = strlen(doc->message) + 1;
		total = sizeof(*ev) + doc->len + 1 + srclen + 1 + msglen +
		    (own_item ? itemlen + 1 : 0);
		ev = sink_arena_alloc(&s->arena, total);
		if (ev == NULL)
			return NULL;
		ev->blob = NULL;
		p = (char *)(ev + 1);
		memcpy(p, doc->json, doc->len);
		p[doc->len] = '\0';
		ev->json = p;
		ev->json_len = doc->len;
		p += doc->len + 1;
		memcpy(p, src, srclen + 1);
		ev->source = p;
		p += srclen + 1;
		ev->message = NULL;
		if (msglen > 0) {
			memcpy(p, doc->message, msglen);
			ev->message = p;
			p += msglen;
		}
	}
	if (own_item) {
		memcpy(p, s->scratch.data, itemlen);
		p[itemlen] = '\0';
		ev->item = p;
		ev->item_len = itemlen;
	} else {
		ev->item = ev->json;
		ev->item_len = ev->json_len;
	}
	ev->ack = ack;
	ev->time_ns = doc->time_ns;
	ev->fingerprint = doc->fingerprint;
	ev->kind = sink_kind_parse(doc->kind);
	if (!s->stamp_ok) {
		s->stamp_ms = timeutil_mono_ms();
		s->stamp_ok = 1;
	}
	ev->enq_ms = s->stamp_ms;
	ev->size = total;
	return ev;
}

/* Dead-letters ev (it cannot be encoded for s) at once; kept when the file fails. */
static void
event_reject(struct sink *s, struct sink_event *ev, const char *why)
{
	struct sink_event **evs = malloc(sizeof(*evs));
	struct batch *b = evs != NULL ? batch_new(s, evs, 1, timeutil_mono_ms()) : NULL;
	int status = 0;

	if (cause_is_new(s, -1, why))
		log_sink(LOG_LVL_WARNING, s->name, "event dead-lettered: %s", why);
	if (b == NULL) {
		free(evs);
		log_sink(LOG_LVL_ERROR, s->name, "out of memory dead-lettering an event");
		event_finish(s, ev, ACK_CANCELLED);
		return;
	}
	evs[0] = ev;
	s->st.inflight_events++;
	batch_dead_letter_items(b, &status, &why);
}

/* Appends ev to the queue; 0 or -1 (memory: ev untouched). */
static int
event_enqueue(struct sink *s, struct sink_event *ev)
{
	if (queue_push(s->q, ev, ev->size) != 0)
		return -1;
	s->queued_body_bytes += ev->item_len + s->c.per_item_overhead;
	if (sink_full(s))
		s->was_full = 1;
	return 0;
}

enum sink_submit_rc
sink_submit(struct sink *s, const struct sink_doc *doc, struct ack *ack)
{
	struct sink_event *ev;
	struct err err;
	int bad = 0;

	ack_add(ack, 1);
	if (s->closing) {
		s->st.events_cancelled++;
		ack_done(ack, ACK_CANCELLED);
		return SINK_DROPPED;
	}
	if (s->c.cfg->when_full == CONF_FULL_DROP_NEWEST && queue_full(s->q)) {
		s->st.events_dropped++;
		log_drop(s);
		ack_done(ack, ACK_DROPPED);
		return SINK_DROPPED;
	}
	ev = event_make(s, doc, ack, &bad, &err);
	if (ev == NULL) {
		log_sink(LOG_LVL_ERROR, s->name, "out of memory queueing an event");
		s->st.events_cancelled++;
		ack_done(ack, ACK_CANCELLED);
		return SINK_DROPPED;
	}
	if (bad) {
		event_reject(s, ev, err.msg);
		kick(s); /* its dispatch forgets stamp_ms, as after any submit */
		return SINK_ACCEPTED;
	}
	if (event_enqueue(s, ev) != 0) {
		log_sink(LOG_LVL_ERROR, s->name, "out of memory queueing an event");
		event_release(ev);
		s->st.events_cancelled++;
		ack_done(ack, ACK_CANCELLED);
		return SINK_DROPPED;
	}
	update_qstats(s);
	kick(s);
	return SINK_ACCEPTED;
}

int
sink_full(const struct sink *s)
{
	if (s->soft_events > 0 && queue_events(s->q) >= s->soft_events)
		return 1;
	if (s->soft_bytes > 0 && queue_bytes(s->q) >= s->soft_bytes)
		return 1;
	return queue_full(s->q);
}

int
sink_uses_summary(const struct sink *s)
{
	return s->uses_summary;
}

void
sink_set_space_cb(struct sink *s, void (*fn)(void *arg), void *arg)
{
	s->space_fn = fn;
	s->space_arg = arg;
}

void
sink_flush(struct sink *s)
{
	s->flush_pending = queue_events(s->q);
	kick(s);
}

void
sink_when_drained(struct sink *s, void (*done)(void *arg), void *arg)
{
	s->drained_fn = done;
	s->drained_arg = arg;
	sink_flush(s);
}

const char *
sink_name(const struct sink *s)
{
	return s->name;
}

const char *
sink_url(const struct sink *s)
{
	return s->c.url;
}

int
sink_healthy(const struct sink *s)
{
	if (s->paused || s->refused || s->dl_failing || s->unreadable)
		return 0;
	if (s->st.failing_since_ms != 0 &&
	    timeutil_now_ms() - s->st.failing_since_ms > 3 * s->c.cfg->retry_max_delay_ms)
		return 0;
	return 1;
}

const struct sink_stats *
sink_stats(const struct sink *s)
{
	return &s->st;
}

void
sink_reopen(struct sink *s)
{
	if (s->ops->reopen != NULL)
		s->ops->reopen(s);
	/* The dead-letter file may have been rotated too. */
	if (s->dl_fd >= 0) {
		close(s->dl_fd);
		s->dl_fd = -1;
	}
}

static int
secret_add(struct sink *s, const char *v, size_t n)
{
	char **ns;

	while (n > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (n == 0)
		return 0;
	ns = realloc(s->secrets, (s->n_secrets + 1) * sizeof(*ns));
	if (ns == NULL)
		return -1;
	s->secrets = ns;
	if ((ns[s->n_secrets] = strndup(v, n)) == NULL)
		return -1;
	s->n_secrets++;
	if (n > s->secret_max)
		s->secret_max = n;
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Appends the percent-decoded form of v[0..n) to b (as curl decodes URL userinfo). */
static int
append_pct_decoded(struct buf *b, const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char ch = v[i];
		if (ch == '%' && i + 2 < n && hexval(v[i + 1]) >= 0 && hexval(v[i + 2]) >= 0) {
			ch = (char)(hexval(v[i + 1]) << 4 | hexval(v[i + 2]));
			i += 2;
		}
		if (buf_append(b, &ch, 1) != 0)
			return -1;
	}
	return 0;
}

/*
 * The Basic credential curl sends for user:pass (each percent-decoded when from_url):
 * base64(user ":" pass) is as secret as the password, and a server that echoes request
 * headers echoes it.  From a URL, the decoded password too (the raw one is added by the
 * caller).  0 or -1 (out of memory).
 */
static int
secret_add_basic(struct sink *s, const char *user, size_t ulen, const char *pass,
    size_t plen, int from_url)
{
	struct buf in;
	unsigned char *out = NULL;
	size_t pstart;
	int rc = -1, n;

	buf_init(&in, 0);
	if ((from_url ? append_pct_decoded(&in, user, ulen) : buf_append(&in, user, ulen)) != 0 ||
	    buf_append(&in, ":", 1) != 0)
		goto done;
	pstart = in.len;
	if ((from_url ? append_pct_decoded(&in, pass, plen) : buf_append(&in, pass, plen)) != 0)
		goto done;
	if ((out = malloc(4 * ((in.len + 2) / 3) + 1)) == NULL)
		goto done;
	n = EVP_EncodeBlock(out, (const unsigned char *)in.data, (int)in.len);
	if (n < 0 || secret_add(s, (const char *)out, (size_t)n) != 0)
		goto done;
	if (from_url && secret_add(s, in.data + pstart, in.len - pstart) != 0)
		goto done;
	rc = 0;
done:
	if (in.data != NULL)
		memset(in.data, 0, in.len); /* the password */
	buf_cleanup(&in);
	free(out);
	return rc;
}

/*
 * What a response excerpt must never echo: the configured secrets, the value of every
 * credential header sent (whole, and its last word: "Bearer X" echoes X too), the URL's
 * password and credential query values; and the URL as logs show it (masked the way -t
 * masks it).
 */
static int
secrets_collect(struct sink *s)
{
	const struct conf_sink *cfg = s->c.cfg;
	const char *u = s->c.url, *host, *end, *at, *colon, *q, *p, *amp, *eq, *sp;
	size_t i;

	if (u != NULL && (s->url_masked = conf_mask_url(u)) == NULL)
		return -1;
	if (u == NULL && (s->url_masked = strdup(s->c.target ? s->c.target : "-")) == NULL)
		return -1;
	if ((cfg->token && secret_add(s, cfg->token, strlen(cfg->token)) != 0) ||
	    (cfg->api_key && secret_add(s, cfg->api_key, strlen(cfg->api_key)) != 0) ||
	    (cfg->password && secret_add(s, cfg->password, strlen(cfg->password)) != 0))
		return -1;
	/* username/password as Basic (sink_add_basic_auth): its header value is masked below
	 * too, but only when the type sends it; this holds for every type. */
	if (cfg->username != NULL &&
	    secret_add_basic(s, cfg->username, strlen(cfg->username), cfg->password ?
	        cfg->password : "", cfg->password ? strlen(cfg->password) : 0, 0) != 0)
		return -1;
	for (i = 0; i < s->c.n_headers; i++) {
		const char *h = s->c.headers[i], *c = strchr(h, ':');
		if (c == NULL || !conf_sensitive_name(h, (size_t)(c - h)))
			continue;
		if (secret_add(s, c + 1, strlen(c + 1)) != 0)
			return -1;
		sp = strrchr(c + 1, ' ');
		if (sp != NULL && secret_add(s, sp + 1, strlen(sp + 1)) != 0)
			return -1;
	}
	if (u == NULL)
		return 0;
	host = strstr(u, "://");
	host = host ? host + 3 : u;
	end = host + strcspn(host, "/?#");
	at = memchr(host, '@', (size_t)(end - host));
	if (at != NULL && (colon = memchr(host, ':', (size_t)(at - host))) != NULL &&
	    secret_add(s, colon + 1, (size_t)(at - colon - 1)) != 0)
		return -1;
	/* curl turns the URL's userinfo into "Authorization: Basic base64(user:pass)". */
	if (at != NULL && at > host) {
		colon = memchr(host, ':', (size_t)(at - host));
		if (secret_add_basic(s, host, (size_t)((colon ? colon : at) - host),
		        colon ? colon + 1 : at, colon ? (size_t)(at - colon - 1) : 0, 1) != 0)
			return -1;
	}
	q = strchr(u, '?');
	for (p = q ? q + 1 : NULL; p != NULL && *p; p = *amp == '&' ? amp + 1 : NULL) {
		amp = p + strcspn(p, "&#");
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq != NULL && conf_sensitive_name(p, (size_t)(eq - p)) &&
		    secret_add(s, eq + 1, (size_t)(amp - eq - 1)) != 0)
			return -1;
	}
	return 0;
}

struct sink *
sink_new(struct event_base *base, struct http *http, const struct conf_sink *cfg,
    const char *state_dir, struct err *err)
{
	return sink_new_ops(base, http, cfg, sink_ops_for(cfg->type), state_dir, err);
}

struct sink *
sink_new_ops(struct event_base *base, struct http *http, const struct conf_sink *cfg,
    const struct sink_ops *ops, const char *state_dir, struct err *err)
{
	struct sink *s;
	struct buf p;
	int burst;

	err->kind = ERR_CONFIG;
	err->msg[0] = '\0';
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return NULL;
	}
	s->dl_fd = -1;
	s->created_ms = timeutil_now_ms();
	s->base = base;
	s->http = http;
	s->c.cfg = cfg;
	buf_init(&s->scratch, 0);
	sink_arena_init(&s->arena, 1);
	s->ops = ops;
	s->uses_summary = ops != NULL && ops->uses_summary != NULL && ops->uses_summary(cfg);
	s->name = strdup(cfg->name ? cfg->name : "sink");
	s->q = queue_new(cfg->queue_max_events > 0 ? (uint64_t)cfg->queue_max_events : 0,
	    cfg->queue_max_bytes > 0 ? (uint64_t)cfg->queue_max_bytes : 0);
	if (cfg->when_full == CONF_FULL_BLOCK && cfg->batch_max_events > 0 &&
	    cfg->batch_max_bytes > 0 && cfg->max_in_flight > 0) {
		uint64_t depth = (uint64_t)cfg->max_in_flight + 4;
		s->soft_events = depth * (uint64_t)cfg->batch_max_events;
		s->soft_bytes = depth * (uint64_t)cfg->batch_max_bytes;
		if (cfg->queue_max_events > 0 && s->soft_events >= (uint64_t)cfg->queue_max_events)
			s->soft_events = 0; /* the bound comes first */
		if (cfg->queue_max_bytes > 0 && s->soft_bytes >= (uint64_t)cfg->queue_max_bytes)
			s->soft_bytes = 0;
	}
	s->kick = event_new(base, -1, 0, on_kick, s);
	s->batch_timer = evtimer_new(base, on_kick, s);
	if (s->name == NULL || s->q == NULL || s->kick == NULL || s->batch_timer == NULL) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		goto fail;
	}
	if (s->ops == NULL) {
		snprintf(err->msg, sizeof(err->msg), "unknown sink type");
		goto fail;
	}
	if (uses_http(s->ops) && http == NULL) {
		snprintf(err->msg, sizeof(err->msg), "no HTTP client for an HTTP sink");
		goto fail;
	}
	s->c.lim_events = cfg->batch_max_events > 0 ? cfg->batch_max_events : 500;
	s->c.lim_bytes = cfg->batch_max_bytes > 0 ? (size_t)cfg->batch_max_bytes : 1u << 20;
	burst = cfg->rate_burst > 0 ? cfg->rate_burst : (int)ceil(cfg->rate_limit);
	ratelimit_init(&s->rl, cfg->rate_limit, burst < 1 ? 1 : burst, timeutil_mono_ms());
	if (s->ops->init(s, err) != 0) {
		if (err->msg[0] == '\0')
			snprintf(err->msg, sizeof(err->msg), "cannot set up the sink");
		goto fail;
	}
	if (uses_http(s->ops) && cfg->compression == CONF_COMP_GZIP &&
	    sink_add_header(&s->c, "Content-Encoding: gzip") != 0)
		goto oom;
	if (uses_gzip(s)) {
		if (gz_users++ == 0) {
			buf_init(&gz_flat, 0);
			buf_init(&gz_out, 0);
		}
		s->gz_user = 1;
	}
	buf_init(&p, 0);
	if (cfg->dead_letter != NULL)
		buf_append_str(&p, cfg->dead_letter);
	else
		buf_printf(&p, "%s/dead-letter-%s.ndjson", state_dir ? state_dir : ".",
		    s->name);
	s->dl_path = buf_steal(&p, NULL);
	if (s->dl_path == NULL)
		goto oom;
	if (secrets_collect(s) != 0)
		goto oom;
	if (uses_http(s->ops) && !cfg->tls_verify)
		log_sink(LOG_LVL_WARNING, s->name,
		    "tls_verify = false: the server's certificate is NOT checked");
	return s;
oom:
	snprintf(err->msg, sizeof(err->msg), "out of memory");
fail:
	sink_free(s);
	return NULL;
}

/* Frees s, acknowledging every event it still holds with how (cancelled or dropped). */
static void
sink_release(struct sink *s, enum ack_result how)
{
	struct sink_event *ev;
	size_t i;

	if (s == NULL)
		return;
	s->closing = 1;
	while (s->batches != NULL) {
		struct batch *b = s->batches;
		if (b->xfer != NULL) {
			http_cancel(b->xfer);
			b->xfer = NULL;
		}
		batch_finish(b, how);
	}
	if (s->q != NULL) {
		while ((ev = queue_pop(s->q, NULL)) != NULL)
			event_finish(s, ev, how);
		queue_free(s->q);
	}
	if (s->ops != NULL && s->ops->fini != NULL)
		s->ops->fini(s);
	if (s->kick)
		event_free(s->kick);
	if (s->batch_timer)
		event_free(s->batch_timer);
	for (i = 0; i < s->c.n_headers; i++)
		free(s->c.headers[i]);
	if (s->dl_fd >= 0)
		close(s->dl_fd);
	free(s->dl_path);
	free(s->c.url);
	free(s->url_masked);
	for (i = 0; i < s->n_secrets; i++) {
		explicit_bzero(s->secrets[i], strlen(s->secrets[i]));
		free(s->secrets[i]);
	}
	free(s->secrets);
	free(s->name);
	buf_cleanup(&s->scratch);
	sink_arena_cleanup(&s->arena);
	if (s->gz_user && --gz_users == 0) {
		buf_cleanup(&gz_flat);
		buf_cleanup(&gz_out);
	}
	free(s);
}

void
sink_free(struct sink *s)
{
	sink_release(s, ACK_CANCELLED);
}

void
sink_discard(struct sink *s)
{
	uint64_t held;

	if (s == NULL)
		return;
	held = queue_events(s->q) + s->st.inflight_events;
	if (held > 0)
		log_sink(LOG_LVL_WARNING, s->name,
		    "removed sink did not drain in time: giving up %llu event(s); they are "
		    "not acknowledged as delivered, so their sources read them again",
		    (unsigned long long)held);
	sink_release(s, ACK_CANCELLED);
}

int
sink_adopt(struct sink *dst, struct sink *src)
{
	struct sink_event **old = NULL, **neu = NULL, *ev;
	int *bad = NULL;
	char **why = NULL;
	size_t n = 0, cap, i, j;
	struct batch *b, *last;
	int rc = -1;

	if (dst == NULL || src == NULL || dst == src || dst->closing)
		return -1;
	/* The events are stored in src's format: dst must expect the same. */
	if (dst->c.cfg->format != src->c.cfg->format)
		return -1;
	cap = (size_t)queue_events(src->q);
	for (b = src->batches; b != NULL; b = b->next)
		cap += b->n;
	if (cap == 0)
		return 0;
	old = malloc(cap * sizeof(*old));
	neu = calloc(cap, sizeof(*neu));
	bad = calloc(cap, sizeof(*bad));
	why = calloc(cap, sizeof(*why));
	if (old == NULL || neu == NULL || bad == NULL || why == NULL)
		goto out;
	/* Oldest first: batches were formed from the queue's head, newest batch first in
	 * the list. */
	for (last = src->batches; last != NULL && last->next != NULL; last = last->next)
		;
	for (b = last; b != NULL; b = b->prev) {
		memcpy(old + n, b->evs, b->n * sizeof(*old));
		n += b->n;
	}
	{
		/* The queue, without disturbing it until everything is built. */
		size_t qn = (size_t)queue_events(src->q);
		for (i = 0; i < qn; i++) {
			ev = queue_pop(src->q, NULL);
			old[n++] = ev;
			queue_push(src->q, ev, ev->size); /* rotate: cannot fail (room) */
		}
	}
	/* Re-encode for dst (its envelope, index, template may differ); nothing has moved
	 * yet, so running out of memory leaves src whole. */
	for (i = 0; i < n; i++) {
		struct sink_doc d;
		struct err err;
		const char *kind = sink_kind_name(old[i]->kind);
		memset(&d, 0, sizeof(d));
		d.json = old[i]->json;
		d.len = old[i]->json_len;
		d.message = old[i]->message;
		d.time_ns = old[i]->time_ns;
		d.kind = kind;
		d.source = old[i]->source;
		d.fingerprint = old[i]->fingerprint;
		d.blob = old[i]->blob; /* same format: dst shares what src held */
		neu[i] = event_make(dst, &d, old[i]->ack, &bad[i], &err);
		if (neu[i] == NULL)
			goto out;
		if (bad[i] && (why[i] = strdup(err.msg)) == NULL)
			goto out;
	}
	/* Commit: src lets go of everything without acknowledging any of it. */
	src->closing = 1; /* no dispatch, no kick while its batches go */
	while (src->batches != NULL) {
		b = src->batches;
		src->st.inflight_events -= b->n;
		b->n = 0;
		batch_free(b); /* cancels its transfer; the events live on in neu[] */
	}
	while ((ev = queue_pop(src->q, NULL)) != NULL)
		;
	src->queued_body_bytes = 0;
	update_qstats(src);
	src->closing = 0;
	for (i = 0; i < n; i++) {
		event_release(old[i]);
		old[i] = NULL;
	}
	for (i = 0, j = 0; i < n; i++) {
		if (bad[i]) {
			event_reject(dst, neu[i], why[i]);
			continue;
		}
		if (event_enqueue(dst, neu[i]) != 0) {
			/* Out of memory with the events already taken: not lost, but
			 * given back to their sources to be read again. */
			event_finish(dst, neu[i], ACK_CANCELLED);
			continue;
		}
		j++;
	}
	log_sink(LOG_LVL_NOTICE, dst->name, "took over %zu event(s) from the sink it "
	    "replaces", n);
	update_qstats(dst);
	dst->flush_pending += j;
	kick(dst);
	rc = 0;
out:
	if (rc != 0 && neu != NULL)
		for (i = 0; i < cap; i++)
			event_release(neu[i]);
	if (why != NULL)
		for (i = 0; i < cap; i++)
			free(why[i]);
	free(old);
	free(neu);
	free(bad);
	free(why);
	return rc;
}
