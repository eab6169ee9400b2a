/*
 * metrics_render.h — the /metrics page: every series of the daemon, rendered from a
 * snapshot of the sources' and sinks' counters (the pipeline gathers the rows; the HTTP
 * side is metrics.h).
 */
#ifndef OCI_LOGFWD_METRICS_RENDER_H
#define OCI_LOGFWD_METRICS_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "sink.h"
#include "source.h"

struct metrics_source_row {
	const char *name;
	const struct source_stats *st;
};

/* One per sink name (a removed sink draining under its replacement's name is left out). */
struct metrics_sink_row {
	const char *name;
	const struct sink_stats *st;
	int healthy;                 /* sink_healthy() */
};

/* Appends the page to out; now: epoch ms (lag, waiting).  0 or -1 (memory). */
int metrics_render(struct buf *out, int64_t now, const struct metrics_source_row *src,
    size_t nsrc, const struct metrics_sink_row *snk, size_t nsnk);

#endif
