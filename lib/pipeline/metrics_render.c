/*
 * metrics_render.c — the /metrics page (Prometheus text format) from the sources' and
 * sinks' counters; see metrics_render.h.
 */
#include <stddef.h>
#include <stdio.h>

#include "metrics.h"
#include "metrics_render.h"

/* The plain per-source counters: name, help, field of struct source_stats. */
static const struct {
	const char *name, *help;
	size_t offset;
} source_counters[] = {
	{ "oci_logfwd_source_records_total", "Records routed to sinks.",
	    offsetof(struct source_stats, records) },
	{ "oci_logfwd_source_late_records_total",
	    "Records found only by an overlap sweep (ingested late).",
	    offsetof(struct source_stats, late_records) },
	{ "oci_logfwd_source_gaps_total",
	    "Time ranges skipped (older than retention: OCI no longer keeps them).",
	    offsetof(struct source_stats, gaps) },
	{ "oci_logfwd_source_oversize_records_total",
	    "Records larger than max_record_bytes: dead-lettered, not forwarded.",
	    offsetof(struct source_stats, oversize_records) },
	{ "oci_logfwd_source_search_retries_total",
	    "SearchLogs requests retried (OCI unreachable, 5xx, 429, ...); the cursor is kept.",
	    offsetof(struct source_stats, retries) },
	{ "oci_logfwd_source_windows_researched_total",
	    "Windows searched again (events cancelled by a sink, or too big at 1 s).",
	    offsetof(struct source_stats, researched) },
	{ "oci_logfwd_source_bad_records_total",
	    "Records that were not a JSON object: logged and dropped.",
	    offsetof(struct source_stats, bad_records) },
	{ "oci_logfwd_source_partial_records_total",
	    "Records forwarded with a field missing or mistyped.",
	    offsetof(struct source_stats, partial_records) },
};

