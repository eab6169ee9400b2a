/*
 * format.h — encoders for normalized events: ECS, OCSF and raw (README "Output formats";
 * tests/data/golden/ is the field-by-field contract), plus the one-line human summary.
 *
 * Encoders write JSON straight into the caller's growing buffer (typically a batch
 * body): no tree is built.  Strings are escaped with invalid UTF-8 replaced by U+FFFD, so
 * the output is valid JSON whatever the input bytes.  JSON copied verbatim from the
 * record (raw's logContent, ECS oci.data, OCSF unmapped.data) keeps its bytes but loses
 * insignificant whitespace (one event = one line) and gets invalid UTF-8 replaced.
 *
 * ECS fields are written as nested objects ({"event":{"id":...}}), never dotted keys.
 * Missing or mistyped source fields are left out, never written as null.
 */
#ifndef OCI_LOGFWD_FORMAT_H
#define OCI_LOGFWD_FORMAT_H

#include "buf.h"
#include "conf.h" /* enum conf_format */
#include "event.h"

#define FORMAT_ECS_VERSION "8.11.0"
#define FORMAT_OCSF_VERSION "1.2.0"

/*
 * Appends exactly one JSON object (no newline) for ev in fmt to out.  region = the region
 * the source queried (cloud.region), may be NULL (then left out).  Returns 0, or -1 when
 * out's cap is reached or memory runs out; out is then unchanged.
 */
int format_encode(const struct event *ev, enum conf_format fmt, const char *region,
    struct buf *out);

/*
 * Appends the one-line human summary (the event's `message`) to out, unquoted
 * and not escaped (it may contain any byte of the record's strings).  0, or -1 with out
 * unchanged.  Examples:
 *   ACCEPT TCP 203.0.113.7:51234 -> 10.0.2.121:22 (3 packets, 180 bytes)
 *   NODATA flow record for ocid1.vnic.oc1...
 *   InstanceAction on prod-web-01 by ops-automation -> 200
 *   com.oraclecloud.logging.custom.app from host-1 : the message
 * A missing part is "-"; an IPv6 address is written [addr]:port.
 */
int format_summary(const struct event *ev, struct buf *out);

/* "ecs", "ocsf", "raw"; NULL for an unknown value. */
const char *format_name(enum conf_format fmt);


#endif
