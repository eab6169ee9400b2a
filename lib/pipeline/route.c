/* route.c — see route.h. */
#include "route.h"

#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "format.h"
#include "log.h"
#include "sink.h"

void
route_event_to_sinks(const struct route *routes, size_t n, unsigned formats_used,
    struct route_bufs *b, const struct event *ev, const char *source, const char *region,
    struct ack *ack)
{
	struct sink_doc doc;
	struct sink_blob *blob[3] = { NULL, NULL, NULL };
	unsigned routes_per_format[3] = { 0, 0, 0 };

	for (int f = 0; f < 3; f++) {
		if (!(formats_used & (1u << f)))
			continue;
		buf_reset(&b->enc[f]);
		if (format_encode(ev, (enum conf_format)f, region, &b->enc[f]) != 0) {
			log_source(LOG_LVL_ERROR, source, "cannot encode record %s (out of memory)",
			    ev->id ? ev->id : "-");
			buf_reset(&b->enc[f]);
		}
	}
	memset(&doc, 0, sizeof(doc));
	/* Only Datadog (raw) and syslog (syslog_message = summary) read the summary: ~1 %
	 * of the daemon's cycles a record otherwise (make bench). */
	if (formats_used & ROUTE_SUMMARY) {
		buf_reset(&b->summary);
		format_summary(ev, &b->summary);
		doc.message = b->summary.data;
	}
	doc.time_ns = ev->time_ns;
	doc.kind = event_kind_name(ev->kind);
	doc.source = source;
	doc.fingerprint = ev->fingerprint;
	/* A format several sinks take is stored once, shared by reference (sink_blob);
	 * a format one sink takes is copied by that sink (one allocation, not two).  No
	 * blob (out of memory) falls back to a copy per sink. */
	for (size_t i = 0; i < n; i++)
		routes_per_format[routes[i].format]++;
	for (int f = 0; f < 3; f++) {
		if (routes_per_format[f] < 2 || b->enc[f].len == 0)
			continue;
		doc.json = b->enc[f].data;
		doc.len = b->enc[f].len;
		blob[f] = sink_blob_new(&b->blobs[f], &doc);
	}
	for (size_t i = 0; i < n; i++) {
		enum conf_format f = routes[i].format;
		if (b->enc[f].len == 0)
			continue;
		doc.json = b->enc[f].data;
		doc.len = b->enc[f].len;
		doc.blob = blob[f];
		sink_submit(routes[i].sink, &doc, ack);
	}
	for (int f = 0; f < 3; f++)
		sink_blob_release(blob[f]); /* the sinks hold their own references */
}

void
route_bufs_init(struct route_bufs *b)
{
	for (int f = 0; f < 3; f++) {
		buf_init(&b->enc[f], 0);
		sink_arena_init(&b->blobs[f], 0);
	}
	buf_init(&b->summary, 0);
}

void
route_bufs_cleanup(struct route_bufs *b)
{
	for (int f = 0; f < 3; f++) {
		buf_cleanup(&b->enc[f]);
		sink_arena_cleanup(&b->blobs[f]);
	}
	buf_cleanup(&b->summary);
}

int
route_table_new(struct sink *const *sinks, const struct conf_sink *const *cfgs, size_t n,
    struct route **out, unsigned *formats_used)
{
	struct route *r = NULL;
	unsigned used = 0;

	if (n > 0 && (r = calloc(n, sizeof(*r))) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		r[i].sink = sinks[i];
		r[i].cfg = cfgs[i];
		r[i].format = cfgs[i]->format;
		if (sinks[i] != NULL && sink_uses_summary(sinks[i]))
			used |= ROUTE_SUMMARY;
		used |= 1u << cfgs[i]->format;
	}
	*out = r;
	*formats_used = used;
	return 0;
}
