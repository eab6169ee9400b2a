/*
 * sink_otlp.c — type otlp: OpenTelemetry logs over OTLP/HTTP with the JSON encoding
 * (POST <url>/v1/logs, Content-Type: application/json), which the OpenTelemetry
 * Collector's otlphttp receiver and most vendors' OTLP endpoints accept.  The body's
 * shape is otlp_encode.h's; each event's record id, tenancy and region are read back from
 * the event in the sink's format (evfields.h).  Authentication: `token` (sent as
 * "Authorization: Bearer") or `header` lines; gzip with compression = gzip.  Responses are
 * judged by status like every HTTP sink (sink.h); a 200 with partialSuccess counts as
 * delivered (OTLP does not say which records it refused).
 */
#include <stdio.h>
#include <stdlib.h>

#include "evfields.h"
#include "otlp_encode.h"
#include "sink_impl.h"
#include "timeutil.h"

static const char *const otlp_keys[] = { SINK_HTTP_KEYS, "token", NULL };
static const enum sink_auth otlp_auth[] = { SINK_AUTH_BEARER, SINK_AUTH_END };

static int
otlp_init(struct sink *s, struct err *err)
{
	struct sink_common *c = sink_common(s);

	if (sink_set_url(c, c->cfg->url, "/v1/logs", err) != 0)
		return -1;
	c->per_item_overhead = OTLP_ITEM_OVERHEAD;
	c->body_overhead = OTLP_BODY_OVERHEAD;
	if (sink_add_header(c, "Content-Type: application/json") != 0 ||
	    sink_add_auth(c, otlp_auth) != 0) {
		err_set(err, ERR_OTHER, "out of memory");
		return -1;
	}
	return sink_add_config_headers(c, err);
}

static int
otlp_encode(struct sink *s, const struct sink_doc *doc, struct buf *out,
    struct err *err)
{
	struct evfields f;
	struct otlp_record r;
	int rc;

	(void)s;
	if (evfields_get(doc->json, doc->len, &f) != 0) {
		err_set(err, ERR_OTHER, "the event is not a JSON object");
		return -1;
	}
	r.time_ns = doc->time_ns;
	r.observed_ns = timeutil_now_ms() * 1000000;
	r.dataset = evfields_dataset(doc->kind);
	r.source = doc->source;
	r.record_id = f.record_id;
	r.region = f.region;
	r.account_id = f.account_id;
	r.body = doc->json;
	r.body_len = doc->len;
	rc = otlp_encode_item(out, &r);
	evfields_free(&f);
	if (rc != 0)
		err_set(err, ERR_OTHER, "out of memory");
	return rc;
}

/* The envelope regroups the items by resource: built whole, in the body's glue. */
static int
otlp_assemble_ops(struct sink *s, struct sink_event *const *evs, size_t n,
    struct sink_body *body)
{
	struct buf *out = sink_body_glue(body);
	const char **items = malloc(n * sizeof(*items));
	size_t *lens = malloc(n * sizeof(*lens)), i;
	int rc = -1;

	(void)s;
	if (items != NULL && lens != NULL) {
		for (i = 0; i < n; i++) {
			items[i] = evs[i]->item;
			lens[i] = evs[i]->item_len;
		}
		rc = otlp_assemble(out, items, lens, n);
	}
	free(items);
	free(lens);
	return rc;
}

/* No probe: OTLP has no endpoint that checks credentials without sending logs. */
const struct sink_ops sink_otlp_ops = {
	.type = "otlp",
	.keys = otlp_keys,
	.required = "url",
	.auth = otlp_auth,
	.init = otlp_init,
	.encode_item = otlp_encode,
	.assemble_body = otlp_assemble_ops,
};
