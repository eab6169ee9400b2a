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
#include "sink_elasticsearch.h"
#include "sink_impl.h"

/* The type's own keys (struct sink_elasticsearch_conf). */
static const struct key es_conf_keys[] = {
	CONF_TYPE_KEY("index", V_STR, struct sink_elasticsearch_conf, index, 0, 0, NULL),
	CONF_TYPE_KEYS_END,
};

static const struct sink_elasticsearch_conf *
esc(const struct conf_sink *cfg)
{
	static const struct sink_elasticsearch_conf none;

	return cfg->type_conf != NULL ? cfg->type_conf : &none;
}

#define ES_DEFAULT_INDEX "logs-oci-default"

static int
es_init(struct sink *s, struct err *err)
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
	if (sink_add_auth(c, sink_elasticsearch_ops.auth) != 0)
		goto oom;
	return sink_add_config_headers(c, err);
oom:
	snprintf(err->msg, sizeof(err->msg), "out of memory");
	return -1;
}

static int
es_encode(struct sink *s, const struct sink_doc *doc, struct buf *out,
    struct err *err)
{
	const char *index = esc(sink_common(s)->cfg)->index;

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
es_assemble(struct sink *s, struct sink_event *const *evs, size_t n, struct sink_body *out)
{
	return sink_body_join_items(out, evs, n, "", "", "");
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

/* .../<index>/_bulk: the index is not the service base; GET / names the cluster. */
static int
es_probe_request(const struct conf_sink *k, struct buf *url,
    int (*add)(void *arg, const char *name_colon, const char *value), void *arg)
{
	size_t o = sink_url_origin_len(k->url);

	if (strstr(k->url + o, "/_bulk") != NULL)
		buf_append(url, k->url, o);
	else
		sink_url_base(k->url, NULL, url);
	buf_append_str(url, "/");
	return 0;
}

static enum sink_probe_verdict
es_probe_answer(const struct conf_sink *k, long status, const char *body, size_t len,
    struct buf *detail, struct buf *fix)
{
	json_t *v;

	if (status >= 200 && status < 300) {
		v = json_loadb(body, len, 0, NULL);
		if (v != NULL) {
			json_t *ver = json_object_get(v, "version");
			const char *cn = json_string_value(json_object_get(v, "cluster_name"));
			const char *num = json_string_value(json_object_get(ver, "number"));
			const char *dist = json_string_value(json_object_get(ver,
			    "distribution"));
			if (num != NULL)
				buf_printf(detail, " (%s %s%s%s)", dist ? dist : "Elasticsearch",
				    num, cn ? ", cluster " : "", cn ? cn : "");
			json_decref(v);
		}
		return SINK_PROBE_GENERIC;
	}
	if (status == 403) {
		/* Authenticated: a least-privilege writer may not read the cluster info. */
		buf_printf(fix, "Elasticsearch accepted the credentials but forbids GET / "
		    "(the `monitor` cluster privilege): write access to the index could not be "
		    "confirmed.  Delivery needs create_doc (and auto_configure/create_index for "
		    "new data streams) on %s.", esc(k)->index ? esc(k)->index : ES_DEFAULT_INDEX);
		return SINK_PROBE_WARN;
	}
	if (status == 401) {
		buf_printf(fix, "Elasticsearch refused the credentials (HTTP %ld): check "
		    "%s.", status, k->api_key ? "api_key (the base64 \"encoded\" value Kibana "
		    "shows, i.e. base64(id:api_key))" : k->token ? "token" :
		    k->username ? "username and password" : "the credentials: none are "
		    "configured (set api_key, or username and password)");
		return SINK_PROBE_FAILED;
	}
	return SINK_PROBE_GENERIC;
}

/* token (Bearer) is read but -t does not list it for this type, as before. */
static const char *const es_keys[] = { SINK_HTTP_KEYS, "api_key", "username", "password",
	NULL };
static const enum sink_auth es_auth[] = { SINK_AUTH_APIKEY, SINK_AUTH_BEARER,
	SINK_AUTH_BASIC, SINK_AUTH_END };

const struct sink_ops sink_elasticsearch_ops = {
	.type = "elasticsearch",
	.keys = es_keys,
	.conf_keys = es_conf_keys,
	.conf_size = sizeof(struct sink_elasticsearch_conf),
	.auth = es_auth,
	.required = "url",
	.probe_request = es_probe_request,
	.probe_answer = es_probe_answer,
	.init = es_init,
	.encode_item = es_encode,
	.assemble_body = es_assemble,
	.parse_2xx = es_parse,
};
