/*
 * conf.c — see conf.h.
 *
 * libinih splits lines into key and value and strips comments; everything else is ours.
 * We hand inih the file through our own line reader (ini_parse_stream) because the
 * handler of the Debian build gets no line number, inih never reports empty or duplicate
 * section headers, truncates section names to 50 bytes and would glue indented lines onto
 * the previous key (multi-line values).  The reader therefore counts lines, takes the
 * section headers itself (inih only ever sees key = value lines, comments and blanks) and
 * left-trims every line, so an indented key is just a key.
 *
 * Like OpenBSD's parse.y we keep going after an error, so one run reports every problem,
 * and only an error-free file yields a struct conf.
 */
#include "conf.h"

#include "buf.h"
#include "log.h"
#include "template.h"

#include <ini.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CONF_MAX_FILE (1024 * 1024)   /* a config file is small; refuse anything bigger */
#define CONF_MAX_LINE 8192            /* longest line (queries and templates are long) */
#define CONF_MAX_VALUE (64 * 1024)    /* longest value after ${VAR} expansion */
#define CONF_MAX_SECRET (64 * 1024)   /* longest secret file */
#define CONF_MAX_ERRTEXT (256 * 1024)
#define CONF_MAX_NAME 64              /* source / sink names end up in file names */
#define CONF_DEFAULT_STATE_DIR "/var/lib/oci-logfwd" /* the unit's StateDirectory= */

/* ---------------------------------------------------------------- enum names */

static const char *const auth_names[] = { "api_key", "instance_principal",
	"security_token", NULL };
static const char *const sink_type_names[] = { "http", "datadog", "splunk_hec",
	"elasticsearch", "loki", "file", "stdout", NULL };
static const char *const format_names[] = { "ecs", "ocsf", "raw", NULL };
static const char *const encoding_names[] = { "default", "json_array", "ndjson", "json",
	NULL };
static const char *const compression_names[] = { "none", "gzip", NULL };
static const char *const when_full_names[] = { "block", "drop_newest", NULL };
static const char *const source_type_names[] = { "search", "streaming", NULL };
static const char *const kafka_security_names[] = { "sasl_ssl", "ssl", "sasl_plaintext",
	"plaintext", NULL };
static const char *const kafka_mechanism_names[] = { "plain", "scram-sha-256",
	"scram-sha-512", NULL };

const char *
conf_sink_type_name(enum conf_sink_type t)
{
	if ((unsigned)t >= sizeof(sink_type_names) / sizeof(sink_type_names[0]) - 1)
		return "?";
	return sink_type_names[t];
}

const char *
conf_format_name(enum conf_format f)
{
	if ((unsigned)f >= sizeof(format_names) / sizeof(format_names[0]) - 1)
		return "?";
	return format_names[f];
}

/* ---------------------------------------------------------------- key tables */

enum vtype {
	V_STR,      /* any string; empty = unset (NULL) */
	V_REQSTR,   /* string that must not be empty (query) */
	V_URL,      /* http:// or https:// */
	V_ABSPATH,  /* absolute path */
	V_PATH,     /* path */
	V_DUR,      /* duration -> int64 ms */
	V_SIZE,     /* size -> int64 bytes */
	V_BOOL,     /* -> int */
	V_INT,      /* -> int, range */
	V_I64,      /* -> int64, range */
	V_DOUBLE,   /* -> double, range */
	V_ENUM,     /* -> enum (int) */
	V_LIST,     /* comma list -> struct conf_list */
	V_HEADER,   /* repeatable "Name: value" -> struct conf_list */
	V_SECRET,   /* string; also KEY_file = PATH */
	V_TIME,     /* start: relative or RFC 3339 */
	V_LOGLEVEL, /* -> int (enum log_level) */
	V_HOSTPORT, /* "host:port"; empty = off (NULL) */
};

/* Sink types a key is meant for, to keep conf_dump short; 0 = every type. */
#define T(x) (1u << CONF_SINK_##x)
#define T_NET (T(HTTP) | T(DATADOG) | T(SPLUNK_HEC) | T(ELASTICSEARCH) | T(LOKI))

struct key {
	const char *name;
	enum vtype type;
	size_t off;
	int64_t min, max;            /* V_DUR V_SIZE V_INT V_I64 V_DOUBLE */
	const char *const *enums;    /* V_ENUM */
	size_t file_off;             /* V_SECRET: where the _file path is kept */
	unsigned types;              /* sinks only: types it applies to (dump) */
};

#define DAY_MS (24LL * 3600 * 1000)

#define KD(n, t, f, lo, hi) { n, t, offsetof(struct conf_daemon, f), lo, hi, NULL, 0, 0 }
static const struct key daemon_keys[] = {
	KD("state_dir", V_ABSPATH, state_dir, 0, 0),
	KD("log_level", V_LOGLEVEL, log_level, 0, 0),
	KD("metrics_listen", V_HOSTPORT, metrics_listen, 0, 0),
	KD("stats_interval", V_DUR, stats_interval_ms, 1000, 7 * DAY_MS),
	KD("shutdown_timeout", V_DUR, shutdown_timeout_ms, 0, DAY_MS),
	{ NULL, V_STR, 0, 0, 0, NULL, 0, 0 },
};

#define KO(n, t, f, e) { n, t, offsetof(struct conf_oci, f), 0, 0, e, 0, 0 }
static const struct key oci_keys[] = {
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
/* type = streaming (source_kafka.h); `start` is shared: earliest | latest there. */
#define KST(n, t, f, e) { n, t, offsetof(struct conf_source, stream.f), 0, 0, e, 0, \
	1u << CONF_SOURCE_STREAMING }
#define STREAMING_KEYS \
	KST("bootstrap_servers", V_STR, bootstrap_servers, NULL), \
	KST("topic", V_LIST, topics, NULL), \
	KST("group_id", V_STR, group_id, NULL), \
	KST("security_protocol", V_ENUM, security_protocol, kafka_security_names), \
	KST("sasl_mechanism", V_ENUM, sasl_mechanism, kafka_mechanism_names), \
	KST("sasl_username", V_STR, sasl_username, NULL), \
	{ "sasl_password", V_SECRET, offsetof(struct conf_source, stream.sasl_password), 0, 0, \
	    NULL, offsetof(struct conf_source, stream.sasl_password_file), \
	    1u << CONF_SOURCE_STREAMING }, \
	KST("tls_ca_file", V_PATH, tls_ca_file, NULL)
static const struct key source_keys[] = {
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
	STREAMING_KEYS,
	{ NULL, V_STR, 0, 0, 0, NULL, 0, 0 },
};

#define OFFK(f) offsetof(struct conf_sink, f)
#define KK(n, t, f, lo, hi, e, ty) { n, t, OFFK(f), lo, hi, e, 0, ty }
#define KSEC(n, f, ty) { n, V_SECRET, OFFK(f), 0, 0, NULL, OFFK(f##_file), ty }
static const struct key sink_keys[] = {
	KK("type", V_ENUM, type, 0, 0, sink_type_names, 0),
	KK("url", V_URL, url, 0, 0, NULL, T_NET),
	KK("path", V_PATH, path, 0, 0, NULL, T(FILE)),
	KK("sources", V_LIST, sources, 0, 0, NULL, 0),
	KK("format", V_ENUM, format, 0, 0, format_names, 0),
	KK("encoding", V_ENUM, encoding, 0, 0, encoding_names, 0),
	KK("template", V_STR, template, 0, 0, NULL, T(HTTP)),
	KK("header", V_HEADER, headers, 0, 0, NULL, T_NET),
	KSEC("api_key", api_key, T(HTTP) | T(DATADOG) | T(ELASTICSEARCH)),
	KSEC("token", token, T(HTTP) | T(SPLUNK_HEC) | T(LOKI)),
	KK("username", V_STR, username, 0, 0, NULL, T(HTTP) | T(ELASTICSEARCH) | T(LOKI)),
	KSEC("password", password, T(HTTP) | T(ELASTICSEARCH) | T(LOKI)),
	KK("index", V_STR, index, 0, 0, NULL, T(ELASTICSEARCH) | T(SPLUNK_HEC)),
	KK("sourcetype", V_STR, sourcetype, 0, 0, NULL, T(SPLUNK_HEC)),
	KK("tenant", V_STR, tenant, 0, 0, NULL, T(LOKI)),
	KK("labels", V_LIST, labels, 0, 0, NULL, T(LOKI)),
	KK("site", V_STR, site, 0, 0, NULL, T(DATADOG)),
	KK("service", V_STR, service, 0, 0, NULL, T(DATADOG)),
	KK("ddsource", V_STR, ddsource, 0, 0, NULL, T(DATADOG)),
	KK("ddtags", V_STR, ddtags, 0, 0, NULL, T(DATADOG)),
	KK("hostname", V_STR, hostname, 0, 0, NULL, T(DATADOG) | T(SPLUNK_HEC)),
	KK("source_name", V_STR, source_field, 0, 0, NULL, T(SPLUNK_HEC)),
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
	KK("tls_verify", V_BOOL, tls_verify, 0, 0, NULL, T_NET),
	KK("tls_ca_file", V_PATH, tls_ca_file, 0, 0, NULL, T_NET),
	{ NULL, V_STR, 0, 0, 0, NULL, 0, 0 },
};

/* Every table is shorter than this; keyline[] is indexed by table position. */
#define MAX_KEYS 48

enum sect_kind { SK_DAEMON, SK_OCI, SK_SOURCE, SK_SINK };

static const struct key *const kind_keys[] = { daemon_keys, oci_keys, source_keys, sink_keys };

struct sect {
	enum sect_kind kind;
	size_t idx;               /* into sources / sinks */
	int line;                 /* of the header */
	char label[CONF_MAX_NAME + 16]; /* "sink siem", for messages */
	int keyline[MAX_KEYS];    /* where each key was set; 0 = default */
};

struct perr {
	int line;                 /* INT_MAX when none */
	size_t seq;
	char *text;
};

