/*
 * pipeline.h — the running daemon's data plane: the OCI client, the sources, the sinks,
 * the routes between them, the metrics endpoint, and reloads.
 *
 * main() owns the event loop and the configuration file; the pipeline owns everything
 * built from a configuration.  A reload is applied whole or not at all: everything added
 * or changed is built first.  It keeps what did not change (sinks with their queues,
 * sources with their windows), starts what was added, lets a changed sink hand its events
 * to its successor (sink_adopt), and drains what was removed before freeing it; a removed
 * sink that does not drain within shutdown_timeout is given up with its events cancelled,
 * never acknowledged, so their records are read again.
 */
#ifndef OCI_LOGFWD_PIPELINE_H
#define OCI_LOGFWD_PIPELINE_H

#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "conf.h"
#include "err.h"
#include "source.h"

struct event_base;
struct pipeline;

#define PIPELINE_REFUSED 2

struct pipeline_opts {
	enum source_mode mode;
	int64_t from_ms, to_ms;        /* BACKFILL (and DRYRUN when to_ms > 0) */
	FILE *dryrun_out;              /* DRYRUN */
	enum conf_format dryrun_format;
	/* One-shot modes: called once when every source is done and every sink drained;
	 * failed = something could not be delivered (or fetched), or PIPELINE_REFUSED: a
	 * service refused a source's or a sink's credentials (a Kafka broker's SASL
	 * failure), reported at once, without waiting for the sinks to drain. */
	void (*finished)(void *arg, int failed);
	void *arg;
	/* Tests only (source_env): NULL = the real search. */
	const struct search_ops *search_ops;
};

/*
 * Builds and starts everything for conf, which the pipeline takes (freed with the
 * pipeline, or after a reload once nothing uses it).  Returns new, or NULL with err filled
 * (and conf freed): OCI credentials unusable, a sink that cannot be set up, a corrupt
 * checkpoint.  err->kind: ERR_UNAVAILABLE for unusable OCI credentials, ERR_CONFIG for a
 * sink that cannot be set up, ERR_OTHER otherwise.
 */
struct pipeline *pipeline_new(struct event_base *base, struct conf *conf,
    const struct pipeline_opts *opts, struct err *err);

/* Applies a new, already validated configuration (taken).  0, or -1 with err when
 * anything new could not be built (a sink, a source, the OCI client, the metrics
 * listener): then nothing changed, the running configuration is kept and newconf freed. */
int pipeline_reload(struct pipeline *p, struct conf *newconf, struct err *err);

/* SIGUSR1 / stats_interval: one line per the whole pipeline. */
void pipeline_stats_line(struct pipeline *p, struct buf *out);

/* SIGHUP: file sinks reopen their files. */
void pipeline_reopen(struct pipeline *p);

/*
 * Graceful stop: no new searches; sinks flush and drain for up to timeout_ms; then
 * done(arg) runs (once).  Call pipeline_free afterwards: it writes the checkpoints.
 */
void pipeline_shutdown(struct pipeline *p, int64_t timeout_ms, void (*done)(void *arg),
    void *arg);

/* Frees everything: sources first (checkpoints written), then sinks.  NULL is a no-op. */
void pipeline_free(struct pipeline *p);

/* Prometheus text of every metric (also served on metrics_listen). */
int pipeline_render_metrics(struct pipeline *p, struct buf *out);
/* 1 when healthy; otherwise reason gets a JSON object naming each unhealthy source and
 * sink with a reason: failing, or no progress (checkpoint unmoved, events held but none
 * finished) for longer than its settings make normal. */
int pipeline_health(struct pipeline *p, struct buf *reason);

#endif
