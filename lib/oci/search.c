/* search.c — see search.h. */
#include "search.h"

#include <ctype.h>
#include <event2/event.h>
#include <jansson.h>
#include <openssl/sha.h>
#include <stdarg.h>
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
#include "secmask.h"
#include "signer.h"
#include "timeutil.h"

/* Retries are logged at info at most this often per search (retrying() sees each). */
#define RETRY_LOG_INTERVAL_MS 30000

/*
 * The page tokens of one window, as 128-bit digests (a token can be 90 KB; 100,000 pages
 * must not keep 9 GB): open addressing, linear probing, all-zero = empty slot.
 */
struct tokset {
	unsigned char (*slot)[16];
	size_t cap, n;
};

/*
 * A response that came while a page was still being handed over (fetch ahead): kept,
 * with everything on_response reads, until that page is consumed.
 */
struct parked {
	struct http_response r;
	char *body;
	char *error;
	struct http_header *headers;
	size_t n_headers;
};

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
	int limit;            /* opts.limit, halved while pages are over max_page_bytes */

	char *page_token;     /* token for the next request, NULL = first page */
	struct tokset tokens; /* every token of this pass over the window */
	struct http_xfer *xfer;
	struct oci_wait *wait;
	struct event *timer;  /* the next request (pacing, retries) */
	struct event *dtimer; /* hands the held page over, or processes a parked response */
	struct backoff bo;
	unsigned slow;        /* consecutive timeouts of a sent request, this page */
	unsigned failed;      /* consecutive failed attempts (opts.max_attempts) */
	int reauthed;         /* a 401 already triggered a refresh for this page */
	int restarted;        /* a 400 on a page token restarted the window once */
	unsigned generation;  /* credential generation of the request in flight */
	char our_rid[40];     /* opc-request-id we sent with the request in flight */
	int64_t last_send_mono;
	size_t last_page_bytes; /* the body of the last page taken: pacing (pace_delay) */

	/* retry logging, rate limited */
	int64_t retry_log_mono;
	unsigned retries_unlogged;

	uint64_t records;
	unsigned pages, requests;
	int paused, next_due, cancelled, in_cb;
	int last_seen;        /* the page without opc-next-page came: no more requests */

	/* the page being handed over */
	int have_page;
	int deliver_due;      /* records left; hand them over on resume */
	int deliver_after_send; /* the request timer hands the page over once it sent */
	char *pbody;          /* the held page's body (the records point into it) */
	size_t pbody_len;
	int parsed;           /* pbody parsed into recs (pn records) */
	long pstatus;         /* its HTTP status */
	size_t pn, poff;
	unsigned pindex;
	char *prid;
	struct parked *ahead; /* the next page's response, come while a page was held */

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
	o->retry_after_max_ms = 300000;
	o->max_page_bytes = 64u * 1024 * 1024;
	o->max_pages = 100000;
	o->min_page_interval_ms = 10;
	o->max_attempts = 0;
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
	const struct search_rec_parser *rp;
	int rec_failed;     /* rp failed the current record: feed it nothing more */
	/* rp's callbacks while a record is fed, NULL once it failed: one test a yajl
	 * event instead of three (these wrappers run ~110 times a record) */
	const yajl_callbacks *feed;
	void *feed_arg;
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

/* Inside a data object, fed to the record parser (unless it failed this record). */
#define FEED(p, name, args) do { \
	if ((p)->feed != NULL && !(p)->feed->name args) { \
		(p)->rec_failed = 1; \
		(p)->feed = NULL; \
	} \
} while (0)

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
	struct pctx *p = ctx;

	if (p->in_data) {
		FEED(p, yajl_null, (p->feed_arg));
		return 1;
	}
	/* "results": null is an empty page (only summary is mandatory in the SDKs) */
	if (p->depth == 1 && p->key1_results)
		return 1;
	return value_check(ctx, 0, 0);
}

static int
cb_bool(void *ctx, int b)
{
	struct pctx *p = ctx;

	if (p->in_data) {
		FEED(p, yajl_boolean, (p->feed_arg, b));
		return 1;
	}
	return value_check(ctx, 0, 0);
}

static int
cb_number(void *ctx, const char *s, size_t l)
{
	struct pctx *p = ctx;

	if (p->in_data) {
		FEED(p, yajl_number, (p->feed_arg, s, l));
		return 1;
	}
	return value_check(ctx, 0, 0);
}

static int
cb_string(void *ctx, const unsigned char *s, size_t l)
{
	struct pctx *p = ctx;

	if (p->in_data) {
		FEED(p, yajl_string, (p->feed_arg, s, l));
		return 1;
	}
	return value_check(ctx, 0, 0);
}

static int
cb_start_map(void *ctx)
{
	struct pctx *p = ctx;

	if (p->in_data) {
		FEED(p, yajl_start_map, (p->feed_arg));
		p->depth++;
		return 1;
	}
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
		if (p->rp != NULL) {
			p->rec_failed = 0;
			p->feed = p->rp->cb;
			p->feed_arg = p->rp->arg;
			p->rp->rec_begin(p->rp->arg);
			FEED(p, yajl_start_map, (p->feed_arg));
		}
	}
	p->depth++;
	return 1;
}

