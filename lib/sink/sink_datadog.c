/*
 * sink_datadog.c — Datadog Logs intake v2: POST /api/v2/logs, a JSON array
 * of log objects, DD-API-KEY header, at most 1000 entries and < 5 MB uncompressed per
 * request.  The reserved attributes (ddsource, service, ddtags, hostname) and a
 * `timestamp` (epoch ms) are merged into each event object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sink_datadog.h"
#include "sink_impl.h"

#define DD_MAX_EVENTS 1000
#define DD_MAX_BODY (5 * 1000 * 1000 - 1) /* "< 5 MB": stay under the decimal MB */

/* The type's own keys (struct sink_datadog_conf; -t prints them in this order). */
#define DK(n, f) CONF_TYPE_KEY(n, V_STR, struct sink_datadog_conf, f, 0, 0, NULL)
static const struct key dd_conf_keys[] = {
	DK("site", site),
	DK("service", service),
	DK("ddsource", ddsource),
	DK("ddtags", ddtags),
	DK("hostname", hostname),
	CONF_TYPE_KEYS_END,
};

static const struct sink_datadog_conf *
ddc(const struct conf_sink *cfg)
{
	static const struct sink_datadog_conf none;

	return cfg->type_conf != NULL ? cfg->type_conf : &none;
}

static int
dd_init(struct sink *s, struct err *err)
{
	struct sink_common *c = sink_common(s);
	const struct conf_sink *cfg = c->cfg;
	char url[512];

	if (cfg->api_key == NULL || *cfg->api_key == '\0') {
		snprintf(err->msg, sizeof(err->msg), "api_key is required");
		return -1;
	}
	if (cfg->url != NULL) {
		if (sink_set_url(c, cfg->url, "/api/v2/logs", err) != 0)
			return -1;
	} else {
		snprintf(url, sizeof(url), "https://http-intake.logs.%s/api/v2/logs",
		    ddc(cfg)->site ? ddc(cfg)->site : "datadoghq.com");
		if (sink_set_url(c, url, "", err) != 0)
			return -1;
	}
	if (c->lim_events > DD_MAX_EVENTS)
		c->lim_events = DD_MAX_EVENTS;
	if (c->lim_bytes > DD_MAX_BODY)
		c->lim_bytes = DD_MAX_BODY;
	c->per_item_overhead = 1;
	c->body_overhead = 2;
	if (sink_add_header(c, "Content-Type: application/json") != 0 ||
	    sink_add_header(c, "DD-API-KEY: %s", cfg->api_key) != 0) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -1;
	}
	return sink_add_config_headers(c, err);
}

static const char *
default_service(enum sink_kind k)
{
	switch (k) {
	case SINK_KIND_AUDIT: return "oci-audit";
	case SINK_KIND_FLOW: return "oci-vcn-flow";
	case SINK_KIND_OTHER: break;
	}
	return "oci-logging";
}

static int
put_attr(struct buf *out, const char *name, const char *value)
{
	return buf_printf(out, "\"%s\":", name) != 0 ||
	    buf_append_json_string(out, value, strlen(value)) != 0 ||
	    buf_append_char(out, ',') != 0 ? -1 : 0;
}

static int
dd_encode(struct sink *s, const struct sink_doc *doc, struct buf *out,
    struct err *err)
{
	const struct conf_sink *cfg = sink_common(s)->cfg;
	enum sink_kind k = sink_kind_parse(doc->kind);
	const char *p = memchr(doc->json, '{', doc->len), *rest;
	size_t restlen;
	struct buf tags;
	int rc = -1;

