/*
 * test_conf.c — lib/conf: every value type (good and bad), every error message it gives,
 * secrets from files and $CREDENTIALS_DIRECTORY, defaults, and the masked dump.
 * Config files are real files in a mkdtemp folder, removed at the end.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "sink_datadog.h"
#include "sink_loki.h"
#include "sink_http.h"
#include "sink_splunk.h"

static char tmpdir[] = "/tmp/test_conf.XXXXXX";

#define MIN_OK "[source a]\nquery = search \"x\"\n[sink s]\ntype = stdout\n"

/* snprintf that fails the test instead of truncating. */
static void fmt(char *buf, size_t n, const char *f, ...) __attribute__((format(printf, 3, 4)));

static void
fmt(char *buf, size_t n, const char *f, ...)
{
	va_list ap;
	int r;

	va_start(ap, f);
	r = vsnprintf(buf, n, f, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= n)
		fail_msg("formatted text too long");
}

static char *
path_of(const char *name)
{
	static char p[PATH_MAX];

	fmt(p, sizeof(p), "%s/%s", tmpdir, name);
	return p;
}

static void
write_file(const char *name, const char *text, mode_t mode)
{
	FILE *f;
	const char *p = path_of(name);

	unlink(p);
	f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(p, mode), 0);
}

/* Loads text as "t.conf"; returns the conf or NULL with err filled. */
static struct conf *
load(const char *text, struct conf_err *err)
{
	write_file("t.conf", text, 0600);
	return conf_load(path_of("t.conf"), err);
}

/* Asserts that text fails to load with a message line that contains want. */
static void
expect_error(const char *text, const char *want)
{
	struct conf_err err;
	struct conf *c = load(text, &err);

	if (c) {
		conf_free(c);
		fail_msg("loaded, expected an error containing: %s", want);
	}
	assert_non_null(err.text);
	assert_true(err.count >= 1);
	if (!strstr(err.text, want))
		fail_msg("error text\n%s\ndoes not contain\n%s", err.text, want);
	conf_err_cleanup(&err);
}

/* The exact form: "PATH:LINE: [section] key: message". */
static void
expect_error_at(const char *text, int line, const char *rest)
{
	char want[PATH_MAX + 512];

	fmt(want, sizeof(want), "%s:%d: %s", path_of("t.conf"), line, rest);
	expect_error(text, want);
}

static struct conf *
load_ok(const char *text)
{
	struct conf_err err;
	struct conf *c = load(text, &err);

	if (!c)
		fail_msg("did not load:\n%s", err.text ? err.text : "(no text)");
	return c;
}

static int
rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int
group_setup(void **state)
{
	if (!mkdtemp(tmpdir))
		return -1;
	unsetenv("CREDENTIALS_DIRECTORY");
	unsetenv("STATE_DIRECTORY");
	return 0;
}

static int
group_teardown(void **state)
{
	return nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* The private configs of a sink's type (its type_conf). */
#define DDC(k) ((const struct sink_datadog_conf *)(k)->type_conf)
#define LKC(k) ((const struct sink_loki_conf *)(k)->type_conf)
#define HTC(k) ((const struct sink_http_conf *)(k)->type_conf)
#define HKC(k) ((const struct sink_splunk_conf *)(k)->type_conf)

/* ---------------------------------------------------------------- value types */

static void
test_duration(void **state)
{
	static const struct {
		const char *s;
		int64_t ms;
	} good[] = { { "500ms", 500 }, { "30s", 30000 }, { "5m", 300000 }, { "1h", 3600000 },
		{ "30d", 30LL * 86400000 }, { "1h30m", 5400000 }, { "45", 45000 }, { "0", 0 },
		{ "0s", 0 }, { "2 m", 120000 }, { "1m500ms", 60500 } };
	static const char *const bad[] = { "", "5x", "-1s", "1.5h", "s", "ms", "10mm", "1hh",
		"1 h 2", "30 ", "99999999999999999999", "9999999999999999d", "1h 30", "1y" };
	size_t i;
	int64_t v;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = -7;
		if (conf_parse_duration(good[i].s, &v) != 0)
			fail_msg("\"%s\" rejected", good[i].s);
		assert_int_equal(v, good[i].ms);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (conf_parse_duration(bad[i], &v) == 0)
			fail_msg("\"%s\" accepted", bad[i]);
}

static void
test_size(void **state)
{
	static const struct {
		const char *s;
		int64_t b;
	} good[] = { { "512", 512 }, { "512B", 512 }, { "64KiB", 65536 },
		{ "1MiB", 1048576 }, { "1GiB", 1073741824 }, { "10KB", 10000 },
		{ "10MB", 10000000 }, { "1GB", 1000000000 }, { "1 MiB", 1048576 }, { "0", 0 } };
	static const char *const bad[] = { "", "12XB", "1.5MiB", "MiB", "-1", "1mib", "1 ",
		"1KiBB", "99999999999999999999", "9999999999999GiB", "1K" };
	size_t i;
	int64_t v;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = -7;
		if (conf_parse_size(good[i].s, &v) != 0)
			fail_msg("\"%s\" rejected", good[i].s);
		assert_int_equal(v, good[i].b);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (conf_parse_size(bad[i], &v) == 0)
			fail_msg("\"%s\" accepted", bad[i]);
}

static void
test_bool(void **state)
{
	static const char *const t[] = { "true", "yes", "on", "1", "TRUE", "Yes" };
	static const char *const f[] = { "false", "no", "off", "0", "Off" };
	static const char *const bad[] = { "", "maybe", "2", "y", "truee", "enabled" };
	size_t i;
	int v;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		v = 0;
		assert_int_equal(conf_parse_bool(t[i], &v), 0);
		assert_int_equal(v, 1);
	}
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		v = 1;
		assert_int_equal(conf_parse_bool(f[i], &v), 0);
		assert_int_equal(v, 0);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(conf_parse_bool(bad[i], &v), -1);
}