static int
cb_end_map(void *ctx)
{
	struct pctx *p = ctx;

	p->depth--;
	if (p->in_data)
		FEED(p, yajl_end_map, (p->feed_arg));
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
		(*p->recs)[p->n].parsed = p->rp != NULL ?
		    p->rp->rec_end(p->rp->arg, p->rec_failed) : NULL;
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

	if (p->in_data) {
		FEED(p, yajl_map_key, (p->feed_arg, k, l));
		return 1;
	}
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

	if (p->in_data) {
		FEED(p, yajl_start_array, (p->feed_arg));
		p->depth++;
		return 1;
	}
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
	if (p->in_data)
		FEED(p, yajl_end_array, (p->feed_arg));
	else if (p->depth == 1 && p->in_results)
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
	return search_parse_page_rp(body, len, NULL, recs, cap, n, err, errlen);
}

int
search_parse_page_rp(const char *body, size_t len, const struct search_rec_parser *rp,
    struct search_record **recs, size_t *cap, size_t *n, char *err, size_t errlen)
{
	struct pctx p;
	yajl_status st;
	int rc = -1;

	memset(&p, 0, sizeof(p));
	p.body = body;
	p.rp = rp;
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
	if (rp != NULL && rp->page_begin(rp->arg, p.h, body, len) != 0) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
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
	/* no results array: an empty page (p.n is 0) */
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

enum search_action
search_classify(long st, const char *code, enum search_status *final)
{
	*final = SEARCH_FAILED;
	if (st >= 200 && st < 300)
		return SEARCH_ACT_DONE;
	if (st == 0 || (st >= 300 && st < 400))
		return SEARCH_ACT_TRANSIENT; /* no answer, or a redirect we do not follow */
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
		*final = SEARCH_BAD_QUERY;
		return SEARCH_ACT_FINAL;
	}
	/* OCI's codes for "try again": the resource is busy, not gone */
	if (st == 409 && code != NULL &&
	    (strcmp(code, "IncorrectState") == 0 || strcmp(code, "LockConflict") == 0))
		return SEARCH_ACT_TRANSIENT;
	if (st == 501)
		return SEARCH_ACT_FINAL;
	if (st >= 500)
		return SEARCH_ACT_TRANSIENT;
	return SEARCH_ACT_FINAL;
}

char *
search_escape(const char *in, char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (in == NULL)
		in = "-";
	for (; *in != '\0'; in++) {
		unsigned char c = (unsigned char)*in;
		if (c < 0x20 || c == 0x7f) {
			if (o + 4 >= n)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			if (o + 1 >= n)
				break;
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return out;
}

/*
 * search_escape() of text from OCI with credentials masked (secmask): an error body may
 * echo our Authorization header, and this text reaches the log, /healthz and callers.
 */
static char *
mask_escape(const struct search *s, const char *in, char *out, size_t n)
{
	const char *tok = oci_client_session_token(s->c);
	char *m;

	if (in == NULL)
		return search_escape(in, out, n);
	m = secmask(in, &tok, tok != NULL ? 1 : 0);
	if (m == NULL)
		return search_escape("(text withheld: out of memory)", out, n);
	search_escape(m, out, n);
	free(m);
	return out;
}

/* ---------------- page tokens seen in this window ---------------- */

static void
token_digest(const char *tok, unsigned char out[16])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256((const unsigned char *)tok, strlen(tok), md);
	memcpy(out, md, 16);
	if (memcmp(out, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16) == 0)
		out[0] = 1; /* all-zero marks an empty slot */
}

/* 1 added, 0 seen before, -1 out of memory. */
static int
tokset_add(struct tokset *t, const char *tok)
{
	static const unsigned char zero[16];
	unsigned char d[16];
	size_t i, h;

	if ((t->n + 1) * 2 > t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 64;
		unsigned char (*ns)[16] = calloc(nc, 16);

		if (ns == NULL)
			return -1;
		for (i = 0; i < t->cap; i++) {
			if (memcmp(t->slot[i], zero, 16) == 0)
				continue;
			memcpy(&h, t->slot[i], sizeof(h));
			for (h %= nc; memcmp(ns[h], zero, 16) != 0; h = (h + 1) % nc)
				;
			memcpy(ns[h], t->slot[i], 16);
		}
		free(t->slot);
		t->slot = ns;
		t->cap = nc;
	}
	token_digest(tok, d);
	memcpy(&h, d, sizeof(h));
	for (h %= t->cap; memcmp(t->slot[h], zero, 16) != 0; h = (h + 1) % t->cap)
		if (memcmp(t->slot[h], d, 16) == 0)
			return 0;
	memcpy(t->slot[h], d, 16);
	t->n++;
	return 1;
}

static void
tokset_clear(struct tokset *t)
{
	free(t->slot);
	t->slot = NULL;
	t->cap = t->n = 0;
}

/* ---------------- the request loop ---------------- */

static int send_request(struct search *s);
static void deliver(struct search *s);

static void
drop_page(struct search *s)
{
	free(s->pbody);
	free(s->prid);
	s->pbody = s->prid = NULL;
	s->pbody_len = 0;
	s->have_page = s->parsed = s->deliver_due = s->deliver_after_send = 0;
	s->pn = s->poff = 0;
}

static void
parked_free(struct parked *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n_headers; i++) {
		free(p->headers[i].name);
		free(p->headers[i].value);
	}
	free(p->headers);
	free(p->body);
	free(p->error);
	free(p);
}