struct pctx {
	const char *path;
	struct conf *c;
	struct perr *errs;
	size_t nerrs, caperrs;
	int nerr;
	int oom;
	/* the reader */
	const char *data;
	size_t len, pos;
	int line;
	/* sections */
	struct sect *sects;
	size_t nsects, capsects;
	long cur;                 /* index into sects; -1 before any/inside a bad one */
	int skip;                 /* keys of a rejected section are ignored */
};

/* ---------------------------------------------------------------- errors */

static void errf(struct pctx *p, int line, const char *label, const char *key,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
errf(struct pctx *p, int line, const char *label, const char *key, const char *fmt, ...)
{
	struct buf b;
	struct perr *grown;
	va_list ap;
	int rc = 0;

	p->nerr++;
	buf_init(&b, 4096);
	if (line > 0)
		rc |= buf_printf(&b, "%s:%d: ", p->path, line);
	else
		rc |= buf_printf(&b, "%s: ", p->path);
	if (label && key)
		rc |= buf_printf(&b, "[%s] %s: ", label, key);
	else if (label)
		rc |= buf_printf(&b, "[%s] ", label);
	else if (key)
		rc |= buf_printf(&b, "%s: ", key);
	va_start(ap, fmt);
	rc |= buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (rc < 0 || !b.data) {
		buf_cleanup(&b);
		p->oom = 1;
		return;
	}
	if (p->nerrs == p->caperrs) {
		size_t cap = p->caperrs ? p->caperrs * 2 : 16;
		if (!(grown = realloc(p->errs, cap * sizeof(*grown)))) {
			buf_cleanup(&b);
			p->oom = 1;
			return;
		}
		p->errs = grown;
		p->caperrs = cap;
	}
	p->errs[p->nerrs].line = line > 0 ? line : INT_MAX;
	p->errs[p->nerrs].seq = p->nerrs;
	p->errs[p->nerrs].text = buf_steal(&b, NULL);
	p->nerrs++;
}

/* By line (errors without one last), then in the order found. */
static int
perr_cmp(const void *a, const void *b)
{
	const struct perr *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Joins the sorted messages into err; frees them. */
static void
errs_finish(struct pctx *p, struct conf_err *err)
{
	struct buf b;
	size_t i;
	int full = 0;

	qsort(p->errs, p->nerrs, sizeof(*p->errs), perr_cmp);
	buf_init(&b, CONF_MAX_ERRTEXT);
	for (i = 0; i < p->nerrs; i++) {
		if (err && !full && ((i && buf_append_char(&b, '\n') < 0) ||
					buf_append_str(&b, p->errs[i].text) < 0))
			full = 1;
		free(p->errs[i].text);
	}
	free(p->errs);
	p->errs = NULL;
	p->nerrs = 0;
	if (err) {
		err->count = p->nerr;
		err->text = buf_steal(&b, &err->len);
		if (!err->text && (err->text = strdup("out of memory")))
			err->len = strlen(err->text);
	}
	buf_cleanup(&b);
}

/* A value quoted for a message: bounded, control characters replaced. */
struct qv {
	char s[72];
};

static struct qv
quote_mark(const char *v, int marks)
{
	struct qv q;
	size_t i, o = 0;

	if (marks)
		q.s[o++] = '"';
	for (i = 0; v[i] && o < 60; i++)
		q.s[o++] = (unsigned char)v[i] < 0x20 || v[i] == 0x7f ? '?' : v[i];
	if (v[i]) {
		memcpy(q.s + o, "...", 3);
		o += 3;
	}
	if (marks)
		q.s[o++] = '"';
	q.s[o] = '\0';
	return q;
}

static struct qv
quote(const char *v)
{
	return quote_mark(v, 1);
}

void
conf_err_cleanup(struct conf_err *err)
{
	if (!err)
		return;
	free(err->text);
	err->text = NULL;
	err->len = 0;
	err->count = 0;
}

/* ---------------------------------------------------------------- value parsers */

static int
parse_u64_prefix(const char **pp, int64_t *out)
{
	const char *p = *pp;
	int64_t n = 0;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (n > (INT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (*p - '0');
	}
	*pp = p;
	*out = n;
	return 0;
}

int
conf_parse_duration(const char *s, int64_t *ms)
{
	static const struct {
		const char *u;
		int64_t mul;
	} units[] = { { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
		{ "d", 86400000 } };
	const char *p = s;
	int64_t total = 0, n, mul;
	size_t i, ul;
	int parts = 0;

	if (!s || !*s)
		return -1;
	/* "1h30m" is accepted; a bare number alone means seconds. */
	while (*p) {
		if (parse_u64_prefix(&p, &n) < 0)
			return -1;
		if (*p == ' ' && *++p == '\0')
			return -1; /* "30 " */
		if (!*p && parts == 0) {
			mul = 1000;
		} else {
			mul = 0;
			ul = 0;
			for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
				size_t l = strlen(units[i].u);
				/* "m" must not swallow the "m" of "ms": longest match wins. */
				if (strncmp(p, units[i].u, l) == 0 && l > ul &&
				    !isalpha((unsigned char)p[l])) {
					mul = units[i].mul;
					ul = l;
				}
			}
			if (!mul)
				return -1;
			p += ul;
		}
		if (n > INT64_MAX / mul || total > INT64_MAX - n * mul)
			return -1;
		total += n * mul;
		parts++;
	}
	*ms = total;
	return 0;
}

int
conf_parse_size(const char *s, int64_t *bytes)
{
	static const struct {
		const char *u;
		int64_t mul;
	} units[] = { { "", 1 }, { "B", 1 }, { "KiB", 1024 }, { "MiB", 1024 * 1024 },
		{ "GiB", 1024LL * 1024 * 1024 }, { "KB", 1000 }, { "MB", 1000 * 1000 },
		{ "GB", 1000LL * 1000 * 1000 } };
	const char *p = s;
	int64_t n;
	size_t i;

	if (!s || parse_u64_prefix(&p, &n) < 0)
		return -1;
	if (*p == ' ' && *++p == '\0')
		return -1; /* "1 " */
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].u) == 0) {
			if (n > INT64_MAX / units[i].mul)
				return -1;
			*bytes = n * units[i].mul;
			return 0;
		}
	}
	return -1;
}

int
conf_parse_bool(const char *s, int *out)
{
	static const char *const t[] = { "true", "yes", "on", "1" };
	static const char *const f[] = { "false", "no", "off", "0" };
	size_t i;

	if (!s)
		return -1;
	for (i = 0; i < 4; i++) {
		if (strcasecmp(s, t[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, f[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
digits(const char **pp, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*pp)[i]))
			return -1;
		v = v * 10 + ((*pp)[i] - '0');
	}
	*pp += n;
	*out = v;
	return 0;
}

int
conf_parse_rfc3339(const char *s, int64_t *ms)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const char *p = s;
	int y, mo, d, h, mi, se, frac = 0, fdig = 0, oh = 0, om = 0, sign = 0, dim;
	int64_t t;

	if (!s || digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
	    digits(&p, 2, &d))
		return -1;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) || *p++ != ':' ||
	    digits(&p, 2, &se))
		return -1;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		/* Milliseconds are all we keep; further digits are truncated. */
		for (; isdigit((unsigned char)*p); p++, fdig++)
			if (fdig < 3)
				frac = frac * 10 + (*p - '0');
		for (; fdig < 3; fdig++)
			frac *= 10;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om) || oh > 23 ||
		    om > 59)
			return -1;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	if (mo < 1 || mo > 12 || h > 23 || mi > 59 || se > 60)
		return -1;
	dim = mdays[mo - 1] + (mo == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)));
	if (d < 1 || d > dim)
		return -1;
	if (se == 60) /* a leap second: the last millisecond of the minute is close enough */
		se = 59;
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	t -= sign * (oh * 3600 + om * 60);
	*ms = t * 1000 + frac;
	return 0;
}

int
conf_parse_time(const char *s, int *relative, int64_t *ms)
{
	int64_t v;

	if (!s)
		return -1;
	if (strcmp(s, "now") == 0) {
		*relative = 1;
		*ms = 0;
		return 0;
	}
	if (s[0] == '-') {
		if (conf_parse_duration(s + 1, &v) < 0)
			return -1;
		*relative = 1;
		*ms = -v;
		return 0;
	}
	if (conf_parse_rfc3339(s, &v) < 0)
		return -1;
	*relative = 0;
	*ms = v;
	return 0;
}

