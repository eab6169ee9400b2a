/*
 * sink_registry.c — the one table of sink types, and what the config code and --probe
 * ask of a type through it (sink.h).  A new type is one line here (sink_impl.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "conf.h"
#include "conf_key.h"
#include "sink_impl.h"

static const struct sink_ops *const registry[] = {
	[CONF_SINK_HTTP] = &sink_http_ops,
	[CONF_SINK_DATADOG] = &sink_datadog_ops,
	[CONF_SINK_SPLUNK_HEC] = &sink_splunk_ops,
	[CONF_SINK_ELASTICSEARCH] = &sink_elasticsearch_ops,
	[CONF_SINK_LOKI] = &sink_loki_ops,
	[CONF_SINK_FILE] = &sink_file_ops,
	[CONF_SINK_STDOUT] = &sink_stdout_ops,
	[CONF_SINK_OTLP] = &sink_otlp_ops,
	[CONF_SINK_SYSLOG] = &sink_syslog_ops,
	[CONF_SINK_KAFKA] = &sink_kafka_ops,
};

#define N_TYPES (sizeof(registry) / sizeof(registry[0]))

const struct sink_ops *
sink_ops_for(enum conf_sink_type t)
{
	return (size_t)t < N_TYPES ? registry[t] : NULL;
}

int
sink_type_lookup(const char *name)
{
	for (size_t i = 0; i < N_TYPES; i++)
		if (registry[i] != NULL && strcmp(registry[i]->type, name) == 0)
			return (int)i;
	return -1;
}

const char *
sink_type_name(enum conf_sink_type t)
{
	const struct sink_ops *o = sink_ops_for(t);

	return o != NULL ? o->type : "?";
}

int
sink_type_uses_key(enum conf_sink_type t, const char *key)
{
	const struct sink_ops *o = sink_ops_for(t);

	for (size_t i = 0; o != NULL && o->keys != NULL && o->keys[i] != NULL; i++)
		if (strcmp(o->keys[i], key) == 0)
			return 1;
	for (size_t i = 0; o != NULL && o->conf_keys != NULL && o->conf_keys[i].name; i++)
		if (strcmp(o->conf_keys[i].name, key) == 0)
			return 1;
	return 0;
}

const struct key *
sink_type_conf_keys(enum conf_sink_type t)
{
	const struct sink_ops *o = sink_ops_for(t);

	return o != NULL ? o->conf_keys : NULL;
}

void *
sink_type_conf_new(enum conf_sink_type t, int *oom)
{
	const struct sink_ops *o = sink_ops_for(t);
	void *tc;

	*oom = 0;
	if (o == NULL || o->conf_keys == NULL)
		return NULL;
	if ((tc = calloc(1, o->conf_size)) == NULL) {
		*oom = 1;
		return NULL;
	}
	if (o->conf_init != NULL)
		o->conf_init(tc);
	return tc;
}

void
sink_type_list(char *out, size_t outsz, const char *key, const char *last)
{
	size_t o = 0, n = 0, total = 0, i;

	for (i = 0; i < N_TYPES; i++)
		total += key == NULL || sink_type_uses_key((enum conf_sink_type)i, key);
	out[0] = '\0';
	for (i = 0; i < N_TYPES && o < outsz; i++) {
		if (key != NULL && !sink_type_uses_key((enum conf_sink_type)i, key))
			continue;
		n++;
		o += (size_t)snprintf(out + o, outsz - o, "%s%s", n == 1 ? "" :
		    n == total ? last : ", ", registry[i]->type);
	}
}

/* 1 when headers has one named name (case-insensitive). */
static int
has_header(const struct conf_list *headers, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < headers->n; i++)
		if (strncasecmp(headers->items[i], name, n) == 0 && headers->items[i][n] == ':')
			return 1;
	return 0;
}