/* A copy of r that outlives the http callback (the body is taken, not copied). */
static struct parked *
park(const struct http_response *r)
{
	struct parked *p = calloc(1, sizeof(*p));
	size_t len = 0;

	if (p == NULL)
		return NULL;
	p->r = *r;
	p->r.xfer_ = NULL;
	p->r.error = NULL;
	p->r.headers = NULL;
	p->r.n_headers = 0;
	p->r.body = NULL;
	p->r.body_len = 0;
	if (r->error != NULL && (p->error = strdup(r->error)) == NULL)
		goto fail;
	p->r.error = p->error;
	if (r->n_headers > 0) {
		p->headers = calloc(r->n_headers, sizeof(*p->headers));
		if (p->headers == NULL)
			goto fail;
		for (; p->n_headers < r->n_headers; p->n_headers++) {
			struct http_header *h = &p->headers[p->n_headers];
			h->name = strdup(r->headers[p->n_headers].name);
			h->value = strdup(r->headers[p->n_headers].value);
			if (h->name == NULL || h->value == NULL) {
				p->n_headers++;
				goto fail;
			}
		}
		p->r.headers = p->headers;
		p->r.n_headers = p->n_headers;
	}
	if (r->body != NULL && r->body_len > 0) {
		p->body = http_response_take_body(r, &len);
		if (p->body == NULL)
			goto fail;
		p->r.body = p->body;
		p->r.body_len = len;
	}
	return p;
fail:
	parked_free(p);
	return NULL;
}

static void
free_search(struct search *s)
{
	http_cancel(s->xfer);
	oci_wait_cancel(s->wait);
	if (s->timer != NULL)
		event_free(s->timer);
	if (s->dtimer != NULL)
		event_free(s->dtimer);
	parked_free(s->ahead);
	drop_page(s);
	free(s->query);
	free(s->body);
	free(s->source_name);
	free(s->page_token);
	tokset_clear(&s->tokens);
	free(s->recs);
	free(s);
}

/* A search_result with OCI's strings escaped (they reach the caller's log lines). */
struct esc_result {
	struct search_result r;
	char code[128], message[600], rid[256];
};

static void
fill_result(struct search *s, struct esc_result *e, enum search_status st, long http_status,
    const char *code, const char *message, const char *request_id)
{
	memset(e, 0, sizeof(*e));
	e->r.status = st;
	e->r.http_status = http_status;
	e->r.code = code != NULL ? search_escape(code, e->code, sizeof(e->code)) : NULL;
	e->r.message = message != NULL ? mask_escape(s, message, e->message,
	    sizeof(e->message)) : NULL;
	e->r.request_id = request_id != NULL ? search_escape(request_id, e->rid,
	    sizeof(e->rid)) : NULL;
	e->r.records = s->records;
	e->r.pages = s->pages;
	e->r.requests = s->requests;
}

static void
finish(struct search *s, enum search_status st, long http_status, const char *code,
    const char *message, const char *request_id)
{
	struct esc_result e;

	fill_result(s, &e, st, http_status, code, message, request_id);
	s->in_cb++;
	if (s->cb.done != NULL)
		s->cb.done(s->cb.arg, &e.r);
	s->in_cb--;
	free_search(s);
}

static void process_response(struct search *s, const struct http_response *r,
    struct parked *p);
static void page_malformed(struct search *s, long status, const char *why, const char *rid);

/* The request timer: the next request (first page, next page, retry). */
static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct search *s = arg;

	if (s->paused) {
		s->next_due = 1;
		if (s->deliver_after_send) {
			s->deliver_after_send = 0;
			s->deliver_due = 1;
		}
		return;
	}
	/* one request at a time, and none while an answer waits to be processed */
	if (s->xfer == NULL && s->wait == NULL && s->ahead == NULL) {
		if (send_request(s) != 0)
			return; /* finished: s is gone */
		/* On the wire now, before the long work of handing the page over: OCI
		 * prepares page k+1 while we normalize and queue page k. */
		if (s->xfer != NULL)
			http_flush(oci_client_http(s->c));
	}
	if (s->deliver_after_send) {
		s->deliver_after_send = 0;
		if (s->have_page)
			deliver(s);
	}
}

