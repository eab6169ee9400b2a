/*
 * route.h — hands one normalized event to a source's sinks: encoded once per format the
 * routes use, with one summary line when a sink reads it; a format that several sinks take is stored once and
 * shared by reference (sink_blob), a format one sink takes is copied by that sink.  Used
 * by both source types (search and streaming), so the hot path exists once.
 */
#ifndef OCI_LOGFWD_ROUTE_H
#define OCI_LOGFWD_ROUTE_H

#include <stddef.h>

#include "buf.h"
#include "conf.h"
#include "sink_arena.h"

struct ack;
struct event;
struct sink;

struct route {
	struct sink *sink;
	const struct conf_sink *cfg;
	enum conf_format format;
};

/* In formats_used, beside the format bits: a route's sink reads the one-line summary
 * (sink_uses_summary: Datadog raw, syslog_message = summary); else it is not written. */
#define ROUTE_SUMMARY (1u << 3)

/*
 * The routes to n sinks (cfgs[i] configures sinks[i]): a new array (NULL when n is 0) and
 * in *formats_used the bit of each format they take (and ROUTE_SUMMARY).  0, or -1
 * (memory: nothing changed).
 */
int route_table_new(struct sink *const *sinks, const struct conf_sink *const *cfgs, size_t n,
    struct route **out, unsigned *formats_used);

/*
 * The caller's (a source's) scratch buffers, kept between events (no allocation per
 * event), and the arenas its shared blobs come from: one per format, so that the blobs
 * of one arena go to the same sinks and leave it in the order they came (sink_blob_new).
 */
struct route_bufs {
	struct buf enc[3]; /* one per enum conf_format */
	struct buf summary;
	struct sink_arena blobs[3];
};

void route_bufs_init(struct route_bufs *b);
/* Frees the buffers; blobs still held by sinks free their memory when released. */
void route_bufs_cleanup(struct route_bufs *b);

/*
 * Encodes ev for every format in formats_used (bit per enum conf_format), and its
 * summary with ROUTE_SUMMARY, and submits it to each of the n routes under ack.  region
 * may be NULL.  An event that cannot be encoded
 * (out of memory) is logged under source and not submitted.
 */
void route_event_to_sinks(const struct route *routes, size_t n, unsigned formats_used,
    struct route_bufs *b, const struct event *ev, const char *source, const char *region,
    struct ack *ack);

#endif