static void
test_time(void **state)
{
	int rel = -1;
	int64_t ms = 0;
	static const char *const bad[] = { "", "yesterday", "2025-03-14", "+1h",
		"2025-02-29T00:00:00Z", "2025-13-01T00:00:00Z", "2025-03-14T24:00:00Z",
		"2025-03-14T09:00:00", "2025-03-14T09:00:00+2:00", "2025-03-14T09:00:00Zjunk",
		"-", "-1x", "2025-03-14T09:00:00.Z" };
	size_t i;

	assert_int_equal(conf_parse_time("-1h", &rel, &ms), 0);
	assert_int_equal(rel, 1);
	assert_int_equal(ms, -3600000);
	assert_int_equal(conf_parse_time("now", &rel, &ms), 0);
	assert_int_equal(rel, 1);
	assert_int_equal(ms, 0);
	assert_int_equal(conf_parse_time("2025-03-14T09:00:00Z", &rel, &ms), 0);
	assert_int_equal(rel, 0);
	assert_int_equal(ms, 1741942800000LL);
	assert_int_equal(conf_parse_rfc3339("2025-03-14T09:00:00.123456Z", &ms), 0);
	assert_int_equal(ms, 1741942800123LL);
	assert_int_equal(conf_parse_rfc3339("2025-03-14T11:00:00.5+02:00", &ms), 0);
	assert_int_equal(ms, 1741942800500LL);
	assert_int_equal(conf_parse_rfc3339("2025-03-14T04:30:00-04:30", &ms), 0);
	assert_int_equal(ms, 1741942800000LL);
	assert_int_equal(conf_parse_rfc3339("2024-02-29t00:00:00z", &ms), 0);
	assert_int_equal(ms, 1709164800000LL);
	assert_int_equal(conf_parse_rfc3339("1970-01-01T00:00:00Z", &ms), 0);
	assert_int_equal(ms, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (conf_parse_time(bad[i], &rel, &ms) == 0)
			fail_msg("\"%s\" accepted", bad[i]);
}

static void
test_formatters(void **state)
{
	char b[40];

	assert_string_equal(conf_format_duration(500, b, sizeof(b)), "500ms");
	assert_string_equal(conf_format_duration(30000, b, sizeof(b)), "30s");
	assert_string_equal(conf_format_duration(60000, b, sizeof(b)), "1m");
	assert_string_equal(conf_format_duration(90000, b, sizeof(b)), "90s");
	assert_string_equal(conf_format_duration(30 * 86400000LL, b, sizeof(b)), "30d");
	assert_string_equal(conf_format_duration(0, b, sizeof(b)), "0s");
	assert_string_equal(conf_format_duration(-3600000, b, sizeof(b)), "-1h");
	assert_string_equal(conf_format_size(1048576, b, sizeof(b)), "1MiB");
	assert_string_equal(conf_format_size(10000, b, sizeof(b)), "10KB");
	assert_string_equal(conf_format_size(1000, b, sizeof(b)), "1KB");
	assert_string_equal(conf_format_size(1500, b, sizeof(b)), "1500B");
	assert_string_equal(conf_format_rfc3339(1741942800123LL, b, sizeof(b)),
	    "2025-03-14T09:00:00.123Z");
	assert_string_equal(conf_format_rfc3339(1741942800000LL, b, sizeof(b)),
	    "2025-03-14T09:00:00Z");
	assert_string_equal(conf_sink_type_name(CONF_SINK_SPLUNK_HEC), "splunk_hec");
	assert_string_equal(conf_format_name(CONF_FORMAT_OCSF), "ocsf");
}

/* ---------------------------------------------------------------- whole files */

static void
test_defaults(void **state)
{
	struct conf *c;
	const struct conf_source *s;
	const struct conf_sink *k;
	char want[PATH_MAX];

	setenv("HOME", "/home/tester", 1);
	c = load_ok(MIN_OK);
	assert_string_equal(c->path, path_of("t.conf"));
	assert_string_equal(c->daemon.state_dir, "/var/lib/oci-logfwd");
	assert_int_equal(c->daemon.log_level, LOG_LVL_INFO);
	assert_null(c->daemon.metrics_listen);
	assert_int_equal(c->daemon.stats_interval_ms, 60000);
	assert_int_equal(c->daemon.shutdown_timeout_ms, 30000);
	assert_int_equal(c->oci.auth, CONF_AUTH_API_KEY);
	assert_string_equal(c->oci.config_file, "/home/tester/.oci/config");
	assert_string_equal(c->oci.profile, "DEFAULT");
	assert_null(c->oci.region);
	assert_null(c->oci.endpoint);
	assert_null(c->oci.imds_url);
	assert_null(c->oci.auth_url);
	assert_int_equal(c->n_sources, 1);
	s = &c->sources[0];
	assert_string_equal(s->name, "a");
	/* The effective query: no sort operator, so one is appended. */
	assert_string_equal(s->query, "search \"x\" | sort by datetime asc");
	assert_int_equal(s->sort_appended, 1);
	assert_int_equal(s->interval_ms, 30000);
	assert_int_equal(s->lag_ms, 120000);
	assert_int_equal(s->overlap_ms, 15 * 60000);
	assert_int_equal(s->sweep_interval_ms, 5 * 60000);
	assert_int_equal(s->window_ms, 10 * 60000);
	assert_int_equal(s->start_is_relative, 1);
	assert_int_equal(s->start_ms, -3600000);
	assert_int_equal(s->page_size, 1000);
	assert_int_equal(s->retention_ms, 30 * 86400000LL);
	assert_int_equal(s->line, 1);
	assert_int_equal(c->n_sinks, 1);
	k = &c->sinks[0];
	assert_string_equal(k->name, "s");
	assert_int_equal(k->type, CONF_SINK_STDOUT);
	assert_null(k->url);
	assert_int_equal(k->sources.n, 0);
	assert_int_equal(k->format, CONF_FORMAT_ECS);
	assert_int_equal(k->encoding, CONF_ENC_DEFAULT);
	assert_int_equal(k->compression, CONF_COMP_NONE);
	assert_int_equal(k->batch_max_events, 500);
	assert_int_equal(k->batch_max_bytes, 1048576);
	assert_int_equal(k->batch_timeout_ms, 1000);
	assert_true(k->rate_limit == 0);
	assert_int_equal(k->rate_burst, 1);
	assert_int_equal(k->max_in_flight, 2);
	assert_int_equal(k->timeout_ms, 30000);
	assert_int_equal(k->retry_initial_ms, 500);
	assert_int_equal(k->retry_max_delay_ms, 60000);
	assert_int_equal(k->retry_max_time_ms, 0);
	assert_int_equal(k->queue_max_events, 100000);
	assert_int_equal(k->queue_max_bytes, 64LL * 1048576);
	assert_int_equal(k->when_full, CONF_FULL_BLOCK);
	assert_int_equal(k->tls_verify, 1);
	assert_null(k->tls_ca_file);
	assert_string_equal(k->dead_letter, "/var/lib/oci-logfwd/dead-letter-s.ndjson");
	assert_int_equal(k->line, 3);
	assert_int_equal(conf_sink_wants(k, "a"), 1);
	assert_ptr_equal(conf_find_source(c, "a"), s);
	assert_ptr_equal(conf_find_sink(c, "s"), k);
	assert_null(conf_find_source(c, "s"));
	assert_null(conf_find_sink(c, "nope"));
	conf_free(c);

	/* systemd's StateDirectory= wins over the built-in default. */
	setenv("STATE_DIRECTORY", "/var/lib/private/oci-logfwd:/other", 1);
	c = load_ok(MIN_OK);
	assert_string_equal(c->daemon.state_dir, "/var/lib/private/oci-logfwd");
	unsetenv("STATE_DIRECTORY");
	conf_free(c);

	/* Type-specific defaults: loki labels, datadog ddsource, burst from rate. */
	c = load_ok("[source a]\nquery=q\n"
		    "[sink l]\ntype=loki\nurl=http://127.0.0.1:3100/loki/api/v1/push\n"
		    "[sink d]\ntype=datadog\nsite=datadoghq.eu\nrate_limit=2.5\napi_key=k\n"
		    "[sink e]\ntype=file\npath=/tmp/x\nrate_limit=10\nrate_burst=3\n"
		    "[daemon]\nstate_dir=/srv/st\n");
	k = conf_find_sink(c, "l");
	assert_int_equal(LKC(k)->labels.n, 2);
	assert_string_equal(LKC(k)->labels.items[0], "source=oci");
	assert_string_equal(LKC(k)->labels.items[1], "kind");
	k = conf_find_sink(c, "d");
	assert_string_equal(DDC(k)->ddsource, "oci");
	assert_int_equal(k->rate_burst, 3);
	assert_true(k->rate_limit == 2.5);
	fmt(want, sizeof(want), "/srv/st/dead-letter-d.ndjson");
	assert_string_equal(k->dead_letter, want);
	k = conf_find_sink(c, "e");
	assert_int_equal(k->rate_burst, 3);
	conf_free(c);
}

static void
test_every_key(void **state)
{
	struct conf *c;
	const struct conf_source *s;
	const struct conf_sink *k;

	c = load_ok("; a comment\n# another\n"
		    "[daemon]\n"
		    "state_dir = /srv/state\n"
		    "log_level = debug\n"
		    "metrics_listen = 127.0.0.1:9464\n"
		    "stats_interval = 10s\n"
		    "shutdown_timeout = 1m\n"
		    "[ oci ]\n"
		    "  auth = instance_principal   ; indented, inline comment\n"
		    "config_file = /etc/oci/config\n"
		    "profile = OTHER\n"
		    "region = eu-frankfurt-1\n"
		    "endpoint = http://127.0.0.1:1234\n"
		    "imds_url = http://127.0.0.1:1235/opc/v2\n"
		    "auth_url = https://127.0.0.1:1236\n"
		    "[source audit-1.x]\n"
		    "query = search \"c/_Audit\" | where type = 'x;y'\n"
		    "interval = 15s\nlag = 0\noverlap = 0\nsweep_interval = 1m\nwindow = 1h\n"
		    "start = 2025-03-14T09:00:00Z\npage_size = 1\nretention = 90d\n"
		    "[source flow]\nquery = q2\nstart = -2h\n"
		    "[sink siem]\n"
		    "type = http\nurl = https://siem.example/ingest\nsources = audit-1.x , flow\n"
		    "format = ocsf\nencoding = ndjson\ntemplate = {\"m\": {{message}}}\n"
		    "header = X-A: 1\nheader = X-B:two words\n"
		    "username = u\npassword = p\n"
		    "compression = gzip\nbatch_max_events = 10\nbatch_max_bytes = 64KiB\n"
		    "batch_timeout = 250ms\nrate_limit = 0.5\nrate_burst = 4\nmax_in_flight = 8\n"
		    "timeout = 5s\nretry_initial = 100ms\nretry_max_delay = 10s\n"
		    "retry_max_time = 1h\nqueue_max_events = 1000\nqueue_max_bytes = 10MB\n"
		    "when_full = drop_newest\ndead_letter = /srv/dl.ndjson\ntls_verify = off\n"
		    "tls_ca_file = /etc/ca.pem\n"
		    "[sink dd]\ntype = datadog\nurl = http://127.0.0.1:9/api/v2/logs\n"
		    "api_key = k\nsite = datadoghq.com\nservice = svc\nddsource = src\n"
		    "ddtags = a:b,c:d\nhostname = h\nsources = flow\n"
		    "[sink hec]\ntype = splunk_hec\nurl = http://127.0.0.1:8088\nindex = i\ntoken = tok\n"
		    "sourcetype = st\nsource_name = sn\nencoding = json\n"
		    "[sink es]\ntype = elasticsearch\nurl = http://127.0.0.1:9200\nformat = raw\n"
		    "encoding = json_array\n"
		    "[sink lk]\ntype = loki\nurl = http://127.0.0.1:3100\ntenant = t\n"
		    "labels = a=b, kind\n"
		    "[sink out]\ntype = stdout\n");
	assert_string_equal(c->daemon.state_dir, "/srv/state");
	assert_int_equal(c->daemon.log_level, LOG_LVL_DEBUG);
	assert_string_equal(c->daemon.metrics_listen, "127.0.0.1:9464");
	assert_int_equal(c->daemon.stats_interval_ms, 10000);
	assert_int_equal(c->daemon.shutdown_timeout_ms, 60000);
	assert_int_equal(c->oci.auth, CONF_AUTH_INSTANCE_PRINCIPAL);
	assert_string_equal(c->oci.config_file, "/etc/oci/config");
	assert_string_equal(c->oci.profile, "OTHER");
	assert_string_equal(c->oci.region, "eu-frankfurt-1");
	assert_string_equal(c->oci.endpoint, "http://127.0.0.1:1234");
	assert_string_equal(c->oci.imds_url, "http://127.0.0.1:1235/opc/v2");
	assert_string_equal(c->oci.auth_url, "https://127.0.0.1:1236");
	s = conf_find_source(c, "audit-1.x");
	assert_non_null(s);
	assert_string_equal(s->query, "search \"c/_Audit\" | where type = 'x;y' | sort by datetime asc");
	assert_int_equal(s->interval_ms, 15000);
	assert_int_equal(s->lag_ms, 0);
	assert_int_equal(s->overlap_ms, 0);
	assert_int_equal(s->sweep_interval_ms, 60000);
	assert_int_equal(s->window_ms, 3600000);
	assert_int_equal(s->start_is_relative, 0);
	assert_int_equal(s->start_ms, 1741942800000LL);
	assert_int_equal(s->page_size, 1);
	assert_int_equal(s->retention_ms, 90 * 86400000LL);
	s = conf_find_source(c, "flow");
	assert_int_equal(s->start_is_relative, 1);
	assert_int_equal(s->start_ms, -7200000);
	k = conf_find_sink(c, "siem");
	assert_int_equal(k->type, CONF_SINK_HTTP);
	assert_string_equal(k->url, "https://siem.example/ingest");
	assert_int_equal(k->sources.n, 2);
	assert_string_equal(k->sources.items[0], "audit-1.x");
	assert_string_equal(k->sources.items[1], "flow");
	assert_int_equal(conf_sink_wants(k, "flow"), 1);
	assert_int_equal(conf_sink_wants(k, "other"), 0);
	assert_int_equal(k->format, CONF_FORMAT_OCSF);
	assert_int_equal(k->encoding, CONF_ENC_NDJSON);
	assert_string_equal(HTC(k)->template, "{\"m\": {{message}}}");
	assert_int_equal(k->headers.n, 2);
	assert_string_equal(k->headers.items[0], "X-A: 1");
	assert_string_equal(k->headers.items[1], "X-B:two words");
	assert_null(k->token);
	assert_null(k->token_file);
	assert_string_equal(k->username, "u");
	assert_string_equal(k->password, "p");
	assert_int_equal(k->compression, CONF_COMP_GZIP);
	assert_int_equal(k->batch_max_events, 10);
	assert_int_equal(k->batch_max_bytes, 65536);
	assert_int_equal(k->batch_timeout_ms, 250);
	assert_true(k->rate_limit == 0.5);
	assert_int_equal(k->rate_burst, 4);
	assert_int_equal(k->max_in_flight, 8);
	assert_int_equal(k->timeout_ms, 5000);
	assert_int_equal(k->retry_initial_ms, 100);
	assert_int_equal(k->retry_max_delay_ms, 10000);
	assert_int_equal(k->retry_max_time_ms, 3600000);
	assert_int_equal(k->queue_max_events, 1000);
	assert_int_equal(k->queue_max_bytes, 10000000);
	assert_int_equal(k->when_full, CONF_FULL_DROP_NEWEST);
	assert_string_equal(k->dead_letter, "/srv/dl.ndjson");
	assert_int_equal(k->tls_verify, 0);
	assert_string_equal(k->tls_ca_file, "/etc/ca.pem");
	k = conf_find_sink(c, "dd");
	assert_int_equal(k->type, CONF_SINK_DATADOG);
	assert_string_equal(k->api_key, "k");
	assert_string_equal(DDC(k)->site, "datadoghq.com");
	assert_string_equal(DDC(k)->service, "svc");
	assert_string_equal(DDC(k)->ddsource, "src");
	assert_string_equal(DDC(k)->ddtags, "a:b,c:d");
	assert_string_equal(DDC(k)->hostname, "h");
	assert_int_equal(k->rate_burst, 1);
	k = conf_find_sink(c, "hec");
	assert_int_equal(k->type, CONF_SINK_SPLUNK_HEC);
	assert_string_equal(HKC(k)->index, "i");
	assert_string_equal(HKC(k)->sourcetype, "st");
	assert_string_equal(HKC(k)->source_field, "sn");
	assert_int_equal(k->encoding, CONF_ENC_JSON);
	k = conf_find_sink(c, "es");
	assert_int_equal(k->type, CONF_SINK_ELASTICSEARCH);
	assert_int_equal(k->format, CONF_FORMAT_RAW);
	assert_int_equal(k->encoding, CONF_ENC_JSON_ARRAY);
	k = conf_find_sink(c, "lk");
	assert_int_equal(k->type, CONF_SINK_LOKI);
	assert_string_equal(LKC(k)->tenant, "t");
	assert_int_equal(LKC(k)->labels.n, 2);
	assert_string_equal(LKC(k)->labels.items[0], "a=b");
	assert_string_equal(LKC(k)->labels.items[1], "kind");
	assert_int_equal(conf_find_sink(c, "out")->type, CONF_SINK_STDOUT);
	conf_free(c);
}

static void
test_long_lines(void **state)
{
	size_t n = 6000, pre;
	char *text = malloc(n + 200);
	struct conf *c;

	assert_non_null(text);
	pre = (size_t)sprintf(text, "[source a]\nquery = ");
	memset(text + pre, 'q', n);
	strcpy(text + pre + n, "\n[sink s]\ntype = stdout\n");
	c = load_ok(text);
	assert_int_equal(strlen(c->sources[0].query), n + strlen(CONF_SORT_SUFFIX));
	conf_free(c);

	/* Beyond the line limit: refused with the line number, not silently cut. */
	text = realloc(text, 20000);
	assert_non_null(text);
	pre = (size_t)sprintf(text, "[source a]\nquery = ");
	memset(text + pre, 'q', 12000);
	strcpy(text + pre + 12000, "\n[sink s]\ntype = stdout\n");
	expect_error_at(text, 2, "line longer than");
	free(text);
}

static void
test_env_expansion(void **state)
{
	struct conf *c;

	setenv("TC_PORT", "8123", 1);
	setenv("TC_EMPTY", "", 1);
	c = load_ok("[oci]\nendpoint = http://127.0.0.1:${TC_PORT}/x${TC_EMPTY}\n"
		    "region = $${TC_PORT} costs $5\n" MIN_OK);
	assert_string_equal(c->oci.endpoint, "http://127.0.0.1:8123/x");
	assert_string_equal(c->oci.region, "${TC_PORT} costs $5");
	conf_free(c);
	/* Expansion happens before parsing, so typed values can come from the environment. */
	setenv("TC_SIZE", "2MiB", 1);
	c = load_ok(MIN_OK "batch_max_bytes = ${TC_SIZE}\n");
	assert_int_equal(c->sinks[0].batch_max_bytes, 2 * 1048576);
	conf_free(c);

	unsetenv("TC_UNSET");
	expect_error_at("[oci]\nregion = ${TC_UNSET}\n" MIN_OK, 2,
	    "[oci] region: ${TC_UNSET} is not set");
	expect_error_at("[oci]\nregion = ${TC_PORT\n" MIN_OK, 2, "[oci] region: unterminated ${");
	expect_error_at("[oci]\nregion = ${1X}\n" MIN_OK, 2, "[oci] region: bad variable name");
	{
		/* A value may not grow without bound through the environment. */
		char *big = malloc(70000);
		assert_non_null(big);
		memset(big, 'v', 69999);
		big[69999] = '\0';
		setenv("TC_BIG", big, 1);
		free(big);
		expect_error_at("[oci]\nregion = ${TC_BIG}\n" MIN_OK, 2,
		    "[oci] region: longer than 65536 bytes");
		unsetenv("TC_BIG");
	}
	setenv("TC_NL", "a\nb", 1);
	expect_error_at(MIN_OK "header = X-A: ${TC_NL}\n", 5, "[sink s] header: contains a line break");
}

static void
test_errors(void **state)
{
	/* A bad size: file, line, key and the value, exactly. */
	expect_error_at("[source a]\nquery = q\n[sink siem]\ntype = http\nurl = http://x\n"
			"batch_max_bytes = 12XB\n",
	    6, "[sink siem] batch_max_bytes: \"12XB\" is not a size");
	expect_error_at(MIN_OK "batch_timeout = 5x\n", 5,
	    "[sink s] batch_timeout: \"5x\" is not a duration");
	expect_error_at(MIN_OK "batch_timeout = 10\n[daemon]\nstats_interval = 1fortnight\n", 7,
	    "[daemon] stats_interval: \"1fortnight\" is not a duration");
	expect_error_at(MIN_OK "tls_verify = maybe\n", 5,
	    "[sink s] tls_verify: \"maybe\" is not a boolean");
	expect_error_at(MIN_OK "format = xml\n", 5,
	    "[sink s] format: \"xml\" is not one of ecs, ocsf, raw");
	expect_error_at(MIN_OK "when_full = drop\n", 5,
	    "[sink s] when_full: \"drop\" is not one of block, drop_newest");
	expect_error_at(MIN_OK "max_in_flight = many\n", 5,
	    "[sink s] max_in_flight: \"many\" is not an integer");
	expect_error_at(MIN_OK "max_in_flight = 0\n", 5,
	    "[sink s] max_in_flight: \"0\" is out of range (1..1024)");
	expect_error_at(MIN_OK "rate_limit = fast\n", 5,
	    "[sink s] rate_limit: \"fast\" is not a number");
	expect_error_at(MIN_OK "rate_limit = -1\n", 5, "[sink s] rate_limit: \"-1\" is out of range");
	expect_error_at(MIN_OK "sources = a,,b\n", 5, "[sink s] sources: \"a,,b\" has an empty item");
	expect_error_at(MIN_OK "header = no colon here\n", 5, "[sink s] header: is not \"Name: value\"");
	expect_error_at("[source a]\nquery = q\npage_size = 1001\n[sink s]\ntype=stdout\n", 3,
	    "[source a] page_size: \"1001\" is out of range (1..1000)");
	expect_error_at("[source a]\nquery = q\npage_size = 0\n[sink s]\ntype=stdout\n", 3,
	    "[source a] page_size: \"0\" is out of range (1..1000)");
	expect_error_at("[source a]\nquery = q\nstart = yesterday\n[sink s]\ntype=stdout\n", 3,
	    "[source a] start: \"yesterday\" is neither");
	expect_error_at("[source a]\nquery = q\ninterval = 100ms\n[sink s]\ntype=stdout\n", 3,
	    "[source a] interval: \"100ms\" is out of range (1s..1d)");
	expect_error_at("[daemon]\nlog_level = loud\n" MIN_OK, 2,
	    "[daemon] log_level: \"loud\" is not one of debug, info, notice, warning, error");
	expect_error_at("[daemon]\nstate_dir = relative/dir\n" MIN_OK, 2,
	    "[daemon] state_dir: \"relative/dir\" is not an absolute path");
	expect_error_at("[daemon]\nmetrics_listen = 9464\n" MIN_OK, 2,
	    "[daemon] metrics_listen: \"9464\" is not host:port");
	expect_error_at("[oci]\nauth = password\n" MIN_OK, 2,
	    "[oci] auth: \"password\" is not one of api_key, instance_principal");
	expect_error_at("[oci]\nendpoint = ftp://x\n" MIN_OK, 2,
	    "[oci] endpoint: is not an http:// or https:// URL");

	/* Unknown key / section, structure. */
	expect_error_at("[oci]\nregoin = x\n" MIN_OK, 2,
	    "[oci] regoin: unknown key (did you mean region?)");
	expect_error_at(MIN_OK "batch_max_byte = 1\n", 5,
	    "[sink s] batch_max_byte: unknown key (did you mean batch_max_bytes?)");
	expect_error_at(MIN_OK "colour = blue\n", 5, "[sink s] colour: unknown key");
	expect_error_at(MIN_OK "[sinks x]\ntype = http\n", 5, "[sinks x] unknown section");
	expect_error_at("region = x\n" MIN_OK, 1, "region: outside any section");
	expect_error_at(MIN_OK "just words\n", 5, "[sink s] expected key = value");
	expect_error_at(MIN_OK "[sink\n", 5, "section header without a closing ]");
	expect_error_at(MIN_OK "[source]\n", 5, "[source] needs a name: [source NAME]");
	expect_error_at(MIN_OK "[daemon x]\n", 5, "[daemon] takes no name");
	expect_error_at(MIN_OK "[sink a/b]\n", 5, "[sink a/b] bad name");
	expect_error_at(MIN_OK "[source a]\nquery = y\n", 5,
	    "[source a] duplicate section (first on line 1)");
	expect_error_at(MIN_OK "[daemon]\n[daemon]\n", 6, "[daemon] duplicate section (first on line 5)");
	expect_error_at(MIN_OK "type = http\n", 5, "[sink s] type: already set on line 4");

	/* Required keys, references, cross checks. */
	expect_error_at("[source a]\ninterval = 10s\n[sink s]\ntype = stdout\n", 1,
	    "[source a] query: missing (required)");
	expect_error_at("[source a]\nquery =\n[sink s]\ntype = stdout\n", 2,
	    "[source a] query: must not be empty");
	expect_error_at("[source a]\nquery = q\n[sink s]\nformat = raw\n", 3,
	    "[sink s] type: missing (required");
	expect_error_at("[source a]\nquery = q\n[sink s]\ntype = splunk_hec\n", 3,
	    "[sink s] url: missing (required for type splunk_hec)");
	expect_error_at("[source a]\nquery = q\n[sink s]\ntype = datadog\n", 3,
	    "[sink s] url: missing (a datadog sink needs url or site)");
	expect_error_at("[source a]\nquery = q\n[sink s]\ntype = file\n", 3,
	    "[sink s] path: missing (required for type file)");
	expect_error_at("[source a]\nquery = q\n[sink s]\ntype = http\nurl = http://x\npath = /x\n",
	    6, "[sink s] path: is only for type file");
	expect_error_at(MIN_OK "sources = a, b\n", 5,
	    "[sink s] sources: \"b\" is not a defined [source b]");
	expect_error_at(MIN_OK "retry_initial = 10s\nretry_max_delay = 1s\n", 6,
	    "[sink s] retry_max_delay: is shorter than retry_initial");
	expect_error_at(MIN_OK "username = u\n", 5, "[sink s] username: given without password");
	expect_error("[sink s]\ntype = stdout\n", "t.conf: no [source NAME] section");
	expect_error("[source a]\nquery = q\n", "t.conf: no [sink NAME] section");
	expect_error("[source a]\nquery = q\n[oci]\nauth = api_key\nconfig_file = ~/x\n",
	    "t.conf: no [sink NAME] section");
}

static void
test_all_errors_collected(void **state)
{
	struct conf_err err;
	struct conf *c;
	const char *a, *b;

	c = load("[daemon]\nstats_interval = 5x\nbogus = 1\n[oci]\nauth = nope\n"
		 "[source a]\npage_size = 0\n[sink s]\ntype = http\nsources = zz\n",
	    &err);
	assert_null(c);
	assert_int_equal(err.count, 7);
	/* Sorted by line, one per line, no trailing newline. */
	a = strstr(err.text, ":2: [daemon] stats_interval");
	b = strstr(err.text, ":10: [sink s] sources");
	assert_non_null(a);
	assert_non_null(b);
	assert_true(a < b);
	assert_non_null(strstr(err.text, ":3: [daemon] bogus: unknown key"));
	assert_non_null(strstr(err.text, ":5: [oci] auth"));
	assert_non_null(strstr(err.text, ":6: [source a] query: missing"));
	assert_non_null(strstr(err.text, ":7: [source a] page_size"));
	assert_non_null(strstr(err.text, ":8: [sink s] url: missing"));
	assert_int_not_equal(err.text[err.len - 1], '\n');
	assert_int_equal(strlen(err.text), err.len);
	conf_err_cleanup(&err);
	assert_null(err.text);
	conf_err_cleanup(NULL);

	/* A missing file is an error too, with the path. */
	c = conf_load(path_of("does-not-exist.conf"), &err);
	assert_null(c);
	assert_non_null(strstr(err.text, "does-not-exist.conf: cannot open: No such file"));
	conf_err_cleanup(&err);
}

/* ---------------------------------------------------------------- secrets */

static void
test_secret_files(void **state)
{
	struct conf *c;
	char text[PATH_MAX * 2], want[PATH_MAX + 200], abs[PATH_MAX];

	write_file("key-abs", "abs-secret\n", 0600);
	write_file("key-crlf", "crlf-secret\r\n", 0400);
	fmt(abs, sizeof(abs), "%s", path_of("key-abs"));
	fmt(text, sizeof(text),
	    MIN_OK "api_key_file = %s\ntoken_file = %s\n", abs, path_of("key-crlf"));
	c = load_ok(text);
	assert_string_equal(c->sinks[0].api_key, "abs-secret");
	assert_string_equal(c->sinks[0].api_key_file, abs);
	assert_string_equal(c->sinks[0].token, "crlf-secret");
	conf_free(c);

	/* Relative: from $CREDENTIALS_DIRECTORY (systemd LoadCredential=). */
	assert_int_equal(mkdir(path_of("creds"), 0700), 0);
	write_file("creds/pw", "cred-secret", 0400);
	setenv("CREDENTIALS_DIRECTORY", path_of("creds"), 1);
	c = load_ok(MIN_OK "username = u\npassword_file = pw\n");
	assert_string_equal(c->sinks[0].password, "cred-secret");
	fmt(want, sizeof(want), "%s/pw", path_of("creds"));
	assert_string_equal(c->sinks[0].password_file, want);
	conf_free(c);
	expect_error_at(MIN_OK "token_file = absent\n", 5, "[sink s] token_file: cannot read \"");
	unsetenv("CREDENTIALS_DIRECTORY");
	expect_error_at(MIN_OK "token_file = pw\n", 5,
	    "[sink s] token_file: \"pw\" is a relative path but $CREDENTIALS_DIRECTORY is not set");

	/* Unreadable: missing, a directory, empty, two lines. */
	fmt(text, sizeof(text), MIN_OK "token_file = %s\n", path_of("nope"));
	fmt(want, sizeof(want), "[sink s] token_file: cannot read \"%s\": No such file",
	    path_of("nope"));
	expect_error_at(text, 5, want);
	fmt(text, sizeof(text), MIN_OK "token_file = %s\n", path_of("creds"));
	expect_error(text, "is a folder, not a regular file");
	if (geteuid() != 0) { /* root reads anything */
		write_file("noperm", "x\n", 0000);
		fmt(text, sizeof(text), MIN_OK "token_file = %s\n", path_of("noperm"));
		expect_error(text, "Permission denied");
	}
	write_file("empty", "\n", 0600);
	fmt(text, sizeof(text), MIN_OK "token_file = %s\n", path_of("empty"));
	expect_error(text, "is empty");
	write_file("twolines", "a\nb\n", 0600);
	fmt(text, sizeof(text), MIN_OK "token_file = %s\n", path_of("twolines"));
	expect_error(text, "holds more than one line");

	/* Readable by others or by the group: refused, with the fix. */
	write_file("world", "w-secret\n", 0644);
	fmt(text, sizeof(text), MIN_OK "api_key_file = %s\n", path_of("world"));
	fmt(want, sizeof(want),
	    "[sink s] api_key_file: \"%s\" is accessible by group or others (mode 0644); "
	    "run: chmod 600 %s",
	    path_of("world"), path_of("world"));
	expect_error_at(text, 5, want);
	write_file("group", "g-secret\n", 0640);
	fmt(text, sizeof(text), MIN_OK "api_key_file = %s\n", path_of("group"));
	expect_error(text, "(mode 0640); run: chmod 600");

	/* Inline and _file are one setting. */
	fmt(text, sizeof(text), MIN_OK "api_key = x\napi_key_file = %s\n", path_of("key-abs"));
	expect_error_at(text, 6, "[sink s] api_key_file: already set on line 5");
	/* _file exists only for secrets. */
	expect_error_at(MIN_OK "url_file = /x\n", 5, "[sink s] url_file: unknown key");
}

static char *
dump_to_string(const struct conf *c)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	assert_non_null(f);
	conf_dump(c, f);
	assert_int_equal(fclose(f), 0);
	return s;
}