/* The delivery timer: the rest of the held page, or a response parked meanwhile. */
static void
on_dtimer(evutil_socket_t fd, short what, void *arg)
{
	struct search *s = arg;
	struct parked *p;

	if (s->have_page) {
		if (s->paused)
			s->deliver_due = 1;
		else
			deliver(s);
		return;
	}
	if ((p = s->ahead) != NULL) {
		/* detached first: processing may free s (finish), never p */
		s->ahead = NULL;
		process_response(s, &p->r, p);
		parked_free(p);
	}
}

static void
schedule_ev(struct event *ev, int64_t ms)
{
	timeutil_timer_add(ev, ms);
}

static void
schedule(struct search *s, int64_t ms)
{
	schedule_ev(s->timer, ms);
}

/*
 * Pacing: the next request at least min_page_interval_ms after the previous one, unless
 * the last page carried PACE_FREE_PAGE_BYTES or more.  Pacing is there against a server
 * that answers little, instantly and forever (empty pages, a token cycle): a page of
 * records is progress, and pacing it would cap a search at 1000 records every 10 ms on a
 * fast link (a token cycle of full pages is caught by the token set and max_pages).
 */
#define PACE_FREE_PAGE_BYTES (64 * 1024)
static int64_t
pace_delay(const struct search *s)
{
	int64_t due = s->last_send_mono + s->opts.min_page_interval_ms - timeutil_mono_ms();

	if (s->last_page_bytes >= PACE_FREE_PAGE_BYTES)
		return 0;

	return s->last_send_mono > 0 && due > 0 ? due : 0;
}

static void
schedule_next_page(struct search *s)
{
	schedule(s, pace_delay(s));
}

/*
 * Plans the next request (want_req) and the held page's delivery (want_deliver), from
 * the loop.  When both are due now, one timer does both, request first (fetch ahead).
 */
static void
plan(struct search *s, int want_req, int want_deliver)
{
	if (want_req) {
		int64_t d = pace_delay(s);

		if (d == 0 && want_deliver) {
			s->deliver_after_send = 1;
			schedule(s, 0);
			return;
		}
		schedule(s, d);
	}
	if (want_deliver)
		schedule_ev(s->dtimer, 0);
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
	(void)send_request(s);
}

static void on_response(void *arg, const struct http_response *r);

/* 0, or -1 when the search finished (s is freed). */
static int
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
			goto oom_nourl;
		return 0;
	}
	buf_init(&url, 0);
	if (buf_printf(&url, "%s/20190909/search?limit=%d", ep, s->limit) != 0)
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
			goto oom_nourl;
		return 0;
	}
	if (rc != 0) {
		buf_cleanup(&url);
		log_source(LOG_LVL_ERROR, s->source_name, "cannot sign the search request: %s",
		    err.msg);
		finish(s, SEARCH_FAILED, 0, NULL, err.msg, NULL);
		return -1;
	}
	s->generation = hd.generation;
	memcpy(s->our_rid, hd.request_id, sizeof(s->our_rid));
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = url.data;
	req.headers = (const char *const *)hd.lines;
	req.n_headers = hd.n;
	req.body = s->body;
	req.body_len = s->body_len;
	req.timeout_ms = s->opts.timeout_ms;
	req.tls_verify = 1;
	req.max_response = s->opts.max_page_bytes;
	s->requests++;
	s->last_send_mono = timeutil_mono_ms();
	s->xfer = http_submit(oci_client_http(s->c), &req, on_response, s);
	oci_headers_cleanup(&hd);
	buf_cleanup(&url);
	if (s->xfer == NULL) {
		finish(s, SEARCH_FAILED, 0, NULL, "cannot start the HTTP request", NULL);
		return -1;
	}
	return 0;
oom:
	buf_cleanup(&url);
oom_nourl:
	finish(s, SEARCH_FAILED, 0, NULL, "out of memory", NULL);
	return -1;
}

/*
 * Schedules another attempt of the same request in delay_ms: tells the caller (retrying),
 * logs at most once per RETRY_LOG_INTERVAL_MS, or gives up after opts.max_attempts.
 */