void
sink_type_check(const struct conf_sink *cfg, struct conf_check *chk)
{
	const struct sink_ops *o = sink_ops_for(cfg->type);
	const char *from = NULL;
	char *h = NULL;

	if (o == NULL)
		return;
	if (cfg->url != NULL && sink_url_is_stream(cfg->url) != o->stream_url)
		conf_check_err(chk, conf_check_line(chk, "url"), "url", o->stream_url ?
		    "is not a tcp:// or tls:// URL (type %s)" : "tcp:// and tls:// are for "
		    "type syslog (type %s needs http:// or https://)", o->type);
	if (cfg->compression > CONF_COMP_GZIP && cfg->type != CONF_SINK_KAFKA)
		conf_check_err(chk, conf_check_line(chk, "compression"), "compression",
		    "snappy, lz4 and zstd are for type kafka (type %s: none or gzip)", o->type);
	if (o->check != NULL)
		o->check(cfg, chk);
	/* Two sources of an Authorization header: both would be sent. */
	if (sink_auth_header(cfg, o->auth, &h, &from) != 0) {
		conf_check_oom(chk);
		return;
	}
	if (h != NULL) {
		explicit_bzero(h, strlen(h));
		free(h);
	}
	if (from != NULL && has_header(&cfg->headers, "Authorization"))
		conf_check_err(chk, conf_check_line(chk, "header"), "header",
		    "Authorization is also made from %s: it would be sent twice (keep one)",
		    from);
}

int
sink_url_is_stream(const char *url)
{
	return (strncasecmp(url, "tcp://", 6) == 0 || strncasecmp(url, "tls://", 6) == 0) &&
	    url[6] != '\0';
}

const char *
sink_type_required(enum conf_sink_type t)
{
	const struct sink_ops *o = sink_ops_for(t);

	return o != NULL ? o->required : NULL;
}

int
sink_type_defaults(struct conf_sink *cfg, struct conf_check *chk)
{
	const struct sink_ops *o = sink_ops_for(cfg->type);

	return o != NULL && o->defaults != NULL ? o->defaults(cfg, chk) : 0;
}

int
sink_probe_request(const struct conf_sink *cfg, struct buf *url,
    int (*add)(void *arg, const char *name_colon, const char *value), void *arg)
{
	const struct sink_ops *o = sink_ops_for(cfg->type);
	const char *from;
	char *h;
	int rc;

	if (o == NULL || o->probe_request == NULL)
		return 1;
	if (o->probe_request(cfg, url, add, arg) != 0 ||
	    sink_auth_header(cfg, o->auth, &h, &from) != 0)
		return -1;
	rc = h != NULL ? add(arg, "", h) : 0;
	if (h != NULL) {
		explicit_bzero(h, strlen(h));
		free(h);
	}
	for (size_t i = 0; i < cfg->headers.n; i++)
		rc |= add(arg, "", cfg->headers.items[i]);
	return rc == 0 && url->data != NULL ? 0 : -1;
}

enum sink_probe_verdict
sink_probe_local(const struct conf_sink *cfg, struct buf *detail, struct buf *fix)
{
	const struct sink_ops *o = sink_ops_for(cfg->type);

	if (o == NULL || o->probe_local == NULL) {
		buf_append_str(detail, "no validation endpoint; not probed");
		return SINK_PROBE_SKIPPED;
	}
	return o->probe_local(cfg, detail, fix);
}

enum sink_probe_verdict
sink_probe_answer(const struct conf_sink *cfg, long status, const char *body, size_t len,
    struct buf *detail, struct buf *fix)
{
	const struct sink_ops *o = sink_ops_for(cfg->type);

	if (o == NULL || o->probe_answer == NULL)
		return SINK_PROBE_GENERIC;
	return o->probe_answer(cfg, status, body, len, detail, fix);
}

size_t
sink_url_origin_len(const char *url)
{
	const char *s = strstr(url, "://");

	if (s == NULL)
		return 0;
	s += 3;
	s += strcspn(s, "/?#");
	return (size_t)(s - url);
}

void
sink_url_base(const char *url, const char *marker, struct buf *out)
{
	size_t o = sink_url_origin_len(url), n = strlen(url);
	const char *m = marker ? strstr(url + o, marker) : NULL;

	if (m != NULL)
		n = (size_t)(m - url);
	else
		n = o + strcspn(url + o, "?#");
	while (n > o && url[n - 1] == '/')
		n--;
	buf_append(out, url, n);
}

void
sink_check_token_or_basic(const struct conf_sink *cfg, struct conf_check *chk)
{
	if (cfg->token != NULL && cfg->username != NULL)
		conf_check_err(chk, conf_check_line(chk, "username"), "username",
		    "given together with token: both would be sent as Authorization "
		    "(keep one)");
}