static void
test_dump_masks_secrets(void **state)
{
	struct conf *c, *c2;
	char text[PATH_MAX * 2];
	char *d1, *d2, *body1, *body2;
	FILE *f;

	write_file("tokfile", "FILE-SECRET-777\n", 0600);
	fmt(text, sizeof(text),
	    "[source a]\nquery = search \"x\" | sort by datetime asc\n"
	    "[sink web]\ntype = http\n"
	    "url = https://user:URL-PASS-555@siem.example/in?api_key=QS-KEY-444&x=1\n"
	    "api_key = INLINE-SECRET-999\n"
	    "token_file = %s\n"
	    "header = X-Team: blue\n"
	    "[sink dd]\ntype = datadog\nurl = http://127.0.0.1:9/api/v2/logs\napi_key = DD-1\n"
	    "header = Authorization: Bearer HDR-SECRET-666\n"
	    "[sink es]\ntype = elasticsearch\nurl = http://127.0.0.1:9200\n"
	    "username = bob\npassword = PW-SECRET-888\n",
	    path_of("tokfile"));
	c = load_ok(text);
	assert_string_equal(c->sinks[0].token, "FILE-SECRET-777");
	d1 = dump_to_string(c);
	assert_null(strstr(d1, "INLINE-SECRET-999"));
	assert_null(strstr(d1, "FILE-SECRET-777"));
	assert_null(strstr(d1, "PW-SECRET-888"));
	assert_null(strstr(d1, "HDR-SECRET-666"));
	assert_null(strstr(d1, "URL-PASS-555"));
	assert_null(strstr(d1, "QS-KEY-444"));
	assert_non_null(strstr(d1, "\napi_key = ***\n"));
	assert_non_null(strstr(d1, "\ntoken = ***\n"));
	assert_non_null(strstr(d1, "\npassword = ***\n"));
	assert_non_null(strstr(d1, "header = Authorization: ***\n"));
	assert_non_null(strstr(d1, "header = X-Team: blue\n"));
	assert_non_null(strstr(d1, "url = https://user:***@siem.example/in?api_key=***&x=1\n"));
	assert_non_null(strstr(d1, "; token read from token_file = "));
	/* Defaults are written out. */
	assert_non_null(strstr(d1, "\n[daemon]\n"));
	assert_non_null(strstr(d1, "\nstats_interval = 1m\n"));
	assert_non_null(strstr(d1, "\nretention = 30d\n"));
	assert_non_null(strstr(d1, "\nqueue_max_bytes = 64MiB\n"));
	assert_non_null(strstr(d1, "\nbatch_max_bytes = 1MiB\n"));
	assert_non_null(strstr(d1, "\nretry_initial = 500ms\n"));
	assert_non_null(strstr(d1, "\nstart = -1h\n"));
	assert_non_null(strstr(d1, "\ntls_verify = true\n"));
	assert_non_null(strstr(d1, "\n[sink es]\n"));

	/* The dump is a valid configuration that loads to the same dump. */
	f = fopen(path_of("dump.conf"), "w");
	assert_non_null(f);
	fputs(d1, f);
	fclose(f);
	c2 = conf_load(path_of("dump.conf"), NULL);
	assert_non_null(c2);
	d2 = dump_to_string(c2);
	body1 = strchr(d1, '\n');
	body2 = strchr(d2, '\n');
	/* Only the token's origin comment differs: the reload took it inline. */
	assert_null(strstr(d2, "token read from"));
	assert_non_null(strstr(body2, "\ntoken = ***\n"));
	{
		char *cut = strstr(body1, "; token read from");
		char *eol = strchr(cut, '\n');
		memmove(cut, eol + 1, strlen(eol + 1) + 1);
	}
	assert_string_equal(body1, body2);
	free(d1);
	free(d2);
	conf_free(c);
	conf_free(c2);
}