static void
retry(struct search *s, long status, const char *code, const char *message, const char *rid,
    int64_t delay_ms)
{
	struct esc_result e;
	int64_t now = timeutil_mono_ms();

	s->failed++;
	if (s->opts.max_attempts > 0 && s->failed >= s->opts.max_attempts) {
		char msg[700], em[600];
		snprintf(msg, sizeof(msg), "gave up after %u attempts: %s", s->failed,
		    mask_escape(s, message, em, sizeof(em)));
		finish(s, SEARCH_FAILED, status, code, msg, rid);
		return;
	}
	fill_result(s, &e, SEARCH_FAILED, status, code, message, rid);
	if (s->retry_log_mono == 0 || now - s->retry_log_mono >= RETRY_LOG_INTERVAL_MS) {
		char more[80] = "";
		if (s->retries_unlogged > 0)
			snprintf(more, sizeof(more), " (%u more retr%s since the last line)",
			    s->retries_unlogged, s->retries_unlogged == 1 ? "y" : "ies");
		char what[800];
		if (status > 0)
			snprintf(what, sizeof(what), "HTTP %ld %s \"%s\"", status,
			    e.r.code != NULL ? e.r.code : "-", e.r.message != NULL ? e.r.message : "");
		else
			snprintf(what, sizeof(what), "%s", e.r.message != NULL ? e.r.message : "");
		log_source(LOG_LVL_INFO, s->source_name, "search: %s (opc-request-id %s); "
		    "keeping page %u and retrying in %lld ms%s", what,
		    e.r.request_id != NULL ? e.r.request_id : "-", s->pages, (long long)delay_ms,
		    more);
		s->retry_log_mono = now;
		s->retries_unlogged = 0;
	} else {
		s->retries_unlogged++;
	}
	schedule(s, delay_ms);
	/* last: the caller may cancel the search from inside */
	if (s->cb.retrying != NULL) {
		s->in_cb++;
		s->cb.retrying(s->cb.arg, &e.r, delay_ms);
		s->in_cb--;
		if (s->cancelled)
			free_search(s);
	}
}

/* Hints for the most common 401 causes, in the order they happen in practice. */
static void
log_auth_failure(struct search *s, const struct http_response *r, const char *code,
    const char *message, const char *rid)
{
	const char *server_date = http_response_header(r, "date");
	char skew[300] = "", ec[128], em[600], er[256], ed[100];

	if (server_date != NULL) {
		int64_t srv = 0;
		int64_t ours = signer_now_s(); /* the clock our Date header came from */

		if (backoff_http_date_ms(server_date, &srv) == 0 && srv > 0 && (ours - srv / 1000 > 300 || srv / 1000 - ours > 300))
			snprintf(skew, sizeof(skew), " Our clock is %+lld s off OCI's (Date: %s): "
			    "fix the system clock (NTP).", (long long)(ours - srv / 1000),
			    search_escape(server_date, ed, sizeof(ed)));
	}
	log_source(LOG_LVL_ERROR, s->source_name,
	    "OCI refused authentication: HTTP 401 %s: \"%s\" (opc-request-id %s; credential: "
	    "%s).%s Likely causes: the key_file is not the key uploaded for this user, the "
	    "fingerprint or user/tenancy OCID in the OCI config is wrong, or the clock is more "
	    "than 5 minutes off.", search_escape(code, ec, sizeof(ec)),
	    mask_escape(s, message, em, sizeof(em)), search_escape(rid, er, sizeof(er)),
	    oci_client_describe(s->c), skew);
}

/* After a good answer: the next failure starts a new streak. */
static void
page_success(struct search *s)
{
	backoff_reset(&s->bo);
	s->slow = 0;
	s->failed = 0;
	s->reauthed = 0;
	/* the retry log's rate limit is kept: a storm of short streaks (429, success,
	 * 429, ...) must not log a line per request either */
}

/*
 * The page is consumed: process the next page's answer if it came meanwhile, or finish
 * after the last page.  Otherwise the next request is on its way (or waits for its
 * timer, or for a resume) and its answer is processed when it comes.
 */
static void
page_done(struct search *s)
{
	drop_page(s);
	if (s->ahead != NULL) {
		schedule_ev(s->dtimer, 0); /* from the loop: we are inside deliver() */
		return;
	}
	if (s->last_seen)
		finish(s, SEARCH_OK, 200, NULL, NULL, NULL);
}

static void
page_malformed(struct search *s, long status, const char *why, const char *rid)
{
	char err[400];

	snprintf(err, sizeof(err), "malformed SearchLogs page %u: %s", s->pages, why);
	log_source(LOG_LVL_ERROR, s->source_name, "search: %s (opc-request-id %s)", err, rid);
	finish(s, SEARCH_FAILED, status, NULL, err, rid);
}

/* Hands records poff..pn-1 of the held page over (parsing it first, once). */
static void
deliver(struct search *s)
{
	struct search_page pg;
	size_t rem, k;

	if (!s->parsed) {
		char perrbuf[200];

		/* with opts.rec_parser, this is where the records are normalized: after the
		 * next page's request went out (fetch ahead) */
		if (search_parse_page_rp(s->pbody, s->pbody_len, s->opts.rec_parser, &s->recs,
			&s->recs_cap, &s->pn, perrbuf, sizeof(perrbuf)) != 0) {
			s->pages = s->pindex;
			page_malformed(s, s->pstatus, perrbuf, s->prid);
			return;
		}
		s->parsed = 1;
	}
	rem = s->pn - s->poff;

	pg.records = s->recs + s->poff;
	pg.n = rem;
	pg.request_id = s->prid;
	pg.page_index = s->pindex;
	s->deliver_due = 0;
	s->in_cb++;
	k = s->cb.page != NULL ? s->cb.page(s->cb.arg, &pg) : rem;
	s->in_cb--;
	if (s->cancelled) {
		free_search(s);
		return;
	}
	if (k > rem)
		k = rem;
	s->records += k;
	s->poff += k;
	if (s->poff < s->pn) {
		s->paused = 1;
		s->deliver_due = 1;
		return;
	}
	page_done(s);
}

