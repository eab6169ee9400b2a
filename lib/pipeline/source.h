/*
 * source.h — one [source]: polls OCI Logging by time windows, normalizes each record,
 * routes it to its sinks, and moves its checkpoint only when every routed sink has
 * acknowledged (delivered or dead-lettered) every event before it.
 *
 * Regular polls read [cursor, min(now - lag, cursor + window)); a source that is behind
 * catches up window after window, searching up to max_concurrent_searches consecutive
 * windows at once (the checkpoint still moves in window order; a retry of any search holds
 * them all).  Every sweep_interval (overlap > 0) a sweep re-reads
 * [now - lag - overlap, min(now - lag, cursor)) and delivers only records whose content
 * fingerprint it has not delivered before (late-ingested records).  A window that OCI
 * refuses as too big is split in halves; one still too big at the smallest split (1 s) is
 * retried with capped backoff, loudly, never skipped.  While OCI is unreachable or failing
 * (the search retries inside, see search.h) the cursor stays where it is.  The only gap is
 * data older than `retention` (OCI no longer keeps it): warning, metric, and a line in each
 * routed sink's dead-letter file.
 */
#ifndef OCI_LOGFWD_SOURCE_H
#define OCI_LOGFWD_SOURCE_H

#include <stdint.h>
#include <stdio.h>

#include "conf.h"

struct event_base;
struct oci_client;
struct normalizer;
struct sink;
struct buf;
struct source;
struct search;
struct search_opts;
struct search_callbacks;

/* The search API (search.h) as a table, so tests can run a source against a fake. */
struct search_ops {
	struct search *(*start)(struct oci_client *c, const char *query, int64_t start_ms,
	    int64_t end_ms, const struct search_opts *opts, const struct search_callbacks *cb);
	void (*pause)(struct search *s);
	void (*resume)(struct search *s);
	void (*cancel)(struct search *s);
};

enum source_mode {
	SOURCE_MODE_DAEMON,   /* poll forever, checkpoints */
	SOURCE_MODE_ONCE,     /* up to now - lag at start, checkpoints, then finished */
	SOURCE_MODE_BACKFILL, /* [from, to) through the sinks, no checkpoints */
	SOURCE_MODE_DRYRUN,   /* print encoded events, no sinks, no checkpoints */
};

/* Everything borrowed: must outlive the source. */
struct source_env {
	struct event_base *base;
	struct oci_client *oci;
	struct normalizer *norm;
	const char *state_dir;
	enum source_mode mode;
	int64_t from_ms, to_ms;  /* BACKFILL and (optionally, to_ms > 0) DRYRUN */
	FILE *dryrun_out;        /* DRYRUN: where encoded events go */
	enum conf_format dryrun_format;
	/* ONCE/BACKFILL/DRYRUN: called once when everything up to the target is routed,
	 * acknowledged and checkpointed (or the source failed for good). */
	void (*finished)(void *arg, struct source *src);
	void *arg;
	/* type = streaming: how long revoked partitions may finish their events. */
	int64_t shutdown_timeout_ms;
	/* Tests only: scales every retry delay (1000 = as configured). */
	int64_t retry_scale_permille;
	/* Tests only: NULL = the real search_start/pause/resume/cancel. */
	const struct search_ops *search_ops;
	/* Tests only: the backpressure fallback re-check (0 = SOURCE_BACKPRESSURE_FALLBACK_MS);
	 * a test makes it very long so that only source_wake can resume a paused source. */
	int64_t backpressure_fallback_ms;
};

#define SOURCE_HIST_BUCKETS 12

