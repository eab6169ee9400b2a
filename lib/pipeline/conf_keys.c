/*
 * conf_keys.c — the key tables of the configuration (conf_impl.h): every key, its value
 * type, range and where it is kept; the defaults; equality of sections for a reload.
 */
#include <stdlib.h>
#include <string.h>

#include "conf_impl.h"
#include "kafka_common.h"
#include "sink_registry.h"

/* ---------------------------------------------------------------- enum names */

static const char *const auth_names[] = { "api_key", "instance_principal",
	"security_token", NULL };
static const char *const format_names[] = { "ecs", "ocsf", "raw", NULL };
static const char *const encoding_names[] = { "default", "json_array", "ndjson", "json",
	NULL };
static const char *const compression_names[] = { "none", "gzip", "snappy", "lz4", "zstd",
	NULL };
static const char *const when_full_names[] = { "block", "drop_newest", NULL };
static const char *const source_type_names[] = { "search", "streaming", NULL };
/* security_protocol and sasl_mechanism: kafka_common.h (shared with the kafka sink). */

const char *
conf_sink_type_name(enum conf_sink_type t)
{
	return sink_type_name(t);
}

const char *
conf_format_name(enum conf_format f)
{
	if ((unsigned)f >= sizeof(format_names) / sizeof(format_names[0]) - 1)
		return "?";
	return format_names[f];
}

#define KD(n, t, f, lo, hi) { n, t, offsetof(struct conf_daemon, f), lo, hi, NULL, 0, 0 }
const struct key conf_daemon_keys[] = {
	KD("state_dir", V_ABSPATH, state_dir, 0, 0),
	KD("log_level", V_LOGLEVEL, log_level, 0, 0),
	KD("metrics_listen", V_HOSTPORT, metrics_listen, 0, 0),
	KD("stats_interval", V_DUR, stats_interval_ms, 1000, 7 * DAY_MS),
	KD("shutdown_timeout", V_DUR, shutdown_timeout_ms, 0, DAY_MS),
	{ NULL, V_STR, 0, 0, 0, NULL, 0, 0 },
};

#define KO(n, t, f, e) { n, t, offsetof(struct conf_oci, f), 0, 0, e, 0, 0 }
const struct key conf_oci_keys[] = {
	KO("auth", V_ENUM, auth, auth_names),
	KO("config_file", V_PATH, config_file, NULL),
	KO("profile", V_STR, profile, NULL),
	KO("region", V_STR, region, NULL),
	KO("endpoint", V_URL, endpoint, NULL),
	KO("imds_url", V_URL, imds_url, NULL),
	KO("auth_url", V_URL, auth_url, NULL),
	{ NULL, V_STR, 0, 0, 0, NULL, 0, 0 },
};

#define KS(n, t, f, lo, hi) { n, t, offsetof(struct conf_source, f), lo, hi, NULL, 0, 0 }
/* type = streaming (source_kafka.h), TY: only streaming sources read them (dump);
 * `start` is shared: earliest | latest there. */
#define KST(n, t, f, e) { n, t, offsetof(struct conf_source, stream.f), 0, 0, e, 0, TY }
#define STREAMING_KEYS \
	KST("bootstrap_servers", V_STR, bootstrap_servers, NULL), \
	KST("topic", V_LIST, topics, NULL), \
	KST("group_id", V_STR, group_id, NULL), \
	KST("security_protocol", V_ENUM, security_protocol, kafka_security_names), \
	KST("sasl_mechanism", V_ENUM, sasl_mechanism, kafka_mechanism_names), \
	KST("sasl_username", V_STR, sasl_username, NULL), \
	{ "sasl_password", V_SECRET, offsetof(struct conf_source, stream.sasl_password), 0, 0, \
	    NULL, offsetof(struct conf_source, stream.sasl_password_file), TY }, \
	KST("tls_ca_file", V_PATH, tls_ca_file, NULL), \
	KST("region", V_STR, region, NULL)
const struct key conf_source_keys[] = {
	{ "type", V_ENUM, offsetof(struct conf_source, type), 0, 0, source_type_names, 0, 0 },
	KS("query", V_STR, query, 0, 0),
	KS("interval", V_DUR, interval_ms, 1000, DAY_MS),
	KS("lag", V_DUR, lag_ms, 0, DAY_MS),
	KS("overlap", V_DUR, overlap_ms, 0, DAY_MS),
	KS("sweep_interval", V_DUR, sweep_interval_ms, 1000, DAY_MS),
	KS("window", V_DUR, window_ms, 1000, DAY_MS),
	KS("start", V_TIME, start_ms, 0, 0),
	KS("page_size", V_INT, page_size, 1, 1000),
	KS("retention", V_DUR, retention_ms, 3600 * 1000, 3650 * DAY_MS),
	KS("max_record_bytes", V_SIZE, max_record_bytes, 1024, 1LL << 30),
	KS("search_timeout", V_DUR, search_timeout_ms, 100, 3600 * 1000),
	KS("max_concurrent_searches", V_INT, max_concurrent_searches, 1, 16),
	STREAMING_KEYS,
	{ NULL, V_STR, 0, 0, 0, NULL, 0, 0 },
};