/* Restarts the window from its first page (a 400 answering a page token). */
static void
restart_window(struct search *s, const char *code, const char *rid)
{
	char ec[128], er[256];

	log_source(LOG_LVL_NOTICE, s->source_name, "search: HTTP 400 %s (opc-request-id %s) "
	    "answering page %u's token (expired?); reading the window again from its first "
	    "page (records of the pages read so far come again)",
	    search_escape(code, ec, sizeof(ec)), search_escape(rid, er, sizeof(er)), s->pages);
	s->restarted = 1;
	s->last_seen = 0;
	free(s->page_token);
	s->page_token = NULL;
	tokset_clear(&s->tokens);
	s->pages = 0;
	page_success(s);
	schedule_next_page(s);
}

/*
 * At limit 1 a page over max_page_bytes is one record: no split can ever fetch it.  Skip it
 * by its opc-next-page (the headers came whole even though the body was cut), after the
 * caller recorded it (cb.oversize: a dead-letter line); then go on at the full limit.
 * Returns 1 when it handled the response (the search may be finished or freed), 0 when the
 * caller has no oversize callback (the old way: SEARCH_TOO_BIG).
 */
static int
skip_oversize(struct search *s, const struct http_response *r, const char *rid)
{
	const char *next = http_response_header(r, "opc-next-page");
	const char *orid = http_response_header(r, "opc-request-id");
	const char *clen = http_response_header(r, "content-length");
	uint64_t bytes = r->body_len;
	char err[300];
	int rc, added = 1;

	if (s->cb.oversize == NULL)
		return 0;
	if (orid != NULL && *orid != '\0')
		rid = orid;
	if (clen != NULL && strtoull(clen, NULL, 10) > bytes)
		bytes = strtoull(clen, NULL, 10);
	if (next != NULL && *next == '\0')
		next = NULL;
	s->in_cb++;
	rc = s->cb.oversize(s->cb.arg, s->pages, bytes, rid);
	s->in_cb--;
	if (s->cancelled) {
		free_search(s);
		return 1;
	}
	if (rc != 0) {
		/* Not recorded: fetch it again later; it is skipped only once recorded.  The
		 * caller says why (its dead-letter file): OCI is not at fault, so no retrying(). */
		schedule(s, backoff_next(&s->bo));
		return 1;
	}
	log_source(LOG_LVL_WARNING, s->source_name, "search: page %u holds one record of at "
	    "least %llu bytes, over max_page_bytes = %zu: skipped (dead-lettered by the "
	    "caller; opc-request-id %s)", s->pages, (unsigned long long)bytes,
	    s->opts.max_page_bytes, rid);
	if (next != NULL && (added = tokset_add(&s->tokens, next)) <= 0) {
		snprintf(err, sizeof(err), added < 0 ? "out of memory" : "OCI returned a page "
		    "token already used in this window after %u pages (a page-token cycle); "
		    "failing the window", s->pages + 1);
		finish(s, SEARCH_FAILED, 200, NULL, err, rid);
		return 1;
	}
	page_success(s);
	s->pages++;
	s->limit = s->opts.limit;
	if (next == NULL) {
		/* it was the window's last page: nothing held, nothing fetched ahead */
		finish(s, SEARCH_OK, 200, NULL, NULL, NULL);
		return 1;
	}
	{
		char *t = strdup(next);
		if (t == NULL) {
			finish(s, SEARCH_FAILED, 200, NULL, "out of memory", rid);
			return 1;
		}
		free(s->page_token);
		s->page_token = t;
	}
	if (s->paused)
		s->next_due = 1;
	else
		schedule_next_page(s);
	return 1;
}

/*
 * A 2xx: parse, check the token, keep the page, and plan both the next request (its
 * token is known now) and the page's delivery, request first.  p: the parked copy of r,
 * or NULL when r is the live response.
 */
