/*
 * status.c — see status.h.
 *
 * A client of the daemon's own HTTP endpoint, not of its internals: what `status` shows
 * is what Prometheus scrapes, so the two never disagree, and it works against a daemon
 * of another build.  Counters become rates from two samples (the first output waits one
 * second for its second sample; --watch reuses the previous one).  Health and the last
 * error come from /healthz, whose 503 body names each failing source and sink.
 *
 * The answer comes from the network, so it is bounded: STATUS_MAX_BODY per page, at most
 * STATUS_MAX_ROWS sources and sinks, and the text parser's own line limits (promtext.h).
 */
#include "status.h"

#include "buf.h"
#include "conf.h"
#include "exitcodes.h"
#include "promtext.h"

#include <curl/curl.h>
#include <ini.h>
#include <jansson.h>

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STATUS_MAX_BODY (16u * 1024 * 1024) /* a /metrics page of thousands of series */
#define STATUS_MAX_HEALTH (1024u * 1024)
#define STATUS_MAX_ROWS 1024
#define STATUS_NAME_MAX 128                 /* config names are <= 64 */
#define STATUS_ERROR_MAX 160                /* last error as shown */
#define STATUS_WATCH_S 2

struct source_row {
	char name[STATUS_NAME_MAX + 1];
	double records, late, gaps, lag, req_errors;
	int failing;                   /* named by /healthz */
	char error[STATUS_ERROR_MAX + 1];
};

struct sink_row {
	char name[STATUS_NAME_MAX + 1];
	double sent, dead, dropped, queue, retries, healthy;
	int have_healthy, failing;
	char error[STATUS_ERROR_MAX + 1];
};

/* One reading of the daemon: /metrics, then /healthz. */
struct sample {
	struct source_row *src;
	struct sink_row *snk;
	size_t n_src, n_snk;
	char version[64];
	int have_build;
	int health;                    /* 1 ok, 0 problems listed, -1 unknown */
	double mono;                   /* seconds, CLOCK_MONOTONIC, when taken */
	char err[256];                 /* why the collect callback stopped the parse */
};

static double
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
sample_cleanup(struct sample *s)
{
	free(s->src);
	free(s->snk);
	memset(s, 0, sizeof(*s));
}

/* Copies a network-supplied string for display: printable ASCII only, truncated. */
static void
copy_clean(char *dst, size_t dstlen, const char *src)
{
	size_t i = 0;

	for (; *src && i + 1 < dstlen; src++)
		dst[i++] = (*src >= 0x20 && *src < 0x7f) ? *src : '?';
	dst[i] = '\0';
}

static struct source_row *
source_row(struct sample *s, const char *name)
{
	char clean[STATUS_NAME_MAX + 1];
	struct source_row *r;

	copy_clean(clean, sizeof(clean), name);
	for (size_t i = 0; i < s->n_src; i++)
		if (strcmp(s->src[i].name, clean) == 0)
			return &s->src[i];
	if (s->n_src == STATUS_MAX_ROWS) {
		snprintf(s->err, sizeof(s->err), "more than %d sources", STATUS_MAX_ROWS);
		return NULL;
	}
	if (s->n_src % 16 == 0) {
		r = realloc(s->src, (s->n_src + 16) * sizeof(*r));
		if (r == NULL) {
			snprintf(s->err, sizeof(s->err), "out of memory");
			return NULL;
		}
		s->src = r;
	}
	r = &s->src[s->n_src++];
	memset(r, 0, sizeof(*r));
	memcpy(r->name, clean, sizeof(r->name));
	return r;
}