/* A FIFO or a device is refused before it is opened (the
 * open or the read would block for ever); the alarm turns a hang into a failure. */
static void
test_not_regular_files(void **state)
{
	char text[PATH_MAX * 2];
	struct conf_err err;
	struct conf *c;

	alarm(10);
	unlink(path_of("fifo"));
	assert_int_equal(mkfifo(path_of("fifo"), 0600), 0);
	fmt(text, sizeof(text), MIN_OK "token_file = %s\n", path_of("fifo"));
	expect_error(text, "is a FIFO, not a regular file");
	fmt(text, sizeof(text), MIN_OK "api_key_file = /dev/zero\n");
	expect_error(text, "is a device, not a regular file");
	/* The configuration file itself. */
	c = conf_load(path_of("fifo"), &err);
	assert_null(c);
	assert_non_null(strstr(err.text, "is a FIFO, not a regular file"));
	conf_err_cleanup(&err);
	c = conf_load("/dev/zero", &err);
	assert_null(c);
	assert_non_null(strstr(err.text, "is a device, not a regular file"));
	conf_err_cleanup(&err);
	alarm(0);
}

/* What sink_new() refuses, conf_load (and so -t) refuses too. */
static void
test_start_checks(void **state)
{
	expect_error_at("[source a]\nquery = q\n[sink d]\ntype = datadog\nsite = datadoghq.eu\n",
	    3, "[sink d] api_key: missing (required for type datadog");
	expect_error_at("[source a]\nquery = q\n[sink h]\ntype = splunk_hec\n"
	    "url = https://h:8088\n", 3, "[sink h] token: missing (required for type splunk_hec");
	expect_error_at("[source a]\nquery = q\n[sink w]\ntype = http\nurl = http://h/\n"
	    "template = {\"a\": {{message}\n", 6, "[sink w] template: ");
	expect_error_at("[source a]\nquery = q\n[sink w]\ntype = http\n"
	    "url = http://h/a b\n", 5, "[sink w] url: holds a space or a control character");
	setenv("CONF_TEST_CRLF", "v\033[31m", 1);
	expect_error_at("[source a]\nquery = q\n[sink w]\ntype = http\nurl = http://h/\n"
	    "header = X-A: ${CONF_TEST_CRLF}\n", 6, "[sink w] header: holds a control character");
	unsetenv("CONF_TEST_CRLF");
	expect_error_at("[source a]\nquery = q\n[sink w]\ntype = http\nurl = http://h/\n"
	    "token = t\nheader = authorization: Bearer x\n", 7,
	    "[sink w] header: Authorization is also made from token: it would be sent twice");
	expect_error_at("[source a]\nquery = q\n[sink e]\ntype = elasticsearch\n"
	    "url = http://h/\napi_key = k\nheader = Authorization: ApiKey y\n", 7,
	    "[sink e] header: Authorization is also made from api_key");
	expect_error("[source a]\nquery = q\n[sink w]\ntype = http\nurl = http://h/\n"
	    "token = t\nusername = u\npassword = p\n", "[sink w] username: given together with token");
	/* More header lines than a sink holds: refused at the line, not at start-up. */
	{
		char text[4096];
		size_t off = (size_t)snprintf(text, sizeof(text),
		    "[source a]\nquery = q\n[sink w]\ntype = http\nurl = http://h/\n");
		for (int i = 0; i <= CONF_MAX_HEADERS; i++)
			off += (size_t)snprintf(text + off, sizeof(text) - off, "header = X-%d: v\n", i);
		expect_error_at(text, 6 + CONF_MAX_HEADERS, "[sink w] header: more than 32 header lines");
		text[off - strlen("header = X-32: v\n")] = '\0';
		conf_free(load_ok(text));
	}
	/* Datadog sends its key as DD-API-KEY: an Authorization header of its own is fine. */
	conf_free(load_ok("[source a]\nquery = q\n[sink d]\ntype = datadog\nsite = x\n"
	    "api_key = k\nheader = Authorization: y\n"));
	/* Without `type` the checks of the default type run too: every error in one run. */
	expect_error_at("[source a]\nquery = q\n[sink w]\nurl = http://h/\n"
	    "template = {{\n", 5, "[sink w] template: ");
	/* Loki labels that sink_new() refuses (a bad name, a bare name other than kind or
	 * source, too many): found at load, at the labels line. */
	expect_error_at("[source a]\nquery = q\n[sink l]\ntype = loki\nurl = http://h/\n"
	    "labels = 1x=a\n", 6, "[sink l] labels: \"1x=a\": a name must match");
	expect_error_at("[source a]\nquery = q\n[sink l]\ntype = loki\nurl = http://h/\n"
	    "labels = kind, host\n", 6, "[sink l] labels: \"host\": use name=value, or kind");
	expect_error_at("[source a]\nquery = q\n[sink l]\ntype = loki\nurl = http://h/\n"
	    "labels = a=1,b=1,c=1,d=1,e=1,f=1,g=1,h=1,i=1,j=1,k=1,l=1,m=1,n=1,o=1,p=1\n", 6,
	    "[sink l] labels: at most 15");
	conf_free(load_ok("[source a]\nquery = q\n[sink l]\ntype = loki\nurl = http://h/\n"
	    "labels = kind , source, env = prod\n"));
}

