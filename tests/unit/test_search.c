/* test_search.c — SearchLogs page parsing (every sample), error bodies, classification,
 * malformed pages, and the request loop against a local evhttp server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backoff.h"
#include "http.h"
#include "instprin.h"
#include "log.h"
#include "oci.h"
#include "search.h"
#include "signer.h"
#include "timeutil.h"

#define SAMPLES "tests/data/samples/"

static char *
read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	p[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return p;
}

/* Every record's byte range must parse to exactly results[i].data. */
static void
check_sample(const char *name, size_t want)
{
	char path[256], err[200];
	struct search_record *recs = NULL;
	size_t cap = 0, n = 0, len, i;
	char *body;
	json_t *v, *results;

	snprintf(path, sizeof(path), SAMPLES "%s", name);
	body = read_all(path, &len);
	v = json_loads(body, 0, NULL);
	assert_non_null(v);
	results = json_object_get(v, "results");
	assert_int_equal(search_parse_page(body, len, &recs, &cap, &n, err, sizeof(err)), 0);
	assert_int_equal(n, json_array_size(results));
	assert_int_equal(n, want);
	for (i = 0; i < n; i++) {
		json_t *r = json_loadb(recs[i].json, recs[i].len, 0, NULL);
		assert_non_null(r);
		assert_true(json_equal(r, json_object_get(json_array_get(results, i), "data")));
		assert_non_null(json_object_get(r, "logContent"));
		json_decref(r);
	}
	free(recs);
	json_decref(v);
	free(body);
}

static void
test_samples(void **state)
{
	check_sample("search-response-audit.json", 3);
	check_sample("search-response-flowlogs.json", 5);
	check_sample("search-response-mixed-page1.json", 3);
	check_sample("search-response-mixed-page2.json", 3);
}

static void
test_error_bodies(void **state)
{
	static const struct {
		const char *file, *code;
		long status;
		enum search_action act;
		enum search_status final;
	} cases[] = {
		{ "error-400.json", "InvalidParameter", 400, SEARCH_ACT_FINAL, SEARCH_BAD_QUERY },
		{ "error-401.json", "NotAuthenticated", 401, SEARCH_ACT_REAUTH, SEARCH_AUTH },
		{ "error-429.json", "TooManyRequests", 429, SEARCH_ACT_RATE, SEARCH_FAILED },
	};
	size_t i, len;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[256], *code, *msg, *body;
		enum search_status final;

		snprintf(path, sizeof(path), SAMPLES "%s", cases[i].file);
		body = read_all(path, &len);
		search_parse_error(body, len, &code, &msg);
		assert_non_null(code);
		assert_non_null(msg);
		assert_string_equal(code, cases[i].code);
		assert_int_equal(search_classify(cases[i].status, code, &final), cases[i].act);
		if (cases[i].act != SEARCH_ACT_RATE)
			assert_int_equal(final, cases[i].final);
		free(code);
		free(msg);
		free(body);
	}
	{
		char *code, *msg;
		search_parse_error("<html>bad gateway</html>", 24, &code, &msg);
		assert_null(code);
		assert_null(msg);
		search_parse_error(NULL, 0, &code, &msg);
		assert_null(code);
	}
}

static void
test_classify(void **state)
{
	enum search_status f;

	assert_int_equal(search_classify(200, NULL, &f), SEARCH_ACT_DONE);
	assert_int_equal(search_classify(0, NULL, &f), SEARCH_ACT_TRANSIENT);
	assert_int_equal(search_classify(500, "InternalServerError", &f), SEARCH_ACT_TRANSIENT);
	assert_int_equal(search_classify(502, NULL, &f), SEARCH_ACT_TRANSIENT);
	assert_int_equal(search_classify(503, "ServiceUnavailable", &f), SEARCH_ACT_TRANSIENT);
	assert_int_equal(search_classify(504, NULL, &f), SEARCH_ACT_TRANSIENT);
	/* 3xx: a proxy or a load balancer in the way; never "too big" */
	assert_int_equal(search_classify(301, NULL, &f), SEARCH_ACT_TRANSIENT);
	assert_int_equal(search_classify(307, NULL, &f), SEARCH_ACT_TRANSIENT);
	assert_int_equal(search_classify(501, "MethodNotImplemented", &f), SEARCH_ACT_FINAL);
	assert_int_equal(f, SEARCH_FAILED);
	assert_int_equal(search_classify(409, "IncorrectState", &f), SEARCH_ACT_TRANSIENT);
	assert_int_equal(search_classify(409, "LockConflict", &f), SEARCH_ACT_TRANSIENT);
	assert_int_equal(search_classify(409, "Conflict", &f), SEARCH_ACT_FINAL);
	assert_int_equal(search_classify(409, NULL, &f), SEARCH_ACT_FINAL);
	assert_int_equal(search_classify(404, "NotAuthorizedOrNotFound", &f), SEARCH_ACT_FINAL);
	assert_int_equal(f, SEARCH_NOT_FOUND);
	/* a 400 is a bad query by status alone; the page-token restart is the loop's */
	assert_int_equal(search_classify(400, "InvalidParameter", &f), SEARCH_ACT_FINAL);
	assert_int_equal(f, SEARCH_BAD_QUERY);
	assert_int_equal(search_classify(403, "NotAuthorized", &f), SEARCH_ACT_FINAL);
	assert_int_equal(f, SEARCH_FAILED);
	assert_int_equal(search_classify(429, "TooManyRequests", &f), SEARCH_ACT_RATE);
	{
		char out[32];
		assert_string_equal(search_escape("a\r\nnotice: x\x7f", out, sizeof(out)),
		    "a\\x0d\\x0anotice: x\\x7f");
		assert_string_equal(search_escape(NULL, out, sizeof(out)), "-");
		/* truncated, never mid-escape */
		assert_string_equal(search_escape("abcd\n", out, 8), "abcd");
	}
}