	if (p == NULL)
		return -1;
	rest = p + 1;
	restlen = doc->len - (size_t)(rest - doc->json);
	buf_init(&tags, 4096);
	if (ddc(cfg)->ddtags != NULL && *ddc(cfg)->ddtags != '\0' &&
	    buf_printf(&tags, "%s,", ddc(cfg)->ddtags) != 0)
		goto done;
	if (buf_printf(&tags, "oci_log:%s", sink_kind_name(k)) != 0 ||
	    (doc->source != NULL && *doc->source != '\0' &&
	        buf_printf(&tags, ",oci_source:%s", doc->source) != 0))
		goto done;
	if (buf_append_char(out, '{') != 0 ||
	    put_attr(out, "ddsource", ddc(cfg)->ddsource ? ddc(cfg)->ddsource : "oci") != 0 ||
	    put_attr(out, "service", ddc(cfg)->service ? ddc(cfg)->service :
	        default_service(k)) != 0 ||
	    put_attr(out, "ddtags", tags.data) != 0 ||
	    (ddc(cfg)->hostname != NULL && put_attr(out, "hostname", ddc(cfg)->hostname) != 0))
		goto done;
	/* The raw format carries no "message"; ECS and OCSF have their own. */
	if (cfg->format == CONF_FORMAT_RAW && doc->message != NULL &&
	    put_attr(out, "message", doc->message) != 0)
		goto done;
	if (buf_printf(out, "\"timestamp\":%lld", (long long)(doc->time_ns / 1000000)) != 0)
		goto done;
	/* Then the event's own members, unless it has none. */
	while (restlen > 0 && (*rest == ' ' || *rest == '\n' || *rest == '\t' || *rest == '\r')) {
		rest++;
		restlen--;
	}
	if (restlen > 0 && *rest != '}' && buf_append_char(out, ',') != 0)
		goto done;
	rc = buf_append(out, rest, restlen);
done:
	buf_cleanup(&tags);
	if (rc != 0)
		snprintf(err->msg, sizeof(err->msg), "out of memory encoding the event");
	return rc;
}

static int
dd_assemble(struct sink *s, struct sink_event *const *evs, size_t n, struct sink_body *out)
{
	return sink_body_join_items(out, evs, n, "[", ",", "]");
}

static void
dd_check(const struct conf_sink *cfg, struct conf_check *chk)
{
	int line = conf_check_section_line(chk);

	if (cfg->url == NULL && ddc(cfg)->site == NULL && !conf_check_is_set(chk, "url"))
		conf_check_err(chk, line, "url", "missing (a datadog sink needs url or site)");
	if (cfg->api_key == NULL || *cfg->api_key == '\0')
		conf_check_err(chk, line, "api_key",
		    "missing (required for type datadog; or api_key_file)");
}

static int
dd_defaults(struct conf_sink *cfg, struct conf_check *chk)
{
	struct sink_datadog_conf *dc = cfg->type_conf;

	(void)chk;
	if (dc != NULL && dc->ddsource == NULL && (dc->ddsource = strdup("oci")) == NULL)
		return -1;
	return 0;
}

/* The intake's API twin validates the key: http-intake.logs.<site> -> api.<site>. */
static int
dd_probe_request(const struct conf_sink *k, struct buf *url,
    int (*add)(void *arg, const char *name_colon, const char *value), void *arg)
{
	if (k->url != NULL) {
		size_t o = sink_url_origin_len(k->url);
		const char *host = strstr(k->url, "://");
		if (host != NULL && strncmp(host + 3, "http-intake.logs.", 17) == 0) {
			buf_append(url, k->url, (size_t)(host + 3 - k->url));
			buf_append_str(url, "api.");
			buf_append(url, host + 20, o - (size_t)(host + 20 - k->url));
		} else {
			buf_append(url, k->url, o);
		}
	} else {
		buf_printf(url, "https://api.%s", ddc(k)->site ? ddc(k)->site : "datadoghq.com");
	}
	buf_append_str(url, "/api/v1/validate");
	return add(arg, "DD-API-KEY: ", k->api_key ? k->api_key : "");
}

static enum sink_probe_verdict
dd_probe_answer(const struct conf_sink *k, long status, const char *body, size_t len,
    struct buf *detail, struct buf *fix)
{
	if (status != 401 && status != 403)
		return SINK_PROBE_GENERIC;
	buf_printf(fix, "Datadog refused the API key (HTTP %ld): check api_key "
	    "(an API key, not an application key) and that site is your Datadog site "
	    "(datadoghq.com, datadoghq.eu, us3.datadoghq.com, us5.datadoghq.com, "
	    "ap1.datadoghq.com, ddog-gov.com; now %s).", status,
	    ddc(k)->site ? ddc(k)->site : "datadoghq.com");
	return SINK_PROBE_FAILED;
}

/* dd_encode: the raw format's "message" attribute. */
static int
dd_uses_summary(const struct conf_sink *cfg)
{
	return cfg->format == CONF_FORMAT_RAW;
}

static const char *const dd_keys[] = { SINK_HTTP_KEYS, "api_key", NULL };

const struct sink_ops sink_datadog_ops = {
	.type = "datadog",
	.keys = dd_keys,
	.conf_keys = dd_conf_keys,
	.conf_size = sizeof(struct sink_datadog_conf),
	.check = dd_check,
	.defaults = dd_defaults,
	.probe_request = dd_probe_request,
	.probe_answer = dd_probe_answer,
	.init = dd_init,
	.encode_item = dd_encode,
	.uses_summary = dd_uses_summary,
	.assemble_body = dd_assemble,
};