/* A query without a sort operator gets one; quotes do not count. */
static void
test_sort_appended(void **state)
{
	static const struct {
		const char *q;
		int appended;
	} cases[] = {
		{ "search \"c\"", 1 },
		{ "search \"c\" | sort by datetime desc", 0 },
		{ "search \"c\"|SORT by datetime", 0 },
		{ "search \"c\" | where a = 'x | sort by b'", 1 },
		{ "search \"c | sort by x\"", 1 },
		{ "search \"c\" | where m = \"a\\\" | sort\"", 1 },
		{ "search \"c\" | sorted = 1", 1 },
		{ "search \"c\" | where x = 1 | sort by datetime", 0 },
	};
	char text[1024];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct conf *c;
		fmt(text, sizeof(text), "[source a]\nquery = %s\n[sink s]\ntype = stdout\n",
		    cases[i].q);
		c = load_ok(text);
		if (c->sources[0].sort_appended != cases[i].appended)
			fail_msg("query %s: sort_appended %d", cases[i].q,
			    c->sources[0].sort_appended);
		if (cases[i].appended) {
			size_t n = strlen(cases[i].q);
			assert_memory_equal(c->sources[0].query, cases[i].q, n);
			assert_string_equal(c->sources[0].query + n, CONF_SORT_SUFFIX);
		} else {
			assert_string_equal(c->sources[0].query, cases[i].q);
		}
		conf_free(c);
	}
}

