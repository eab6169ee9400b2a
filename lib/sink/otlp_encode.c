/*
 * otlp_encode.c — OTLP/HTTP JSON logs (see otlp_encode.h for the shape).
 */
#include <inttypes.h>
#include <string.h>

#include "otlp_encode.h"

#ifndef OCI_LOGFWD_VERSION
#define OCI_LOGFWD_VERSION "dev"
#endif

static int
kv_string(struct buf *out, int *first, const char *key, const char *val)
{
	if (val == NULL || *val == '\0')
		return 0;
	if (!*first && buf_append_char(out, ',') != 0)
		return -1;
	*first = 0;
	if (buf_append_str(out, "{\"key\":") != 0 ||
	    buf_append_json_string(out, key, strlen(key)) != 0 ||
	    buf_append_str(out, ",\"value\":{\"stringValue\":") != 0 ||
	    buf_append_json_string(out, val, strlen(val)) != 0 ||
	    buf_append_str(out, "}}") != 0)
		return -1;
	return 0;
}

int
otlp_encode_item(struct buf *out, const struct otlp_record *r)
{
	size_t len0 = out->len;
	int first = 1;

	/* The resource: one line, compared byte for byte by otlp_assemble. */
	if (buf_append_str(out, "{\"attributes\":[") != 0 ||
	    kv_string(out, &first, "cloud.provider", "oci") != 0 ||
	    kv_string(out, &first, "cloud.region", r->region) != 0 ||
	    kv_string(out, &first, "cloud.account.id", r->account_id) != 0 ||
	    buf_append_str(out, "]}\n{") != 0)
		goto fail;
	if (r->time_ns > 0 &&
	    buf_printf(out, "\"timeUnixNano\":\"%" PRId64 "\",", r->time_ns) != 0)
		goto fail;
	if (r->observed_ns > 0 &&
	    buf_printf(out, "\"observedTimeUnixNano\":\"%" PRId64 "\",", r->observed_ns) != 0)
		goto fail;
	first = 1;
	if (buf_append_str(out, "\"severityNumber\":9,\"severityText\":\"INFO\","
	    "\"body\":{\"stringValue\":") != 0 ||
	    buf_append_json_string(out, r->body, r->body_len) != 0 ||
	    buf_append_str(out, "},\"attributes\":[") != 0 ||
	    kv_string(out, &first, "event.dataset", r->dataset) != 0 ||
	    kv_string(out, &first, "oci.source", r->source) != 0 ||
	    kv_string(out, &first, "log.record.uid", r->record_id) != 0 ||
	    buf_append_str(out, "]}") != 0)
		goto fail;
	return 0;
fail:
	out->len = len0;
	return -1;
}

int
otlp_assemble(struct buf *out, const char *const *items, const size_t *lens, size_t n)
{
	const char *cur = NULL;
	size_t cur_len = 0, i;

	if (buf_append_str(out, "{\"resourceLogs\":[") != 0)
		return -1;
	for (i = 0; i < n; i++) {
		const char *nl = memchr(items[i], '\n', lens[i]);
		size_t rlen;

		if (nl == NULL)
			return -1;
		rlen = (size_t)(nl - items[i]);
		if (cur == NULL || rlen != cur_len || memcmp(cur, items[i], rlen) != 0) {
			if (cur != NULL && buf_append_str(out, "]}]},") != 0)
				return -1;
			if (buf_append_str(out, "{\"resource\":") != 0 ||
			    buf_append(out, items[i], rlen) != 0 ||
			    buf_append_str(out, ",\"scopeLogs\":[{\"scope\":{\"name\":"
			    "\"oci-logfwd\",\"version\":\"" OCI_LOGFWD_VERSION "\"},"
			    "\"logRecords\":[") != 0)
				return -1;
			cur = items[i];
			cur_len = rlen;
		} else if (buf_append_char(out, ',') != 0) {
			return -1;
		}
		if (buf_append(out, nl + 1, lens[i] - rlen - 1) != 0)
			return -1;
	}
	if (cur != NULL && buf_append_str(out, "]}]}") != 0)
		return -1;
	return buf_append_str(out, "]}");
}
