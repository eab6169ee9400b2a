/*
 * searchcli — test driver: runs one SearchLogs search over a window through lib/search and
 * prints one line per record on stdout, "<logContent.id>\t<sha256 hex of the record bytes>",
 * and a summary on stderr.  Used by tests/it/test_search_*.sh.
 *
 *   searchcli (--config-file F [--profile P] | --instance-principal --imds-url U
 *             --auth-url U) [--endpoint URL] [--region R] --from T --to T [--query Q]
 *             [--limit N] [--timeout-ms N] [--retry-initial-ms N] [--retry-max-ms N]
 *             [--max-retries N] [--pause-ms N] [--log-level L] [--count-only]
 *             [--retry-after-max-ms N] [--max-page-bytes N] [--max-pages N]
 *             [--max-attempts N] [--consume N] [--min-page-interval-ms N]
 *
 * Each scheduled retry prints "searchcli: retrying http=S delay_ms=D code=C message=M" on
 * stderr.  --consume N takes at most N records per page callback (the rest comes again
 * after the resume, --pause-ms later or at once).
 *
 * Exit: 0 OK, 2 auth, 3 not found, 4 bad query, 5 too big, 1 other failure, 64 usage,
 * 78 configuration (credentials) error.
 */
#include <event2/event.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "http.h"
#include "log.h"
#include "oci.h"
#include "search.h"
#include "timeutil.h"

struct cli {
	struct event_base *base;
	struct search *search;
	struct event *resume;
	int64_t pause_ms;
	size_t consume;   /* 0 = all */
	int quiet; /* --count-only: no per-record output (measures the library alone) */
	int rc;
	unsigned long status_counts[600];
	unsigned long transport_errors;
	char status_name[32];
};

static const char *
status_name(enum search_status st)
{
	switch (st) {
	case SEARCH_OK: return "OK";
	case SEARCH_TOO_BIG: return "TOO_BIG";
	case SEARCH_AUTH: return "AUTH";
	case SEARCH_NOT_FOUND: return "NOT_FOUND";
	case SEARCH_BAD_QUERY: return "BAD_QUERY";
	case SEARCH_FAILED: return "FAILED";
	case SEARCH_CANCELLED: return "CANCELLED";
	}
	return "?";
}

static void
on_resume(evutil_socket_t fd, short what, void *arg)
{
	struct cli *c = arg;

	if (c->search != NULL)
		search_resume(c->search);
}

static size_t
on_page(void *arg, const struct search_page *pg)
{
	struct cli *c = arg;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen, i;
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	size_t k;

	size_t take = c->consume > 0 && c->consume < pg->n ? c->consume : pg->n;

	for (k = 0; !c->quiet && k < take; k++) {
		json_t *v = json_loadb(pg->records[k].json, pg->records[k].len, 0, NULL);
		const char *id = json_string_value(json_object_get(json_object_get(v, "logContent"),
		    "id"));

		EVP_Digest(pg->records[k].json, pg->records[k].len, md, &mdlen, EVP_sha256(), NULL);
		for (i = 0; i < mdlen; i++)
			snprintf(hex + 2 * i, 3, "%02x", md[i]);
		printf("%s\t%s\n", id != NULL ? id : "-", hex);
		json_decref(v);
	}
	if (c->pause_ms > 0 || take < pg->n) {
		struct timeval tv = { (time_t)(c->pause_ms / 1000),
			(suseconds_t)((c->pause_ms % 1000) * 1000) };
		search_pause(c->search);
		evtimer_add(c->resume, &tv);
	}
	return take;
}

static void
on_retrying(void *arg, const struct search_result *why, int64_t delay_ms)
{
	fprintf(stderr, "searchcli: retrying http=%ld delay_ms=%lld code=%s message=\"%s\" "
	    "opc-request-id=%s\n", why->http_status, (long long)delay_ms,
	    why->code ? why->code : "-", why->message ? why->message : "",
	    why->request_id ? why->request_id : "-");
}

static void
on_response(void *arg, long status)
{
	struct cli *c = arg;

	if (status > 0 && status < 600)
		c->status_counts[status]++;
	else
		c->transport_errors++;
}

static void
on_done(void *arg, const struct search_result *r)
{
	struct cli *c = arg;
	static const int codes[] = { 0, 5, 2, 3, 4, 1, 1 };

	c->search = NULL;
	c->rc = codes[r->status];
	snprintf(c->status_name, sizeof(c->status_name), "%s", status_name(r->status));
	fprintf(stderr, "searchcli: done status=%s records=%llu pages=%u requests=%u http=%ld "
	    "code=%s message=\"%s\" opc-request-id=%s\n", status_name(r->status),
	    (unsigned long long)r->records, r->pages, r->requests, r->http_status,
	    r->code ? r->code : "-", r->message ? r->message : "", r->request_id ? r->request_id : "-");
	event_base_loopexit(c->base, NULL);
}

static int
parse_t(const char *s, int64_t *ms)
{
	int rel;

	if (s == NULL)
		return -1;
	if (conf_parse_time(s, &rel, ms) == 0) {
		if (rel)
			*ms += timeutil_now_ms();
		return 0;
	}
	return -1;
}