static void
on_page(struct search *s, const struct http_response *r, struct parked *p, const char *rid)
{
	const char *next = http_response_header(r, "opc-next-page");
	char err[400];

	if (r->body_len == 0) {
		page_malformed(s, r->status, "empty page body", rid);
		return;
	}
	if (next != NULL && *next == '\0')
		next = NULL;
	if (next != NULL) {
		int added = tokset_add(&s->tokens, next);

		if (added < 0) {
			finish(s, SEARCH_FAILED, r->status, NULL, "out of memory", rid);
			return;
		}
		if (added == 0) {
			snprintf(err, sizeof(err), "OCI returned a page token already used in this "
			    "window after %u pages (a page-token cycle); failing the window",
			    s->pages + 1);
			log_source(LOG_LVL_ERROR, s->source_name, "search: %s (opc-request-id %s)",
			    err, rid);
			finish(s, SEARCH_FAILED, r->status, NULL, err, rid);
			return;
		}
		if (s->pages + 1 >= s->opts.max_pages) {
			snprintf(err, sizeof(err), "the window needs more than max_pages = %u pages; "
			    "failing the window", s->opts.max_pages);
			log_source(LOG_LVL_ERROR, s->source_name, "search: %s (opc-request-id %s)",
			    err, rid);
			finish(s, SEARCH_FAILED, r->status, NULL, err, rid);
			return;
		}
	}
	page_success(s);
	s->have_page = 1;
	s->parsed = 0; /* parsed by deliver(), once the next request went out */
	s->pn = 0;
	s->poff = 0;
	s->pstatus = r->status;
	s->pindex = s->pages++;
	/* A sample (--probe) ends with its last page: nothing is fetched beyond it. */
	if (next != NULL && s->opts.sample_pages > 0 && s->pages >= s->opts.sample_pages)
		next = NULL;
	s->prid = strdup(rid);
	/* the records will point into the body: keep it, without a copy */
	if (p != NULL) {
		s->pbody = p->body;
		s->pbody_len = p->r.body_len;
		p->body = NULL;
	} else {
		s->pbody = http_response_take_body(r, &s->pbody_len);
	}
	s->last_page_bytes = s->pbody_len;
	if (next != NULL) {
		char *t = strdup(next);
		if (t == NULL) {
			finish(s, SEARCH_FAILED, r->status, NULL, "out of memory", rid);
			return;
		}
		free(s->page_token);
		s->page_token = t;
	} else {
		s->last_seen = 1;
	}
	if (s->prid == NULL || s->pbody == NULL) {
		finish(s, SEARCH_FAILED, r->status, NULL, "out of memory", rid);
		return;
	}
	if (s->paused) {
		s->next_due = next != NULL;
		s->deliver_due = 1;
		return;
	}
	plan(s, next != NULL, 1);
}

/*
 * The http callback.  An answer that comes while a page is still being handed over
 * (fetched ahead) waits, parked, until that page is consumed: records, retries and
 * errors keep their order.
 */
static void
on_response(void *arg, const struct http_response *r)
{
	struct search *s = arg;

	s->xfer = NULL;
	if (s->have_page) {
		s->ahead = park(r);
		if (s->ahead == NULL)
			finish(s, SEARCH_FAILED, r->ok ? r->status : 0, NULL, "out of memory", NULL);
		return;
	}
	process_response(s, r, NULL);
}

