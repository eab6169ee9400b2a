/* search.c — see search.h. */
#include "search.h"

#include <ctype.h>
#include <event2/event.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <yajl/yajl_parse.h>

#include "backoff.h"
#include "buf.h"
#include "http.h"
#include "log.h"
#include "oci.h"
#include "signer.h"

#define MAX_PAGE_BYTES (256u * 1024 * 1024)

struct search {
	struct oci_client *c;
	struct event_base *base;
	char *query;
	char *body;
	size_t body_len;
	int64_t start_ms, end_ms;
	struct search_opts opts;
	char *source_name;
	struct search_callbacks cb;

	char *page_token;  /* token for the next request, NULL = first page */
	char *prev_token;  /* the token used by the page just read (loop guard) */
	struct http_xfer *xfer;
	struct oci_wait *wait;
	struct event *timer;
	struct backoff bo;
	unsigned transient;   /* consecutive transient failures for this page */
	int reauthed;         /* a 401 already triggered a refresh for this page */
	unsigned generation;  /* credential generation of the request in flight */

	uint64_t records;
	unsigned pages, requests;
	int paused, next_due, cancelled, in_cb;

	struct search_record *recs;
	size_t recs_cap;
};

void
search_opts_default(struct search_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->limit = 1000;
	o->timeout_ms = 60000;
	o->retry_initial_ms = 1000;
	o->retry_max_ms = 60000;
	o->max_transient_retries = 5;
}

void
search_format_time(int64_t ms, char out[32])
{
	time_t s = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	int frac = (int)(ms - (int64_t)s * 1000);
	struct tm tm;

	gmtime_r(&s, &tm);
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (tm.tm_year + 1900) % 10000,
	    tm.tm_mon % 12 + 1, tm.tm_mday % 32, tm.tm_hour % 24, tm.tm_min % 60,
	    tm.tm_sec % 61, frac % 1000);
}

/* ---------------- page parsing (yajl, no tree) ---------------- */

struct pctx {
	yajl_handle h;
	const char *body;
	int depth;          /* containers open */
	int top_is_map;
	int key1_results;   /* the current top-level key is "results" */
	int in_results;     /* inside the results array (depth 2) */
	int results_seen;
	int key3_data;      /* the current key inside a results element is "data" */
	int elem_has_data;
	int in_data;        /* depth of the open data object (4), 0 if none */
	size_t data_start;
	size_t elem_index;
	struct search_record **recs;
	size_t *cap, n;
	char *err;
	size_t errlen;
};

static int
perr(struct pctx *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
perr(struct pctx *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(p->err, p->errlen, fmt, ap);
		va_end(ap);
	}
	return 0; /* stops the parse */
}

/* A scalar, or a container start, in position depth (before it opens). */
static int
value_check(struct pctx *p, int is_map, int is_array)
{
	if (p->depth == 0 && !is_map)
		return perr(p, "page is not a JSON object");
	if (p->depth == 1 && p->key1_results && !is_array)
		return perr(p, "\"results\" is not an array");
	if (p->depth == 2 && p->in_results && !is_map)
		return perr(p, "results[%zu] is not an object", p->elem_index);
	if (p->depth == 3 && p->in_results && p->key3_data && !is_map)
		return perr(p, "results[%zu].data is not an object", p->elem_index);
	return 1;
}

static int
cb_null(void *ctx)
{
	return value_check(ctx, 0, 0);
}

static int
cb_bool(void *ctx, int b)
{
	return value_check(ctx, 0, 0);
}

static int
cb_number(void *ctx, const char *s, size_t l)
{
	return value_check(ctx, 0, 0);
}

static int
cb_string(void *ctx, const unsigned char *s, size_t l)
{
	return value_check(ctx, 0, 0);
}

static int
cb_start_map(void *ctx)
{
	struct pctx *p = ctx;

	if (!value_check(p, 1, 0))
		return 0;
	if (p->depth == 0) {
		p->top_is_map = 1;
	} else if (p->depth == 2 && p->in_results) {
		p->elem_has_data = 0;
		p->key3_data = 0;
	} else if (p->depth == 3 && p->in_results && p->key3_data) {
		if (p->elem_has_data)
			return perr(p, "results[%zu] has two data objects", p->elem_index);
		/* bytes consumed so far end just after this '{' */
		p->data_start = yajl_get_bytes_consumed(p->h) - 1;
		p->in_data = 4;
	}
	p->depth++;
	return 1;
}