static struct sink_row *
sink_row(struct sample *s, const char *name)
{
	char clean[STATUS_NAME_MAX + 1];
	struct sink_row *r;

	copy_clean(clean, sizeof(clean), name);
	for (size_t i = 0; i < s->n_snk; i++)
		if (strcmp(s->snk[i].name, clean) == 0)
			return &s->snk[i];
	if (s->n_snk == STATUS_MAX_ROWS) {
		snprintf(s->err, sizeof(s->err), "more than %d sinks", STATUS_MAX_ROWS);
		return NULL;
	}
	if (s->n_snk % 16 == 0) {
		r = realloc(s->snk, (s->n_snk + 16) * sizeof(*r));
		if (r == NULL) {
			snprintf(s->err, sizeof(s->err), "out of memory");
			return NULL;
		}
		s->snk = r;
	}
	r = &s->snk[s->n_snk++];
	memset(r, 0, sizeof(*r));
	memcpy(r->name, clean, sizeof(r->name));
	return r;
}

/* promtext callback: keeps the families a status line shows, ignores the rest. */
static int
collect(void *arg, const char *name, const struct promtext_label *l, size_t n, double v)
{
	struct sample *s = arg;
	const char *src = promtext_label(l, n, "source");
	const char *snk = promtext_label(l, n, "sink");
	struct source_row *sr;
	struct sink_row *kr;

	if (strncmp(name, "oci_logfwd_", 11) != 0)
		return 0;
	name += 11;
	if (strcmp(name, "build_info") == 0) {
		const char *ver = promtext_label(l, n, "version");
		copy_clean(s->version, sizeof(s->version), ver ? ver : "?");
		s->have_build = 1;
		return 0;
	}
	if (src != NULL && strncmp(name, "source_", 7) == 0) {
		if (!(sr = source_row(s, src)))
			return -1;
		name += 7;
		if (strcmp(name, "records_total") == 0)
			sr->records = v;
		else if (strcmp(name, "late_records_total") == 0)
			sr->late = v;
		else if (strcmp(name, "gaps_total") == 0)
			sr->gaps = v;
		else if (strcmp(name, "lag_seconds") == 0)
			sr->lag = v;
		else if (strcmp(name, "requests_total") == 0) {
			const char *code = promtext_label(l, n, "code");
			if (code == NULL || strcmp(code, "200") != 0)
				sr->req_errors += v;
		}
		return 0;
	}
	if (snk != NULL && strncmp(name, "sink_", 5) == 0) {
		if (!(kr = sink_row(s, snk)))
			return -1;
		name += 5;
		if (strcmp(name, "events_total") == 0) {
			const char *res = promtext_label(l, n, "result");
			if (res == NULL)
				return 0;
			if (strcmp(res, "sent") == 0)
				kr->sent = v;
			else if (strcmp(res, "dead_letter") == 0)
				kr->dead = v;
			else if (strcmp(res, "dropped") == 0)
				kr->dropped = v;
		} else if (strcmp(name, "queue_events") == 0) {
			kr->queue = v;
		} else if (strcmp(name, "retries_total") == 0) {
			kr->retries = v;
		} else if (strcmp(name, "healthy") == 0) {
			kr->healthy = v;
			kr->have_healthy = 1;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- HTTP */

static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct buf *b = arg;

	/* Returning less than given makes curl fail with CURLE_WRITE_ERROR: the cap. */
	if (buf_append(b, p, size * nmemb) != 0)
		return 0;
	return size * nmemb;
}

/* GET url into body (at most max bytes).  0 with *code set, or -1 with err. */
static int
http_get(const char *url, size_t max, struct buf *body, long *code, char *err, size_t errlen)
{
	CURL *h;
	CURLcode rc;

	buf_init(body, max);
	if (!(h = curl_easy_init())) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "oci-logfwd-status");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, code);
	} else if (rc == CURLE_WRITE_ERROR) {
		snprintf(err, errlen, "%s: the answer is larger than %zu bytes (not an oci-logfwd "
		    "/metrics page?)", url, max);
	} else if (rc == CURLE_COULDNT_CONNECT) {
		snprintf(err, errlen, "%s: cannot connect: is oci-logfwd running, with this "
		    "metrics_listen? (systemctl status oci-logfwd)", url);
	} else {
		snprintf(err, errlen, "%s: %s", url, curl_easy_strerror(rc));
	}
	curl_easy_cleanup(h);
	if (rc != CURLE_OK) {
		buf_cleanup(body);
		return -1;
	}
	return 0;
}