int
metrics_render(struct buf *out, int64_t now, const struct metrics_source_row *src,
    size_t nsrc, const struct metrics_sink_row *snk, size_t nsnk)
{
	char num[32];
	int rc = 0;

#define FAMILY(name, type, help) rc |= metrics_family(out, name, type, help)
	FAMILY("oci_logfwd_build_info", "gauge", "Build information.");
	{
		const char *l[] = { "version", OCI_LOGFWD_VERSION, NULL };
		rc |= metrics_sample(out, "oci_logfwd_build_info", l, 1);
	}
	for (size_t c = 0; c < sizeof(source_counters) / sizeof(source_counters[0]); c++) {
		FAMILY(source_counters[c].name, "counter", source_counters[c].help);
		for (const struct metrics_source_row *e = src; e < src + nsrc; e++) {
			const char *l[] = { "source", e->name, NULL };
			const uint64_t *v = (const uint64_t *)(const void *)
			    ((const char *)e->st + source_counters[c].offset);
			rc |= metrics_sample(out, source_counters[c].name, l, (double)*v);
		}
	}
	FAMILY("oci_logfwd_source_requests_total", "counter",
	    "SearchLogs requests by HTTP status (0 = no response).");
	for (const struct metrics_source_row *e = src; e < src + nsrc; e++) {
		const struct source_stats *st = e->st;
		for (size_t i = 0; i < st->n_codes; i++) {
			snprintf(num, sizeof(num), "%ld", st->codes[i].code);
			const char *l[] = { "source", e->name, "code", num, NULL };
			rc |= metrics_sample(out, "oci_logfwd_source_requests_total", l,
			    (double)st->codes[i].n);
		}
	}
	FAMILY("oci_logfwd_source_waiting_seconds", "gauge",
	    "How long the source has been waiting out OCI failures (0 = not waiting).");
	for (const struct metrics_source_row *e = src; e < src + nsrc; e++) {
		const struct source_stats *st = e->st;
		const char *l[] = { "source", e->name, NULL };
		rc |= metrics_sample(out, "oci_logfwd_source_waiting_seconds", l, st->waiting ?
		    (double)(now - st->waiting_since_ms) / 1000.0 : 0.0);
	}
	FAMILY("oci_logfwd_source_lag_seconds", "gauge", "Now minus the source's checkpoint.");
	for (const struct metrics_source_row *e = src; e < src + nsrc; e++) {
		const char *l[] = { "source", e->name, NULL };
		rc |= metrics_sample(out, "oci_logfwd_source_lag_seconds", l,
		    (double)(now - e->st->cursor_ms) / 1000.0);
	}
	FAMILY("oci_logfwd_source_ingest_delay_seconds", "histogram",
	    "oracle.ingestedtime minus the record time: tune lag and overlap with it.");
	for (const struct metrics_source_row *e = src; e < src + nsrc; e++) {
		const struct source_stats *st = e->st;
		uint64_t per[SOURCE_HIST_BUCKETS];
		const char *l[] = { "source", e->name, NULL };
		/* stats keep cumulative counts per bound; the writer wants per bucket */
		for (size_t i = 0; i < SOURCE_HIST_BUCKETS; i++)
			per[i] = st->delay_bucket[i] - (i > 0 ? st->delay_bucket[i - 1] : 0);
		rc |= metrics_histogram(out, "oci_logfwd_source_ingest_delay_seconds", l,
		    source_delay_bounds, per, SOURCE_HIST_BUCKETS - 1, st->delay_sum,
		    st->delay_count);
	}

	FAMILY("oci_logfwd_sink_events_total", "counter", "Events by final result.");
	for (const struct metrics_sink_row *k = snk; k < snk + nsnk; k++) {
		const struct sink_stats *st = k->st;
		const char *ls[] = { "sink", k->name, "result", "sent", NULL };
		const char *ld[] = { "sink", k->name, "result", "dead_letter", NULL };
		const char *lp[] = { "sink", k->name, "result", "dropped", NULL };
		rc |= metrics_sample(out, "oci_logfwd_sink_events_total", ls, (double)st->events_sent);
		rc |= metrics_sample(out, "oci_logfwd_sink_events_total", ld,
		    (double)st->events_dead_letter);
		rc |= metrics_sample(out, "oci_logfwd_sink_events_total", lp,
		    (double)st->events_dropped);
	}
	FAMILY("oci_logfwd_sink_requests_total", "counter",
	    "Sink requests by HTTP status (0 = no response).");
	for (const struct metrics_sink_row *k = snk; k < snk + nsnk; k++) {
		const struct sink_stats *st = k->st;
		for (int code = 0; code < SINK_STATUS_MAX; code++) {
			if (st->requests_by_status[code] == 0)
				continue;
			snprintf(num, sizeof(num), "%d", code);
			const char *l[] = { "sink", k->name, "code", num, NULL };
			rc |= metrics_sample(out, "oci_logfwd_sink_requests_total", l,
			    (double)st->requests_by_status[code]);
		}
	}
	FAMILY("oci_logfwd_sink_retries_total", "counter", "Requests that were retries.");
	for (const struct metrics_sink_row *k = snk; k < snk + nsnk; k++) {
		const char *l[] = { "sink", k->name, NULL };
		rc |= metrics_sample(out, "oci_logfwd_sink_retries_total", l,
		    (double)k->st->retries);
	}
	FAMILY("oci_logfwd_sink_queue_events", "gauge", "Events waiting in the sink's queue.");
	for (const struct metrics_sink_row *k = snk; k < snk + nsnk; k++) {
		const struct sink_stats *st = k->st;
		const char *l[] = { "sink", k->name, NULL };
		rc |= metrics_sample(out, "oci_logfwd_sink_queue_events", l,
		    (double)(st->queue_events + st->inflight_events));
	}
	FAMILY("oci_logfwd_sink_queue_bytes", "gauge", "Bytes waiting in the sink's queue.");
	for (const struct metrics_sink_row *k = snk; k < snk + nsnk; k++) {
		const char *l[] = { "sink", k->name, NULL };
		rc |= metrics_sample(out, "oci_logfwd_sink_queue_bytes", l,
		    (double)k->st->queue_bytes);
	}
	FAMILY("oci_logfwd_sink_healthy", "gauge", "1 when the sink delivers, 0 when failing.");
	for (const struct metrics_sink_row *k = snk; k < snk + nsnk; k++) {
		const char *l[] = { "sink", k->name, NULL };
		rc |= metrics_sample(out, "oci_logfwd_sink_healthy", l, k->healthy);
	}
	FAMILY("oci_logfwd_sink_last_success_timestamp_seconds", "gauge",
	    "When the sink last delivered events (Unix time; 0 = not yet).");
	for (const struct metrics_sink_row *k = snk; k < snk + nsnk; k++) {
		const char *l[] = { "sink", k->name, NULL };
		rc |= metrics_sample(out, "oci_logfwd_sink_last_success_timestamp_seconds", l,
		    (double)k->st->last_success_ms / 1000.0);
	}
	FAMILY("oci_logfwd_sink_request_seconds", "histogram", "Sink request duration.");
	for (const struct metrics_sink_row *k = snk; k < snk + nsnk; k++) {
		const struct sink_stats *st = k->st;
		const char *l[] = { "sink", k->name, NULL };
		rc |= metrics_histogram(out, "oci_logfwd_sink_request_seconds", l,
		    sink_seconds_bounds, st->seconds_bucket, SINK_SECONDS_BUCKETS - 1,
		    st->seconds_sum, st->seconds_count);
	}
#undef FAMILY
	return rc ? -1 : 0;
}