struct source_stats {
	uint64_t records;          /* records routed */
	uint64_t bad_records;      /* not a JSON object: counted, logged, dropped */
	uint64_t partial_records;  /* normalized with a field missing or mistyped */
	uint64_t duplicates;       /* records skipped because already delivered */
	uint64_t late_records;     /* found only by a sweep */
	uint64_t gaps;             /* ranges skipped (retention only) */
	uint64_t oversize_records; /* over max_record_bytes: dead-lettered, not forwarded */
	uint64_t retries;          /* search requests retried (OCI unreachable, 5xx, 429...) */
	uint64_t researched;       /* windows searched again (cancelled events, too big at 1 s) */
	uint64_t windows_split;
	uint64_t searches_failed;
	struct { long code; uint64_t n; } codes[16]; /* requests by HTTP status; 0 = no answer */
	size_t n_codes;
	/* ingest delay (ingestedtime - time) in seconds */
	uint64_t delay_bucket[SOURCE_HIST_BUCKETS]; /* cumulative counts per bound, last = +Inf */
	double delay_sum;
	uint64_t delay_count;
	int64_t cursor_ms;
	int64_t last_success_mono_ms; /* last successful page or search; 0 = never */
	/* Waiting out retries of a search (OCI unreachable, 5xx, 429, Retry-After, ...) or a
	 * window still too big at 1 s: 1 while waiting; since when (epoch ms) and until when
	 * the current wait lasts (epoch ms).  Cleared by the next page that arrives. */
	int waiting;
	int64_t waiting_since_ms, waiting_until_ms;
	char last_error[256];      /* status, OCI code, opc-request-id, message */
};
extern const double source_delay_bounds[SOURCE_HIST_BUCKETS - 1];

/* Returns new (not started), or NULL with a message in err (e.g. a corrupt state file). */
struct source *source_new(const struct conf_source *cfg, const struct source_env *env,
    char *err, size_t errlen);
/* Sets where events go: n sinks with their configurations (borrowed; for the format and
 * the dead-letter file); the source encodes each event once per distinct format among
 * them.  Safe to call again (reload); the arrays are copied.  0 or -1 (memory). */
int source_set_routes(struct source *src, struct sink *const *sinks,
    const struct conf_sink *const *cfgs, size_t n);
/* Starts polling. */
int source_start(struct source *src);
/* Stops starting new searches (shutdown phase 1); windows in flight may still be
 * acknowledged and move the checkpoint. */
void source_stop_polling(struct source *src);
/* Abandons whatever is in flight, writes the checkpoint, frees.  NULL is a no-op. */
void source_free(struct source *src);

const char *source_name(const struct source *src);
const struct conf_source *source_conf(const struct source *src);
const struct source_stats *source_stats(const struct source *src);
/* 1 when a window is searching or waiting for acknowledgements. */
int source_busy(const struct source *src);
/*
 * 1 when a page or search succeeded recently enough (3 x interval + window/10 + 60 s), or
 * a search is running and getting pages.  0 while waiting out retries for longer than
 * SOURCE_WAIT_UNHEALTHY_MS (or one wait, e.g. Retry-After, that alone ends beyond it), and
 * while a search has had no page for that long although no sink holds it back.
 */
int source_healthy(const struct source *src);
#define SOURCE_WAIT_UNHEALTHY_MS 120000
/* ONCE/BACKFILL: 1 when something could not be delivered (dead-lettered, dropped, gap,
 * or a search that failed for good); SOURCE_REFUSED when the service refused the
 * source's credentials (a streaming source's brokers: exit 69). */
int source_had_losses(const struct source *src);
#define SOURCE_REFUSED 2
/* type = streaming: its consumer (source_kafka.h), NULL for a search source. */
struct ksource *source_kafka(const struct source *src);
/*
 * A routed sink has room again (the pipeline calls this from the sink's space callback,
 * sink_set_space_cb): a source paused because a routed sink was full looks at its sinks
 * again at once, from the loop (never inside the caller's stack), and goes on when every
 * one has room.  Every ms a source sleeps after its sinks have room is a ms they may run
 * dry.  A no-op for a source that waits for nothing, is stopping or finished.
 */
void source_wake(struct source *src);
/*
 * While paused on a full sink a source also looks again on this period, in case room was
 * made without the sink's space callback (which fires only from the sink's own dispatch):
 * a safety net, not the way a source normally resumes.  Route changes (reload) and the
 * end of a dead-letter hold are re-checked by themselves.
 */
#define SOURCE_BACKPRESSURE_FALLBACK_MS 50

#endif