/*
 * /healthz: 200 = all healthy; 503 = a JSON body listing each failing source and sink
 * with its error.  Anything else leaves health unknown (-1): an older daemon, a proxy.
 */
static void
read_health(struct sample *s, const char *base)
{
	char url[1024], err[512];
	struct buf body;
	long code = 0;
	json_t *root, *problems, *p;
	size_t i;

	s->health = -1;
	if ((size_t)snprintf(url, sizeof(url), "%s/healthz", base) >= sizeof(url))
		return;
	if (http_get(url, STATUS_MAX_HEALTH, &body, &code, err, sizeof(err)) < 0)
		return;
	if (code == 200) {
		s->health = 1;
	} else if (code == 503 && body.len > 0 &&
	    (root = json_loadb(body.data, body.len, 0, NULL)) != NULL) {
		problems = json_object_get(root, "problems");
		if (json_is_array(problems)) {
			s->health = 0;
			json_array_foreach(problems, i, p) {
				const char *name, *e = json_string_value(json_object_get(p, "error"));
				if ((name = json_string_value(json_object_get(p, "source")))) {
					struct source_row *r = source_row(s, name);
					if (r == NULL)
						break;
					r->failing = 1;
					copy_clean(r->error, sizeof(r->error), e ? e : "");
				} else if ((name = json_string_value(json_object_get(p, "sink")))) {
					struct sink_row *r = sink_row(s, name);
					if (r == NULL)
						break;
					r->failing = 1;
					copy_clean(r->error, sizeof(r->error), e ? e : "");
				}
			}
		}
		json_decref(root);
	}
	buf_cleanup(&body);
}

/* One reading; 0, or -1 with err. */
static int
take_sample(const char *base, struct sample *s, char *err, size_t errlen)
{
	char url[1024], perr[256];
	struct buf body;
	long code = 0;

	memset(s, 0, sizeof(*s));
	if ((size_t)snprintf(url, sizeof(url), "%s/metrics", base) >= sizeof(url)) {
		snprintf(err, errlen, "the URL is too long");
		return -1;
	}
	s->mono = mono_now();
	if (http_get(url, STATUS_MAX_BODY, &body, &code, err, errlen) < 0)
		return -1;
	if (code != 200) {
		snprintf(err, errlen, "%.700s: HTTP %ld (not an oci-logfwd /metrics endpoint?)", url,
		    code);
		buf_cleanup(&body);
		return -1;
	}
	if (promtext_parse(body.data ? body.data : "", body.len, collect, s, perr,
		sizeof(perr)) < 0) {
		snprintf(err, errlen, "%.500s: not Prometheus text: %.200s%s%.200s", url, perr,
		    s->err[0] ? ": " : "", s->err);
		buf_cleanup(&body);
		sample_cleanup(s);
		return -1;
	}
	buf_cleanup(&body);
	if (!s->have_build) {
		snprintf(err, errlen, "%.700s: no oci_logfwd_build_info: not an oci-logfwd daemon",
		    url);
		sample_cleanup(s);
		return -1;
	}
	read_health(s, base);
	return 0;
}

/* ---------------------------------------------------------------- output */

static const struct source_row *
find_source(const struct sample *s, const char *name)
{
	for (size_t i = 0; s != NULL && i < s->n_src; i++)
		if (strcmp(s->src[i].name, name) == 0)
			return &s->src[i];
	return NULL;
}

static const struct sink_row *
find_sink(const struct sample *s, const char *name)
{
	for (size_t i = 0; s != NULL && i < s->n_snk; i++)
		if (strcmp(s->snk[i].name, name) == 0)
			return &s->snk[i];
	return NULL;
}