static void
test_malformed(void **state)
{
	static const struct {
		const char *body, *msg;
	} cases[] = {
		{ "", "empty" },
		{ "[]", "not a JSON object" },
		{ "\"x\"", "not a JSON object" },
		{ "{\"results\":{}}", "not an array" },
		{ "{\"results\":7}", "not an array" },
		{ "{\"results\":[1]}", "results[0] is not an object" },
		{ "{\"results\":[{\"data\":{}},{\"x\":1}]}", "results[1] has no data object" },
		{ "{\"results\":[{\"data\":[1]}]}", "results[0].data is not an object" },
		{ "{\"results\":[{\"data\":null}]}", "results[0].data is not an object" },
		{ "{\"results\":[{\"data\":{},\"data\":{}}]}", "two data objects" },
		{ "{\"results\":[{\"data\":{\"a\":1}}]", "invalid JSON" },
		{ "{\"results\":[]} x", "invalid JSON" },
		{ "{\"results\":[],\"results\":[]}", "two \"results\"" },
		{ "<html><body>502 Bad Gateway</body></html>", "invalid JSON" },
	};
	struct search_record *recs = NULL;
	size_t cap = 0, n = 0, i;
	char err[200];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = search_parse_page(cases[i].body, strlen(cases[i].body), &recs, &cap, &n,
		    err, sizeof(err));
		if (rc != -1 || strstr(err, cases[i].msg) == NULL)
			fail_msg("case %zu (%s): rc %d, err \"%s\"", i, cases[i].body, rc, err);
	}
	/* Invalid UTF-8 in a record's string is that record's problem, not the page's: the
	 * record is handed on and the encoders replace the bytes. */
	assert_int_equal(search_parse_page("{\"results\":[{\"data\":{\"a\":\"\xff\"}}]}", 32,
	    &recs, &cap, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	/* results missing or null: an empty page (the Go SDK marks only summary mandatory) */
	assert_int_equal(search_parse_page("{}", 2, &recs, &cap, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_int_equal(search_parse_page("{\"summary\":{\"results\":[]}}", 26, &recs, &cap, &n,
	    err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	n = 7;
	assert_int_equal(search_parse_page("{\"results\":null,\"summary\":{}}", 29, &recs, &cap,
	    &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	/* valid edge cases: empty results, extra keys, nested "data"/"results" keys */
	assert_int_equal(search_parse_page("{\"results\":[]}", 14, &recs, &cap, &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, 0);
	{
		const char *b = "{\"summary\":{\"resultCount\":2},\"results\":[{\"x\":[1,{\"data\":2}],"
		    "\"data\":{\"results\":[{\"data\":{}}],\"data\":{\"k\":\"}\"}}},{\"data\":{}}],"
		    "\"fields\":[{\"data\":1}]}";
		assert_int_equal(search_parse_page(b, strlen(b), &recs, &cap, &n, err, sizeof(err)), 0);
		assert_int_equal(n, 2);
		assert_int_equal(recs[0].len, strlen("{\"results\":[{\"data\":{}}],\"data\":{\"k\":\"}\"}}"));
		assert_memory_equal(recs[0].json, "{\"results\":[{\"data\":{}}],\"data\":{\"k\":\"}\"}}",
		    recs[0].len);
		assert_int_equal(recs[1].len, 2);
	}
	free(recs);
}

static void
test_format_time(void **state)
{
	char t[32];

	timeutil_format_rfc3339(1741942800000, TIMEUTIL_MS, t);
	assert_string_equal(t, "2025-03-14T09:00:00.000Z");
	timeutil_format_rfc3339(1741942867418, TIMEUTIL_MS, t);
	assert_string_equal(t, "2025-03-14T09:01:07.418Z");
	timeutil_format_rfc3339(0, TIMEUTIL_MS, t);
	assert_string_equal(t, "1970-01-01T00:00:00.000Z");
}

/* An IMF-fixdate (Date, Retry-After) reads back as the time signer_format_date wrote,
 * from 1970 to 9999, and a known date gives its known value. */
static void
test_http_date(void **state)
{
	int64_t last = timeutil_days_from_civil(10000, 1, 1) * 86400 - 1;
	char d[40];
	int64_t ms;

	(void)state;
	assert_int_equal(backoff_http_date_ms("Sun, 06 Nov 1994 08:49:37 GMT", &ms), 0);
	assert_int_equal(ms, 784111777000LL);
	assert_int_equal(backoff_http_date_ms("Thu, 29 Feb 2024 23:59:59 GMT", &ms), 0);
	assert_int_equal(ms, 1709251199000LL);
	assert_int_equal(backoff_http_date_ms("Sun, 06 Nov 1994 08:49:37", &ms), -1);
	assert_int_equal(backoff_http_date_ms("Sun, 06 Nox 1994 08:49:37 GMT", &ms), -1);
	for (int64_t t = 0; t <= last; t += 86400LL * 37 + 3599) {
		signer_format_date(t, d);
		assert_int_equal(backoff_http_date_ms(d, &ms), 0);
		if (ms != t * 1000)
			fail_msg("%s: %lld, want %lld", d, (long long)ms, (long long)t * 1000);
	}
	signer_format_date(last, d);
	assert_string_equal(d, "Fri, 31 Dec 9999 23:59:59 GMT");
	assert_int_equal(backoff_http_date_ms(d, &ms), 0);
	assert_int_equal(ms, last * 1000);
}

/* ---- the request loop against a local evhttp server serving the mixed sample pages ---- */

enum {
	M_PAGES, M_MALFORMED, M_404,
	M_FAIL_FIRST, /* fail_count requests answer fail_status, then M_PAGES */
	M_CYCLE,      /* tokens A -> B -> C -> A */
	M_SIZED,      /* 8 records of ~1 KB, `limit` a page, tokens "o<k>" */
	M_NO_RESULTS, /* one page without "results" */
	M_400_TOKEN,  /* a 400 for any request carrying a page token */
	M_HOLD,       /* never answers */
	M_404_NEXT,   /* the first page (3 records, a token), then 404 for the next */
};

struct srv {
	int mode;
	int requests;
	char *page1, *page2;
	size_t len1, len2;
	char last_page_param[128];
	int saw_signature;
	int fail_status, fail_count;
	const char *fail_code, *fail_message, *retry_after;
	char rids[32][48];  /* opc-request-id of each request */
	int limits[32];     /* limit of each request */
	int64_t at_ms[32];  /* when each request reached the server (monotonic) */
	int one_big;        /* M_SIZED: only record one_big - 1 is ~1 KB, the others small */
	int pad;            /* M_SIZED: a record's pad in bytes (0 = 1000) */
	int host_ok;        /* requests whose Host header was the signed host */
	struct evhttp_request *held[8];
	int n_held;
};

#define TOKEN "AAA+/=tok en"

static void
srv_cb(struct evhttp_request *req, void *arg)
{
	struct srv *s = arg;
	struct evkeyvalq q;
	struct evbuffer *b = evbuffer_new();
	const char *uri = evhttp_request_get_uri(req), *qs = strchr(uri, '?'), *page;
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);

	int idx = s->requests++;
	const char *lim;

	TAILQ_INIT(&q);
	if (qs != NULL)
		evhttp_parse_query_str(qs + 1, &q);
	page = evhttp_find_header(&q, "page");
	lim = evhttp_find_header(&q, "limit");
	if (evhttp_find_header(in, "Authorization") != NULL &&
	    evhttp_find_header(in, "x-content-sha256") != NULL)
		s->saw_signature++;
	if (idx < 32) {
		const char *rid = evhttp_find_header(in, "opc-request-id");
		snprintf(s->rids[idx], sizeof(s->rids[idx]), "%s", rid != NULL ? rid : "");
		s->limits[idx] = lim != NULL ? atoi(lim) : -1;
		s->at_ms[idx] = timeutil_mono_ms();
	}
	{
		/* the signed host (the Authorization header lists it; curl sends Host) */
		const char *host = evhttp_find_header(in, "Host");
		if (host != NULL && strncmp(host, "127.0.0.1:", 10) == 0)
			s->host_ok++;
	}
	if (s->mode == M_HOLD) {
		if (s->n_held < 8)
			s->held[s->n_held++] = req;
		evbuffer_free(b);
		evhttp_clear_headers(&q);
		return;
	}
	evhttp_add_header(out, "opc-request-id", "req-1");
	if (s->mode == M_FAIL_FIRST && idx < s->fail_count) {
		if (s->retry_after != NULL)
			evhttp_add_header(out, "Retry-After", s->retry_after);
		evbuffer_add_printf(b, "{\"code\":\"%s\",\"message\":\"%s\"}",
		    s->fail_code ? s->fail_code : "X", s->fail_message ? s->fail_message : "m");
		if (s->fail_status >= 300 && s->fail_status < 400)
			evhttp_add_header(out, "Location", "http://127.0.0.1:1/elsewhere");
		evhttp_send_reply(req, s->fail_status, "F", b);
	} else if (s->mode == M_CYCLE) {
		const char *next = page == NULL ? "A" : strcmp(page, "A") == 0 ? "B" :
		    strcmp(page, "B") == 0 ? "C" : "A";
		evhttp_add_header(out, "opc-next-page", next);
		evbuffer_add(b, s->page1, s->len1);
		evhttp_send_reply(req, 200, "OK", b);
	} else if (s->mode == M_SIZED) {
		int from = page != NULL ? atoi(page + 1) : 0, n = lim != NULL ? atoi(lim) : 1000, k;
		evbuffer_add_printf(b, "{\"results\":[");
		for (k = from; k < 8 && k < from + n; k++)
			evbuffer_add_printf(b, "%s{\"data\":{\"datetime\":%d,\"logContent\":"
			    "{\"id\":\"r%d\",\"pad\":\"%0*d\"}}}", k > from ? "," : "", k, k,
			    s->one_big == 0 || s->one_big == k + 1 ? (s->pad ? s->pad : 1000) : 1, 0);
		evbuffer_add_printf(b, "],\"summary\":{}}");
		if (k < 8) {
			char t[16];
			snprintf(t, sizeof(t), "o%d", k);
			evhttp_add_header(out, "opc-next-page", t);
		}
		evhttp_send_reply(req, 200, "OK", b);
	} else if (s->mode == M_NO_RESULTS) {
		evbuffer_add_printf(b, "{\"summary\":{\"resultCount\":0,\"fieldCount\":0}}");
		evhttp_send_reply(req, 200, "OK", b);
	} else if (s->mode == M_400_TOKEN && page != NULL) {
		evbuffer_add_printf(b, "{\"code\":\"InvalidParameter\",\"message\":\"zebra "
		    "umbrella quartz\"}");
		evhttp_send_reply(req, 400, "Bad", b);
	} else if (s->mode == M_404 || (s->mode == M_404_NEXT && page != NULL)) {
		evbuffer_add_printf(b, "{\"code\":\"NotAuthorizedOrNotFound\",\"message\":\"nope\"}");
		evhttp_send_reply(req, 404, "Not Found", b);
	} else if (s->mode == M_MALFORMED) {
		evbuffer_add_printf(b, "{\"results\":[{\"data\":{\"a\":1}}, garbage");
		evhttp_send_reply(req, 200, "OK", b);
	} else if (page == NULL) {
		evhttp_add_header(out, "opc-next-page", TOKEN);
		evbuffer_add(b, s->page1, s->len1);
		evhttp_send_reply(req, 200, "OK", b);
	} else {
		snprintf(s->last_page_param, sizeof(s->last_page_param), "%s", page);
		evbuffer_add(b, s->page2, s->len2);
		evhttp_send_reply(req, 200, "OK", b);
	}
	evbuffer_free(b);
	evhttp_clear_headers(&q);
}

struct run {
	struct event_base *base;
	struct search *search;
	int pages, records, done;
	enum search_status status;
	char code[64], message[300], request_id[64];
	unsigned res_pages, res_requests;
	int cancel_in_page;
	int pause_in_page;
	int responses;
	/* options */
	const struct search_opts *opts; /* NULL = defaults with limit 3 */
	int consume_one;                /* take one record per call, resume 1 ms later */
	int hold_first;                 /* take nothing of the first call, resume 100 ms later */
	int max_seconds;                /* 0, or the loop is stopped after that long */
	int requests_at_resume;         /* server requests seen when that resume came */
	int cancel_after_retries;       /* cancel inside retrying() at this count */
	int closed_port;                /* endpoint: a port nobody listens on */
	int full_backlog;               /* endpoint: a listener whose backlog is full */
	struct srv *srv;
	/* observations */
	int retries;
	int64_t delays[16];
	long retry_status[16];
	char retry_message[300];
	unsigned page_index[64];
	int srv_requests_at[64];
	char *recs[64];
	int n_calls, n_recs;
	/* oversize callback (NULL unless with_oversize) */
	int with_oversize, oversize_calls, oversize_fail;
	unsigned oversize_index;
	uint64_t oversize_bytes;
	char oversize_rid[64];
};

static int
on_oversize(void *arg, unsigned page_index, uint64_t bytes, const char *request_id)
{
	struct run *r = arg;

	r->oversize_calls++;
	r->oversize_index = page_index;
	r->oversize_bytes = bytes;
	snprintf(r->oversize_rid, sizeof(r->oversize_rid), "%s", request_id ? request_id : "");
	if (r->oversize_fail > 0) {
		r->oversize_fail--;
		return -1;
	}
	return 0;
}

static void
resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct run *r = arg;

	search_resume(r->search);
}

static void
resume_held_cb(evutil_socket_t fd, short what, void *arg)
{
	struct run *r = arg;

	r->requests_at_resume = r->srv->requests;
	search_resume(r->search);
}

static size_t
on_page(void *arg, const struct search_page *pg)
{
	struct run *r = arg;

	size_t k;

	r->pages++;
	assert_string_equal(pg->request_id, "req-1");
	if (r->n_calls < 64) {
		r->page_index[r->n_calls] = pg->page_index;
		r->srv_requests_at[r->n_calls] = r->srv != NULL ? r->srv->requests : 0;
	}
	r->n_calls++;
	if (r->hold_first && r->n_calls == 1) {
		struct timeval tv = { 0, 100000 };
		event_base_once(r->base, -1, EV_TIMEOUT, resume_held_cb, r, &tv);
		return 0;
	}
	if (r->consume_one && pg->n > 0) {
		struct timeval tv = { 0, 1000 };
		if (r->n_recs < 64)
			r->recs[r->n_recs++] = strndup(pg->records[0].json, pg->records[0].len);
		r->records++;
		event_base_once(r->base, -1, EV_TIMEOUT, resume_cb, r, &tv);
		return 1;
	}
	for (k = 0; k < pg->n && r->n_recs < 64; k++)
		r->recs[r->n_recs++] = strndup(pg->records[k].json, pg->records[k].len);
	r->records += (int)pg->n;
	if (r->cancel_in_page) {
		search_cancel(r->search);
		event_base_loopexit(r->base, NULL);
	} else if (r->pause_in_page) {
		struct timeval tv = { 0, 50000 };
		search_pause(r->search);
		event_base_once(r->base, -1, EV_TIMEOUT, resume_cb, r, &tv);
	}
	return pg->n;
}

static void
on_done(void *arg, const struct search_result *res)
{
	struct run *r = arg;

	r->done++;
	r->status = res->status;
	snprintf(r->code, sizeof(r->code), "%s", res->code ? res->code : "");
	snprintf(r->message, sizeof(r->message), "%s", res->message ? res->message : "");
	snprintf(r->request_id, sizeof(r->request_id), "%s", res->request_id ? res->request_id : "");
	r->res_pages = res->pages;
	r->res_requests = res->requests;
	event_base_loopexit(r->base, NULL);
}

static void
on_retrying(void *arg, const struct search_result *why, int64_t delay_ms)
{
	struct run *r = arg;

	if (r->retries < 16) {
		r->delays[r->retries] = delay_ms;
		r->retry_status[r->retries] = why->http_status;
	}
	snprintf(r->retry_message, sizeof(r->retry_message), "%s", why->message ? why->message : "");
	r->retries++;
	if (r->cancel_after_retries > 0 && r->retries >= r->cancel_after_retries) {
		search_cancel(r->search);
		event_base_loopexit(r->base, NULL);
	}
}

static void
free_run(struct run *r)
{
	int i;

	for (i = 0; i < r->n_recs; i++)
		free(r->recs[i]);
	r->n_recs = 0;
}

static void
on_resp(void *arg, long st)
{
	((struct run *)arg)->responses++;
}

static void
run_search(struct srv *s, struct run *r)
{
	char dir[] = "/tmp/test_search_XXXXXX", cfg[300], key[300], ep[100], cmd[700];
	struct event_base *base = event_base_new();
	struct evhttp *eh = evhttp_new(base);
	struct evhttp_bound_socket *bs;
	struct http *http = http_new(base);
	struct conf_oci oc;
	struct oci_client *c;
	struct oci_err err;
	struct search_opts so;
	struct search_callbacks cb = { on_page, on_done, on_resp, on_retrying, r, NULL };

	if (r->with_oversize)
		cb.oversize = on_oversize;
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int lfd = -1, cfd[2] = { -1, -1 };
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cmd, sizeof(cmd), "cp tests/data/oci/testonly-api-key.pem %s && chmod 600 %s",
	    key, key);
	assert_int_equal(system(cmd), 0);
	snprintf(cfg, sizeof(cfg), "%s/config", dir);
	f = fopen(cfg, "w");
	assert_non_null(f);
	fprintf(f, "[DEFAULT]\ntenancy=ocid1.tenancy.oc1..t\nuser=ocid1.user.oc1..u\n"
	    "fingerprint=6e:1b:09:c5:59:df:53:21:1b:4a:9e:dd:15:5e:bd:af\nkey_file=%s\n"
	    "region=iad\n", key);
	fclose(f);
	evhttp_set_gencb(eh, srv_cb, s);
	bs = evhttp_bind_socket_with_handle(eh, "127.0.0.1", 0);
	assert_non_null(bs);
	getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&sin, &sl);
	snprintf(ep, sizeof(ep), "http://127.0.0.1:%d", ntohs(sin.sin_port));
	if (r->closed_port) {
		/* a port that was free a moment ago: connections are refused */
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a;
		socklen_t al = sizeof(a);
		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
		getsockname(fd, (struct sockaddr *)&a, &al);
		close(fd);
		snprintf(ep, sizeof(ep), "http://127.0.0.1:%d", ntohs(a.sin_port));
	}
	if (r->full_backlog) {
		/* listen(0) plus one connection nobody accepts: further SYNs are dropped, so
		 * a connect never completes (a connect timeout, not a slow answer) */
		struct sockaddr_in a;
		socklen_t al = sizeof(a);
		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		lfd = socket(AF_INET, SOCK_STREAM, 0);
		assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
		assert_int_equal(listen(lfd, 0), 0);
		getsockname(lfd, (struct sockaddr *)&a, &al);
		for (int i = 0; i < 2; i++) {
			cfd[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
			(void)connect(cfd[i], (struct sockaddr *)&a, sizeof(a));
		}
		usleep(50000);
		snprintf(ep, sizeof(ep), "http://127.0.0.1:%d", ntohs(a.sin_port));
	}
	r->srv = s;
	memset(&oc, 0, sizeof(oc));
	oc.config_file = cfg;
	oc.endpoint = ep;
	c = oci_client_new(base, http, &oc, &err);
	if (c == NULL)
		fail_msg("%s", err.msg);
	assert_string_equal(oci_client_region(c), "us-ashburn-1");
	assert_string_equal(oci_client_endpoint(c), ep);
	if (r->opts != NULL) {
		so = *r->opts;
	} else {
		search_opts_default(&so);
		so.limit = 3;
	}
	so.source_name = "unit";
	r->base = base;
	r->search = search_start(c, "search \"ocid1.compartment.oc1..x/_Audit\"", 1741943400000,
	    1741943460000, &so, &cb);
	assert_non_null(r->search);
	if (r->max_seconds > 0) {
		struct timeval tv = { r->max_seconds, 0 };
		event_base_loopexit(base, &tv);
	}
	event_base_dispatch(base);
	while (s->n_held > 0)
		evhttp_send_reply(s->held[--s->n_held], 503, "late", NULL);
	if (r->done == 0 && !r->cancel_in_page && r->cancel_after_retries == 0)
		search_cancel(r->search);
	oci_client_free(c);
	http_free(http);
	if (lfd >= 0) {
		close(cfd[0]);
		close(cfd[1]);
		close(lfd);
	}
	evhttp_free(eh);
	event_base_free(base);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void
setup_srv(struct srv *s, int mode)
{
	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->page1 = read_all(SAMPLES "search-response-mixed-page1.json", &s->len1);
	s->page2 = read_all(SAMPLES "search-response-mixed-page2.json", &s->len2);
}

static void
srv_done(struct srv *s, struct run *r)
{
	free(s->page1);
	free(s->page2);
	free_run(r);
}

static void
test_loop_pages(void **state)
{
	struct srv s;
	struct run r;

	setup_srv(&s, 0);
	memset(&r, 0, sizeof(r));
	r.pause_in_page = 1;
	run_search(&s, &r);
	assert_int_equal(r.done, 1);
	assert_int_equal(r.status, SEARCH_OK);
	assert_int_equal(r.pages, 2);
	assert_int_equal(r.records, 6);
	assert_int_equal(r.responses, 2);
	assert_int_equal(s.requests, 2);
	assert_int_equal(s.saw_signature, 2);
	assert_string_equal(s.last_page_param, TOKEN); /* percent-encoded and decoded back */
	srv_done(&s, &r);

	/* cancel from inside the page callback: no done callback, nothing leaks */
	setup_srv(&s, 0);
	memset(&r, 0, sizeof(r));
	r.cancel_in_page = 1;
	run_search(&s, &r);
	assert_int_equal(r.pages, 1);
	assert_int_equal(r.done, 0);
	srv_done(&s, &r);
}

static void
test_loop_errors(void **state)
{
	struct srv s;
	struct run r;

	setup_srv(&s, 1);
	memset(&r, 0, sizeof(r));
	run_search(&s, &r);
	assert_int_equal(r.status, SEARCH_FAILED);
	assert_int_equal(r.pages, 0);
	assert_non_null(strstr(r.message, "malformed SearchLogs page"));
	free(s.page1);
	free(s.page2);

	setup_srv(&s, 2);
	memset(&r, 0, sizeof(r));
	run_search(&s, &r);
	assert_int_equal(r.status, SEARCH_NOT_FOUND);
	assert_string_equal(r.code, "NotAuthorizedOrNotFound");
	assert_string_equal(r.message, "nope");
	free(s.page1);
	free(s.page2);
}

/* Partial consumption: the rest of a page comes again after resume, in order, same
 * page_index; with the default pacing (10 ms) and an instant server, the next page is
 * asked for only once the pacing allows (test_loop_fetch_ahead: without pacing). */
static void
test_loop_partial(void **state)
{
	struct srv s;
	struct run r, whole;
	int i;

	setup_srv(&s, M_PAGES);
	memset(&whole, 0, sizeof(whole));
	run_search(&s, &whole);
	assert_int_equal(whole.status, SEARCH_OK);
	assert_int_equal(whole.n_recs, 6);
	free(s.page1);
	free(s.page2);

	setup_srv(&s, M_PAGES);
	memset(&r, 0, sizeof(r));
	r.consume_one = 1;
	run_search(&s, &r);
	assert_int_equal(r.done, 1);
	assert_int_equal(r.status, SEARCH_OK);
	assert_int_equal(r.n_calls, 6);
	assert_int_equal(r.n_recs, 6);
	assert_int_equal(s.requests, 2);
	for (i = 0; i < 6; i++) {
		assert_string_equal(r.recs[i], whole.recs[i]);
		assert_int_equal(r.page_index[i], i < 3 ? 0 : 1);
		/* page 1 may be asked for while page 0 is handed over (fetch ahead, once
		 * the pacing allows): only the first call and page 1's are certain */
		if (i == 0 || i >= 3)
			assert_int_equal(r.srv_requests_at[i], i < 3 ? 1 : 2);
	}
	free_run(&whole);
	srv_done(&s, &r);
}

/*
 * Fetch ahead: page k+1's request goes out as soon as page k's token is known, before
 * page k is handed over; its answer waits (parked) while page k is held; records stay
 * in order; and while the search is paused (backpressure) nothing more is asked for:
 * at most one page ahead.
 */
static void
test_loop_fetch_ahead(void **state)
{
	struct srv s;
	struct run r, whole;
	struct search_opts o;
	int i;

	search_opts_default(&o);
	o.limit = 3;
	o.min_page_interval_ms = 0;

	setup_srv(&s, M_SIZED);
	memset(&whole, 0, sizeof(whole));
	whole.opts = &o;
	run_search(&s, &whole);
	assert_int_equal(whole.status, SEARCH_OK);
	assert_int_equal(whole.n_recs, 8);
	free(s.page1);
	free(s.page2);

	/* one record per call, resumed 1 ms later: page 1 was asked for while page 0's
	 * first record was being handed over, so the server saw it by page 0's last call */
	setup_srv(&s, M_SIZED);
	memset(&r, 0, sizeof(r));
	r.opts = &o;
	r.consume_one = 1;
	run_search(&s, &r);
	assert_int_equal(r.status, SEARCH_OK);
	assert_int_equal(r.n_recs, 8);
	assert_int_equal(s.requests, 3);
	for (i = 0; i < 8; i++) {
		assert_string_equal(r.recs[i], whole.recs[i]);
		assert_int_equal(r.page_index[i], i / 3);
	}
	assert_int_equal(r.srv_requests_at[2], 2);
	free(s.page1);
	free(s.page2);
	free_run(&r);

	/* page 0 held for 100 ms (nothing consumed, the search paused): page 1 was asked
	 * for once, page 2 not at all; then everything comes, in order */
	setup_srv(&s, M_SIZED);
	memset(&r, 0, sizeof(r));
	r.opts = &o;
	r.hold_first = 1;
	run_search(&s, &r);
	assert_int_equal(r.status, SEARCH_OK);
	assert_int_equal(r.requests_at_resume, 2);
	assert_int_equal(s.requests, 3);
	assert_int_equal(r.n_recs, 8);
	for (i = 0; i < 8; i++)
		assert_string_equal(r.recs[i], whole.recs[i]);
	free_run(&whole);
	srv_done(&s, &r);

	/* a sample of 2 pages (--probe): held like the above, the third page is never
	 * asked for and the search ends after the second */
	setup_srv(&s, M_SIZED);
	memset(&r, 0, sizeof(r));
	o.sample_pages = 2;
	r.opts = &o;
	r.hold_first = 1;
	run_search(&s, &r);
	o.sample_pages = 0;
	assert_int_equal(r.done, 1);
	assert_int_equal(r.status, SEARCH_OK);
	assert_int_equal(s.requests, 2);
	assert_int_equal(r.n_recs, 6);
	assert_int_equal(r.res_pages, 2);
	free(s.page1);
	free(s.page2);
	free_run(&r);

	/* the page fetched ahead is answered 404 while page 0 is held: the answer waits,
	 * and the search ends NOT_FOUND only after page 0's records were all handed over */
	setup_srv(&s, M_404_NEXT);
	memset(&r, 0, sizeof(r));
	r.opts = &o;
	r.hold_first = 1;
	run_search(&s, &r);
	assert_int_equal(r.done, 1);
	assert_int_equal(r.status, SEARCH_NOT_FOUND);
	assert_int_equal(r.requests_at_resume, 2);
	assert_int_equal(r.n_recs, 3);
	assert_int_equal(r.res_pages, 1);
	srv_done(&s, &r);
}

/* Transient failures are retried in place with the page token kept, never TOO_BIG. */
static void
test_loop_retries(void **state)
{
	static const struct {
		int status;
		const char *code, *message;
	} cases[] = {
		{ 503, "ServiceUnavailable", "x" },
		{ 500, "InternalServerError", "The search query timed out." },
		{ 502, NULL, NULL },
		{ 302, "Found", "moved" },
		{ 409, "LockConflict", "busy" },
		{ 409, "IncorrectState", "busy" },
		{ 429, "TooManyRequests", "slow down" },
	};
	struct search_opts so;
	struct srv s;
	struct run r;
	size_t i;

	search_opts_default(&so);
	so.limit = 3;
	so.retry_initial_ms = 1;
	so.retry_max_ms = 5;
	so.max_transient_retries = 1; /* the old budget would have given up after 2 */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setup_srv(&s, M_FAIL_FIRST);
		s.fail_status = cases[i].status;
		s.fail_code = cases[i].code;
		s.fail_message = cases[i].message;
		s.fail_count = 6;
		memset(&r, 0, sizeof(r));
		r.opts = &so;
		run_search(&s, &r);
		if (r.status != SEARCH_OK || r.retries != 6 || r.records != 6)
			fail_msg("HTTP %d: status %d, %d retries, %d records", cases[i].status,
			    r.status, r.retries, r.records);
		assert_int_equal(r.retry_status[0], cases[i].status);
		assert_int_equal(s.requests, 8);
		srv_done(&s, &r);
	}
	/* a 409 with another code is final */
	setup_srv(&s, M_FAIL_FIRST);
	s.fail_status = 409;
	s.fail_code = "Conflict";
	s.fail_count = 6;
	memset(&r, 0, sizeof(r));
	r.opts = &so;
	run_search(&s, &r);
	assert_int_equal(r.status, SEARCH_FAILED);
	srv_done(&s, &r);

	/* connection refused: retried (status 0), not TOO_BIG; max_attempts ends it */
	setup_srv(&s, M_PAGES);
	memset(&r, 0, sizeof(r));
	r.opts = &so;
	r.closed_port = 1;
	r.cancel_after_retries = 8;
	run_search(&s, &r);
	assert_int_equal(r.done, 0);
	assert_int_equal(r.retries, 8);
	assert_int_equal(r.retry_status[7], 0);
	srv_done(&s, &r);
	/* a connect timeout is no evidence of size either, whatever max_transient_retries */
	so.timeout_ms = 150;
	setup_srv(&s, M_PAGES);
	memset(&r, 0, sizeof(r));
	r.opts = &so;
	r.full_backlog = 1;
	r.cancel_after_retries = 4;
	run_search(&s, &r);
	assert_int_equal(r.done, 0);
	assert_int_equal(r.retries, 4);
	assert_int_equal(r.retry_status[3], 0);
	assert_string_equal(r.retry_message, "connect timed out");
	srv_done(&s, &r);
	so.timeout_ms = 60000;

	so.max_attempts = 3;
	setup_srv(&s, M_PAGES);
	memset(&r, 0, sizeof(r));
	r.opts = &so;
	r.closed_port = 1;
	run_search(&s, &r);
	assert_int_equal(r.done, 1);
	assert_int_equal(r.status, SEARCH_FAILED);
	assert_int_equal(r.retries, 2);
	assert_non_null(strstr(r.message, "gave up after 3 attempts"));
	srv_done(&s, &r);
}

/* Our timeout on a sent request is the evidence of size: TOO_BIG after the budget. */
static void
test_loop_timeout(void **state)
{
	struct search_opts so;
	struct srv s;
	struct run r;

	search_opts_default(&so);
	so.limit = 3;
	so.retry_initial_ms = 1;
	so.retry_max_ms = 5;
	so.timeout_ms = 150;
	so.max_transient_retries = 1;
	setup_srv(&s, M_HOLD);
	memset(&r, 0, sizeof(r));
	r.opts = &so;
	run_search(&s, &r);
	assert_int_equal(r.status, SEARCH_TOO_BIG);
	assert_int_equal(r.retries, 1);
	assert_int_equal(s.requests, 2);
	assert_non_null(strstr(r.message, "timed out"));
	/* OCI never answered: the request id is ours */
	assert_int_equal(strlen(r.request_id), 32);
	assert_string_equal(r.request_id, s.rids[1]);
	srv_done(&s, &r);
}

/* Retry-After on 429/503: at least the backoff, at most retry_after_max_ms. */
static void
test_loop_retry_after(void **state)
{
	static const struct {
		int status;
		const char *ra;
		int64_t min, max;
	} cases[] = {
		{ 429, "0", 50, 100 },
		{ 503, "0", 50, 100 },
		{ 429, "Sun, 06 Nov 1994 08:49:37 GMT", 50, 100 },
		{ 429, "999999999", 700, 700 },
		{ 503, "Fri, 31 Dec 9999 23:59:59 GMT", 700, 700 },
		{ 429, "garbage", 50, 100 },
		{ 500, "999999999", 50, 100 }, /* only 429 and 503 carry a meaningful one */
	};
	struct search_opts so;
	struct srv s;
	struct run r;
	size_t i;

	search_opts_default(&so);
	so.limit = 3;
	so.retry_initial_ms = 50;
	so.retry_max_ms = 100;
	so.retry_after_max_ms = 700;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setup_srv(&s, M_FAIL_FIRST);
		s.fail_status = cases[i].status;
		s.fail_count = 100;
		s.retry_after = cases[i].ra;
		memset(&r, 0, sizeof(r));
		r.opts = &so;
		r.cancel_after_retries = 1;
		run_search(&s, &r);
		if (r.retries != 1 || r.delays[0] < cases[i].min || r.delays[0] > cases[i].max)
			fail_msg("%d Retry-After %s: delay %lld", cases[i].status, cases[i].ra,
			    (long long)r.delays[0]);
		srv_done(&s, &r);
	}
}

/* A page-token cycle A -> B -> C -> A fails the window; so does max_pages. */
static void
test_loop_cycle(void **state)
{
	struct search_opts so;
	struct srv s;
	struct run r;

	setup_srv(&s, M_CYCLE);
	memset(&r, 0, sizeof(r));
	run_search(&s, &r);
	assert_int_equal(r.status, SEARCH_FAILED);
	assert_non_null(strstr(r.message, "cycle"));
	assert_int_equal(s.requests, 4);
	assert_int_equal(r.pages, 3);
	srv_done(&s, &r);

	search_opts_default(&so);
	so.limit = 3;
	so.max_pages = 2;
	setup_srv(&s, M_SIZED);
	memset(&r, 0, sizeof(r));
	r.opts = &so;
	run_search(&s, &r);
	assert_int_equal(r.status, SEARCH_FAILED);
	assert_non_null(strstr(r.message, "max_pages"));
	srv_done(&s, &r);
}

/* A page over max_page_bytes is asked again with half the limit: not a failure. */
static void
test_loop_oversized(void **state)
{
	struct search_opts so;
	struct srv s;
	struct run r;
	int i;

	search_opts_default(&so);
	so.limit = 8;
	so.max_page_bytes = 2500; /* two ~1.1 KB records fit, three do not */
	setup_srv(&s, M_SIZED);
	memset(&r, 0, sizeof(r));
	r.opts = &so;
	run_search(&s, &r);
	assert_int_equal(r.status, SEARCH_OK);
	assert_int_equal(r.records, 8);
	assert_int_equal(r.retries, 0);
	assert_int_equal(s.limits[0], 8);
	assert_int_equal(s.limits[1], 4);
	assert_int_equal(s.limits[2], 2);
	assert_int_equal(s.limits[3], 2);
	for (i = 0; i < 8; i++) {
		char want[16];
		snprintf(want, sizeof(want), "\"r%d\"", i);
		assert_non_null(strstr(r.recs[i], want));
	}
	srv_done(&s, &r);

	/* even one record is too large: the window is too big */
	so.max_page_bytes = 500;
	setup_srv(&s, M_SIZED);
	memset(&r, 0, sizeof(r));
	r.opts = &so;
	run_search(&s, &r);
	assert_int_equal(r.status, SEARCH_TOO_BIG);
	assert_int_equal(s.requests, 4); /* limits 8, 4, 2, 1 */
	srv_done(&s, &r);
}

/*
 * Issue 10.10 (audit): one record over max_page_bytes.  At limit 1 the page is the record:
 * it is handed to the oversize callback (once it returns 0) and skipped by its
 * opc-next-page; the records after it still come.  A failing callback (dead-letter not
 * written) makes the search fetch it again; nothing is skipped unrecorded.
 */
static void
test_loop_oversized_record_skipped(void **state)
{
	struct search_opts so;
	struct srv s;
	struct run r;
	int i;

	search_opts_default(&so);
	so.limit = 8;
	so.max_page_bytes = 600; /* record r3 (~1.1 KB) never fits; the others do */
	so.retry_initial_ms = 1;
	so.retry_max_ms = 2;
	setup_srv(&s, M_SIZED);
	s.one_big = 4;
	memset(&r, 0, sizeof(r));
	r.opts = &so;
	r.with_oversize = 1;
	r.oversize_fail = 1;
	run_search(&s, &r);
	assert_int_equal(r.status, SEARCH_OK);
	assert_int_equal(r.oversize_calls, 2); /* refused once, recorded the second time */
	assert_int_equal(r.retries, 0); /* not an OCI failure: no retrying() */
	assert_true(r.oversize_bytes > so.max_page_bytes);
	assert_string_equal(r.oversize_rid, "req-1");
	assert_int_equal(r.records, 7);
	for (i = 0; i < r.n_recs; i++)
		assert_null(strstr(r.recs[i], "\"r3\""));
	assert_non_null(strstr(r.recs[r.n_recs - 1], "\"r7\""));
	srv_done(&s, &r);
}

/*
 * Issue 10.7: page requests of one search are paced (min_page_interval_ms, default 10 ms),
 * measured where it matters: the gap between requests as the server sees them.
 */
static void
test_loop_paced(void **state)
{
	struct search_opts so;
	struct srv s;
	struct run r;
	int i;

	search_opts_default(&so);
	assert_int_equal(so.min_page_interval_ms, 10);
	so.limit = 1; /* 8 records, 8 pages */
	setup_srv(&s, M_SIZED);
	memset(&r, 0, sizeof(r));
	r.opts = &so;
	run_search(&s, &r);
	assert_int_equal(r.status, SEARCH_OK);
	assert_int_equal(r.records, 8);
	assert_int_equal(s.requests, 8);
	/* The pacing clock starts when a request is sent; the server sees it a little
	 * later, by a varying amount: allow 2 ms of that jitter. */
	for (i = 1; i < s.requests; i++)
		if (s.at_ms[i] - s.at_ms[i - 1] < so.min_page_interval_ms - 2)
			fail_msg("page request %d came %lld ms after the previous one", i,
			    (long long)(s.at_ms[i] - s.at_ms[i - 1]));
	srv_done(&s, &r);
}

/*
 * Pages of records (64 KiB or more) are progress, not a hot loop: not paced.  With a pacing
 * of a minute, 8 such pages still come in well under the 30 s the loop is given (paced,
 * they would take 7 minutes).
 */
static void
test_loop_full_pages_unpaced(void **state)
{
	struct search_opts so;
	struct srv s;
	struct run r;

	search_opts_default(&so);
	so.limit = 1;
	so.min_page_interval_ms = 60000;
	setup_srv(&s, M_SIZED);
	s.pad = 70000;
	memset(&r, 0, sizeof(r));
	r.opts = &so;
	r.max_seconds = 30;
	run_search(&s, &r);
	assert_int_equal(r.done, 1);
	assert_int_equal(r.status, SEARCH_OK);
	assert_int_equal(r.records, 8);
	assert_int_equal(s.requests, 8);
	srv_done(&s, &r);
}

/* No "results": an empty page.  A 400 on a page token restarts the window once. */
static void
test_loop_odd_answers(void **state)
{
	struct srv s;
	struct run r;
	int i;

	setup_srv(&s, M_NO_RESULTS);
	memset(&r, 0, sizeof(r));
	run_search(&s, &r);
	assert_int_equal(r.status, SEARCH_OK);
	assert_int_equal(r.records, 0);
	assert_int_equal(r.pages, 1);
	srv_done(&s, &r);

	setup_srv(&s, M_400_TOKEN);
	memset(&r, 0, sizeof(r));
	run_search(&s, &r);
	assert_int_equal(r.status, SEARCH_BAD_QUERY);
	assert_string_equal(r.message, "zebra umbrella quartz");
	assert_int_equal(s.requests, 4); /* first page, 400, first page again, 400 */
	assert_int_equal(r.n_calls, 2);
	assert_int_equal(r.page_index[0], 0);
	assert_int_equal(r.page_index[1], 0); /* the caller sees the first page again */
	/* every request has its own opc-request-id, in the SDK form */
	for (i = 0; i < 4; i++) {
		const char *p;
		assert_int_equal(strlen(s.rids[i]), 32);
		for (p = s.rids[i]; *p != '\0'; p++)
			assert_true((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'F'));
		if (i > 0)
			assert_string_not_equal(s.rids[i], s.rids[i - 1]);
	}
	assert_int_equal(s.host_ok, 4);
	srv_done(&s, &r);

	/* an error message with CR/LF reaches the caller escaped */
	setup_srv(&s, M_FAIL_FIRST);
	s.fail_status = 404;
	s.fail_count = 1;
	s.fail_message = "nope\\r\\nnotice: finished: everything delivered";
	memset(&r, 0, sizeof(r));
	run_search(&s, &r);
	assert_int_equal(r.status, SEARCH_NOT_FOUND);
	assert_null(strchr(r.message, '\n'));
	assert_null(strchr(r.message, '\r'));
	assert_non_null(strstr(r.message, "nope\\x0d\\x0anotice"));
	srv_done(&s, &r);
}

static void
test_default_port(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "https://h.example:443/x?a=1", "https://h.example/x?a=1" },
		{ "http://127.0.0.1:80/20190909/search", "http://127.0.0.1/20190909/search" },
		{ "HTTPS://h:443", "HTTPS://h" },
		{ "https://h:8443/x", "https://h:8443/x" },
		{ "http://h:443/x", "http://h:443/x" },
		{ "https://h:80/x", "https://h:80/x" },
		{ "https://h:4430/x", "https://h:4430/x" },
		{ "https://h/x", "https://h/x" },
		{ "https://[::1]:443/x", "https://[::1]/x" },
		{ "https://h:/x", "https://h:/x" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *o = oci_url_drop_default_port(cases[i].in);
		assert_non_null(o);
		if (strcmp(o, cases[i].out) != 0)
			fail_msg("%s -> %s, want %s", cases[i].in, o, cases[i].out);
		free(o);
	}
}

static void
test_jwt_times(void **state)
{
	int64_t exp = 0, iat = 0;

	/* {"sub":"x","iat":1700000000,"exp":1700001200} */
	assert_int_equal(instprin_jwt_times("eyJhbGciOiJSUzI1NiJ9."
	    "eyJzdWIiOiJ4IiwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjE3MDAwMDEyMDB9.c2ln", &exp, &iat), 0);
	assert_int_equal(exp, 1700001200);
	assert_int_equal(iat, 1700000000);
	assert_int_equal(instprin_jwt_times("nodots", &exp, &iat), -1);
	assert_int_equal(instprin_jwt_times("a.!!!!.c", &exp, &iat), -1);
	/* {"iat":1} : no exp */
	assert_int_equal(instprin_jwt_times("x.eyJpYXQiOjF9.y", &exp, &iat), -1);
}

/* ---- the OCI client: config errors, API-key and session-token signing ---- */

struct tdir {
	char dir[64];
	struct event_base *base;
};

static void
tdir_make(struct tdir *t)
{
	char cmd[300];

	snprintf(t->dir, sizeof(t->dir), "/tmp/test_oci_XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	t->base = event_base_new();
	assert_non_null(t->base);
	snprintf(cmd, sizeof(cmd), "cp tests/data/oci/testonly-api-key.pem "
	    "tests/data/oci/testonly-sample-pkcs8-enc.pem %s/ && chmod 600 %s/*.pem", t->dir,
	    t->dir);
	assert_int_equal(system(cmd), 0);
}

static void
tdir_rm(struct tdir *t)
{
	char cmd[100];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", t->dir);
	assert_int_equal(system(cmd), 0);
	event_base_free(t->base);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Creates a client for config text (%s = the temp dir); NULL with err. */
static struct oci_client *
client_for(struct tdir *t, const char *cfg_fmt, const char *profile, struct oci_err *err)
{
	char cfg[200], text[2000];
	struct conf_oci oc;
	const char *p;
	size_t n = 0;

	/* "@" in the template stands for the temp dir */
	for (p = cfg_fmt; *p != '\0' && n + sizeof(t->dir) + 1 < sizeof(text); p++) {
		if (*p == '@')
			n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", t->dir);
		else
			text[n++] = *p;
	}
	text[n] = '\0';
	snprintf(cfg, sizeof(cfg), "%s/config", t->dir);
	write_file(cfg, text);
	memset(&oc, 0, sizeof(oc));
	oc.config_file = cfg;
	oc.profile = (char *)profile;
	return oci_client_new(t->base, NULL, &oc, err);
}

#define BASE_CFG "[DEFAULT]\ntenancy=ocid1.tenancy.oc1..t\nuser=ocid1.user.oc1..u\n" \
	"fingerprint=6e:1b:09:c5:59:df:53:21:1b:4a:9e:dd:15:5e:bd:af\n" \
	"key_file=@/testonly-api-key.pem\nregion=fra\n"

static const char *
header(const struct oci_headers *h, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < h->n; i++)
		if (strncmp(h->lines[i], name, n) == 0 && h->lines[i][n] == ':')
			return h->lines[i] + n + 2;
	return NULL;
}

static void
test_oci_client(void **state)
{
	struct tdir t;
	struct oci_err err;
	struct oci_client *c;
	struct oci_headers h;
	struct signer_auth a;
	struct signer_err serr;
	EVP_PKEY *pub;
	char ss[1000], path[200];
	const char *body = "{\"q\":1}";

	tdir_make(&t);
	c = client_for(&t, BASE_CFG, NULL, &err);
	if (c == NULL)
		fail_msg("%s", err.msg);
	assert_string_equal(oci_client_region(c), "eu-frankfurt-1");
	assert_string_equal(oci_client_endpoint(c), "https://logging.eu-frankfurt-1.oci.oraclecloud.com");
	assert_false(oci_client_token_based(c));
	assert_int_equal(oci_client_sign(c, "POST", "https://h.example/20190909/search?limit=5",
	    body, strlen(body), &h, &err), 0);
	assert_non_null(header(&h, "Date"));
	assert_string_equal(header(&h, "Content-Type"), "application/json");
	assert_string_equal(header(&h, "Accept"), "application/json");
	assert_int_equal(signer_parse_authorization(header(&h, "Authorization"), &a), 0);
	assert_string_equal(a.key_id, "ocid1.tenancy.oc1..t/ocid1.user.oc1..u/"
	    "6e:1b:09:c5:59:df:53:21:1b:4a:9e:dd:15:5e:bd:af");
	snprintf(ss, sizeof(ss), "date: %s\n(request-target): post /20190909/search?limit=5\n"
	    "host: h.example\ncontent-length: %zu\ncontent-type: application/json\n"
	    "x-content-sha256: %s", header(&h, "Date"), strlen(body), header(&h, "x-content-sha256"));
	pub = signer_load_key_file("tests/data/oci/testonly-api-key.pem", NULL, &serr);
	assert_non_null(pub);
	assert_true(signer_verify_raw(pub, ss, strlen(ss), a.signature));
	assert_int_equal(oci_client_auth_rejected(c, h.generation), 0); /* nothing to refresh */
	assert_null(oci_client_session_token(c)); /* an API key: no token to mask */
	signer_auth_cleanup(&a);
	oci_headers_cleanup(&h);
	oci_client_free(c);

	/* session token: keyId ST$<file contents without the trailing newline> */
	snprintf(path, sizeof(path), "%s/token", t.dir);
	write_file(path, "eyJhbGciOi.eyJleHAiOjF9.c2ln\n");
	/* (no `user` anywhere: with one, the API key would sign; see test_ocicfg) */
	c = client_for(&t, "[DEFAULT]\ntenancy=ocid1.tenancy.oc1..t\nregion=fra\n"
	    "key_file=@/testonly-api-key.pem\n[sess]\nsecurity_token_file=@/token\n", "sess",
	    &err);
	if (c == NULL)
		fail_msg("%s", err.msg);
	assert_true(oci_client_token_based(c));
	assert_int_equal(oci_client_sign(c, "GET", "https://h.example/x", NULL, 0, &h, &err), 0);
	assert_null(header(&h, "x-content-sha256")); /* GET signs no body headers */
	assert_int_equal(signer_parse_authorization(header(&h, "Authorization"), &a), 0);
	assert_string_equal(a.key_id, "ST$eyJhbGciOi.eyJleHAiOjF9.c2ln");
	/* the secret OCI's error text is masked for (secmask) */
	assert_string_equal(oci_client_session_token(c), "eyJhbGciOi.eyJleHAiOjF9.c2ln");
	assert_string_equal(a.headers, "date (request-target) host");
	signer_auth_cleanup(&a);
	oci_headers_cleanup(&h);
	oci_client_free(c);
	EVP_PKEY_free(pub);

	/* errors name the cause and the fix */
	assert_null(client_for(&t, BASE_CFG, "nosuch", &err));
	assert_non_null(strstr(err.msg, "no profile [nosuch]"));
	assert_null(client_for(&t, "[DEFAULT]\ntenancy=t\nuser=u\n"
	    "fingerprint=6e:1b:09:c5:59:df:53:21:1b:4a:9e:dd:15:5e:bd:af\n"
	    "key_file=@/testonly-api-key.pem\n", NULL, &err));
	assert_non_null(strstr(err.msg, "no region"));
	assert_null(client_for(&t, "[DEFAULT]\ntenancy=t\nuser=u\n"
	    "fingerprint=6e:1b:09:c5:59:df:53:21:1b:4a:9e:dd:15:5e:bd:af\nregion=iad\n"
	    "key_file=@/testonly-sample-pkcs8-enc.pem\n", NULL, &err));
	assert_non_null(strstr(err.msg, "no pass_phrase"));
	c = client_for(&t, "[DEFAULT]\ntenancy=t\nuser=u\n"
	    "fingerprint=6e:1b:09:c5:59:df:53:21:1b:4a:9e:dd:15:5e:bd:af\nregion=iad\n"
	    "key_file=@/testonly-sample-pkcs8-enc.pem\npass_phrase=test-only-pass\n", NULL, &err);
	assert_non_null(c);
	oci_client_free(c);
	snprintf(path, sizeof(path), "%s/testonly-api-key.pem", t.dir);
	assert_int_equal(chmod(path, 0640), 0);
	assert_null(client_for(&t, BASE_CFG, NULL, &err));
	assert_non_null(strstr(err.msg, "chmod 600"));
	tdir_rm(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_error_bodies),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_format_time),
		cmocka_unit_test(test_http_date),
		cmocka_unit_test(test_loop_pages),
		cmocka_unit_test(test_loop_errors),
		cmocka_unit_test(test_loop_partial),
		cmocka_unit_test(test_loop_fetch_ahead),
		cmocka_unit_test(test_loop_retries),
		cmocka_unit_test(test_loop_timeout),
		cmocka_unit_test(test_loop_retry_after),
		cmocka_unit_test(test_loop_cycle),
		cmocka_unit_test(test_loop_oversized),
		cmocka_unit_test(test_loop_paced),
		cmocka_unit_test(test_loop_full_pages_unpaced),
		cmocka_unit_test(test_loop_oversized_record_skipped),
		cmocka_unit_test(test_loop_odd_answers),
		cmocka_unit_test(test_default_port),
		cmocka_unit_test(test_jwt_times),
		cmocka_unit_test(test_oci_client),
	};
	log_init();
	log_set_level(LOG_LVL_WARNING);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