/* The masking every printed URL goes through. */
static void
test_mask(void **state)
{
	char out[512];

	assert_string_equal(conf_mask_url_buf("https://u:PW@h.example:8/p?api_key=K&x=1&token=T#f",
	    out, sizeof(out)), "https://u:***@h.example:8/p?api_key=***&x=1&token=***#f");
	assert_string_equal(conf_mask_url_buf("http://h/p", out, sizeof(out)), "http://h/p");
	assert_string_equal(conf_mask_url_buf("http://user@h/p?sig=S", out, sizeof(out)),
	    "http://user@h/p?sig=S");
	assert_string_equal(conf_mask_url_buf("http://h/p?X-Amz-Signature=S&Password=P", out,
	    sizeof(out)), "http://h/p?X-Amz-Signature=***&Password=***");
	assert_string_equal(conf_mask_url_buf("", out, sizeof(out)), "");
	{
		/* the heap form that sinks and --probe use: the same masking */
		char *m = conf_mask_url("https://u:PW@h/p?token=T");
		assert_non_null(m);
		assert_string_equal(m, "https://u:***@h/p?token=***");
		free(m);
		m = conf_mask_url("");
		assert_non_null(m);
		assert_string_equal(m, "");
		free(m);
	}
	assert_string_equal(conf_mask_text("HTTP 401 from https://a:SECRET@h/x?token=T2: "
	    "see http://doc/ (and \"HTTPS://b:S3@h2\")", out, sizeof(out)),
	    "HTTP 401 from https://a:***@h/x?token=*** see http://doc/ (and "
	    "\"HTTPS://b:***@h2\")");
	assert_string_equal(conf_mask_text("no url; http in words", out, sizeof(out)),
	    "no url; http in words");
	/* Truncated, never overrun. */
	assert_string_equal(conf_mask_text("abcdef", out, 4), "abc");
}