/* A per-second rate, or "-" without a previous value (or after a counter reset). */
static void
fmt_rate(char *out, size_t n, int have_prev, double prev, double cur, double dt)
{
	if (!have_prev || dt <= 0 || cur < prev)
		snprintf(out, n, "-");
	else
		snprintf(out, n, "%.1f", (cur - prev) / dt);
}

static void
fmt_duration(char *out, size_t n, double s)
{
	double a = fabs(s);

	if (isnan(s))
		snprintf(out, n, "-");
	else if (a < 60)
		snprintf(out, n, "%.1fs", s);
	else if (a < 3600)
		snprintf(out, n, "%s%dm%02ds", s < 0 ? "-" : "", (int)(a / 60), (int)fmod(a, 60));
	else if (a < 86400 * 1000.0)
		snprintf(out, n, "%s%dh%02dm", s < 0 ? "-" : "", (int)(a / 3600),
		    (int)fmod(a / 60, 60));
	else
		snprintf(out, n, "%.0fs", s);
}

static int
name_width(const struct sample *s, int sinks, int min)
{
	int w = min;

	for (size_t i = 0; i < (sinks ? s->n_snk : s->n_src); i++) {
		int l = (int)strlen(sinks ? s->snk[i].name : s->src[i].name);
		if (l > w)
			w = l;
	}
	return w;
}

static void
print_status(FILE *out, const char *base, const struct sample *prev, const struct sample *cur)
{
	double dt = prev ? cur->mono - prev->mono : 0;
	char rate[32], lag[32];
	int w;

	fprintf(out, "oci-logfwd %s at %s", cur->version, base);
	if (prev)
		fprintf(out, ", rates over the last %.1f s\n", dt);
	else
		fprintf(out, ", rates need a second sample\n");
	w = name_width(cur, 0, 6);
	fprintf(out, "%-*s  %10s  %12s  %9s  %8s  %6s  %8s  %s\n", w, "SOURCE", "RECORDS/S",
	    "RECORDS", "LAG", "LATE", "GAPS", "ERRORS", "HEALTH");
	for (size_t i = 0; i < cur->n_src; i++) {
		const struct source_row *r = &cur->src[i], *p = find_source(prev, r->name);
		fmt_rate(rate, sizeof(rate), p != NULL, p ? p->records : 0, r->records, dt);
		fmt_duration(lag, sizeof(lag), r->lag);
		fprintf(out, "%-*s  %10s  %12.0f  %9s  %8.0f  %6.0f  %8.0f  %s%s%s\n", w, r->name,
		    rate, r->records, lag, r->late, r->gaps, r->req_errors,
		    r->failing ? "FAILING" : cur->health < 0 ? "?" : "ok",
		    r->failing && r->error[0] ? ": " : "", r->failing ? r->error : "");
	}
	if (cur->n_src == 0)
		fprintf(out, "(no sources)\n");
	w = name_width(cur, 1, 6);
	fprintf(out, "%-*s  %10s  %12s  %9s  %8s  %6s  %8s  %-9s  %s\n", w, "SINK", "EVENTS/S",
	    "SENT", "QUEUE", "RETRIES", "DEAD", "DROPPED", "HEALTH", "LAST ERROR");
	for (size_t i = 0; i < cur->n_snk; i++) {
		const struct sink_row *r = &cur->snk[i], *p = find_sink(prev, r->name);
		const char *health = r->failing ? "FAILING" :
		    (r->have_healthy && r->healthy == 0) ? "UNHEALTHY" :
		    (r->have_healthy || cur->health == 1) ? "ok" : "?";
		fmt_rate(rate, sizeof(rate), p != NULL, p ? p->sent : 0, r->sent, dt);
		fprintf(out, "%-*s  %10s  %12.0f  %9.0f  %8.0f  %6.0f  %8.0f  %-9s  %s\n", w,
		    r->name, rate, r->sent, r->queue, r->retries, r->dead, r->dropped, health,
		    r->error[0] ? r->error : "-");
	}
	if (cur->n_snk == 0)
		fprintf(out, "(no sinks)\n");
}

