/*
 * sink_elasticsearch.c — Elasticsearch / OpenSearch _bulk: NDJSON, a
 * `create` action line with _index and an _id from the record's fingerprint (hex), then
 * the document; every line ends with "\n".  `create` + a deterministic _id makes a replay
 * idempotent: a per-item 409 means "already there" and counts as delivered.  A 200 with
 * errors:true is read item by item: 429/5xx items are retried alone, others dead-lettered.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "http.h"
#include "sink_impl.h"

#define ES_DEFAULT_INDEX "logs-oci-default"

static int
es_init(struct sink *s, struct sink_err *err)
{
	struct sink_common *c = sink_common(s);
	const struct conf_sink *cfg = c->cfg;

	if (sink_set_url(c, cfg->url, "/_bulk", err) != 0)
		return -1;
	/* The bulk answer lists every item (errors and all): up to a few hundred bytes
	 * per item.  Past this it is cut, and a cut answer with errors cannot be read. */
	c->max_response = 32u << 20;
	if (sink_add_header(c, "Content-Type: application/x-ndjson") != 0)
		goto oom;
	if (cfg->api_key != NULL &&
	    sink_add_header(c, "Authorization: ApiKey %s", cfg->api_key) != 0)
		goto oom;
	else if (cfg->api_key == NULL && cfg->token != NULL &&
	    sink_add_header(c, "Authorization: Bearer %s", cfg->token) != 0)
		goto oom;
	else if (cfg->api_key == NULL && cfg->token == NULL && cfg->username != NULL &&
	    sink_add_basic_auth(c, cfg->username, cfg->password) != 0)
		goto oom;
	return sink_add_config_headers(c, err);
oom:
	snprintf(err->msg, sizeof(err->msg), "out of memory");
	return -1;
}

static int
es_encode(struct sink *s, const struct sink_doc *doc, struct buf *out,
    struct sink_err *err)
{
	const char *index = sink_common(s)->cfg->index;

	if (index == NULL)
		index = ES_DEFAULT_INDEX;
	if (buf_append_str(out, "{\"create\":{\"_index\":") != 0 ||
	    buf_append_json_string(out, index, strlen(index)) != 0 ||
	    buf_printf(out, ",\"_id\":\"%016llx\"}}\n",
	        (unsigned long long)doc->fingerprint) != 0 ||
	    buf_append(out, doc->json, doc->len) != 0 || buf_append_char(out, '\n') != 0) {
		snprintf(err->msg, sizeof(err->msg), "out of memory encoding the event");
		return -1;
	}
	return 0;
}

static int
es_assemble(struct sink *s, struct sink_event *const *evs, size_t n, struct buf *out)
{
	return sink_join_items(out, evs, n, "", "", "");
}

/* 1 when the response says errors:false near its start (no need to parse it all). */
static int
quick_no_errors(const char *body, size_t len)
{
	size_t n = len < 128 ? len : 128;
	const char *p;

	for (p = body; p + 15 <= body + n; p++)
		if (memcmp(p, "\"errors\":false", 14) == 0)
			return 1;
	return 0;
}

static int
es_parse(struct sink *s, const struct http_response *r, struct sink_event *const *evs,
    size_t n, struct sink_item_result *res)
{
	json_t *root, *items, *errs;
	json_error_t je;
	size_t i;
	int rc = -1;

	if (r->body != NULL && quick_no_errors(r->body, r->body_len))
		return 0; /* res[] is zeroed: all SINK_ITEM_OK */
	if (r->body == NULL || r->body_len == 0)
		return 0;
	root = json_loadb(r->body, r->body_len, 0, &je);
	if (root == NULL)
		return -1;
	errs = json_object_get(root, "errors");
	if (!json_is_true(errs)) {
		/* Only errors:true says some item failed (a bare 2xx, e.g. from a proxy that
		 * answers for the cluster, counts as accepted). */
		rc = 0;
		goto done;
	}
	items = json_object_get(root, "items");
	if (!json_is_array(items) || json_array_size(items) != n)
		goto done;
	for (i = 0; i < n; i++) {
		json_t *it = json_array_get(items, i), *op, *e;
		const char *key;
		int st;

		if (!json_is_object(it) || json_object_size(it) < 1)
			goto done;
		key = json_object_iter_key(json_object_iter(it));
		op = json_object_get(it, key);
		st = (int)json_integer_value(json_object_get(op, "status"));
		res[i].status = st;
		if ((st >= 200 && st < 300) || st == 409) {
			res[i].action = SINK_ITEM_OK;
			continue;
		}
		e = json_object_get(op, "error");
		snprintf(res[i].reason, sizeof(res[i].reason), "%s: %s",
		    json_string_value(json_object_get(e, "type")) ?
		        json_string_value(json_object_get(e, "type")) : "error",
		    json_string_value(json_object_get(e, "reason")) ?
		        json_string_value(json_object_get(e, "reason")) : "");
		res[i].action = (st == 429 || st >= 500 || st == 0) ? SINK_ITEM_RETRY :
		    SINK_ITEM_REJECT;
	}
	rc = 0;
done:
	json_decref(root);
	return rc;
}

const struct sink_ops sink_elasticsearch_ops = {
	.type = "elasticsearch",
	.init = es_init,
	.encode_item = es_encode,
	.assemble = es_assemble,
	.parse_2xx = es_parse,
};
