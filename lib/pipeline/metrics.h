/*
 * metrics.h — Prometheus text exposition helpers and the small HTTP server that serves
 * /metrics and /healthz on `metrics_listen` (libevent evhttp, on the daemon's loop).
 *
 * The server knows nothing of sources or sinks: it calls the owner's render and health
 * callbacks on each request, so every scrape sees the live numbers.
 */
#ifndef OCI_LOGFWD_METRICS_H
#define OCI_LOGFWD_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct event_base;
struct metrics_server;

/* "# HELP name help\n# TYPE name type\n". */
int metrics_family(struct buf *out, const char *name, const char *type, const char *help);
/*
 * One sample: name{labels} value.  labels is a NULL-terminated list of key, value
 * pairs (values escaped as Prometheus requires); NULL = no labels.
 */
int metrics_sample(struct buf *out, const char *name, const char *const *labels,
    double value);
/*
 * A histogram from per-bucket (non-cumulative) counts: n bounds, counts[n] is +Inf.
 * Writes name_bucket{...,le=...}, name_sum, name_count.
 */
int metrics_histogram(struct buf *out, const char *name, const char *const *labels,
    const double *bounds, const uint64_t *counts, size_t n, double sum, uint64_t count);

/* Fills out with the page; returns 0 or -1 (then 500). */
typedef int (*metrics_render_fn)(void *arg, struct buf *out);
/* Returns 1 when healthy; otherwise fills reason with a JSON object for the 503 body. */
typedef int (*metrics_health_fn)(void *arg, struct buf *reason);

/*
 * Listens on listen ("host:port", "[v6]:port" or ":port" = 127.0.0.1).  Returns new, or
 * NULL with err filled (bad address, port in use).
 */
struct metrics_server *metrics_server_new(struct event_base *base, const char *listen,
    metrics_render_fn render, metrics_health_fn health, void *arg, char *err, size_t errlen);
void metrics_server_free(struct metrics_server *m);

#endif