#define OFFK(f) offsetof(struct conf_sink, f)
#define KK(n, t, f, lo, hi, e, ty) { n, t, OFFK(f), lo, hi, e, 0, ty }
#define KSEC(n, f, ty) { n, V_SECRET, OFFK(f), 0, 0, NULL, OFFK(f##_file), ty }
const struct key conf_sink_keys[] = {
	KK("type", V_SINKTYPE, type, 0, 0, NULL, 0),
	KK("url", V_URL, url, 0, 0, NULL, TY),
	/* -t prints here the type keys marked CONF_TYPE_KEY_URL (conf_key.h). */
	{ "(url type keys)", V_TYPEKEYS, 0, 0, 0, NULL, 0, 2 },
	KK("sources", V_LIST, sources, 0, 0, NULL, 0),
	KK("format", V_ENUM, format, 0, 0, format_names, 0),
	KK("encoding", V_ENUM, encoding, 0, 0, encoding_names, 0),
	/* -t prints here the type keys marked CONF_TYPE_KEY_EARLY (conf_key.h). */
	{ "(early type keys)", V_TYPEKEYS, 0, 0, 0, NULL, 0, 1 },
	KK("header", V_HEADER, headers, 0, 0, NULL, TY),
	KSEC("api_key", api_key, TY),
	KSEC("token", token, TY),
	KK("username", V_STR, username, 0, 0, NULL, TY),
	KSEC("password", password, TY),
	/* The keys of the sink's type table (struct sink_ops.conf_keys) are printed here
	 * by -t: the place they held when they were generic, so -t output is unchanged. */
	{ "(type keys)", V_TYPEKEYS, 0, 0, 0, NULL, 0, 0 },
	KK("compression", V_ENUM, compression, 0, 0, compression_names, 0),
	KK("batch_max_events", V_INT, batch_max_events, 1, 1000000, NULL, 0),
	KK("batch_max_bytes", V_SIZE, batch_max_bytes, 1024, 1LL << 30, NULL, 0),
	KK("batch_timeout", V_DUR, batch_timeout_ms, 1, 3600 * 1000, NULL, 0),
	KK("rate_limit", V_DOUBLE, rate_limit, 0, 1000000, NULL, 0),
	KK("rate_burst", V_INT, rate_burst, 1, 1000000, NULL, 0),
	KK("max_in_flight", V_INT, max_in_flight, 1, 1024, NULL, 0),
	KK("timeout", V_DUR, timeout_ms, 1, 3600 * 1000, NULL, 0),
	KK("retry_initial", V_DUR, retry_initial_ms, 1, DAY_MS, NULL, 0),
	KK("retry_max_delay", V_DUR, retry_max_delay_ms, 1, DAY_MS, NULL, 0),
	KK("retry_max_time", V_DUR, retry_max_time_ms, 0, 365 * DAY_MS, NULL, 0),
	KK("queue_max_events", V_I64, queue_max_events, 1, 100000000, NULL, 0),
	KK("queue_max_bytes", V_SIZE, queue_max_bytes, 1024, 1LL << 40, NULL, 0),
	KK("when_full", V_ENUM, when_full, 0, 0, when_full_names, 0),
	KK("dead_letter", V_PATH, dead_letter, 0, 0, NULL, 0),
	KK("tls_verify", V_BOOL, tls_verify, 0, 0, NULL, TY),
	KK("tls_ca_file", V_PATH, tls_ca_file, 0, 0, NULL, TY),
	{ NULL, V_STR, 0, 0, 0, NULL, 0, 0 },
};

void
conf_source_defaults(struct conf_source *s)
{
	s->interval_ms = 30 * 1000;
	s->lag_ms = 2 * 60 * 1000;
	s->overlap_ms = 15 * 60 * 1000;
	s->sweep_interval_ms = 5 * 60 * 1000;
	s->window_ms = 10 * 60 * 1000;
	s->start_is_relative = 1;
	s->start_ms = -3600 * 1000;
	s->page_size = 1000;
	s->retention_ms = 30 * DAY_MS;
	s->max_record_bytes = 1024 * 1024;
	s->search_timeout_ms = 60000;
	s->max_concurrent_searches = 3;
}

