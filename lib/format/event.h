/*
 * event.h — one normalized OCI log record (the fields the encoders map; their output is
 * specified by tests/data/golden/).
 *
 * An event is produced by normalize_record() (normalize.h) and read by the encoders
 * (format.h) and the pipeline.  It owns nothing: every string is a slice borrowed either
 * from the input JSON text (when the value had no escapes) or from the normalizer's
 * scratch arena (when it had escapes and was decoded), valid until the next call on the
 * same normalizer.  Slices are NOT NUL-terminated; use (p, len).  A slice with p == NULL
 * is absent (missing, null or of the wrong type).  Decoded strings may hold any bytes,
 * including NUL and invalid UTF-8: encode them with buf_append_json_escaped().
 */
#ifndef OCI_LOGFWD_EVENT_H
#define OCI_LOGFWD_EVENT_H

#include <stddef.h>
#include <stdint.h>

enum event_kind { EVENT_AUDIT, EVENT_FLOW, EVENT_OTHER };

/* "audit", "flow", "other"; never NULL ("other" for out-of-range values). */
const char *event_kind_name(enum event_kind k);

/* A borrowed string slice; p == NULL means absent. */
struct ev_str {
	const char *p;
	size_t len;
};

/* Audit verb, from the prefix of data.eventName: Create, Launch, Add, Attach -> create;
 * Get, List, Search, Summarize, Head -> read; Delete, Terminate, Remove, Detach -> delete;
 * Update, Change, Move, Instance, Patch, Put, Enable, Disable, Reset -> update. */
enum event_verb { VERB_OTHER, VERB_CREATE, VERB_READ, VERB_UPDATE, VERB_DELETE };

/* Flow record status (data.status). */
enum flow_status {
	FLOW_STATUS_ABSENT,  /* missing or not a string: treated as traffic, partial */
	FLOW_STATUS_OK,
	FLOW_STATUS_NODATA,
	FLOW_STATUS_SKIPDATA,
	FLOW_STATUS_OTHER,   /* some other string: treated like NODATA (no endpoints) */
};

/* Flow action (data.action). */
enum flow_action { FLOW_ACTION_ABSENT, FLOW_ACTION_ACCEPT, FLOW_ACTION_REJECT, FLOW_ACTION_OTHER };

/*
 * Where the event's time comes from, first usable wins: lc.time (RFC 3339 within
 * 1677..2262, what int64 ns holds), the result's `datetime` (epoch ms), oracle.ingestedtime,
 * the time the record was read.  Anything after the first makes the event partial,
 * except `datetime`, the documented fallback.  An event always has a time.
 */
enum event_time_src { EV_TIME_RECORD, EV_TIME_DATETIME, EV_TIME_INGESTED, EV_TIME_READ };

/* Presence bits for the integer fields (enum event_has). */
enum event_has {
	EV_HAS_TIME = 1u << 0,       /* time_ns valid (always from normalize.h) */
	EV_HAS_INGESTED = 1u << 1,   /* ingested_ns valid */
	EV_HAS_STATUS = 1u << 2,     /* audit http_status valid */
	EV_HAS_SRC_PORT = 1u << 3,
	EV_HAS_DST_PORT = 1u << 4,
	EV_HAS_PROTOCOL = 1u << 5,
	EV_HAS_BYTES = 1u << 6,
	EV_HAS_PACKETS = 1u << 7,
	EV_HAS_START = 1u << 8,      /* start_s valid */
	EV_HAS_END = 1u << 9,        /* end_s valid */
};

struct event {
	/* --- read directly by the pipeline --- */
	int64_t time_ns;      /* record time, see enum event_time_src */
	int64_t ingested_ns;  /* oracle.ingestedtime, 0 when absent */
	enum event_kind kind;
	uint64_t fingerprint; /* XXH64 (seed 0) of the exact logContent bytes (see normalize.h) */
	int partial;          /* an expected field was missing or mistyped */
	const char *id;       /* lc.id, NUL-terminated copy in the arena, or NULL */
	const char *raw;      /* the original logContent JSON bytes, borrowed from the input */
	size_t raw_len;

	/* --- used by the encoders --- */
	unsigned has;         /* enum event_has bits */
	enum event_time_src time_src; /* where time_ns came from */

	/* envelope */
	struct ev_str id_s;   /* lc.id as a slice (same bytes as id) */
	struct ev_str type;   /* lc.type */
	struct ev_str source; /* lc.source */
	struct ev_str subject;/* lc.subject */
	struct ev_str time_s; /* lc.time as received */
	struct ev_str service;/* third dot-separated part of lc.type */
	/* oracle.* */
	struct ev_str tenant_id, compartment_id, log_group_id, log_id;
	struct ev_str vnic_id, subnet_id, vcn_id;
	/* lc.data: the value's JSON bytes, verbatim (any JSON type); p == NULL when absent */
	struct ev_str data_json;

	/* audit */
	enum event_verb verb;
	int http_status;      /* d.response.status as an integer (EV_HAS_STATUS) */
	struct ev_str status_text; /* d.response.status as received (string, or number text) */
	struct ev_str event_name, event_grouping_id, compartment_name;
	struct ev_str resource_name, resource_id, availability_domain;
	struct ev_str principal_name, principal_id, ip_address, user_agent, auth_type;
	struct ev_str req_action, req_id, req_path;

	/* flow */
	enum flow_status flow_status;
	enum flow_action flow_action;
	struct ev_str status_s;   /* d.status as received */
	struct ev_str action_s;   /* d.action as received */
	struct ev_str src_addr, dst_addr, protocol_name, flow_id;
	struct ev_str version;    /* d.version: string, or the number's text */
	int src_port, dst_port, protocol;
	int64_t bytes_out, packets;
	int64_t start_s, end_s;   /* epoch seconds */

	/* other */
	struct ev_str message;    /* d.message when a string (any kind) */
};

#endif
