/*
 * sink.h — one output: a bounded queue of events, batched, encoded in the vendor's
 * envelope (one file per type: sink_http.c, sink_datadog.c, sink_splunk.c,
 * sink_elasticsearch.c, sink_loki.c, sink_file.c), optionally gzipped, and sent with up
 * to max_in_flight concurrent requests on the event loop.
 *
 * Delivery contract: every event sink_submit() accepts is acknowledged to its producer
 * exactly once (ack_done): ACK_DELIVERED on a 2xx (or an Elasticsearch 409 on create),
 * ACK_DEAD_LETTER once it is written to the dead-letter file, ACK_DROPPED when
 * when_full = drop_newest drops it, ACK_CANCELLED when the sink is freed or discarded
 * first (the producer then reads the event again: it was neither delivered nor
 * dead-lettered).  A dead-letter write that fails keeps the events (unacknowledged), makes
 * the sink unhealthy, and is tried again every retry_max_delay until it works.
 *
 * Responses are judged by status.  A 2xx is a delivery whatever its body's size: only what
 * the type reads is kept (Elasticsearch: the bulk answer, up to 32 MiB; others 64 KiB);
 * a 2xx whose body the type cannot read (an Elasticsearch bulk answer that does not
 * parse) still counts as delivered, but the sink is unhealthy and says so until a 2xx can
 * be read again.  Connection errors, timeouts, 408, 429, 5xx are retried (full-jitter
 * backoff between retry_initial and retry_max_delay, Retry-After honoured) until
 * retry_max_time (0 = forever), then dead-lettered.  401/403/404/407 pause the sink (queue
 * kept, probe every retry_max_delay, unhealthy, logged once); nothing is dead-lettered for
 * them.  413 and other statuses split a multi-event batch in halves (the halves wait for
 * a slot: at most max_in_flight requests ever run).  Single events are isolated and only
 * the ones rejected on their own are dead-lettered, unless the rejections are everywhere:
 * after 7 pairs of halves of one batch were both rejected with the same status (other
 * than 413), the halves of every further such pair are dead-lettered whole with the
 * server's answer (a sink that rejects everything costs at most 31 requests per batch,
 * not 2N-1).
 *
 * Log lines show the URL masked as -t shows it; response excerpts (logs, dead-letter
 * records) have the sink's credentials replaced by "***".
 *
 * Single-threaded: call everything from the loop thread.
 */
#ifndef OCI_LOGFWD_SINK_H
#define OCI_LOGFWD_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "ack.h"
#include "conf.h"
#include "err.h"

struct event_base;
struct http;
struct sink;


/* One event as the router hands it over; everything is borrowed during sink_submit. */
struct sink_doc {
	const char *json;      /* the event in this sink's format: one JSON object */
	size_t len;
	const char *message;   /* one-line summary, may be NULL */
	int64_t time_ns;       /* event time */
	const char *kind;      /* "audit" | "flow" | "other" (NULL = "other") */
	const char *source;    /* source name (NULL = "") */
	uint64_t fingerprint;  /* content hash: Elasticsearch _id, dedup */
	/* NULL, or sink_blob_new(this doc): the sinks then keep a reference to the blob
	 * instead of each copying json, message and source (one copy per format, however
	 * many sinks share it). */
	struct sink_blob *blob;
};

/*
 * An immutable, reference-counted copy of a doc's json, message and source, made once
 * by the producer and shared by every sink it is submitted to (4 sinks of one format
 * held 4 copies of each event before: 53 MiB peak RSS in make bench).  Returns new with
 * one reference (the caller's), or NULL when out of memory (submit the doc without it:
 * each sink then copies).  json/message/source of doc are copied; the returned blob
 * must only be used with this doc's values (the sink reads them from the blob).
 * The blob's memory comes from arena (sink_arena.h): give each producer and format its
 * own, so that blobs released in the order they were made free whole chunks; blobs of
 * unrelated producers in one arena would let a stalled sink of one pin chunks of the
 * other (up to 64 KiB a blob the sink holds, unaccounted by its queue limits).
 */
struct sink_arena;
struct sink_blob *sink_blob_new(struct sink_arena *arena, const struct sink_doc *doc);
/* Drops one reference; the last frees it.  NULL is a no-op. */
void sink_blob_release(struct sink_blob *b);

enum sink_submit_rc { SINK_ACCEPTED, SINK_DROPPED };

/* Request-duration histogram bounds in seconds; the last bucket is +Inf. */
#define SINK_SECONDS_BUCKETS 12
#define SINK_STATUS_MAX 600

struct sink_stats {
	uint64_t events_sent;        /* acknowledged ACK_DELIVERED */
	uint64_t events_dead_letter; /* written to the dead-letter file */
	uint64_t events_dropped;     /* dropped by when_full = drop_newest */
	uint64_t events_cancelled;   /* still held at sink_free */
	uint64_t retries;            /* requests that were retries of an earlier one */
	uint64_t requests;           /* requests finished (any outcome) */
	uint64_t bytes_sent;         /* request body bytes (after compression) */
	uint64_t queue_events, queue_bytes; /* waiting in the queue, not yet in a batch */
	uint64_t inflight_events;    /* in batches being sent or waiting to retry */
	int64_t failing_since_ms;    /* epoch ms of the first failure since the last delivery;
	                              * 0 = none */
	int64_t last_success_ms;     /* epoch ms of the last delivery; 0 = none yet */
	char last_error[256];
	/*
	 * Requests by HTTP status: requests_by_status[code] for 100..599; index 0 counts
	 * transfers that got no response (connection error, timeout).
	 */
	uint64_t requests_by_status[SINK_STATUS_MAX];
	/*
	 * Request seconds: seconds_bucket[i] counts requests with duration <= bound i
	 * (NOT cumulative: sum buckets 0..i for Prometheus' le="bound i"); the last is +Inf.
	 * Bounds: sink_seconds_bounds[].
	 */
	uint64_t seconds_bucket[SINK_SECONDS_BUCKETS];
	double seconds_sum;
	uint64_t seconds_count;
};