static int
parse_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static int
valid_name(const char *s)
{
	size_t i;

	if (!s[0] || s[0] == '.' || strlen(s) > CONF_MAX_NAME)
		return 0;
	for (i = 0; s[i]; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return 0;
	return 1;
}

static int
valid_hostport(const char *s)
{
	const char *colon = strrchr(s, ':');
	int64_t port;

	if (!colon || colon == s)
		return 0;
	if (s[0] == '[' && colon[-1] != ']')
		return 0;
	if (parse_i64(colon + 1, &port) < 0 || port < 0 || port > 65535)
		return 0;
	return 1;
}

/* 1 when s holds a space, a control character or DEL: curl would send it as is. */
static int
has_space_or_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static int
valid_url(const char *s)
{
	if (strncasecmp(s, "http://", 7) == 0)
		return s[7] != '\0';
	if (strncasecmp(s, "https://", 8) == 0)
		return s[8] != '\0';
	return 0;
}

/* RFC 9110 token characters, for header names. */
static int
valid_header(const char *s)
{
	const char *p = s;

	while (*p && (isalnum((unsigned char)*p) || strchr("!#$%&'*+-.^_`|~", *p)))
		p++;
	return p > s && *p == ':';
}

/* ---------------------------------------------------------------- lists */

static void
list_clear(struct conf_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

static int
list_push(struct conf_list *l, const char *s, size_t n)
{
	char **items;
	char *copy;

	if (!(copy = strndup(s, n)))
		return -1;
	if (!(items = realloc(l->items, (l->n + 1) * sizeof(*items)))) {
		free(copy);
		return -1;
	}
	l->items = items;
	l->items[l->n++] = copy;
	return 0;
}

/* Splits "a, b,c" into l (replacing it).  -1 on OOM, -2 on an empty item. */
static int
list_parse(struct conf_list *l, const char *v)
{
	struct conf_list tmp = { NULL, 0 };
	const char *p = v, *e, *b;

	if (!*v) {
		list_clear(l);
		return 0;
	}
	for (;;) {
		e = strchr(p, ',');
		if (!e)
			e = p + strlen(p);
		b = p;
		while (b < e && isspace((unsigned char)*b))
			b++;
		while (e > b && isspace((unsigned char)e[-1]))
			e--;
		if (e == b) {
			list_clear(&tmp);
			return -2;
		}
		if (list_push(&tmp, b, (size_t)(e - b)) < 0) {
			list_clear(&tmp);
			return -1;
		}
		p = strchr(b, ',');
		if (!p)
			break;
		p++;
	}
	list_clear(l);
	*l = tmp;
	return 0;
}

/* ---------------------------------------------------------------- helpers */

/* A new formatted string (asprintf is a GNU extension); NULL on OOM. */
static char *strfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
strfmt(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(s = malloc((size_t)n + 1)))
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

static void
set_str(char **slot, char *v)
{
	free(*slot);
	*slot = v;
}

static void
free_secret(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static int
dupstr(struct pctx *p, char **slot, const char *v)
{
	char *c = strdup(v);

	if (!c) {
		p->oom = 1;
		return -1;
	}
	set_str(slot, c);
	return 0;
}

/*
 * Expands ${VAR} from the environment; "$${" is a literal "${", any other "$" is
 * literal.  Returns a new string, or NULL (error reported, or p->oom set).
 */
static char *
expand(struct pctx *p, const struct sect *s, const char *key, const char *v, int line)
{
	struct buf b;
	const char *q = v, *end, *val;
	char name[128];
	size_t n;
	int bad = 0;

	buf_init(&b, CONF_MAX_VALUE);
	if (buf_append_str(&b, "") < 0)
		goto oom;
	while (*q) {
		if (q[0] == '$' && q[1] == '$' && q[2] == '{') {
			if (buf_append_str(&b, "${") < 0)
				goto toolong;
			q += 3;
			continue;
		}
		if (q[0] != '$' || q[1] != '{') {
			if (buf_append_char(&b, *q++) < 0)
				goto toolong;
			continue;
		}
		end = strchr(q + 2, '}');
		if (!end) {
			errf(p, line, s->label, key, "unterminated ${ (write $${ for a literal ${)");
			bad = 1;
			break;
		}
		n = (size_t)(end - (q + 2));
		if (n == 0 || n >= sizeof(name)) {
			errf(p, line, s->label, key, "bad variable reference ${...}");
			bad = 1;
			q = end + 1;
			continue;
		}
		memcpy(name, q + 2, n);
		name[n] = '\0';
		if (!(isalpha((unsigned char)name[0]) || name[0] == '_') ||
		    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				 "0123456789_") != n) {
			errf(p, line, s->label, key, "bad variable name ${%s}", quote(name).s);
			bad = 1;
		} else if (!(val = getenv(name))) {
			errf(p, line, s->label, key, "${%s} is not set", name);
			bad = 1;
		} else if (buf_append_str(&b, val) < 0) {
			goto toolong;
		}
		q = end + 1;
	}
	if (bad) {
		buf_cleanup(&b);
		return NULL;
	}
	return buf_steal(&b, NULL);
toolong:
	/* The cap is by far the likelier cause; memory exhaustion reads the same. */
	errf(p, line, s->label, key, "longer than %d bytes after ${VAR} expansion",
	    CONF_MAX_VALUE);
	buf_cleanup(&b);
	return NULL;
oom:
	p->oom = 1;
	buf_cleanup(&b);
	return NULL;
}

/* "a FIFO", "a folder", ... for a message about what a path is instead of a file. */
static const char *
file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a folder";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

/*
 * Opens path for reading only if it is a regular file, and never blocks doing so: stat()
 * first (a FIFO would block open() until a writer comes, a device like /dev/zero never
 * ends), open with O_NONBLOCK, then fstat() the descriptor and check that it is the very
 * file that was checked (it may have been replaced in between).  Returns the descriptor
 * (st filled), or -1 with a message in why.
 */
static int
open_regular(const char *path, struct stat *st, char *why, size_t whylen)
{
	struct stat before;
	int fd, flags;

	if (stat(path, &before) < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(before.st_mode)) {
		snprintf(why, whylen, "is %s, not a regular file", file_kind(before.st_mode));
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, st) < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode) || st->st_dev != before.st_dev ||
	    st->st_ino != before.st_ino) {
		snprintf(why, whylen, "was replaced while being opened");
		close(fd);
		return -1;
	}
	/* Reads of a regular file do not block anyway; clear the flag all the same. */
	if ((flags = fcntl(fd, F_GETFL)) >= 0)
		(void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	return fd;
}

/*
 * Reads a secret file: relative paths are taken from $CREDENTIALS_DIRECTORY (systemd
 * LoadCredential=).  The file must be private to its owner.  Returns the secret (one
 * line, trailing newline stripped) and the resolved path, both new; NULL on error.
 */
static char *
read_secret(struct pctx *p, const struct sect *s, const char *key, const char *path,
    int line, char **resolved)
{
	char *full = NULL, *data = NULL, why[128];
	const char *dir;
	struct stat st;
	ssize_t r;
	size_t len = 0;
	int fd = -1;

	if (path[0] != '/') {
		dir = getenv("CREDENTIALS_DIRECTORY");
		if (!dir || !*dir) {
			errf(p, line, s->label, key,
			    "%s is a relative path but $CREDENTIALS_DIRECTORY is not set "
			    "(use an absolute path, or systemd LoadCredential=)",
			    quote(path).s);
			return NULL;
		}
		if (!(full = strfmt("%s/%s", dir, path))) {
			p->oom = 1;
			return NULL;
		}
	} else if (!(full = strdup(path))) {
		p->oom = 1;
		return NULL;
	}
	if ((fd = open_regular(full, &st, why, sizeof(why))) < 0) {
		errf(p, line, s->label, key, "cannot read \"%s\": %s", full, why);
		goto fail;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		errf(p, line, s->label, key,
		    "\"%s\" is accessible by group or others (mode %04o); run: chmod 600 %s",
		    full, (unsigned)(st.st_mode & 07777), full);
		goto fail;
	}
	if (st.st_size > CONF_MAX_SECRET) {
		errf(p, line, s->label, key, "\"%s\" is larger than %d bytes", full,
		    CONF_MAX_SECRET);
		goto fail;
	}
	if (!(data = malloc(CONF_MAX_SECRET + 1))) {
		p->oom = 1;
		goto fail;
	}
	while (len < CONF_MAX_SECRET &&
	    (r = read(fd, data + len, CONF_MAX_SECRET - len)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			errf(p, line, s->label, key, "cannot read \"%s\": %s", full,
			    strerror(errno));
			goto fail;
		}
		len += (size_t)r;
	}
	data[len] = '\0';
	if (memchr(data, '\0', len)) {
		errf(p, line, s->label, key, "\"%s\" contains a NUL byte", full);
		goto fail;
	}
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		data[--len] = '\0';
	if (len == 0) {
		errf(p, line, s->label, key, "\"%s\" is empty", full);
		goto fail;
	}
	if (strpbrk(data, "\r\n")) {
		errf(p, line, s->label, key, "\"%s\" holds more than one line", full);
		goto fail;
	}
	close(fd);
	*resolved = full;
	return data;
fail:
	if (data) {
		explicit_bzero(data, CONF_MAX_SECRET + 1);
		free(data);
	}
	if (fd >= 0)
		close(fd);
	free(full);
	return NULL;
}

/* ---------------------------------------------------------------- sections */

static void
source_defaults(struct conf_source *s)
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
}

static void
sink_defaults(struct conf_sink *k)
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

static void
trim(char **b, char **e)
{
	while (*b < *e && isspace((unsigned char)**b))
		(*b)++;
	while (*e > *b && isspace((unsigned char)(*e)[-1]))
		(*e)--;
}

