/*
 * syslog_fmt.c — RFC 5424 messages with RFC 6587 octet-counting framing (syslog_fmt.h).
 */
#include <stdio.h>
#include <string.h>

#include "syslog_fmt.h"
#include "timeutil.h"

/* A header field: PRINTUSASCII (33..126) only, at most max bytes, "-" when empty. */
static int
put_field(struct buf *out, const char *v, size_t max)
{
	size_t i, n;

	if (v == NULL || *v == '\0')
		return buf_append_char(out, '-');
	n = strlen(v);
	if (n > max)
		n = max;
	if (buf_reserve(out, n) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		out->data[out->len++] = (c >= 33 && c <= 126) ? (char)c : '_';
	}
	out->data[out->len] = '\0';
	return 0;
}

/* PARAM-NAME="value" with '"', '\' and ']' escaped by a backslash (RFC 5424 6.3.3). */
static int
put_param(struct buf *out, const char *name, const char *v)
{
	if (v == NULL || *v == '\0')
		return 0;
	if (buf_printf(out, " %s=\"", name) != 0)
		return -1;
	for (; *v != '\0'; v++) {
		if ((*v == '"' || *v == '\\' || *v == ']') && buf_append_char(out, '\\') != 0)
			return -1;
		if (buf_append_char(out, *v) != 0)
			return -1;
	}
	return buf_append_char(out, '"');
}

int
syslog_frame(struct buf *out, const struct syslog_msg *m)
{
	size_t len0 = out->len, start, mlen;
	char ts[TIMEUTIL_RFC3339_SIZE], lenbuf[24];
	int n;

	/* The length prefix is only known afterwards: the message is built first, then
	 * moved right by the prefix's size. */
	start = out->len;
	if (buf_printf(out, "<%d>1 ", m->pri >= 0 ? m->pri : SYSLOG_PRI_DEFAULT) != 0)
		goto fail;
	if (m->time_ns > 0 &&
	    timeutil_format_rfc3339(m->time_ns / 1000000, TIMEUTIL_MS, ts) > 0) {
		if (buf_append_str(out, ts) != 0)
			goto fail;
	} else if (buf_append_char(out, '-') != 0) {
		goto fail;
	}
	if (buf_append_char(out, ' ') != 0 || put_field(out, m->hostname, 255) != 0 ||
	    buf_append_str(out, " " SYSLOG_APP_NAME " - ") != 0 ||
	    put_field(out, m->msgid, 32) != 0 ||
	    buf_append_str(out, " [" SYSLOG_SD_ID) != 0 ||
	    put_param(out, "source", m->source) != 0 ||
	    put_param(out, "recordId", m->record_id) != 0 ||
	    buf_append_char(out, ']') != 0)
		goto fail;
	if (m->msg != NULL && (buf_append_char(out, ' ') != 0 ||
	    buf_append(out, m->msg, m->msg_len) != 0))
		goto fail;
	mlen = out->len - start;
	n = snprintf(lenbuf, sizeof(lenbuf), "%zu ", mlen);
	if (buf_reserve(out, (size_t)n) != 0)
		goto fail;
	memmove(out->data + start + n, out->data + start, mlen);
	memcpy(out->data + start, lenbuf, (size_t)n);
	out->len += (size_t)n;
	out->data[out->len] = '\0';
	return 0;
fail:
	out->len = len0;
	if (out->data != NULL)
		out->data[len0] = '\0';
	return -1;
}
