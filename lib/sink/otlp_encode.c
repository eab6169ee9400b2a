/*
 * otlp_encode.c — OTLP/HTTP JSON logs (see otlp_encode.h for the shape).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

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

/* The first string found at one of the dotted paths, strdup'ed; NULL when none. */
static char *
first_string(json_t *root, const char *const *paths)
{
	for (; *paths != NULL; paths++) {
		char part[64];
		const char *p = *paths;
		json_t *j = root;

		while (j != NULL && *p != '\0') {
			size_t k = strcspn(p, ".");
			if (k >= sizeof(part))
				return NULL;
			memcpy(part, p, k);
			part[k] = '\0';
			j = json_is_object(j) ? json_object_get(j, part) : NULL;
			p += k + (p[k] == '.');
		}
		if (json_is_string(j) && json_string_length(j) > 0)
			return strdup(json_string_value(j));
	}
	return NULL;
}

int
otlp_fields_get(const char *json, size_t len, struct otlp_fields *f)
{
	static const char *const id_paths[] = { "event.id", "metadata.uid", "id", NULL };
	static const char *const acct_paths[] = { "cloud.account.id", "cloud.account.uid",
	    "oracle.tenantid", NULL };
	static const char *const region_paths[] = { "cloud.region", NULL };
	json_t *root;

	memset(f, 0, sizeof(*f));
	root = json_loadb(json, len, JSON_ALLOW_NUL, NULL);
	if (!json_is_object(root)) {
		json_decref(root);
		return -1;
	}
	f->record_id = first_string(root, id_paths);
	f->account_id = first_string(root, acct_paths);
	f->region = first_string(root, region_paths);
	json_decref(root);
	return 0;
}

void
otlp_fields_free(struct otlp_fields *f)
{
	free(f->record_id);
	free(f->account_id);
	free(f->region);
	memset(f, 0, sizeof(*f));
}