/* A section header line "[kind name]" (already left-trimmed). */
static void
section_header(struct pctx *p, char *line)
{
	char *close = strchr(line, ']');
	char *b = line + 1, *e, *kind, *name = NULL, *rest;
	enum sect_kind k;
	struct sect *s;
	size_t i;
	void *grown;

	p->cur = -1;
	p->skip = 1;
	if (!close) {
		errf(p, p->line, NULL, NULL, "section header without a closing ]");
		return;
	}
	rest = close + 1;
	while (isspace((unsigned char)*rest))
		rest++;
	if (*rest && *rest != ';' && *rest != '#') {
		errf(p, p->line, NULL, NULL, "text after the section header");
		return;
	}
	e = close;
	trim(&b, &e);
	*e = '\0';
	kind = b;
	for (; *b && !isspace((unsigned char)*b); b++)
		;
	if (*b) {
		*b++ = '\0';
		while (isspace((unsigned char)*b))
			b++;
		name = b;
	}
	if (strcmp(kind, "daemon") == 0) {
		k = SK_DAEMON;
	} else if (strcmp(kind, "oci") == 0) {
		k = SK_OCI;
	} else if (strcmp(kind, "source") == 0) {
		k = SK_SOURCE;
	} else if (strcmp(kind, "sink") == 0) {
		k = SK_SINK;
	} else {
		errf(p, p->line, NULL, NULL,
		    "[%s%s%s] unknown section (expected [daemon], [oci], [source NAME] or "
		    "[sink NAME])",
		    quote_mark(kind, 0).s, name ? " " : "", name ? quote_mark(name, 0).s : "");
		return;
	}
	if ((k == SK_DAEMON || k == SK_OCI) && name) {
		errf(p, p->line, NULL, NULL, "[%s] takes no name", kind);
		return;
	}
	if ((k == SK_SOURCE || k == SK_SINK) && !name) {
		errf(p, p->line, NULL, NULL, "[%s] needs a name: [%s NAME]", kind, kind);
		return;
	}
	if (name && !valid_name(name)) {
		errf(p, p->line, NULL, NULL,
		    "[%s %s] bad name: use up to %d letters, digits, _ . - (not starting "
		    "with .)",
		    kind, quote_mark(name, 0).s, CONF_MAX_NAME);
		return;
	}
	for (i = 0; i < p->nsects; i++) {
		const struct sect *o = &p->sects[i];
		const char *oname = o->kind == SK_SOURCE ? p->c->sources[o->idx].name :
		    o->kind == SK_SINK ? p->c->sinks[o->idx].name : NULL;

		if (o->kind == k && (!name || strcmp(oname, name) == 0)) {
			errf(p, p->line, NULL, NULL,
			    "[%s%s%s] duplicate section (first on line %d)", kind,
			    name ? " " : "", name ? name : "", o->line);
			return;
		}
	}
	if (p->nsects == p->capsects) {
		size_t cap = p->capsects ? p->capsects * 2 : 8;
		if (!(grown = realloc(p->sects, cap * sizeof(*p->sects))))
			goto oom;
		p->sects = grown;
		p->capsects = cap;
	}
	s = &p->sects[p->nsects];
	memset(s, 0, sizeof(*s));
	s->kind = k;
	s->line = p->line;
	snprintf(s->label, sizeof(s->label), "%s%s%s", kind, name ? " " : "",
	    name ? name : "");
	if (k == SK_SOURCE) {
		struct conf_source *src;
		if (!(grown = realloc(p->c->sources,
			  (p->c->n_sources + 1) * sizeof(*p->c->sources))))
			goto oom;
		p->c->sources = grown;
		src = &p->c->sources[p->c->n_sources];
		memset(src, 0, sizeof(*src));
		source_defaults(src);
		src->line = p->line;
		if (!(src->name = strdup(name)))
			goto oom;
		s->idx = p->c->n_sources++;
	} else if (k == SK_SINK) {
		struct conf_sink *snk;
		if (!(grown = realloc(p->c->sinks, (p->c->n_sinks + 1) * sizeof(*p->c->sinks))))
			goto oom;
		p->c->sinks = grown;
		snk = &p->c->sinks[p->c->n_sinks];
		memset(snk, 0, sizeof(*snk));
		sink_defaults(snk);
		snk->line = p->line;
		if (!(snk->name = strdup(name)))
			goto oom;
		s->idx = p->c->n_sinks++;
	}
	p->cur = (long)p->nsects++;
	p->skip = 0;
	return;
oom:
	p->oom = 1;
}

static void *
sect_base(struct pctx *p, const struct sect *s)
{
	switch (s->kind) {
	case SK_DAEMON:
		return &p->c->daemon;
	case SK_OCI:
		return &p->c->oci;
	case SK_SOURCE:
		return &p->c->sources[s->idx];
	case SK_SINK:
		return &p->c->sinks[s->idx];
	}
	return NULL;
}

static int
enum_lookup(const char *const *names, const char *v)
{
	int i;

	for (i = 0; names[i]; i++)
		if (strcmp(names[i], v) == 0)
			return i;
	return -1;
}

static void
enum_choices(const char *const *names, char *out, size_t outsz)
{
	size_t o = 0;
	int i;

	out[0] = '\0';
	for (i = 0; names[i] && o < outsz; i++)
		o += (size_t)snprintf(out + o, outsz - o, "%s%s", i ? ", " : "", names[i]);
}

/* Parses v for key k and stores it into base.  Errors are reported, never fatal. */
static void
store(struct pctx *p, struct sect *s, const struct key *k, void *base, const char *v,
    int line)
{
	char *slot_c = (char *)base + k->off;
	int64_t i64;
	double d;
	int iv, rel, rc;
	char choices[160];
	char *end;

	switch (k->type) {
	case V_STR:
	case V_PATH:
		if (!*v)
			set_str((char **)(void *)slot_c, NULL);
		else
			dupstr(p, (char **)(void *)slot_c, v);
		return;
	case V_REQSTR:
		if (!*v) {
			errf(p, line, s->label, k->name, "must not be empty");
			return;
		}
		dupstr(p, (char **)(void *)slot_c, v);
		return;
	case V_ABSPATH:
		if (v[0] != '/') {
			errf(p, line, s->label, k->name, "%s is not an absolute path",
			    quote(v).s);
			return;
		}
		dupstr(p, (char **)(void *)slot_c, v);
		return;
	case V_URL:
		if (!*v) {
			set_str((char **)(void *)slot_c, NULL);
			return;
		}
		/* Not quoted back: a URL may carry credentials. */
		if (!valid_url(v)) {
			errf(p, line, s->label, k->name, "is not an http:// or https:// URL");
			return;
		}
		if (has_space_or_ctl(v)) {
			errf(p, line, s->label, k->name,
			    "holds a space or a control character (write a space as %%20)");
			return;
		}
		dupstr(p, (char **)(void *)slot_c, v);
		return;
	case V_HOSTPORT:
		if (!*v) {
			set_str((char **)(void *)slot_c, NULL);
			return;
		}
		if (!valid_hostport(v)) {
			errf(p, line, s->label, k->name, "%s is not host:port", quote(v).s);
			return;
		}
		dupstr(p, (char **)(void *)slot_c, v);
		return;
	case V_DUR:
	case V_SIZE:
		if (k->type == V_DUR)
			rc = conf_parse_duration(v, &i64);
		else
			rc = conf_parse_size(v, &i64);
		if (rc < 0) {
			errf(p, line, s->label, k->name, "%s is not a %s", quote(v).s,
			    k->type == V_DUR ? "duration (e.g. 500ms, 30s, 5m, 1h, 30d)" :
					       "size (e.g. 512B, 64KiB, 1MiB, 10MB)");
			return;
		}
		if (i64 < k->min || i64 > k->max) {
			char lo[32], hi[32];
			if (k->type == V_DUR) {
				conf_format_duration(k->min, lo, sizeof(lo));
				conf_format_duration(k->max, hi, sizeof(hi));
			} else {
				conf_format_size(k->min, lo, sizeof(lo));
				conf_format_size(k->max, hi, sizeof(hi));
			}
			errf(p, line, s->label, k->name, "%s is out of range (%s..%s)",
			    quote(v).s, lo, hi);
			return;
		}
		*(int64_t *)(void *)slot_c = i64;
		return;
	case V_BOOL:
		if (conf_parse_bool(v, &iv) < 0) {
			errf(p, line, s->label, k->name,
			    "%s is not a boolean (true/false, yes/no, on/off, 1/0)", quote(v).s);
			return;
		}
		*(int *)(void *)slot_c = iv;
		return;
	case V_INT:
	case V_I64:
		if (parse_i64(v, &i64) < 0) {
			errf(p, line, s->label, k->name, "%s is not an integer", quote(v).s);
			return;
		}
		if (i64 < k->min || i64 > k->max) {
			errf(p, line, s->label, k->name, "%s is out of range (%lld..%lld)",
			    quote(v).s, (long long)k->min, (long long)k->max);
			return;
		}
		if (k->type == V_INT)
			*(int *)(void *)slot_c = (int)i64;
		else
			*(int64_t *)(void *)slot_c = i64;
		return;
	case V_DOUBLE:
		errno = 0;
		end = NULL;
		d = *v && !isspace((unsigned char)*v) ? strtod(v, &end) : NAN;
		if (!end || *end || errno || !isfinite(d)) {
			errf(p, line, s->label, k->name, "%s is not a number", quote(v).s);
			return;
		}
		if (d < (double)k->min || d > (double)k->max) {
			errf(p, line, s->label, k->name, "%s is out of range (%lld..%lld)",
			    quote(v).s, (long long)k->min, (long long)k->max);
			return;
		}
		*(double *)(void *)slot_c = d;
		return;
	case V_ENUM:
		if ((iv = enum_lookup(k->enums, v)) < 0) {
			enum_choices(k->enums, choices, sizeof(choices));
			errf(p, line, s->label, k->name, "%s is not one of %s", quote(v).s,
			    choices);
			return;
		}
		*(int *)(void *)slot_c = iv;
		return;
	case V_LOGLEVEL: {
		enum log_level lvl;
		if (log_level_parse(v, &lvl) < 0) {
			errf(p, line, s->label, k->name,
			    "%s is not one of debug, info, notice, warning, error", quote(v).s);
			return;
		}
		*(int *)(void *)slot_c = (int)lvl;
		return;
	}
	case V_TIME:
		if (strcmp(v, "earliest") == 0 || strcmp(v, "latest") == 0) {
			/* type = streaming: where a new consumer group begins (check_source
			 * refuses these words for a search source). */
			((struct conf_source *)base)->stream.start_latest = v[0] == 'l';
			((struct conf_source *)base)->stream.start_word = 1;
			return;
		}
		if (conf_parse_time(v, &rel, &i64) < 0) {
			errf(p, line, s->label, k->name,
			    "%s is neither a relative time (-1h) nor RFC 3339 "
			    "(2025-03-14T09:00:00Z)",
			    quote(v).s);
			return;
		}
		/* Only start uses V_TIME; its flag sits next to it. */
		((struct conf_source *)base)->start_is_relative = rel;
		*(int64_t *)(void *)slot_c = i64;
		return;
	case V_LIST:
		rc = list_parse((struct conf_list *)(void *)slot_c, v);
		if (rc == -1)
			p->oom = 1;
		else if (rc == -2)
			errf(p, line, s->label, k->name, "%s has an empty item", quote(v).s);
		return;
	case V_HEADER:
		/* Not quoted back: headers carry credentials. */
		if (!valid_header(v)) {
			errf(p, line, s->label, k->name,
			    "is not \"Name: value\" (a header name is letters, digits and "
			    "!#$%%&'*+-.^_`|~)");
			return;
		}
		for (const char *c = v; *c; c++) {
			/* CR or LF would end the header early: a header of the caller's
			 * making, or a request split in two. */
			if (((unsigned char)*c < 0x20 && *c != '\t') || *c == 0x7f) {
				errf(p, line, s->label, k->name,
				    "holds a control character (CR, LF, ...)");
				return;
			}
		}
		if (list_push((struct conf_list *)(void *)slot_c, v, strlen(v)) < 0)
			p->oom = 1;
		return;
	case V_SECRET:
		if (!*v) {
			free_secret(*(char **)(void *)slot_c);
			*(char **)(void *)slot_c = NULL;
			return;
		}
		{
			char *c = strdup(v);
			if (!c) {
				p->oom = 1;
				return;
			}
			free_secret(*(char **)(void *)slot_c);
			*(char **)(void *)slot_c = c;
		}
		return;
	}
}