/* 0.005 .01 .025 .05 .1 .25 .5 1 2.5 5 10 +Inf (the last entry is INFINITY). */
extern const double sink_seconds_bounds[SINK_SECONDS_BUCKETS];

/*
 * Creates a sink of cfg->type.  base: the loop; http: the shared HTTP client (may be NULL
 * for file/stdout sinks); cfg is borrowed for the sink's lifetime; state_dir: where a
 * default dead-letter file goes (dead_letter unset → <state_dir>/dead-letter-<name>.ndjson;
 * NULL = current directory).  Returns new, or NULL with err filled, of kind ERR_CONFIG
 * (bad template, URL missing, file not openable, memory: the sink cannot be set up).
 */
struct sink *sink_new(struct event_base *base, struct http *http,
    const struct conf_sink *cfg, const char *state_dir, struct err *err);

/*
 * Hands one event over (doc borrowed; the sink copies what it keeps, or retains
 * doc->blob).  Queue byte accounting counts a shared blob in full in each sink that holds
 * it: queue_max_bytes bounds what a sink keeps alive, as if it were alone.  Calls ack_add(ack,1)
 * and later ack_done exactly once.  In block mode it accepts even above the bound (the
 * producer is expected to pause on sink_full()).  With when_full = drop_newest and a full
 * queue: drops (counted, logged rate-limited) and returns SINK_DROPPED after ack_add +
 * ack_done(ACK_DROPPED).  An event that cannot be encoded or stored (out of memory, or it
 * is not a JSON object) is dead-lettered.
 */
enum sink_submit_rc sink_submit(struct sink *s, const struct sink_doc *doc,
    struct ack *ack);

/*
 * 1 while queue_events >= queue_max_events or queue_bytes >= queue_max_bytes, and in
 * block mode also while the backlog holds max_in_flight + 4 full batches (events or
 * bytes) already: more would not speed up a healthy sink, only use memory.
 */
int sink_full(const struct sink *s);

/*
 * Calls fn(arg) each time the queue goes from full to not full (the producer resumes);
 * fn NULL removes it.  Optional: polling sink_full() works too.
 */
/* 1 when s reads sink_doc.message (the summary); else it is neither needed nor kept. */
int sink_uses_summary(const struct sink *s);
void sink_set_space_cb(struct sink *s, void (*fn)(void *arg), void *arg);

/* Closes the open batch now (every queued event is sent without waiting for batch_timeout). */
void sink_flush(struct sink *s);

/*
 * Calls done(arg) once when the queue is empty and nothing is in flight (from the loop,
 * soon, if already so).  Also flushes.  A second call replaces the first.
 */
void sink_when_drained(struct sink *s, void (*done)(void *arg), void *arg);

/* Stops: cancels transfers; every event still held is acknowledged ACK_CANCELLED.
 * NULL is a no-op. */
void sink_free(struct sink *s);
/*
 * For a sink that a reload removed and that did not drain in time: logs how many events
 * it gives up, then frees it like sink_free.  Those events are acknowledged ACK_CANCELLED
 * (counted as cancelled): not delivered, so no source moves its checkpoint past them; they
 * are read again.  NULL is a no-op.
 */
void sink_discard(struct sink *s);

/*
 * Reload of a changed sink: moves every event src still holds (queued, batched, in flight
 * or waiting to retry, also while paused) into dst with its acknowledgement, so none is
 * acknowledged to its source by the move; transfers src had running are abandoned (their
 * events are sent again by dst: duplicates at most).  Each event is encoded again for dst
 * (its envelope, index or template may have changed; one dst cannot encode is
 * dead-lettered by dst).  Afterwards src holds nothing and can be freed.  0, or -1 when
 * nothing was moved: dst expects another `format` than the events are stored in, or out
 * of memory; the caller then drains src as a removed sink.
 */
int sink_adopt(struct sink *dst, struct sink *src);

const char *sink_name(const struct sink *s);

/*
 * 0 while paused by 401/403/404/407, while refused (sink_refused), while the dead-letter
 * file cannot be written, while the last 2xx answer could not be read, or when nothing
 * was delivered for longer than 3 x retry_max_delay since the first failure (health
 * counts from the last delivery, not from the last status: a sink answering 2xx for
 * items it rejects is failing too).
 */
int sink_healthy(const struct sink *s);

/* 1 while the sink's service refuses its credentials (a Kafka broker's SASL failure) or
 * the sink is paused by 401/403/404/407 (credentials or URL), from then to the next
 * delivery: one-shot runs end with 69 on it instead of waiting for ever. */
int sink_refused(const struct sink *s);

/* Borrowed; valid until sink_free, updated in place. */
const struct sink_stats *sink_stats(const struct sink *s);

/* SIGHUP: the file sink reopens its path (logrotate); no-op for the others. */
void sink_reopen(struct sink *s);

/* The URL requests go to (NULL for file/stdout); for logs and tests. */
const char *sink_url(const struct sink *s);

#endif