/* What start-up needs from the system. */
static void
test_check_system(void **state)
{
	char text[PATH_MAX * 3];
	struct conf_err err;
	struct conf *c;

	mkdir(path_of("st"), 0700);
	mkdir(path_of("dl"), 0700);
	fmt(text, sizeof(text), "[daemon]\nstate_dir = %s\n" MIN_OK "dead_letter = %s/x.ndjson\n",
	    path_of("st"), path_of("dl"));
	c = load_ok(text);
	assert_int_equal(conf_check_system(c, 0, &err), 0);
	conf_free(c);

	/* A state_dir that does not exist. */
	fmt(text, sizeof(text), "[daemon]\nstate_dir = %s/absent\n" MIN_OK, path_of("st"));
	c = load_ok(text);
	assert_int_equal(conf_check_system(c, 0, &err), -1);
	assert_non_null(strstr(err.text, "[daemon] state_dir: folder \""));
	assert_non_null(strstr(err.text, "No such file or directory"));
	conf_err_cleanup(&err);
	conf_free(c);

	/* A dead_letter folder that does not exist; a dead_letter that is a folder. */
	fmt(text, sizeof(text), "[daemon]\nstate_dir = %s\n" MIN_OK "dead_letter = %s/no/x\n",
	    path_of("st"), path_of("dl"));
	c = load_ok(text);
	assert_int_equal(conf_check_system(c, 0, &err), -1);
	assert_non_null(strstr(err.text, "[sink s] dead_letter: folder \""));
	conf_err_cleanup(&err);
	conf_free(c);
	fmt(text, sizeof(text), "[daemon]\nstate_dir = %s\n" MIN_OK "dead_letter = %s\n",
	    path_of("st"), path_of("dl"));
	c = load_ok(text);
	assert_int_equal(conf_check_system(c, 0, &err), -1);
	assert_non_null(strstr(err.text, "is a folder, not a file"));
	conf_err_cleanup(&err);
	conf_free(c);

	/* A file sink whose folder does not exist: start-up could not open it. */
	fmt(text, sizeof(text), "[daemon]\nstate_dir = %s\n[source a]\nquery = search \"x\"\n"
	    "[sink f]\ntype = file\npath = %s/no/out.ndjson\n", path_of("st"), path_of("dl"));
	c = load_ok(text);
	assert_int_equal(conf_check_system(c, 0, &err), -1);
	assert_non_null(strstr(err.text, "[sink f] path: folder \""));
	conf_err_cleanup(&err);
	conf_free(c);
	fmt(text, sizeof(text), "[daemon]\nstate_dir = %s\n[source a]\nquery = search \"x\"\n"
	    "[sink f]\ntype = file\npath = %s/out.ndjson\n", path_of("st"), path_of("dl"));
	c = load_ok(text);
	assert_int_equal(conf_check_system(c, 0, &err), 0);
	conf_free(c);

	/* for_service: a missing folder is still an error, except the unit's default one,
	 * which systemd creates (StateDirectory=). */
	fmt(text, sizeof(text), "[daemon]\nstate_dir = %s/absent\n" MIN_OK, path_of("st"));
	c = load_ok(text);
	assert_int_equal(conf_check_system(c, 1, &err), -1);
	conf_err_cleanup(&err);
	conf_free(c);
	if (access("/var/lib/oci-logfwd", F_OK) < 0) {
		fmt(text, sizeof(text), "[daemon]\nstate_dir = /var/lib/oci-logfwd\n" MIN_OK
		    "dead_letter = %s/x\n", path_of("dl"));
		c = load_ok(text);
		assert_int_equal(conf_check_system(c, 1, &err), 0);
		assert_int_equal(conf_check_system(c, 0, &err), -1);
		conf_err_cleanup(&err);
		conf_free(c);
	}

	/* The OCI config file is /dev/zero (reading it would never end). */
	fmt(text, sizeof(text), "[daemon]\nstate_dir = %s\n[oci]\nconfig_file = /dev/zero\n"
	    MIN_OK, path_of("st"));
	c = load_ok(text);
	assert_int_equal(conf_check_system(c, 0, &err), -1);
	assert_non_null(strstr(err.text, "[oci] config_file: \"/dev/zero\" is a device"));
	conf_err_cleanup(&err);
	conf_free(c);

	/* A state_dir of another user: refused, with the fix. */
	if (geteuid() == 0) {
		assert_int_equal(chown(path_of("st"), 4242, (gid_t)-1), 0);
		fmt(text, sizeof(text), "[daemon]\nstate_dir = %s\n" MIN_OK, path_of("st"));
		c = load_ok(text);
		assert_int_equal(conf_check_system(c, 0, &err), -1);
		assert_non_null(strstr(err.text, "belongs to uid 4242"));
		assert_non_null(strstr(err.text, "run chown 0 "));
		conf_err_cleanup(&err);
		/* Root checking for the systemd unit: its DynamicUser owns the folder. */
		assert_int_equal(conf_check_system(c, 1, &err), 0);
		conf_free(c);
		assert_int_equal(chown(path_of("st"), 0, (gid_t)-1), 0);
	} else {
		/* Not root: a folder we cannot write. */
		assert_int_equal(chmod(path_of("st"), 0500), 0);
		fmt(text, sizeof(text), "[daemon]\nstate_dir = %s\n" MIN_OK, path_of("st"));
		c = load_ok(text);
		assert_int_equal(conf_check_system(c, 0, &err), -1);
		assert_non_null(strstr(err.text, "is not writable"));
		conf_err_cleanup(&err);
		conf_free(c);
		assert_int_equal(chmod(path_of("st"), 0700), 0);
	}
}