/* Edit distance, bounded: only short key names are compared (typo suggestions). */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, prev, cur, tmp;
	size_t row[64];

	if (la >= 64 || lb >= 64)
		return 64;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			cur = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < cur)
				cur = row[j] + 1;
			if (row[j - 1] + 1 < cur)
				cur = row[j - 1] + 1;
			tmp = row[j];
			row[j] = cur;
			prev = tmp;
		}
	}
	return row[lb];
}

/* The closest key name of the table, if it is a likely typo; NULL otherwise. */
static const char *
suggest(const struct key *keys, const char *name)
{
	const char *best = NULL;
	size_t i, d, bestd = 3;

	for (i = 0; keys[i].name; i++) {
		d = distance(keys[i].name, name);
		if (d < bestd) {
			bestd = d;
			best = keys[i].name;
		}
	}
	return best;
}

/* The inih handler: section is ignored, the reader keeps p->cur. */
static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct pctx *p = user;
	struct sect *s;
	const struct key *keys, *k = NULL;
	char *v = NULL;
	size_t i, nl;
	int line = p->line, is_file = 0;
	void *base;

	(void)section;
	if (p->oom)
		return 1;
	if (p->cur < 0) {
		if (!p->skip)
			errf(p, line, NULL, name,
			    "outside any section (put it under [daemon], [oci], [source NAME] "
			    "or [sink NAME])");
		return 1;
	}
	s = &p->sects[p->cur];
	keys = kind_keys[s->kind];
	/* A dozen keys per table: a linear scan costs nothing next to the file read. */
	for (i = 0; keys[i].name; i++)
		if (strcmp(keys[i].name, name) == 0)
			break;
	if (!keys[i].name) {
		nl = strlen(name);
		if (nl > 5 && strcmp(name + nl - 5, "_file") == 0) {
			for (i = 0; keys[i].name; i++)
				if (keys[i].type == V_SECRET && strlen(keys[i].name) == nl - 5 &&
				    strncmp(keys[i].name, name, nl - 5) == 0)
					break;
			is_file = keys[i].name != NULL;
		}
		if (!is_file) {
			const char *hint = suggest(keys, name);
			if (hint)
				errf(p, line, s->label, name, "unknown key (did you mean %s?)", hint);
			else
				errf(p, line, s->label, name, "unknown key");
			return 1;
		}
	}
	k = &keys[i];
	if (k->type != V_HEADER && s->keyline[i]) {
		if (k->type == V_SECRET)
			errf(p, line, s->label, name,
			    "already set on line %d (%s and %s_file are one setting)",
			    s->keyline[i], k->name, k->name);
		else
			errf(p, line, s->label, name, "already set on line %d", s->keyline[i]);
		return 1;
	}
	s->keyline[i] = line;
	if (!(v = expand(p, s, name, value, line)))
		return 1;
	if (strpbrk(v, "\r\n")) {
		errf(p, line, s->label, name, "contains a line break");
		goto done;
	}
	base = sect_base(p, s);
	if (is_file) {
		char *resolved = NULL, *secret;
		char **file_slot = (char **)(void *)((char *)base + k->file_off);

		if (!*v) {
			errf(p, line, s->label, name, "must not be empty");
			goto done;
		}
		if ((secret = read_secret(p, s, name, v, line, &resolved))) {
			free_secret(*(char **)(void *)((char *)base + k->off));
			*(char **)(void *)((char *)base + k->off) = secret;
			set_str(file_slot, resolved);
		}
		goto done;
	}
	store(p, s, k, base, v, line);
done:
	if (k->type == V_SECRET)
		explicit_bzero(v, strlen(v));
	free(v);
	return 1;
}

/*
 * The line reader handed to inih: one line per call, left-trimmed, section headers and
 * malformed lines taken out (inih gets an empty line in their place), so inih's line
 * count and ours stay equal and every error is reported with its line.
 */
static char *
reader(char *str, int num, void *stream)
{
	struct pctx *p = stream;
	const char *s, *nl;
	size_t n, avail;
	char *line = NULL;

	if (p->pos >= p->len || num < 3)
		return NULL;
	s = p->data + p->pos;
	avail = p->len - p->pos;
	nl = memchr(s, '\n', avail);
	n = nl ? (size_t)(nl - s) : avail;
	p->pos += n + (nl ? 1 : 0);
	p->line++;
	if (p->line == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
		s += 3;
		n -= 3;
	}
	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	str[0] = '\n';
	str[1] = '\0';
	if (n == 0 || *s == ';' || *s == '#')
		return str;
	if (n + 2 > (size_t)num) {
		errf(p, p->line, NULL, NULL, "line longer than %d bytes", num - 2);
		return str;
	}
	if (memchr(s, '\0', n)) {
		errf(p, p->line, NULL, NULL, "NUL byte in line");
		return str;
	}
	if (*s == '[') {
		if (!(line = strndup(s, n))) {
			p->oom = 1;
			return str;
		}
		section_header(p, line);
		free(line);
		return str;
	}
	/* inih splits at the first = or : */
	if (!memchr(s, '=', n) && !memchr(s, ':', n)) {
		errf(p, p->line, p->cur >= 0 ? p->sects[p->cur].label : NULL, NULL,
		    "expected key = value");
		return str;
	}
	if (*s == '=' || *s == ':') {
		errf(p, p->line, p->cur >= 0 ? p->sects[p->cur].label : NULL, NULL,
		    "missing key name before %c", *s);
		return str;
	}
	memcpy(str, s, n);
	str[n] = '\n';
	str[n + 1] = '\0';
	return str;
}

/* ---------------------------------------------------------------- validation */

static int
keyline(const struct sect *s, const char *name)
{
	const struct key *keys = kind_keys[s->kind];
	size_t i;

	for (i = 0; keys[i].name; i++)
		if (strcmp(keys[i].name, name) == 0)
			return s->keyline[i];
	return 0;
}

static int
is_set_line(const struct sect *s, const char *name)
{
	return keyline(s, name) > 0;
}

static int
line_or(const struct sect *s, const char *name)
{
	int l = keyline(s, name);
	return l > 0 ? l : s->line;
}

/*
 * 1 when the query has a `sort` operator: a `|`-separated stage (outside quotes) whose
 * first word is "sort".  OCI Logging strings are in single or double quotes.
 */
static int
query_has_sort(const char *q)
{
	char quote = 0;

	for (const char *c = q; *c; c++) {
		if (quote) {
			if (*c == '\\' && c[1] != '\0')
				c++;
			else if (*c == quote)
				quote = 0;
			continue;
		}
		if (*c == '"' || *c == '\'') {
			quote = *c;
		} else if (*c == '|') {
			const char *w = c + 1;
			while (*w == ' ' || *w == '\t')
				w++;
			if (strncasecmp(w, "sort", 4) == 0 &&
			    (w[4] == '\0' || isspace((unsigned char)w[4])))
				return 1;
		}
	}
	return 0;
}

/*
 * A query without a sort operator gets one: whether OCI pages an unsorted result
 * stably is not documented, and Oracle's own export tooling sorts.
 */
static void
sort_query(struct pctx *p, struct conf_source *src)
{
	char *q;

	if (!src->query || query_has_sort(src->query))
		return;
	if (!(q = strfmt("%s" CONF_SORT_SUFFIX, src->query))) {
		p->oom = 1;
		return;
	}
	set_str(&src->query, q);
	src->sort_appended = 1;
}

/* type = streaming: what a consumer group needs; search-only keys are ignored. */
static void
check_streaming(struct pctx *p, const struct sect *s, struct conf_source *src)
{
	const struct conf_streaming *k = &src->stream;

	if (!k->bootstrap_servers)
		errf(p, line_or(s, "bootstrap_servers"), s->label, "bootstrap_servers",
		    "missing (required for type = streaming: the host:port list)");
	if (k->topics.n == 0)
		errf(p, line_or(s, "topic"), s->label, "topic",
		    "missing (required for type = streaming: the stream's name)");
	if (!k->group_id)
		errf(p, line_or(s, "group_id"), s->label, "group_id",
		    "missing (required for type = streaming: the same on every VM that shares "
		    "the work)");
	if (k->security_protocol == CONF_KSEC_SASL_SSL ||
	    k->security_protocol == CONF_KSEC_SASL_PLAINTEXT) {
		if (!k->sasl_username)
			errf(p, line_or(s, "sasl_username"), s->label, "sasl_username",
			    "missing (required with security_protocol = sasl_*; OCI Streaming: "
			    "TENANCY/USER/STREAM_POOL_OCID)");
		if (!k->sasl_password)
			errf(p, line_or(s, "sasl_password"), s->label, "sasl_password",
			    "missing (required with security_protocol = sasl_*; OCI Streaming: an "
			    "auth token, best as sasl_password_file)");
	}
	if (is_set_line(s, "start") && !k->start_word)
		errf(p, line_or(s, "start"), s->label, "start",
		    "is earliest or latest for type = streaming");
}