static int
cb_end_map(void *ctx)
{
	struct pctx *p = ctx;

	p->depth--;
	if (p->in_data && p->depth == 3) {
		size_t end = yajl_get_bytes_consumed(p->h);

		if (p->body[p->data_start] != '{' || p->body[end - 1] != '}')
			return perr(p, "internal error locating results[%zu].data", p->elem_index);
		if (p->n == *p->cap) {
			size_t nc = *p->cap ? *p->cap * 2 : 256;
			struct search_record *nr = realloc(*p->recs, nc * sizeof(*nr));
			if (nr == NULL)
				return perr(p, "out of memory");
			*p->recs = nr;
			*p->cap = nc;
		}
		(*p->recs)[p->n].json = p->body + p->data_start;
		(*p->recs)[p->n].len = end - p->data_start;
		p->n++;
		p->in_data = 0;
		p->elem_has_data = 1;
	} else if (p->in_results && p->depth == 2) {
		if (!p->elem_has_data)
			return perr(p, "results[%zu] has no data object", p->elem_index);
		p->elem_index++;
	}
	return 1;
}

static int
cb_map_key(void *ctx, const unsigned char *k, size_t l)
{
	struct pctx *p = ctx;

	if (p->depth == 1)
		p->key1_results = l == 7 && memcmp(k, "results", 7) == 0;
	else if (p->depth == 3 && p->in_results)
		p->key3_data = l == 4 && memcmp(k, "data", 4) == 0;
	return 1;
}

static int
cb_start_array(void *ctx)
{
	struct pctx *p = ctx;

	if (!value_check(p, 0, 1))
		return 0;
	if (p->depth == 1 && p->key1_results) {
		if (p->results_seen)
			return perr(p, "two \"results\" arrays");
		p->in_results = 1;
		p->results_seen = 1;
	}
	p->depth++;
	return 1;
}

static int
cb_end_array(void *ctx)
{
	struct pctx *p = ctx;

	p->depth--;
	if (p->depth == 1 && p->in_results)
		p->in_results = 0;
	return 1;
}

static const yajl_callbacks page_callbacks = {
	cb_null, cb_bool, NULL, NULL, cb_number, cb_string, cb_start_map, cb_map_key,
	cb_end_map, cb_start_array, cb_end_array,
};

