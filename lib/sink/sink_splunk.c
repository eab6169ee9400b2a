/*
 * sink_splunk.c — Splunk HTTP Event Collector: POST
 * /services/collector/event with `Authorization: Splunk <token>`; the body is event
 * envelopes back to back (not an array): time (epoch seconds with a fraction), host,
 * source, sourcetype (per kind unless `sourcetype` is set), index, event.  A 400 for the
 * whole batch over one bad event is handled by the engine's split.
 */
#include <openssl/rand.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sink_impl.h"
#include "sink_splunk.h"

/* The type's own keys (struct sink_splunk_conf; -t prints them in this order). */
#define HK(n, f) CONF_TYPE_KEY(n, V_STR, struct sink_splunk_conf, f, 0, 0, NULL)
static const struct key hec_conf_keys[] = {
	HK("index", index),
	HK("sourcetype", sourcetype),
	HK("hostname", hostname),
	HK("source_name", source_field),
	CONF_TYPE_KEYS_END,
};

static const struct sink_splunk_conf *
hkc(const struct conf_sink *cfg)
{
	static const struct sink_splunk_conf none;

	return cfg->type_conf != NULL ? cfg->type_conf : &none;
}

struct hec {
	char host[256];
};

static int
hec_init(struct sink *s, struct err *err)
{
	struct sink_common *c = sink_common(s);
	const struct conf_sink *cfg = c->cfg;
	unsigned char r[16];
	struct hec *h;

	if (cfg->token == NULL || *cfg->token == '\0') {
		snprintf(err->msg, sizeof(err->msg), "token is required");
		return -1;
	}
	if (sink_set_url(c, cfg->url, "/services/collector/event", err) != 0)
		return -1;
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		goto oom;
	c->priv = h;
	if (hkc(cfg)->hostname != NULL)
		snprintf(h->host, sizeof(h->host), "%s", hkc(cfg)->hostname);
	else if (gethostname(h->host, sizeof(h->host) - 1) != 0)
		snprintf(h->host, sizeof(h->host), "oci-logfwd");
	c->per_item_overhead = 1;
	/* A channel is required when the token has indexer acknowledgement; harmless otherwise. */
	if (RAND_bytes(r, sizeof(r)) != 1)
		memset(r, 0x5a, sizeof(r));
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	if (sink_add_header(c, "Content-Type: application/json") != 0 ||
	    sink_add_auth(c, sink_splunk_ops.auth) != 0 ||
	    sink_add_header(c, "X-Splunk-Request-Channel: %02x%02x%02x%02x-%02x%02x-%02x%02x-"
	        "%02x%02x-%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4], r[5],
	        r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]) != 0)
		goto oom;
	return sink_add_config_headers(c, err);
oom:
	snprintf(err->msg, sizeof(err->msg), "out of memory");
	return -1;
}

static void
hec_fini(struct sink *s)
{
	free(sink_common(s)->priv);
	sink_common(s)->priv = NULL;
}

static const char *
default_sourcetype(enum sink_kind k)
{
	switch (k) {
	case SINK_KIND_AUDIT: return "oci:audit";
	case SINK_KIND_FLOW: return "oci:vcn:flow";
	case SINK_KIND_OTHER: break;
	}
	return "oci:logging";
}

static int
hec_encode(struct sink *s, const struct sink_doc *doc, struct buf *out,
    struct err *err)
{
	const struct sink_common *c = sink_common(s);
	const struct conf_sink *cfg = c->cfg;
	const struct hec *h = c->priv;
	const char *st = hkc(cfg)->sourcetype ? hkc(cfg)->sourcetype :
	    default_sourcetype(sink_kind_parse(doc->kind));
	const char *src = hkc(cfg)->source_field ? hkc(cfg)->source_field :
	    (doc->source && *doc->source ? doc->source : "oci");
	int64_t t = doc->time_ns > 0 ? doc->time_ns : 0;

	if (buf_printf(out, "{\"time\":%lld.%06lld,\"host\":", (long long)(t / 1000000000),
	        (long long)(t % 1000000000 / 1000)) != 0 ||
	    buf_append_json_string(out, h->host, strlen(h->host)) != 0 ||
	    buf_append_str(out, ",\"source\":") != 0 ||
	    buf_append_json_string(out, src, strlen(src)) != 0 ||
	    buf_append_str(out, ",\"sourcetype\":") != 0 ||
	    buf_append_json_string(out, st, strlen(st)) != 0 ||
	    (hkc(cfg)->index != NULL &&
	        (buf_append_str(out, ",\"index\":") != 0 ||
	            buf_append_json_string(out, hkc(cfg)->index,
	                strlen(hkc(cfg)->index)) != 0)) ||
	    buf_append_str(out, ",\"event\":") != 0 ||
	    buf_append(out, doc->json, doc->len) != 0 || buf_append_char(out, '}') != 0) {
		snprintf(err->msg, sizeof(err->msg), "out of memory encoding the event");
		return -1;
	}
	return 0;
}

static int
hec_assemble(struct sink *s, struct sink_event *const *evs, size_t n, struct sink_body *out)
{
	return sink_body_join_items(out, evs, n, "", "\n", "\n");
}

static void
hec_check(const struct conf_sink *cfg, struct conf_check *chk)
{
	if (cfg->token == NULL || *cfg->token == '\0')
		conf_check_err(chk, conf_check_section_line(chk), "token",
		    "missing (required for type splunk_hec; or token_file)");
}

static int
hec_probe_request(const struct conf_sink *k, struct buf *url,
    int (*add)(void *arg, const char *name_colon, const char *value), void *arg)
{
	sink_url_base(k->url, "/services/collector", url);
	buf_append_str(url, "/services/collector/health");
	return 0;
}

static enum sink_probe_verdict
hec_probe_answer(const struct conf_sink *k, long status, const char *body, size_t len,
    struct buf *detail, struct buf *fix)
{
	if (status == 401 || status == 403) {
		buf_printf(fix, "Splunk HEC refused the token (HTTP %ld): check token, and "
		    "that the token and HTTP Event Collector are enabled (Settings > Data inputs "
		    "> HTTP Event Collector > Global Settings).", status);
		return SINK_PROBE_FAILED;
	}
	if (status == 503) {
		buf_append_str(fix, "Splunk HEC says it is not ready/healthy: wait and run "
		    "--probe again; the daemon retries 503 answers, holding events in its "
		    "queue.");
		return SINK_PROBE_FAILED;
	}
	return SINK_PROBE_GENERIC;
}

static const char *const hec_keys[] = { SINK_HTTP_KEYS, "token", NULL };
static const enum sink_auth hec_auth[] = { SINK_AUTH_SPLUNK, SINK_AUTH_END };

const struct sink_ops sink_splunk_ops = {
	.type = "splunk_hec",
	.keys = hec_keys,
	.conf_keys = hec_conf_keys,
	.conf_size = sizeof(struct sink_splunk_conf),
	.required = "url",
	.auth = hec_auth,
	.check = hec_check,
	.probe_request = hec_probe_request,
	.probe_answer = hec_probe_answer,
	.init = hec_init,
	.fini = hec_fini,
	.encode_item = hec_encode,
	.assemble_body = hec_assemble,
};