void
conf_sink_defaults(struct conf_sink *k)
{
	k->type = CONF_SINK_HTTP;
	k->format = CONF_FORMAT_ECS;
	k->encoding = CONF_ENC_DEFAULT;
	k->compression = CONF_COMP_NONE;
	k->batch_max_events = 500;
	k->batch_max_bytes = 1024 * 1024;
	k->batch_timeout_ms = 1000;
	k->rate_limit = 0;
	k->rate_burst = 0; /* filled after parsing from rate_limit */
	k->max_in_flight = 2;
	k->timeout_ms = 30 * 1000;
	k->retry_initial_ms = 500;
	k->retry_max_delay_ms = 60 * 1000;
	k->retry_max_time_ms = 0;
	k->queue_max_events = 100000;
	k->queue_max_bytes = 64LL * 1024 * 1024;
	k->when_full = CONF_FULL_BLOCK;
	k->tls_verify = 1;
}

/* ---------------------------------------------------------------- equality */

static int
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static int
list_eq(const struct conf_list *a, const struct conf_list *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (!str_eq(a->items[i], b->items[i]))
			return 0;
	return 1;
}

/* 1 when every key of keys holds the same value in a and b (the _file paths of secrets
 * aside: the secret itself is compared). */
static int
keys_eq(const struct key *keys, const void *a, const void *b)
{
	for (size_t i = 0; keys[i].name; i++) {
		const char *x = (const char *)a + keys[i].off, *y = (const char *)b + keys[i].off;

		switch (keys[i].type) {
		case V_STR:
		case V_REQSTR:
		case V_URL:
		case V_ABSPATH:
		case V_PATH:
		case V_SECRET:
		case V_HOSTPORT:
			if (!str_eq(*(char *const *)(const void *)x, *(char *const *)(const void *)y))
				return 0;
			break;
		case V_DUR:
		case V_SIZE:
		case V_I64:
			if (*(const int64_t *)(const void *)x != *(const int64_t *)(const void *)y)
				return 0;
			break;
		case V_TIME:
			if (*(const int64_t *)(const void *)x != *(const int64_t *)(const void *)y ||
			    ((const struct conf_source *)a)->start_is_relative !=
			    ((const struct conf_source *)b)->start_is_relative ||
			    ((const struct conf_source *)a)->stream.start_latest !=
			    ((const struct conf_source *)b)->stream.start_latest)
				return 0;
			break;
		case V_BOOL:
		case V_INT:
		case V_ENUM:
		case V_LOGLEVEL:
		case V_SINKTYPE:
			if (*(const int *)(const void *)x != *(const int *)(const void *)y)
				return 0;
			break;
		case V_DOUBLE:
			if (*(const double *)(const void *)x != *(const double *)(const void *)y)
				return 0;
			break;
		case V_TYPEKEYS:
			break;  /* conf_sink_eq compares the type's config */
		case V_LIST:
		case V_HEADER:
			if (!list_eq((const struct conf_list *)(const void *)x,
			    (const struct conf_list *)(const void *)y))
				return 0;
			break;
		}
	}
	return 1;
}

int
conf_oci_eq(const struct conf_oci *a, const struct conf_oci *b)
{
	return keys_eq(conf_oci_keys, a, b);
}

int
conf_source_eq(const struct conf_source *a, const struct conf_source *b)
{
	return str_eq(a->name, b->name) && keys_eq(conf_source_keys, a, b);
}

int
conf_sink_eq(const struct conf_sink *a, const struct conf_sink *b)
{
	const struct key *tk;

	if (!str_eq(a->name, b->name) || !keys_eq(conf_sink_keys, a, b))
		return 0;
	/* Same type (compared above): one table for both. */
	tk = sink_type_conf_keys(a->type);
	if (tk == NULL || a->type_conf == NULL || b->type_conf == NULL)
		return a->type_conf == b->type_conf;
	return keys_eq(tk, a->type_conf, b->type_conf);
}

void
conf_keys_free(const struct key *keys, void *base)
{
	for (size_t i = 0; keys != NULL && base != NULL && keys[i].name; i++) {
		char *slot = (char *)base + keys[i].off;

		switch (keys[i].type) {
		case V_STR:
		case V_REQSTR:
		case V_URL:
		case V_ABSPATH:
		case V_PATH:
		case V_HOSTPORT:
			free(*(char **)(void *)slot);
			*(char **)(void *)slot = NULL;
			break;
		case V_SECRET:
			if (*(char **)(void *)slot != NULL)
				explicit_bzero(*(char **)(void *)slot, strlen(*(char **)(void *)slot));
			free(*(char **)(void *)slot);
			*(char **)(void *)slot = NULL;
			if (keys[i].file_off) {
				free(*(char **)(void *)((char *)base + keys[i].file_off));
				*(char **)(void *)((char *)base + keys[i].file_off) = NULL;
			}
			break;
		case V_LIST:
		case V_HEADER:
			conf_list_clear((struct conf_list *)(void *)slot);
			break;
		default:
			break;
		}
	}
}