int
main(int argc, char **argv)
{
	struct conf_oci oc;
	struct search_opts so;
	struct search_callbacks cb;
	struct oci_client *client = NULL;
	struct http *http = NULL;
	struct oci_err err;
	struct cli c;
	const char *from = NULL, *to = NULL;
	const char *query = "search \"ocid1.compartment.oc1..aaaaaaaaexample\" | sort by datetime asc";
	int64_t start, end, t0, t1;
	enum log_level lvl = LOG_LVL_INFO;
	unsigned long total = 0;
	int i, rc = 1;

	memset(&oc, 0, sizeof(oc));
	memset(&c, 0, sizeof(c));
	search_opts_default(&so);
	oc.auth = CONF_AUTH_API_KEY;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--instance-principal") == 0) {
			oc.auth = CONF_AUTH_INSTANCE_PRINCIPAL;
			continue;
		}
		if (strcmp(a, "--count-only") == 0) {
			c.quiet = 1;
			continue;
		}
		if (v == NULL) {
			fprintf(stderr, "searchcli: %s needs a value\n", a);
			return 64;
		}
		i++;
		if (strcmp(a, "--config-file") == 0)
			oc.config_file = (char *)v;
		else if (strcmp(a, "--profile") == 0)
			oc.profile = (char *)v;
		else if (strcmp(a, "--region") == 0)
			oc.region = (char *)v;
		else if (strcmp(a, "--endpoint") == 0)
			oc.endpoint = (char *)v;
		else if (strcmp(a, "--imds-url") == 0)
			oc.imds_url = (char *)v;
		else if (strcmp(a, "--auth-url") == 0)
			oc.auth_url = (char *)v;
		else if (strcmp(a, "--from") == 0)
			from = v;
		else if (strcmp(a, "--to") == 0)
			to = v;
		else if (strcmp(a, "--query") == 0)
			query = v;
		else if (strcmp(a, "--limit") == 0)
			so.limit = atoi(v);
		else if (strcmp(a, "--timeout-ms") == 0)
			so.timeout_ms = atoll(v);
		else if (strcmp(a, "--retry-initial-ms") == 0)
			so.retry_initial_ms = atoll(v);
		else if (strcmp(a, "--retry-max-ms") == 0)
			so.retry_max_ms = atoll(v);
		else if (strcmp(a, "--max-retries") == 0)
			so.max_transient_retries = (unsigned)atoi(v);
		else if (strcmp(a, "--pause-ms") == 0)
			c.pause_ms = atoll(v);
		else if (strcmp(a, "--consume") == 0)
			c.consume = (size_t)atoll(v);
		else if (strcmp(a, "--retry-after-max-ms") == 0)
			so.retry_after_max_ms = atoll(v);
		else if (strcmp(a, "--max-page-bytes") == 0)
			so.max_page_bytes = (size_t)atoll(v);
		else if (strcmp(a, "--max-pages") == 0)
			so.max_pages = (unsigned)atoi(v);
		else if (strcmp(a, "--min-page-interval-ms") == 0)
			so.min_page_interval_ms = atoll(v);
		else if (strcmp(a, "--max-attempts") == 0)
			so.max_attempts = (unsigned)atoi(v);
		else if (strcmp(a, "--log-level") == 0) {
			if (log_level_parse(v, &lvl) != 0)
				return 64;
		} else {
			fprintf(stderr, "searchcli: unknown option %s\n", a);
			return 64;
		}
	}
	if (parse_t(from, &start) != 0 || parse_t(to, &end) != 0 || end <= start) {
		fprintf(stderr, "searchcli: --from and --to (RFC 3339 or -1h) are required, from < to\n");
		return 64;
	}
	log_init();
	log_set_level(lvl);
	so.source_name = "searchcli";
	c.base = event_base_new();
	http = c.base != NULL ? http_new(c.base) : NULL;
	c.resume = c.base != NULL ? evtimer_new(c.base, on_resume, &c) : NULL;
	if (http == NULL || c.resume == NULL)
		goto out;
	client = oci_client_new(c.base, http, &oc, &err);
	if (client == NULL) {
		fprintf(stderr, "searchcli: %s\n", err.msg);
		rc = 78;
		goto out;
	}
	cb.page = on_page;
	cb.done = on_done;
	cb.response = on_response;
	cb.retrying = on_retrying;
	cb.arg = &c;
	t0 = timeutil_mono_ms();
	c.rc = 1;
	c.search = search_start(client, query, start, end, &so, &cb);
	if (c.search == NULL)
		goto out;
	event_base_dispatch(c.base);
	t1 = timeutil_mono_ms();
	fflush(stdout);
	{
		char counts[512] = "";
		size_t n = 0;
		unsigned long recs = 0;
		for (i = 0; i < 600; i++)
			if (c.status_counts[i] > 0 && n < sizeof(counts) - 32)
				n += (size_t)snprintf(counts + n, sizeof(counts) - n, " http_%d=%lu", i,
				    c.status_counts[i]);
		(void)recs;
		(void)total;
		fprintf(stderr, "searchcli: status=%s endpoint=%s seconds=%.3f%s transport_errors=%lu\n",
		    c.status_name, oci_client_endpoint(client) ? oci_client_endpoint(client) : "-",
		    (double)(t1 - t0) / 1000.0, counts, c.transport_errors);
	}
	rc = c.rc;
out:
	if (c.search != NULL)
		search_cancel(c.search);
	oci_client_free(client);
	http_free(http);
	if (c.resume != NULL)
		event_free(c.resume);
	if (c.base != NULL)
		event_base_free(c.base);
	return rc;
}