static void
check_source(struct pctx *p, const struct sect *s)
{
	struct conf_source *src = &p->c->sources[s->idx];

	if (src->type == CONF_SOURCE_STREAMING) {
		check_streaming(p, s, src);
		return;
	}
	if (!src->query && !is_set_line(s, "query"))
		errf(p, s->line, s->label, "query", "missing (required)");
	else if (!src->query)
		errf(p, line_or(s, "query"), s->label, "query", "must not be empty");
	if (src->stream.start_word)
		errf(p, line_or(s, "start"), s->label, "start", "earliest/latest are for "
		    "type = streaming; a search source starts at a relative time (-1h) or an "
		    "RFC 3339 time");
	sort_query(p, src);
	if (src->overlap_ms > src->retention_ms)
		errf(p, line_or(s, "overlap"), s->label, "overlap",
		    "is longer than retention");
	if (src->lag_ms >= src->retention_ms)
		errf(p, line_or(s, "lag"), s->label, "lag", "is not shorter than retention");
	if (!src->start_is_relative && src->start_ms < 0)
		errf(p, line_or(s, "start"), s->label, "start", "is before 1970");
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

/*
 * What sink_new() would refuse, found here so that -t finds it too: a vendor sink without
 * its credential, a template that does not compile, two sources of an Authorization
 * header (both would be sent).
 */
static void
check_sink_start(struct pctx *p, const struct sect *s, const struct conf_sink *k)
{
	const char *auth_from = NULL;

	if (k->type == CONF_SINK_DATADOG && (!k->api_key || !*k->api_key))
		errf(p, s->line, s->label, "api_key",
		    "missing (required for type datadog; or api_key_file)");
	if (k->type == CONF_SINK_SPLUNK_HEC && (!k->token || !*k->token))
		errf(p, s->line, s->label, "token",
		    "missing (required for type splunk_hec; or token_file)");
	if (k->type == CONF_SINK_HTTP && k->template) {
		char msg[256];
		struct template *t = template_new(k->template, msg, sizeof(msg));
		if (t == NULL)
			errf(p, line_or(s, "template"), s->label, "template", "%s", msg);
		template_free(t);
	}
	/* Which keys become an Authorization header, per type (see sink_*.c). */
	switch (k->type) {
	case CONF_SINK_HTTP:
	case CONF_SINK_LOKI:
		auth_from = k->token ? "token" : k->username ? "username" : NULL;
		if (k->token && k->username)
			errf(p, line_or(s, "username"), s->label, "username",
			    "given together with token: both would be sent as Authorization "
			    "(keep one)");
		break;
	case CONF_SINK_ELASTICSEARCH:
		auth_from = k->api_key ? "api_key" : k->token ? "token" :
		    k->username ? "username" : NULL;
		break;
	case CONF_SINK_SPLUNK_HEC:
		auth_from = k->token ? "token" : NULL;
		break;
	case CONF_SINK_DATADOG:
	case CONF_SINK_FILE:
	case CONF_SINK_STDOUT:
		break;
	}
	if (auth_from && has_header(&k->headers, "Authorization"))
		errf(p, line_or(s, "header"), s->label, "header",
		    "Authorization is also made from %s: it would be sent twice (keep one)",
		    auth_from);
}

static void
check_sink(struct pctx *p, const struct sect *s)
{
	struct conf_sink *k = &p->c->sinks[s->idx];
	size_t i;
	int t = is_set_line(s, "type");

	if (!t) {
		errf(p, s->line, s->label, "type",
		    "missing (required: http, datadog, splunk_hec, elasticsearch, loki, file "
		    "or stdout)");
	} else {
		switch (k->type) {
		case CONF_SINK_DATADOG:
			if (!k->url && !k->site && !is_set_line(s, "url"))
				errf(p, s->line, s->label, "url",
				    "missing (a datadog sink needs url or site)");
			break;
		case CONF_SINK_HTTP:
		case CONF_SINK_SPLUNK_HEC:
		case CONF_SINK_ELASTICSEARCH:
		case CONF_SINK_LOKI:
			if (!k->url && !is_set_line(s, "url"))
				errf(p, s->line, s->label, "url", "missing (required for type %s)",
				    sink_type_names[k->type]);
			break;
		case CONF_SINK_FILE:
			if (!k->path && !is_set_line(s, "path"))
				errf(p, s->line, s->label, "path",
				    "missing (required for type file)");
			break;
		case CONF_SINK_STDOUT:
			break;
		}
		if (k->type != CONF_SINK_FILE && k->path)
			errf(p, line_or(s, "path"), s->label, "path",
			    "is only for type file (use url for type %s)",
			    sink_type_names[k->type]);
		if ((k->type == CONF_SINK_FILE || k->type == CONF_SINK_STDOUT) && k->url)
			errf(p, line_or(s, "url"), s->label, "url",
			    "is not used by type %s", sink_type_names[k->type]);
	}
	for (i = 0; i < k->sources.n; i++)
		if (!conf_find_source(p->c, k->sources.items[i]))
			errf(p, line_or(s, "sources"), s->label, "sources",
			    "%s is not a defined [source %s]", quote(k->sources.items[i]).s,
			    k->sources.items[i]);
	if (k->retry_max_delay_ms < k->retry_initial_ms)
		errf(p, line_or(s, "retry_max_delay"), s->label, "retry_max_delay",
		    "is shorter than retry_initial");
	if (k->queue_max_events < k->batch_max_events)
		errf(p, line_or(s, "queue_max_events"), s->label, "queue_max_events",
		    "is smaller than batch_max_events");
	if (k->queue_max_bytes < k->batch_max_bytes)
		errf(p, line_or(s, "queue_max_bytes"), s->label, "queue_max_bytes",
		    "is smaller than batch_max_bytes");
	if (k->username && !k->password)
		errf(p, line_or(s, "username"), s->label, "username",
		    "given without password (or password_file)");
	if (k->password && !k->username)
		errf(p, line_or(s, "password"), s->label, "password",
		    "given without username");
	check_sink_start(p, s, k);
}

/* Fills the defaults that depend on other keys; 0 or -1 (OOM). */
static int
fill_derived(struct pctx *p)
{
	struct conf *c = p->c;
	size_t i;

	for (i = 0; i < p->nsects; i++) {
		const struct sect *s = &p->sects[i];
		struct conf_sink *k;

		if (s->kind != SK_SINK)
			continue;
		k = &c->sinks[s->idx];
		if (!is_set_line(s, "rate_burst")) {
			double b = ceil(k->rate_limit);
			k->rate_burst = b < 1 ? 1 : b > 1000000 ? 1000000 : (int)b;
		}
		if (k->type == CONF_SINK_LOKI && !is_set_line(s, "labels") &&
		    (list_push(&k->labels, "source=oci", 10) < 0 ||
			list_push(&k->labels, "kind", 4) < 0))
			return -1;
		if (k->type == CONF_SINK_DATADOG && !k->ddsource && !(k->ddsource = strdup("oci")))
			return -1;
		if (!k->dead_letter && c->daemon.state_dir &&
		    !(k->dead_letter = strfmt("%s/dead-letter-%s.ndjson", c->daemon.state_dir,
			  k->name)))
			return -1;
	}
	return 0;
}

static int
daemon_oci_defaults(struct conf *c)
{
	const char *sd = getenv("STATE_DIRECTORY");
	size_t n;

	/* systemd passes a ':'-separated list when several StateDirectory= are set. */
	if (sd && sd[0] == '/') {
		n = strcspn(sd, ":");
		if (!(c->daemon.state_dir = strndup(sd, n)))
			return -1;
	} else if (!(c->daemon.state_dir = strdup(CONF_DEFAULT_STATE_DIR))) {
		return -1;
	}
	c->daemon.log_level = LOG_LVL_INFO;
	c->daemon.stats_interval_ms = 60 * 1000;
	c->daemon.shutdown_timeout_ms = 30 * 1000;
	c->oci.auth = CONF_AUTH_API_KEY;
	if (!(c->oci.config_file = strdup("~/.oci/config")) ||
	    !(c->oci.profile = strdup("DEFAULT")))
		return -1;
	return 0;
}

static void
expand_home(struct pctx *p)
{
	struct conf *c = p->c;
	const char *home = getenv("HOME");
	char *n;
	int line = 0;
	size_t i;

	if (!c->oci.config_file || strncmp(c->oci.config_file, "~/", 2) != 0)
		return;
	for (i = 0; i < p->nsects; i++)
		if (p->sects[i].kind == SK_OCI)
			line = keyline(&p->sects[i], "config_file");
	if (!home || !*home) {
		/* Only instance principals do not read the file; don't fail them. */
		if (c->oci.auth != CONF_AUTH_INSTANCE_PRINCIPAL)
			errf(p, line, "oci", "config_file",
			    "%s starts with ~ but $HOME is not set", quote(c->oci.config_file).s);
		return;
	}
	if (!(n = strfmt("%s%s%s", home, home[strlen(home) - 1] == '/' ? "" : "/",
		  c->oci.config_file + 2))) {
		p->oom = 1;
		return;
	}
	set_str(&c->oci.config_file, n);
}

static int
read_file(struct pctx *p, char **out, size_t *len)
{
	FILE *f;
	char *data = NULL, why[128];
	size_t n = 0, cap = 0, r;
	struct stat st;
	int fd;

	if ((fd = open_regular(p->path, &st, why, sizeof(why))) < 0) {
		errf(p, 0, NULL, NULL, "cannot open: %s", why);
		return -1;
	}
	if (!(f = fdopen(fd, "r"))) {
		errf(p, 0, NULL, NULL, "cannot open: %s", strerror(errno));
		close(fd);
		return -1;
	}
	for (;;) {
		if (n == cap) {
			char *g;
			if (cap >= CONF_MAX_FILE) {
				errf(p, 0, NULL, NULL, "larger than %d bytes", CONF_MAX_FILE);
				goto fail;
			}
			cap = cap ? cap * 2 : 16384;
			if (!(g = realloc(data, cap + 1))) {
				p->oom = 1;
				goto fail;
			}
			data = g;
		}
		r = fread(data + n, 1, cap - n, f);
		n += r;
		if (r == 0) {
			if (ferror(f)) {
				errf(p, 0, NULL, NULL, "cannot read: %s", strerror(errno));
				goto fail;
			}
			break;
		}
	}
	fclose(f);
	if (!data && !(data = malloc(1))) {
		p->oom = 1;
		return -1;
	}
	data[n] = '\0';
	*out = data;
	*len = n;
	return 0;
fail:
	fclose(f);
	free(data);
	return -1;
}

struct conf *
conf_load(const char *path, struct conf_err *err)
{
	struct pctx p;
	struct conf *c = NULL;
	char *data = NULL;
	size_t len = 0, i;
	int rc, have_src = 0, have_sink = 0;

	memset(&p, 0, sizeof(p));
	p.path = path;
	p.cur = -1;
	if (err)
		memset(err, 0, sizeof(*err));
	if (!(c = calloc(1, sizeof(*c))) || !(c->path = strdup(path)) ||
	    daemon_oci_defaults(c) < 0) {
		p.oom = 1;
		goto done;
	}
	p.c = c;
	if (read_file(&p, &data, &len) < 0)
		goto done;
	p.data = data;
	p.len = len;
	/*
	 * Debian's libinih makes the line buffer size a run-time setting (default 200, too
	 * short for real queries); upstream has it at compile time.  Our reader refuses
	 * longer lines with a message, whatever the size.
	 */
	ini_max_line = CONF_MAX_LINE;
	rc = ini_parse_stream(reader, &p, handler, &p);
	if (rc != 0 && !p.nerr && !p.oom)
		errf(&p, rc > 0 ? rc : 0, NULL, NULL, "cannot parse (inih error %d)", rc);
	if (p.oom)
		goto done;
	expand_home(&p);
	for (i = 0; i < p.nsects; i++) {
		if (p.sects[i].kind == SK_SOURCE) {
			have_src = 1;
			check_source(&p, &p.sects[i]);
		} else if (p.sects[i].kind == SK_SINK) {
			have_sink = 1;
		}
	}
	if (fill_derived(&p) < 0) {
		p.oom = 1;
		goto done;
	}
	for (i = 0; i < p.nsects; i++)
		if (p.sects[i].kind == SK_SINK)
			check_sink(&p, &p.sects[i]);
	if (!have_src && !p.nerr)
		errf(&p, 0, NULL, NULL, "no [source NAME] section: at least one is required");
	else if (!have_src)
		errf(&p, 0, NULL, NULL, "no valid [source NAME] section");
	if (!have_sink && !p.nerr)
		errf(&p, 0, NULL, NULL, "no [sink NAME] section: at least one is required");
	else if (!have_sink)
		errf(&p, 0, NULL, NULL, "no valid [sink NAME] section");
done:
	if (p.oom)
		errf(&p, 0, NULL, NULL, "out of memory");
	free(data);
	free(p.sects);
	if (p.nerr) {
		conf_free(c);
		c = NULL;
		errs_finish(&p, err);
	}
	return c;
}

/* ---------------------------------------------------------------- the system */

/* A folder the daemon writes into: it must exist, be a folder, and be writable. */
static void
check_folder(struct pctx *p, int line, const char *label, const char *key, const char *dir,
    int must_own)
{
	struct stat st;

	if (stat(dir, &st) < 0) {
		errf(p, line, label, key, "folder \"%s\": %s%s", dir, strerror(errno),
		    errno == ENOENT ? " (create it, or let systemd's StateDirectory= do it)" :
		    "");
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		errf(p, line, label, key, "\"%s\" is %s, not a folder", dir,
		    file_kind(st.st_mode));
		return;
	}
	/* Checkpoints are written as temporary files there: someone else's folder could
	 * hold a planted link, and the owner could swap our files. */
	if (must_own && st.st_uid != geteuid()) {
		errf(p, line, label, key,
		    "folder \"%s\" belongs to uid %u, not to the user the daemon runs as "
		    "(uid %u): run chown %u %s, or run the daemon as its owner", dir,
		    (unsigned)st.st_uid, (unsigned)geteuid(), (unsigned)geteuid(), dir);
		return;
	}
	if (access(dir, W_OK | X_OK) < 0)
		errf(p, line, label, key, "folder \"%s\" is not writable: %s", dir,
		    strerror(errno));
}

int
conf_check_system(const struct conf *c, int for_service, struct conf_err *err)
{
	struct pctx p;
	struct stat st;

	memset(&p, 0, sizeof(p));
	p.path = c->path;
	if (err)
		memset(err, 0, sizeof(*err));
	if (c->daemon.state_dir && !(for_service &&
	    strcmp(c->daemon.state_dir, CONF_DEFAULT_STATE_DIR) == 0 &&
	    stat(c->daemon.state_dir, &st) < 0 && errno == ENOENT))
		check_folder(&p, 0, "daemon", "state_dir", c->daemon.state_dir, !for_service);
	for (size_t i = 0; i < c->n_sinks; i++) {
		const struct conf_sink *k = &c->sinks[i];
		char label[CONF_MAX_NAME + 16], *dir;
		const char *slash;

		if (!k->dead_letter)
			continue;
		snprintf(label, sizeof(label), "sink %s", k->name);
		slash = strrchr(k->dead_letter, '/');
		if (!slash)
			dir = strdup(".");
		else if (slash == k->dead_letter)
			dir = strdup("/");
		else
			dir = strndup(k->dead_letter, (size_t)(slash - k->dead_letter));
		if (!dir) {
			p.oom = 1;
			break;
		}
		/* The default one lives in state_dir, checked above. */
		if (!c->daemon.state_dir || strcmp(dir, c->daemon.state_dir) != 0)
			check_folder(&p, k->line, label, "dead_letter", dir, 0);
		free(dir);
		if (stat(k->dead_letter, &st) == 0 && !S_ISREG(st.st_mode))
			errf(&p, k->line, label, "dead_letter", "\"%s\" is %s, not a file",
			    k->dead_letter, file_kind(st.st_mode));
	}
	/* Reading it would block (a FIFO) or never end (/dev/zero). */
	if (c->oci.auth == CONF_AUTH_API_KEY && c->oci.config_file &&
	    stat(c->oci.config_file, &st) == 0 && !S_ISREG(st.st_mode))
		errf(&p, 0, "oci", "config_file", "\"%s\" is %s, not a regular file",
		    c->oci.config_file, file_kind(st.st_mode));
	if (p.oom)
		errf(&p, 0, NULL, NULL, "out of memory");
	if (p.nerr) {
		errs_finish(&p, err);
		return -1;
	}
	return 0;
}

static void
source_free(struct conf_source *s)
{
	free(s->name);
	free(s->query);
	free(s->stream.bootstrap_servers);
	list_clear(&s->stream.topics);
	free(s->stream.group_id);
	free(s->stream.sasl_username);
	free_secret(s->stream.sasl_password);
	free(s->stream.sasl_password_file);
	free(s->stream.tls_ca_file);
}

static void
sink_free(struct conf_sink *k)
{
	free(k->name);
	free(k->url);
	free(k->path);
	list_clear(&k->sources);
	free(k->template);
	list_clear(&k->headers);
	free_secret(k->api_key);
	free_secret(k->token);
	free_secret(k->password);
	free(k->api_key_file);
	free(k->token_file);
	free(k->password_file);
	free(k->username);
	free(k->index);
	free(k->sourcetype);
	free(k->tenant);
	list_clear(&k->labels);
	free(k->site);
	free(k->service);
	free(k->ddsource);
	free(k->ddtags);
	free(k->hostname);
	free(k->source_field);
	free(k->dead_letter);
	free(k->tls_ca_file);
}

void
conf_free(struct conf *c)
{
	size_t i;

	if (!c)
		return;
	free(c->path);
	free(c->daemon.state_dir);
	free(c->daemon.metrics_listen);
	free(c->oci.config_file);
	free(c->oci.profile);
	free(c->oci.region);
	free(c->oci.endpoint);
	free(c->oci.imds_url);
	free(c->oci.auth_url);
	for (i = 0; i < c->n_sources; i++)
		source_free(&c->sources[i]);
	free(c->sources);
	for (i = 0; i < c->n_sinks; i++)
		sink_free(&c->sinks[i]);
	free(c->sinks);
	free(c);
}

/* ---------------------------------------------------------------- lookups */

const struct conf_source *
conf_find_source(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; c && name && i < c->n_sources; i++)
		if (strcmp(c->sources[i].name, name) == 0)
			return &c->sources[i];
	return NULL;
}