int
search_parse_page(const char *body, size_t len, struct search_record **recs,
    size_t *cap, size_t *n, char *err, size_t errlen)
{
	struct pctx p;
	yajl_status st;
	int rc = -1;

	memset(&p, 0, sizeof(p));
	p.body = body;
	p.recs = recs;
	p.cap = cap;
	p.err = err;
	p.errlen = errlen;
	err[0] = '\0';
	if (len == 0) {
		snprintf(err, errlen, "empty page body");
		return -1;
	}
	p.h = yajl_alloc(&page_callbacks, NULL, &p);
	if (p.h == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* Invalid UTF-8 inside one record's strings must not cost the whole page: the
	 * encoders replace it (U+FFFD).  Skipping the check also saves a pass over every
	 * string byte of the page. */
	yajl_config(p.h, yajl_dont_validate_strings, 1);
	st = yajl_parse(p.h, (const unsigned char *)body, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(p.h);
	if (st != yajl_status_ok) {
		if (err[0] == '\0') {
			unsigned char *e = yajl_get_error(p.h, 0, (const unsigned char *)body, len);
			size_t off = yajl_get_bytes_consumed(p.h);
			char *c;
			snprintf(err, errlen, "invalid JSON near byte %zu: %s", off,
			    e != NULL ? (const char *)e : "parse error");
			/* yajl's text spans lines; log lines must not */
			for (c = err; *c != '\0'; c++)
				if (*c == '\n' || *c == '\r')
					*c = ' ';
			while (c > err && c[-1] == ' ')
				*--c = '\0';
			if (e != NULL)
				yajl_free_error(p.h, e);
		}
		goto done;
	}
	if (!p.top_is_map) {
		snprintf(err, errlen, "page is not a JSON object");
		goto done;
	}
	if (!p.results_seen) {
		snprintf(err, errlen, "page has no \"results\" array");
		goto done;
	}
	*n = p.n;
	rc = 0;
done:
	yajl_free(p.h);
	return rc;
}

void
search_parse_error(const char *body, size_t len, char **code, char **message)
{
	json_t *v = body != NULL && len > 0 ? json_loadb(body, len, 0, NULL) : NULL;
	const char *c = json_string_value(json_object_get(v, "code"));
	const char *m = json_string_value(json_object_get(v, "message"));

	*code = c != NULL ? strdup(c) : NULL;
	*message = m != NULL ? strdup(m) : NULL;
	json_decref(v);
}

static int
contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; hay != NULL && *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

enum search_action
search_classify(long st, const char *code, const char *message, enum search_status *final)
{
	*final = SEARCH_FAILED;
	if (st >= 200 && st < 300)
		return SEARCH_ACT_DONE;
	if (st == 0)
		return SEARCH_ACT_TRANSIENT;
	if (st == 429)
		return SEARCH_ACT_RATE;
	if (st == 401) {
		*final = SEARCH_AUTH;
		return SEARCH_ACT_REAUTH;
	}
	if (st == 404) {
		*final = SEARCH_NOT_FOUND;
		return SEARCH_ACT_FINAL;
	}
	if (st == 400) {
		/* An expired page token: the only cure is reading the window again, smaller. */
		if ((contains_ci(message, "page") || contains_ci(code, "page")) &&
		    (contains_ci(message, "expired") || contains_ci(message, "invalid")))
			*final = SEARCH_TOO_BIG;
		else
			*final = SEARCH_BAD_QUERY;
		return SEARCH_ACT_FINAL;
	}
	if (st == 409 && code != NULL && strcmp(code, "IncorrectState") == 0)
		return SEARCH_ACT_TRANSIENT;
	if (st == 501)
		return SEARCH_ACT_FINAL;
	if (st >= 500) {
		if (contains_ci(message, "timed out") || contains_ci(message, "timeout")) {
			*final = SEARCH_TOO_BIG;
			return SEARCH_ACT_FINAL;
		}
		return SEARCH_ACT_TRANSIENT;
	}
	return SEARCH_ACT_FINAL;
}

/* ---------------- the request loop ---------------- */

static void send_request(struct search *s);

static void
free_search(struct search *s)
{
	http_cancel(s->xfer);
	oci_wait_cancel(s->wait);
	if (s->timer != NULL)
		event_free(s->timer);
	free(s->query);
	free(s->body);
	free(s->source_name);
	free(s->page_token);
	free(s->prev_token);
	free(s->recs);
	free(s);
}

static void
finish(struct search *s, enum search_status st, long http_status, const char *code,
    const char *message, const char *request_id)
{
	struct search_result r;

	memset(&r, 0, sizeof(r));
	r.status = st;
	r.http_status = http_status;
	r.code = code;
	r.message = message;
	r.request_id = request_id;
	r.records = s->records;
	r.pages = s->pages;
	r.requests = s->requests;
	s->in_cb++;
	if (s->cb.done != NULL)
		s->cb.done(s->cb.arg, &r);
	s->in_cb--;
	free_search(s);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	send_request(arg);
}

static void
schedule(struct search *s, int64_t ms)
{
	struct timeval tv;

	if (ms < 0)
		ms = 0;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(s->timer, &tv);
}

static void
on_ready(void *arg, int ok, const char *msg)
{
	struct search *s = arg;

	s->wait = NULL;
	if (!ok) {
		log_source(LOG_LVL_ERROR, s->source_name,
		    "cannot search: OCI credentials unavailable: %s", msg);
		finish(s, SEARCH_AUTH, 0, NULL, msg, NULL);
		return;
	}
	send_request(s);
}

static void on_response(void *arg, const struct http_response *r);

static void
send_request(struct search *s)
{
	struct oci_headers hd;
	struct oci_err err;
	struct http_request req;
	struct buf url;
	const char *ep = oci_client_endpoint(s->c);
	int rc;

	if (ep == NULL) {
		/* instance principal before IMDS told the region */
		s->wait = oci_client_when_ready(s->c, on_ready, s);
		if (s->wait == NULL)
			finish(s, SEARCH_FAILED, 0, NULL, "out of memory", NULL);
		return;
	}
	buf_init(&url, 64 * 1024);
	if (buf_printf(&url, "%s/20190909/search?limit=%d", ep, s->opts.limit) != 0)
		goto oom;
	if (s->page_token != NULL) {
		const unsigned char *p;
		if (buf_append_str(&url, "&page=") != 0)
			goto oom;
		/* percent-encode everything but unreserved characters */
		for (p = (const unsigned char *)s->page_token; *p != '\0'; p++) {
			if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
				if (buf_append_char(&url, (char)*p) != 0)
					goto oom;
			} else if (buf_printf(&url, "%%%02X", *p) != 0) {
				goto oom;
			}
		}
	}
	rc = oci_client_sign(s->c, "POST", url.data, s->body, s->body_len, &hd, &err);
	if (rc == 1) {
		buf_cleanup(&url);
		s->wait = oci_client_when_ready(s->c, on_ready, s);
		if (s->wait == NULL)
			finish(s, SEARCH_FAILED, 0, NULL, "out of memory", NULL);
		return;
	}
	if (rc != 0) {
		buf_cleanup(&url);
		log_source(LOG_LVL_ERROR, s->source_name, "cannot sign the search request: %s",
		    err.msg);
		finish(s, SEARCH_FAILED, 0, NULL, err.msg, NULL);
		return;
	}
	s->generation = hd.generation;
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = url.data;
	req.headers = (const char *const *)hd.lines;
	req.n_headers = hd.n;
	req.body = s->body;
	req.body_len = s->body_len;
	req.timeout_ms = s->opts.timeout_ms;
	req.tls_verify = 1;
	req.max_response = MAX_PAGE_BYTES;
	s->requests++;
	s->xfer = http_submit(oci_client_http(s->c), &req, on_response, s);
	oci_headers_cleanup(&hd);
	buf_cleanup(&url);
	if (s->xfer == NULL)
		finish(s, SEARCH_FAILED, 0, NULL, "cannot start the HTTP request", NULL);
	return;
oom:
	buf_cleanup(&url);
	finish(s, SEARCH_FAILED, 0, NULL, "out of memory", NULL);
}

static void
retry_transient(struct search *s, long status, const char *what, const char *rid)
{
	int64_t delay;

	s->transient++;
	if (s->transient > s->opts.max_transient_retries) {
		char msg[600];
		snprintf(msg, sizeof(msg), "gave up after %u attempts on page %u: %s",
		    s->transient, s->pages, what);
		log_source(LOG_LVL_WARNING, s->source_name,
		    "search of window (%lld ms) %s; the window should be split", (long long)(s->end_ms -
		    s->start_ms), msg);
		finish(s, SEARCH_TOO_BIG, status, NULL, msg, rid);
		return;
	}
	delay = backoff_next(&s->bo);
	log_source(LOG_LVL_INFO, s->source_name, "search: %s; retry %u/%u in %lld ms", what,
	    s->transient, s->opts.max_transient_retries, (long long)delay);
	schedule(s, delay);
}

/* Hints for the most common 401 causes, in the order they happen in practice. */
static void
log_auth_failure(struct search *s, const struct http_response *r, const char *code,
    const char *message, const char *rid)
{
	const char *server_date = http_response_header(r, "date");
	char skew[200] = "";

	if (server_date != NULL) {
		/* relative to 0, the HTTP-date parser gives epoch ms */
		int64_t srv = backoff_retry_after_ms(server_date, 0);
		int64_t ours = signer_now_s(); /* the clock our Date header came from */

		if (srv > 0 && (ours - srv / 1000 > 300 || srv / 1000 - ours > 300))
			snprintf(skew, sizeof(skew), " Our clock is %+lld s off OCI's (Date: %s): "
			    "fix the system clock (NTP).", (long long)(ours - srv / 1000), server_date);
	}
	log_source(LOG_LVL_ERROR, s->source_name,
	    "OCI refused authentication: HTTP 401 %s: \"%s\" (opc-request-id %s; credential: "
	    "%s).%s Likely causes: the key_file is not the key uploaded for this user, the "
	    "fingerprint or user/tenancy OCID in the OCI config is wrong, or the clock is more "
	    "than 5 minutes off.", code ? code : "-", message ? message : "-", rid ? rid : "-",
	    oci_client_describe(s->c), skew);
}

static void
on_response(void *arg, const struct http_response *r)
{
	struct search *s = arg;
	enum search_status final;
	enum search_action act;
	const char *rid = r->ok ? http_response_header(r, "opc-request-id") : NULL;
	char *code = NULL, *message = NULL;
	char err[300];

	s->xfer = NULL;
	if (s->cb.response != NULL)
		s->cb.response(s->cb.arg, r->ok ? r->status : 0);
	if (!r->ok) {
		snprintf(err, sizeof(err), "%s", r->timed_out ? "request timed out" :
		    r->error != NULL ? r->error : "transport error");
		retry_transient(s, 0, err, NULL);
		return;
	}
	if (r->status < 200 || r->status >= 300)
		search_parse_error(r->body, r->body_len, &code, &message);
	act = search_classify(r->status, code, message, &final);
	switch (act) {
	case SEARCH_ACT_DONE:
		break;
	case SEARCH_ACT_RATE: {
		const char *ra = http_response_header(r, "retry-after");
		int64_t wait = ra != NULL ? backoff_retry_after_ms(ra, backoff_now_ms()) : -1;
		int64_t b = backoff_next(&s->bo);

		if (wait < 0)
			wait = b;
		log_source(LOG_LVL_INFO, s->source_name, "search: OCI is rate limiting (429 %s); "
		    "retrying in %lld ms", code ? code : "", (long long)wait);
		schedule(s, wait);
		goto out;
	}
	case SEARCH_ACT_TRANSIENT:
		snprintf(err, sizeof(err), "HTTP %ld %s %.200s (opc-request-id %s)", r->status,
		    code ? code : "", message ? message : "", rid ? rid : "-");
		retry_transient(s, r->status, err, rid);
		goto out;
	case SEARCH_ACT_REAUTH:
		if (!s->reauthed && oci_client_auth_rejected(s->c, s->generation)) {
			s->reauthed = 1;
			log_source(LOG_LVL_NOTICE, s->source_name, "search: 401 %s \"%s\"; renewing "
			    "the security token and retrying once", code ? code : "",
			    message ? message : "");
			s->wait = oci_client_when_ready(s->c, on_ready, s);
			if (s->wait == NULL)
				finish(s, SEARCH_FAILED, 401, code, "out of memory", rid);
			goto out;
		}
		log_auth_failure(s, r, code, message, rid);
		finish(s, SEARCH_AUTH, r->status, code, message, rid);
		goto out;
	case SEARCH_ACT_FINAL:
		if (final == SEARCH_NOT_FOUND)
			log_source(LOG_LVL_ERROR, s->source_name, "search: HTTP 404 %s \"%s\" "
			    "(opc-request-id %s): the compartment/log group/log in the query does "
			    "not exist or this principal may not read it (check the IAM policy)",
			    code ? code : "-", message ? message : "-", rid ? rid : "-");
		else if (final == SEARCH_BAD_QUERY)
			log_source(LOG_LVL_ERROR, s->source_name, "search: HTTP 400 %s \"%s\" "
			    "(opc-request-id %s) for query: %s", code ? code : "-",
			    message ? message : "-", rid ? rid : "-", s->query);
		else if (final == SEARCH_TOO_BIG)
			log_source(LOG_LVL_WARNING, s->source_name, "search: HTTP %ld %s \"%s\" "
			    "(opc-request-id %s): the window should be split", r->status,
			    code ? code : "-", message ? message : "-", rid ? rid : "-");
		else
			log_source(LOG_LVL_ERROR, s->source_name, "search: HTTP %ld %s \"%s\" "
			    "(opc-request-id %s)", r->status, code ? code : "-",
			    message ? message : "-", rid ? rid : "-");
		if (message == NULL) {
			snprintf(err, sizeof(err), "HTTP %ld", r->status);
			finish(s, final, r->status, code, err, rid);
		} else {
			finish(s, final, r->status, code, message, rid);
		}
		goto out;
	}

	/* 2xx: a page */
	{
		struct search_page pg;
		const char *next = http_response_header(r, "opc-next-page");
		size_t n = 0;
		char perrbuf[200];

		if (search_parse_page(r->body, r->body_len, &s->recs, &s->recs_cap, &n, perrbuf,
			sizeof(perrbuf)) != 0) {
			snprintf(err, sizeof(err), "malformed SearchLogs page %u: %s", s->pages,
			    perrbuf);
			log_source(LOG_LVL_ERROR, s->source_name, "search: %s (opc-request-id %s)",
			    err, rid ? rid : "-");
			finish(s, SEARCH_FAILED, r->status, NULL, err, rid);
			goto out;
		}
		if (next != NULL && *next != '\0' &&
		    ((s->page_token != NULL && strcmp(next, s->page_token) == 0) ||
		    (s->prev_token != NULL && strcmp(next, s->prev_token) == 0))) {
			snprintf(err, sizeof(err), "OCI returned the same page token twice; "
			    "aborting the window to avoid a loop");
			log_source(LOG_LVL_ERROR, s->source_name, "search: %s", err);
			finish(s, SEARCH_FAILED, r->status, NULL, err, rid);
			goto out;
		}
		backoff_reset(&s->bo);
		s->transient = 0;
		s->reauthed = 0;
		pg.records = s->recs;
		pg.n = n;
		pg.request_id = rid;
		pg.page_index = s->pages;
		s->pages++;
		s->records += n;
		s->in_cb++;
		if (s->cb.page != NULL)
			(void)s->cb.page(s->cb.arg, &pg); /* partial consumption: issue 10 item 10 */
		s->in_cb--;
		if (s->cancelled) {
			free_search(s);
			goto out;
		}
		if (next == NULL || *next == '\0') {
			finish(s, SEARCH_OK, r->status, NULL, NULL, rid);
			goto out;
		}
		free(s->prev_token);
		s->prev_token = s->page_token;
		s->page_token = strdup(next);
		if (s->page_token == NULL) {
			finish(s, SEARCH_FAILED, r->status, NULL, "out of memory", rid);
			goto out;
		}
		/*
		 * The next request starts from a 0 ms timer rather than from inside this
		 * http callback: submitting from a completion callback is fragile (the
		 * layer underneath may still be reaping).
		 */
		if (s->paused)
			s->next_due = 1;
		else
			schedule(s, 0);
	}
out:
	free(code);
	free(message);
}

struct search *
search_start(struct oci_client *c, const char *query, int64_t start_ms, int64_t end_ms,
    const struct search_opts *opts, const struct search_callbacks *cb)
{
	struct search *s;
	struct buf b;
	char ts[32], te[32];

	if (c == NULL || query == NULL || cb == NULL || end_ms <= start_ms)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->c = c;
	s->base = oci_client_base(c);
	s->start_ms = start_ms;
	s->end_ms = end_ms;
	s->cb = *cb;
	if (opts != NULL)
		s->opts = *opts;
	else
		search_opts_default(&s->opts);
	if (s->opts.limit < 1 || s->opts.limit > 1000)
		s->opts.limit = 1000;
	if (s->opts.timeout_ms <= 0)
		s->opts.timeout_ms = 60000;
	if (s->opts.retry_initial_ms <= 0)
		s->opts.retry_initial_ms = 1000;
	if (s->opts.retry_max_ms < s->opts.retry_initial_ms)
		s->opts.retry_max_ms = s->opts.retry_initial_ms;
	s->opts.source_name = NULL;
	if (opts != NULL && opts->source_name != NULL &&
	    (s->source_name = strdup(opts->source_name)) == NULL)
		goto fail;
	s->query = strdup(query);
	s->timer = evtimer_new(s->base, on_timer, s);
	if (s->query == NULL || s->timer == NULL)
		goto fail;
	backoff_init(&s->bo, s->opts.retry_initial_ms, s->opts.retry_max_ms);
	search_format_time(start_ms, ts);
	search_format_time(end_ms, te);
	buf_init(&b, 1024 * 1024);
	if (buf_printf(&b, "{\"timeStart\":\"%s\",\"timeEnd\":\"%s\",\"searchQuery\":", ts, te) ||
	    buf_append_json_string(&b, query, strlen(query)) ||
	    buf_append_str(&b, ",\"isReturnFieldInfo\":false}")) {
		buf_cleanup(&b);
		goto fail;
	}
	s->body = buf_steal(&b, &s->body_len);
	if (s->body == NULL)
		goto fail;
	schedule(s, 0); /* first request from the loop: no callback inside search_start */
	return s;
fail:
	free_search(s);
	return NULL;
}

void
search_pause(struct search *s)
{
	s->paused = 1;
}

void
search_resume(struct search *s)
{
	s->paused = 0;
	if (s->next_due) {
		s->next_due = 0;
		schedule(s, 0);
	}
}

void
search_cancel(struct search *s)
{
	if (s == NULL)
		return;
	if (s->in_cb) {
		/* inside our own callback: the caller of the callback frees */
		s->cancelled = 1;
		return;
	}
	free_search(s);
}
