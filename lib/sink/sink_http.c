/*
 * sink_http.c — the generic webhook: a JSON array (default), NDJSON, or one JSON object
 * per request (encoding = json), optionally each event rendered through `template`.
 * Headers: Content-Type, `header` lines, `token` as Bearer, username/password as Basic.
 */
#include <stdio.h>
#include <string.h>

#include "sink_http.h"
#include "sink_impl.h"
#include "template.h"

/* The type's own keys (struct sink_http_conf); -t prints template before `header`. */
static const struct key http_conf_keys[] = {
	CONF_TYPE_KEY_EARLY("template", V_STR, struct sink_http_conf, template, 0, 0, NULL),
	CONF_TYPE_KEYS_END,
};

static const struct sink_http_conf *
htc(const struct conf_sink *cfg)
{
	static const struct sink_http_conf none;

	return cfg->type_conf != NULL ? cfg->type_conf : &none;
}

static int
http_init(struct sink *s, struct err *err)
{
	struct sink_common *c = sink_common(s);
	const struct conf_sink *cfg = c->cfg;
	struct template *t = NULL;

	if (sink_set_url(c, cfg->url, "", err) != 0)
		return -1;
	if (htc(cfg)->template != NULL) {
		t = template_new(htc(cfg)->template, err->msg, sizeof(err->msg));
		if (t == NULL)
			return -1;
		c->priv = t;
	} else {
		c->item_is_json = 1; /* no copy: the item is the event itself */
	}
	switch (cfg->encoding) {
	case CONF_ENC_NDJSON:
		c->per_item_overhead = 1;
		if (sink_add_header(c, "Content-Type: application/x-ndjson") != 0)
			goto oom;
		break;
	case CONF_ENC_JSON:
		c->lim_events = 1; /* one event per request */
		if (sink_add_header(c, "Content-Type: application/json") != 0)
			goto oom;
		break;
	case CONF_ENC_DEFAULT:
	case CONF_ENC_JSON_ARRAY:
		c->per_item_overhead = 1;
		c->body_overhead = 2;
		if (sink_add_header(c, "Content-Type: application/json") != 0)
			goto oom;
		break;
	}
	if (sink_add_auth(c, sink_http_ops.auth) != 0)
		goto oom;
	return sink_add_config_headers(c, err);
oom:
	snprintf(err->msg, sizeof(err->msg), "out of memory");
	return -1;
}

static void
http_fini(struct sink *s)
{
	struct sink_common *c = sink_common(s);

	template_free(c->priv);
	c->priv = NULL;
}

static int
http_encode(struct sink *s, const struct sink_doc *doc, struct buf *out,
    struct err *err)
{
	struct sink_common *c = sink_common(s);

	if (c->priv == NULL)
		return buf_append(out, doc->json, doc->len);
	return template_render(c->priv, doc->json, doc->len, out, err->msg,
	    sizeof(err->msg));
}

static int
http_assemble(struct sink *s, struct sink_event *const *evs, size_t n,
    struct sink_body *out)
{
	switch (sink_common(s)->cfg->encoding) {
	case CONF_ENC_NDJSON:
		return sink_body_join_items(out, evs, n, "", "\n", "\n");
	case CONF_ENC_JSON:
		return sink_body_join_items(out, evs, 1, "", "", "");
	case CONF_ENC_DEFAULT:
	case CONF_ENC_JSON_ARRAY:
		break;
	}
	return sink_body_join_items(out, evs, n, "[", ",", "]");
}

/* What http_init would refuse: a template that does not compile. */
static void
http_check(const struct conf_sink *cfg, struct conf_check *chk)
{
	char msg[256];
	struct template *t;

	if (htc(cfg)->template != NULL) {
		t = template_new(htc(cfg)->template, msg, sizeof(msg));
		if (t == NULL)
			conf_check_err(chk, conf_check_line(chk, "template"), "template", "%s",
			    msg);
		template_free(t);
	}
	sink_check_token_or_basic(cfg, chk);
}

static const char *const http_keys[] = { SINK_HTTP_KEYS, "api_key", "token", "username",
	"password", NULL };
static const enum sink_auth http_auth[] = { SINK_AUTH_BEARER, SINK_AUTH_BASIC,
	SINK_AUTH_END };

/* No probe_request: a webhook has no validation endpoint (the registry says so). */
const struct sink_ops sink_http_ops = {
	.type = "http",
	.keys = http_keys,
	.conf_keys = http_conf_keys,
	.conf_size = sizeof(struct sink_http_conf),
	.required = "url",
	.auth = http_auth,
	.check = http_check,
	.init = http_init,
	.fini = http_fini,
	.encode_item = http_encode,
	.assemble_body = http_assemble,
};