/* ---------------------------------------------------------------- where to ask */

struct listen_ctx {
	char *value;
	int oom;
};

static int
on_ini(void *arg, const char *section, const char *name, const char *value)
{
	struct listen_ctx *c = arg;

	if (strcmp(section, "daemon") == 0 && strcmp(name, "metrics_listen") == 0) {
		free(c->value);
		if (!(c->value = strdup(value)))
			c->oom = 1;
	}
	return 1;
}

/*
 * The base URL (no trailing /) from the file's [daemon] metrics_listen.  Only that key
 * is read: the whole configuration would need the service's secrets, which an operator
 * running `status` may not be able to read (they live in $CREDENTIALS_DIRECTORY).
 * Returns 0, or an exit status with err filled.
 */
static int
base_from_config(const char *path, char *base, size_t n, char *err, size_t errlen)
{
	struct listen_ctx c = { NULL, 0 };
	char host[256];
	const char *colon, *v;
	int rc;
	size_t hl;

	rc = ini_parse(path, on_ini, &c);
	if (rc == -1) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		free(c.value);
		return EXIT_CONFIG;
	}
	if (c.oom) {
		snprintf(err, errlen, "out of memory");
		free(c.value);
		return EXIT_FAILURE_OTHER;
	}
	v = c.value;
	if (v == NULL || *v == '\0') {
		snprintf(err, errlen, "%s has no [daemon] metrics_listen: set it (e.g. "
		    "metrics_listen = 127.0.0.1:9464), reload the daemon, or use --url", path);
		free(c.value);
		return EXIT_CONFIG;
	}
	if (strstr(v, "${") || !(colon = strrchr(v, ':')) || colon[1] == '\0' ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1)) {
		snprintf(err, errlen, "%s: metrics_listen \"%.100s\" is not host:port (with "
		    "${VAR} use --url)", path, v);
		free(c.value);
		return EXIT_CONFIG;
	}
	hl = (size_t)(colon - v);
	if (hl >= sizeof(host)) {
		snprintf(err, errlen, "%s: metrics_listen: host too long", path);
		free(c.value);
		return EXIT_CONFIG;
	}
	memcpy(host, v, hl);
	host[hl] = '\0';
	/* The daemon's listen address is where to connect, except the wildcards. */
	if (hl == 0 || strcmp(host, "0.0.0.0") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	else if (strcmp(host, "[::]") == 0 || strcmp(host, "::") == 0)
		snprintf(host, sizeof(host), "[::1]");
	else if (strchr(host, ':') && host[0] != '[') {
		char tmp[sizeof(host)];
		snprintf(tmp, sizeof(tmp), "[%.250s]", host);
		memcpy(host, tmp, sizeof(host));
	}
	rc = snprintf(base, n, "http://%s:%s", host, colon + 1);
	free(c.value);
	if (rc < 0 || (size_t)rc >= n) {
		snprintf(err, errlen, "metrics_listen too long");
		return EXIT_CONFIG;
	}
	return 0;
}

/* --url: a base URL or its /metrics; "host:port" alone means http://host:port. */
static int
base_from_url(const char *url, char *base, size_t n)
{
	size_t l;
	int rc;

	rc = snprintf(base, n, "%s%s", strstr(url, "://") ? "" : "http://", url);
	if (rc < 0 || (size_t)rc >= n)
		return -1;
	l = strlen(base);
	while (l > 0 && base[l - 1] == '/')
		base[--l] = '\0';
	if (l >= 8 && strcmp(base + l - 8, "/metrics") == 0)
		base[l - 8] = '\0';
	return strncmp(base, "http://", 7) == 0 || strncmp(base, "https://", 8) == 0 ? 0 : -1;
}