const struct conf_sink *
conf_find_sink(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; c && name && i < c->n_sinks; i++)
		if (strcmp(c->sinks[i].name, name) == 0)
			return &c->sinks[i];
	return NULL;
}

int
conf_sink_wants(const struct conf_sink *k, const char *source_name)
{
	size_t i;

	if (k->sources.n == 0)
		return 1;
	for (i = 0; i < k->sources.n; i++)
		if (strcmp(k->sources.items[i], source_name) == 0)
			return 1;
	return 0;
}

/* ---------------------------------------------------------------- dump */

char *
conf_format_duration(int64_t ms, char *out, size_t outsz)
{
	static const struct {
		const char *u;
		int64_t mul;
	} units[] = { { "d", 86400000 }, { "h", 3600000 }, { "m", 60000 }, { "s", 1000 } };
	size_t i;
	const char *sign = "";

	if (ms < 0) {
		sign = "-";
		ms = ms == INT64_MIN ? INT64_MAX : -ms;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (ms != 0 && ms % units[i].mul == 0) {
			snprintf(out, outsz, "%s%lld%s", sign, (long long)(ms / units[i].mul),
			    units[i].u);
			return out;
		}
	}
	if (ms == 0)
		snprintf(out, outsz, "0s");
	else
		snprintf(out, outsz, "%s%lldms", sign, (long long)ms);
	return out;
}

char *
conf_format_size(int64_t bytes, char *out, size_t outsz)
{
	static const struct {
		const char *u;
		int64_t mul;
	} units[] = { { "GiB", 1024LL * 1024 * 1024 }, { "MiB", 1024 * 1024 },
		{ "KiB", 1024 }, { "GB", 1000LL * 1000 * 1000 }, { "MB", 1000 * 1000 },
		{ "KB", 1000 } };
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (bytes != 0 && bytes % units[i].mul == 0) {
			snprintf(out, outsz, "%lld%s", (long long)(bytes / units[i].mul),
			    units[i].u);
			return out;
		}
	}
	snprintf(out, outsz, "%lldB", (long long)bytes);
	return out;
}