/*
 * A type's own keys (its table, struct sink_ops.conf_keys): read whatever the place of
 * `type` in the section, with FILE:LINE errors like any key; a key of another type's
 * table is an error naming the types that read it; reload equality compares them.
 */
static void
test_type_keys(void **state)
{
	struct conf *c, *c2;
	const struct conf_sink *k;

	/* `type` after the keys it governs. */
	c = load_ok("[source a]\nquery=q\n"
		    "[sink d]\nsite=datadoghq.eu\nddtags=a:b\napi_key=k\ntype=datadog\n"
		    "[sink l]\ntenant=t1\nlabels=kind\nurl=http://127.0.0.1:3100/\ntype=loki\n"
		    "[sink h]\ntype=http\nurl=http://127.0.0.1:1/\n"
		    "[sink o]\ntype=stdout\n");
	k = conf_find_sink(c, "d");
	assert_non_null(DDC(k));
	assert_string_equal(DDC(k)->site, "datadoghq.eu");
	assert_string_equal(DDC(k)->ddtags, "a:b");
	assert_string_equal(DDC(k)->ddsource, "oci");  /* the type's default */
	assert_null(DDC(k)->service);
	k = conf_find_sink(c, "l");
	assert_string_equal(LKC(k)->tenant, "t1");
	assert_int_equal(LKC(k)->labels.n, 1);
	assert_null(HTC(conf_find_sink(c, "h"))->template);
	assert_null(conf_find_sink(c, "o")->type_conf);  /* stdout has no table */

	/* Reload equality goes through the type's table. */
	c2 = load_ok("[source a]\nquery=q\n"
		     "[sink d]\nsite=datadoghq.com\nddtags=a:b\napi_key=k\ntype=datadog\n"
		     "[sink l]\ntenant=t1\nlabels=kind\nurl=http://127.0.0.1:3100/\n"
		     "type=loki\n"
		     "[sink h]\ntype=http\nurl=http://127.0.0.1:1/\n");
	assert_false(conf_sink_eq(conf_find_sink(c, "d"), conf_find_sink(c2, "d")));
	assert_true(conf_sink_eq(conf_find_sink(c, "l"), conf_find_sink(c2, "l")));
	assert_true(conf_sink_eq(conf_find_sink(c, "h"), conf_find_sink(c2, "h")));
	conf_free(c2);
	conf_free(c);

	/* A key of another type: named with the types that read it, at its line. */
	expect_error_at("[source a]\nquery=q\n[sink h]\ntype=http\nurl=http://127.0.0.1:1/\n"
			"site=datadoghq.eu\n", 6,
			"[sink h] site: is only for type datadog (this sink is type http)");
	expect_error_at("[source a]\nquery=q\n[sink h]\ntype=http\nurl=http://127.0.0.1:1/\n"
			"index=i\n", 6, "[sink h] index: is only for type splunk_hec or "
			"elasticsearch (this sink is type http)");
	expect_error_at("[source a]\nquery=q\n[sink o]\ntype=stdout\ntemplate=x\n", 5,
			"[sink o] template: is only for type http (this sink is type stdout)");
	expect_error_at("[source a]\nquery=q\n[sink h]\ntenant=x\ntype=datadog\napi_key=k\n",
			4, "[sink h] tenant: is only for type loki (this sink is type datadog)");
	/* Set twice, a bad value, a typo: the usual errors, at the key's line. */
	expect_error_at("[source a]\nquery=q\n[sink d]\nsite=a\nsite=b\ntype=datadog\n"
			"api_key=k\n", 5, "[sink d] site: already set on line 4");
	expect_error_at("[source a]\nquery=q\n[sink l]\nlabels=a,,b\ntype=loki\n"
			"url=http://127.0.0.1:1/\n", 4, "[sink l] labels: \"a,,b\" has an empty item");
	expect_error_at("[source a]\nquery=q\n[sink d]\ntype=datadog\napi_key=k\nsitee=x\n",
			6, "[sink d] sitee: unknown key (did you mean site?)");
	expect_error_at("[source a]\nquery=q\n[sink d]\ntype=datadog\napi_key=k\nbogus=x\n",
			6, "[sink d] bogus: unknown key");
	/* A type key whose value is refused counts as set: no "missing" on top. */
	{
		struct conf_err err;
		unsetenv("OCI_LOGFWD_TEST_UNSET");
		assert_null(load("[source a]\nquery=q\n[sink f]\ntype=file\n"
				 "path=${OCI_LOGFWD_TEST_UNSET}\n", &err));
		assert_int_equal(err.count, 1);
		assert_non_null(strstr(err.text, "path: ${OCI_LOGFWD_TEST_UNSET} is not set"));
		conf_err_cleanup(&err);
	}
	expect_error_at("[source a]\nquery=q\n[sink f]\ntype=file\n", 3,
			"[sink f] path: missing (required for type file)");
	expect_error_at("[source a]\nquery=q\n[sink h]\ntype=http\nurl=http://x/\npath=/x\n",
			6, "[sink h] path: is only for type file (use url for type http)");
	/* A refused type: its error only, not one per key it would have read. */
	expect_error("[source a]\nquery=q\n[sink d]\ntype=datadogg\nsite=x\n",
		     "type: \"datadogg\" is not one of");
	{
		struct conf_err err;
		assert_null(load("[source a]\nquery=q\n[sink d]\ntype=datadogg\nsite=x\n", &err));
		assert_null(strstr(err.text, "site"));
		conf_err_cleanup(&err);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_formatters),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_type_keys),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_env_expansion),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_all_errors_collected),
		cmocka_unit_test(test_secret_files),
		cmocka_unit_test(test_dump_masks_secrets),
		cmocka_unit_test(test_not_regular_files),
		cmocka_unit_test(test_start_checks),
		cmocka_unit_test(test_sort_appended),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_check_system),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
