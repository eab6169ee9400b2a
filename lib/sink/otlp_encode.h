/*
 * otlp_encode.h — OpenTelemetry logs in the OTLP/HTTP JSON encoding (the body of
 * `POST /v1/logs`), built in two steps like every sink envelope here:
 *
 *   otlp_encode_item(): once per event, at submit — one "item" holding the event's
 *     resource (the attributes cloud.provider = "oci", cloud.region, cloud.account.id)
 *     and its logRecord, separated by a newline (compact JSON never contains one);
 *   otlp_assemble(): per request — {"resourceLogs":[...]} with consecutive items of the
 *     same resource grouped under one resourceLogs entry (one scopeLogs, scope
 *     "oci-logfwd"), so that a split re-assembles subsets without re-encoding.
 *
 * A logRecord: timeUnixNano and observedTimeUnixNano as decimal strings (OTLP/JSON writes
 * 64-bit integers as strings), severityNumber 9 / severityText "INFO" (OCI audit, flow and
 * service log records carry no severity of their own), body.stringValue = the event as
 * encoded in the sink's format, attributes: event.dataset, oci.source (the source's name),
 * log.record.uid (the OCI record id) — a KeyValue list of stringValue values; an absent
 * value is left out, never sent empty.
 */
#ifndef OCI_LOGFWD_OTLP_ENCODE_H
#define OCI_LOGFWD_OTLP_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct otlp_record {
	int64_t time_ns;        /* event time; <= 0: omitted (the receiver uses observed) */
	int64_t observed_ns;    /* when the forwarder saw it; <= 0: omitted */
	const char *dataset;    /* "oci.audit", ...; NULL = omitted */
	const char *source;     /* NULL or "" = omitted */
	const char *record_id;  /* NULL or "" = omitted */
	const char *region;     /* resource cloud.region; NULL or "" = omitted */
	const char *account_id; /* resource cloud.account.id (tenancy); NULL or "" = omitted */
	const char *body;       /* the event text (any bytes; escaped) */
	size_t body_len;
};

/* Appends one item (resource + "\n" + logRecord) to out; 0 or -1 (memory). */
int otlp_encode_item(struct buf *out, const struct otlp_record *r);

/* Appends the request body for items[0..n) (n >= 1, each from otlp_encode_item);
 * 0, or -1 (memory, or an item that otlp_encode_item did not make). */
int otlp_assemble(struct buf *out, const char *const *items, const size_t *lens, size_t n);

/* Bytes otlp_assemble adds around n items at most: fixed part and per item. */
#define OTLP_BODY_OVERHEAD 128
#define OTLP_ITEM_OVERHEAD 2

#endif