char *
conf_format_rfc3339(int64_t ms, char *out, size_t outsz)
{
	struct tm tm;
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	int frac = (int)(ms - (int64_t)t * 1000);
	size_t n;

	if (!gmtime_r(&t, &tm)) {
		snprintf(out, outsz, "?");
		return out;
	}
	n = strftime(out, outsz, "%Y-%m-%dT%H:%M:%S", &tm);
	if (frac)
		snprintf(out + n, outsz - n, ".%03dZ", frac);
	else
		snprintf(out + n, outsz - n, "Z");
	return out;
}

/* Header or query-parameter names whose values are credentials. */
static int
sensitive_name(const char *s, size_t n)
{
	static const char *const words[] = { "auth", "key", "token", "secret", "pass",
		"cookie", "session", "signature", "credential" };
	size_t i, j, wl;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		wl = strlen(words[i]);
		for (j = 0; j + wl <= n; j++)
			if (strncasecmp(s + j, words[i], wl) == 0)
				return 1;
	}
	return 0;
}

/* Appends to b the URL u[0..n) with the password of its userinfo and credential-like
 * query values masked. */
static void
mask_url_n(struct buf *b, const char *u, size_t n)
{
	const char *end = u + n;
	const char *scheme = NULL;
	const char *host;
	const char *pathstart;
	const char *at, *q, *p, *amp, *eq;

	for (const char *c = u; c + 3 <= end && !scheme; c++)
		if (memcmp(c, "://", 3) == 0)
			scheme = c;
	host = scheme ? scheme + 3 : u;
	pathstart = host;
	while (pathstart < end && !strchr("/?#", *pathstart))
		pathstart++;
	at = memchr(host, '@', (size_t)(pathstart - host));
	if (at) {
		const char *colon = memchr(host, ':', (size_t)(at - host));
		buf_append(b, u, (size_t)(host - u));
		if (colon) {
			buf_append(b, host, (size_t)(colon - host));
			buf_append_str(b, ":***");
		} else {
			buf_append(b, host, (size_t)(at - host));
		}
		u = at;
	}
	q = memchr(u, '?', (size_t)(end - u));
	if (!q) {
		buf_append(b, u, (size_t)(end - u));
		return;
	}
	buf_append(b, u, (size_t)(q + 1 - u));
	for (p = q + 1; p < end; p = amp < end ? amp + 1 : amp) {
		amp = p;
		while (amp < end && *amp != '&' && *amp != '#')
			amp++;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq && sensitive_name(p, (size_t)(eq - p))) {
			buf_append(b, p, (size_t)(eq - p));
			buf_append_str(b, "=***");
		} else {
			buf_append(b, p, (size_t)(amp - p));
		}
		if (amp < end && *amp == '#') {
			buf_append(b, amp, (size_t)(end - amp));
			return;
		}
		if (amp < end)
			buf_append_char(b, '&');
	}
}

char *
conf_mask_url_buf(const char *url, char *out, size_t outsz)
{
	struct buf b;

	if (outsz == 0)
		return out;
	out[0] = '\0';
	if (!*url)
		return out;
	buf_init(&b, CONF_MAX_VALUE * 2);
	mask_url_n(&b, url, strlen(url));
	/* Out of memory: say nothing rather than the unmasked URL. */
	snprintf(out, outsz, "%s", b.data ? b.data : "(URL)");
	buf_cleanup(&b);
	return out;
}

char *
conf_mask_text(const char *text, char *out, size_t outsz)
{
	struct buf b;
	const char *t = text;

	if (outsz == 0)
		return out;
	out[0] = '\0';
	if (!*text)
		return out;
	buf_init(&b, CONF_MAX_VALUE * 4);
	while (*t) {
		const char *u = t;
		size_t n;
		while (*u && strncasecmp(u, "http://", 7) != 0 && strncasecmp(u, "https://", 8) != 0)
			u++;
		buf_append(&b, t, (size_t)(u - t));
		if (!*u)
			break;
		/* A URL ends at white space, a quote or an angle bracket. */
		n = strcspn(u, " \t\r\n\"'<>");
		mask_url_n(&b, u, n);
		t = u + n;
	}
	snprintf(out, outsz, "%s", b.data ? b.data : "(text with a URL)");
	buf_cleanup(&b);
	return out;
}

static void
dump_url(FILE *out, const char *u)
{
	char m[CONF_MAX_LINE * 2];

	fputs(conf_mask_url_buf(u, m, sizeof(m)), out);
}

char *
conf_mask_url(const char *url)
{
	struct buf b;
	char *s;
	size_t n;

	if (url == NULL)
		return NULL;
	buf_init(&b, CONF_MAX_VALUE * 2);
	mask_url_n(&b, url, strlen(url));
	if (b.data == NULL) /* an empty URL, or out of memory */
		return *url ? NULL : strdup("");
	s = buf_steal(&b, &n);
	return s;
}

int
conf_sensitive_name(const char *name, size_t len)
{
	return sensitive_name(name, len);
}

static void
dump_header(FILE *out, const char *h)
{
	size_t n = strcspn(h, ":");

	if (sensitive_name(h, n))
		fprintf(out, "header = %.*s: ***\n", (int)n, h);
	else
		fprintf(out, "header = %s\n", h);
}

static void
dump_keys(FILE *out, const struct key *keys, const void *base, unsigned sink_type_bit)
{
	const char *b = base;
	char tmp[64];
	size_t i, j;

	for (i = 0; keys[i].name; i++) {
		const struct key *k = &keys[i];
		const void *slot = b + k->off;
		const char *sv = NULL;
		const struct conf_list *l;

		switch (k->type) {
		case V_STR:
		case V_REQSTR:
		case V_PATH:
		case V_ABSPATH:
		case V_HOSTPORT:
			sv = *(char *const *)slot;
			if (!sv && sink_type_bit && k->types && !(k->types & sink_type_bit))
				break;
			if (sv)
				fprintf(out, "%s = %s\n", k->name, sv);
			else
				fprintf(out, "%s =\n", k->name);
			break;
		case V_URL:
			sv = *(char *const *)slot;
			if (!sv && sink_type_bit && k->types && !(k->types & sink_type_bit))
				break;
			fprintf(out, "%s =%s", k->name, sv ? " " : "");
			if (sv)
				dump_url(out, sv);
			fputc('\n', out);
			break;
		case V_SECRET: {
			const char *file = *(char *const *)(const void *)(b + k->file_off);
			sv = *(char *const *)slot;
			if (!sv && sink_type_bit && k->types && !(k->types & sink_type_bit))
				break;
			if (file)
				fprintf(out, "; %s read from %s_file = %s\n", k->name, k->name, file);
			fprintf(out, "%s =%s\n", k->name, sv ? " ***" : "");
			break;
		}
		case V_DUR:
			fprintf(out, "%s = %s\n", k->name,
			    conf_format_duration(*(const int64_t *)slot, tmp, sizeof(tmp)));
			break;
		case V_SIZE:
			fprintf(out, "%s = %s\n", k->name,
			    conf_format_size(*(const int64_t *)slot, tmp, sizeof(tmp)));
			break;
		case V_BOOL:
			if (sink_type_bit && k->types && !(k->types & sink_type_bit))
				break;
			fprintf(out, "%s = %s\n", k->name, *(const int *)slot ? "true" : "false");
			break;
		case V_INT:
			fprintf(out, "%s = %d\n", k->name, *(const int *)slot);
			break;
		case V_I64:
			fprintf(out, "%s = %lld\n", k->name, (long long)*(const int64_t *)slot);
			break;
		case V_DOUBLE:
			fprintf(out, "%s = %g\n", k->name, *(const double *)slot);
			break;
		case V_ENUM:
			if (sink_type_bit && k->types && !(k->types & sink_type_bit))
				break;
			fprintf(out, "%s = %s\n", k->name, k->enums[*(const int *)slot]);
			break;
		case V_LOGLEVEL:
			fprintf(out, "%s = %s\n", k->name,
			    log_level_name((enum log_level) * (const int *)slot));
			break;
		case V_TIME: {
			const struct conf_source *src = base;
			if (src->type == CONF_SOURCE_STREAMING)
				fprintf(out, "%s = %s\n", k->name,
				    src->stream.start_latest ? "latest" : "earliest");
			else if (src->start_is_relative)
				fprintf(out, "%s = %s\n", k->name,
				    src->start_ms == 0 ? "now" :
				    conf_format_duration(src->start_ms, tmp, sizeof(tmp)));
			else
				fprintf(out, "%s = %s\n", k->name,
				    conf_format_rfc3339(src->start_ms, tmp, sizeof(tmp)));
			break;
		}
		case V_LIST:
			l = slot;
			if (!l->n && sink_type_bit && k->types && !(k->types & sink_type_bit))
				break;
			fprintf(out, "%s =", k->name);
			for (j = 0; j < l->n; j++)
				fprintf(out, "%s%s", j ? "," : " ", l->items[j]);
			fputc('\n', out);
			break;
		case V_HEADER:
			l = slot;
			for (j = 0; j < l->n; j++)
				dump_header(out, l->items[j]);
			break;
		}
	}
}

void
conf_dump(const struct conf *c, FILE *out)
{
	size_t i;

	fprintf(out, "; effective configuration of %s (defaults filled in, secrets shown as ***)\n",
	    c->path);
	fprintf(out, "\n[daemon]\n");
	dump_keys(out, daemon_keys, &c->daemon, 0);
	fprintf(out, "\n[oci]\n");
	dump_keys(out, oci_keys, &c->oci, 0);
	for (i = 0; i < c->n_sources; i++) {
		fprintf(out, "\n[source %s]\n", c->sources[i].name);
		if (c->sources[i].sort_appended)
			fprintf(out, "; query: \"" CONF_SORT_SUFFIX "\" appended (the query had "
			    "no sort operator)\n");
		dump_keys(out, source_keys, &c->sources[i], 1u << c->sources[i].type);
	}
	for (i = 0; i < c->n_sinks; i++) {
		fprintf(out, "\n[sink %s]\n", c->sinks[i].name);
		dump_keys(out, sink_keys, &c->sinks[i], 1u << c->sinks[i].type);
	}
}
