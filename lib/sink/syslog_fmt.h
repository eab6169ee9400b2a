/*
 * syslog_fmt.h — one RFC 5424 syslog message, framed by octet counting (RFC 6587 3.4.1:
 * "LEN SP MSG", LEN the message's byte count in decimal), the framing that lets a MSG hold
 * any bytes, newlines included, and that syslog-ng, rsyslog, QRadar and ArcSight read.
 *
 *   <PRI>1 TIMESTAMP HOSTNAME oci-logfwd - MSGID [oci-logfwd@32473 source=".." recordId=".."] MSG
 *
 * PRI is facility local0 (16) and severity informational (6) = 134 unless pri >= 0 says
 * otherwise; TIMESTAMP the event time in RFC 3339 UTC with milliseconds ("-" when unknown);
 * MSGID the dataset (oci.audit, oci.vcn_flow, oci.log).  32473 is the enterprise number
 * RFC 5612 reserves for documentation and examples: the structured-data element is ours,
 * not a registered one.  Header fields are printable US-ASCII without spaces (anything else
 * becomes '_') and cut to RFC 5424's lengths; SD values escape '"', '\' and ']'.
 */
#ifndef OCI_LOGFWD_SYSLOG_FMT_H
#define OCI_LOGFWD_SYSLOG_FMT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define SYSLOG_APP_NAME "oci-logfwd"
#define SYSLOG_SD_ID "oci-logfwd@32473"
#define SYSLOG_PRI_DEFAULT 134

struct syslog_msg {
	int pri;                /* < 0: SYSLOG_PRI_DEFAULT */
	int64_t time_ns;        /* <= 0: "-" */
	const char *hostname;   /* NULL or "": "-" */
	const char *msgid;      /* NULL or "": "-" */
	const char *source;     /* SD param; NULL or "": left out */
	const char *record_id;  /* SD param; NULL or "": left out */
	const char *msg;        /* may be NULL (no MSG) */
	size_t msg_len;
};

/* Appends "LEN SP <message>" to out; 0 or -1 (memory). */
int syslog_frame(struct buf *out, const struct syslog_msg *m);

#endif