static void
process_response(struct search *s, const struct http_response *r, struct parked *p)
{
	enum search_status final;
	enum search_action act;
	const char *rid = r->ok ? http_response_header(r, "opc-request-id") : NULL;
	char *code = NULL, *message = NULL;
	char err[700], ec[128], em[600], er[256];

	if (rid == NULL || *rid == '\0')
		rid = s->our_rid; /* OCI gave none: ours still identifies the request */
	if (s->cb.response != NULL) {
		s->in_cb++;
		s->cb.response(s->cb.arg, r->ok ? r->status : 0);
		s->in_cb--;
		if (s->cancelled) {
			free_search(s);
			return;
		}
	}
	if (!r->ok) {
		if (r->too_large) {
			if (s->limit > 1) {
				s->limit /= 2;
				log_source(LOG_LVL_NOTICE, s->source_name, "search: page %u is larger "
				    "than max_page_bytes = %zu; asking for it again with limit %d",
				    s->pages, s->opts.max_page_bytes, s->limit);
				schedule_next_page(s);
				return;
			}
			if (skip_oversize(s, r, rid))
				return;
			snprintf(err, sizeof(err), "page %u is larger than max_page_bytes = %zu "
			    "even with limit 1", s->pages, s->opts.max_page_bytes);
			log_source(LOG_LVL_WARNING, s->source_name, "search: %s; the window "
			    "should be split", err);
			finish(s, SEARCH_TOO_BIG, 0, NULL, err, rid);
			return;
		}
		if (r->timed_out && r->request_sent) {
			/* sent whole on a working connection, no answer in time: the one sign
			 * that the window may hold too much for OCI to answer */
			if (++s->slow > s->opts.max_transient_retries) {
				snprintf(err, sizeof(err), "gave up after %u attempts on page %u: "
				    "request timed out after %lld ms each time", s->slow, s->pages,
				    (long long)s->opts.timeout_ms);
				log_source(LOG_LVL_WARNING, s->source_name, "search of window (%lld "
				    "ms) %s; the window should be split",
				    (long long)(s->end_ms - s->start_ms), err);
				finish(s, SEARCH_TOO_BIG, 0, NULL, err, rid);
				return;
			}
			snprintf(err, sizeof(err), "request timed out after %lld ms (%u/%u)",
			    (long long)s->opts.timeout_ms, s->slow, s->opts.max_transient_retries);
		} else {
			s->slow = 0;
			snprintf(err, sizeof(err), "%s", r->timed_out ? "connect timed out" :
			    r->error != NULL ? r->error : "transport error");
		}
		retry(s, 0, NULL, err, rid, backoff_next(&s->bo));
		return;
	}
	s->slow = r->status >= 200 && r->status < 300 ? 0 : s->slow;
	if (r->status < 200 || r->status >= 300) {
		s->slow = 0;
		search_parse_error(r->body, r->body_len, &code, &message);
	}
	act = search_classify(r->status, code, &final);
	switch (act) {
	case SEARCH_ACT_DONE:
		on_page(s, r, p, rid);
		break;
	case SEARCH_ACT_RATE:
	case SEARCH_ACT_TRANSIENT: {
		int64_t wait = backoff_next(&s->bo);

		if (r->status == 429 || r->status == 503) {
			const char *ra = http_response_header(r, "retry-after");
			int64_t w = ra != NULL ? backoff_retry_after_ms(ra, timeutil_now_ms()) : -1;

			/* at least the backoff (0 or a past date must not hammer), at most
			 * the cap (a huge value must not park the source for a day) */
			if (w > s->opts.retry_after_max_ms)
				w = s->opts.retry_after_max_ms;
			if (w > wait)
				wait = w;
		}
		retry(s, r->status, code, message, rid, wait);
		break;
	}
	case SEARCH_ACT_REAUTH:
		if (!s->reauthed && oci_client_auth_rejected(s->c, s->generation)) {
			s->reauthed = 1;
			log_source(LOG_LVL_NOTICE, s->source_name, "search: 401 %s \"%s\" "
			    "(opc-request-id %s); renewing the security token and retrying once",
			    search_escape(code, ec, sizeof(ec)),
			    mask_escape(s, message, em, sizeof(em)), search_escape(rid, er, sizeof(er)));
			s->wait = oci_client_when_ready(s->c, on_ready, s);
			if (s->wait == NULL)
				finish(s, SEARCH_FAILED, 401, code, "out of memory", rid);
			break;
		}
		log_auth_failure(s, r, code, message, rid);
		finish(s, SEARCH_AUTH, r->status, code, message, rid);
		break;
	case SEARCH_ACT_FINAL:
		search_escape(code, ec, sizeof(ec));
		mask_escape(s, message, em, sizeof(em));
		search_escape(rid, er, sizeof(er));
		if (final == SEARCH_BAD_QUERY && s->page_token != NULL && !s->restarted) {
			restart_window(s, code, rid);
			break;
		}
		if (final == SEARCH_NOT_FOUND)
			log_source(LOG_LVL_ERROR, s->source_name, "search: HTTP 404 %s \"%s\" "
			    "(opc-request-id %s): the compartment/log group/log in the query does "
			    "not exist or this principal may not read it (check the IAM policy)",
			    ec, em, er);
		else if (final == SEARCH_BAD_QUERY)
			log_source(LOG_LVL_ERROR, s->source_name, "search: HTTP 400 %s \"%s\" "
			    "(opc-request-id %s) for query: %s", ec, em, er, s->query);
		else
			log_source(LOG_LVL_ERROR, s->source_name, "search: HTTP %ld %s \"%s\" "
			    "(opc-request-id %s)", r->status, ec, em, er);
		if (message == NULL) {
			snprintf(err, sizeof(err), "HTTP %ld", r->status);
			finish(s, final, r->status, code, err, rid);
		} else {
			finish(s, final, r->status, code, message, rid);
		}
		break;
	}
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
	if (s->opts.retry_after_max_ms <= 0)
		s->opts.retry_after_max_ms = 300000;
	if (s->opts.max_page_bytes == 0)
		s->opts.max_page_bytes = 64u * 1024 * 1024;
	if (s->opts.max_pages == 0)
		s->opts.max_pages = 100000;
	if (s->opts.min_page_interval_ms < 0)
		s->opts.min_page_interval_ms = 0;
	s->limit = s->opts.limit;
	s->opts.source_name = NULL;
	if (opts != NULL && opts->source_name != NULL &&
	    (s->source_name = strdup(opts->source_name)) == NULL)
		goto fail;
	s->query = strdup(query);
	s->timer = evtimer_new(s->base, on_timer, s);
	s->dtimer = evtimer_new(s->base, on_dtimer, s);
	if (s->query == NULL || s->timer == NULL || s->dtimer == NULL)
		goto fail;
	backoff_init(&s->bo, s->opts.retry_initial_ms, s->opts.retry_max_ms);
	timeutil_format_rfc3339(start_ms, TIMEUTIL_MS, ts);
	timeutil_format_rfc3339(end_ms, TIMEUTIL_MS, te);
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
	int req = s->next_due, del = s->deliver_due;

	s->paused = 0;
	s->next_due = s->deliver_due = 0;
	/* the rest of the held page and/or the next request, from the loop */
	plan(s, req, del);
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