static void
status_usage(FILE *out)
{
	fprintf(out,
	    "usage: oci-logfwd status [-c FILE | --url URL] [--watch]\n"
	    "\n"
	    "One line per source and per sink of a running daemon, read from its /metrics\n"
	    "and /healthz (the [daemon] metrics_listen address).\n"
	    "\n"
	    "  -c, --config FILE   take metrics_listen from FILE\n"
	    "      --url URL       ask this address instead (http://127.0.0.1:9464)\n"
	    "  -w, --watch         print again every %d seconds\n"
	    "  -h, --help          print this help and exit\n",
	    STATUS_WATCH_S);
}

static void
sleep_s(double s)
{
	struct timespec ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int
status_main(int argc, char **argv, const char *default_config)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "url", required_argument, NULL, 'u' },
		{ "watch", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = NULL, *url = NULL;
	char base[1024], err[1024], shown[1024], shown_err[1024];
	struct sample prev, cur;
	int ch, watch = 0, rc, have_prev = 0, tty;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:wh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config = optarg;
			break;
		case 'u':
			url = optarg;
			break;
		case 'w':
			watch = 1;
			break;
		case 'h':
			status_usage(stdout);
			return EXIT_OK;
		default:
			fprintf(stderr, "Try 'oci-logfwd status --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "oci-logfwd status: unexpected argument \"%s\"\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (config && url) {
		fprintf(stderr, "oci-logfwd status: -c and --url exclude each other\n");
		return EXIT_USAGE;
	}
	if (url) {
		if (base_from_url(url, base, sizeof(base)) < 0) {
			fprintf(stderr, "oci-logfwd status: --url \"%s\": not an http(s) URL\n",
			    conf_mask_url_buf(url, shown, sizeof(shown)));
			return EXIT_USAGE;
		}
	} else if ((rc = base_from_config(config ? config : default_config, base, sizeof(base),
			err, sizeof(err))) != 0) {
		fprintf(stderr, "oci-logfwd status: %s\n", err);
		return rc;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "oci-logfwd status: cannot initialise libcurl\n");
		return EXIT_FAILURE_OTHER;
	}
	/* A --url may carry a password or a token: print only its masked form (as -t does). */
	conf_mask_url_buf(base, shown, sizeof(shown));
	tty = isatty(STDOUT_FILENO);
	memset(&prev, 0, sizeof(prev));
	rc = EXIT_OK;
	for (;;) {
		/* The first reading waits a second for a second one, so rates show at once. */
		if (!have_prev) {
			if (take_sample(base, &prev, err, sizeof(err)) < 0)
				goto failed;
			have_prev = 1;
			sleep_s(1);
		}
		if (take_sample(base, &cur, err, sizeof(err)) < 0)
			goto failed;
		if (watch && tty)
			fputs("\033[H\033[2J", stdout);
		print_status(stdout, shown, &prev, &cur);
		sample_cleanup(&prev);
		prev = cur;
		if (!watch)
			break;
		fputs(tty ? "" : "\n", stdout);
		fflush(stdout);
		sleep_s(STATUS_WATCH_S);
		continue;
	failed:
		fprintf(stderr, "oci-logfwd status: %s\n",
		    conf_mask_text(err, shown_err, sizeof(shown_err)));
		sample_cleanup(&prev);
		have_prev = 0;
		if (!watch) {
			rc = EXIT_FAILURE_OTHER;
			break;
		}
		/* --watch outlives a restart of the daemon: say so and try again. */
		sleep_s(STATUS_WATCH_S);
	}
	sample_cleanup(&prev);
	curl_global_cleanup();
	if (fflush(stdout) != 0 && rc == EXIT_OK)
		rc = EXIT_FAILURE_OTHER;
	return rc;
}
