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

#include "http.h"
#include "instprin.h"
#include "log.h"
#include "oci.h"
#include "search.h"
#include "signer.h"

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

	search_format_time(1741942800000, t);
	assert_string_equal(t, "2025-03-14T09:00:00.000Z");
	search_format_time(1741942867418, t);
	assert_string_equal(t, "2025-03-14T09:01:07.418Z");
	search_format_time(0, t);
	assert_string_equal(t, "1970-01-01T00:00:00.000Z");
}

/* ---- the request loop against a local evhttp server serving the mixed sample pages ---- */

struct srv {
	int mode;          /* 0 = two pages; 1 = malformed page; 2 = 404 */
	int requests;
	char *page1, *page2;
	size_t len1, len2;
	char last_page_param[128];
	int saw_signature;
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

	s->requests++;
	TAILQ_INIT(&q);
	if (qs != NULL)
		evhttp_parse_query_str(qs + 1, &q);
	page = evhttp_find_header(&q, "page");
	if (evhttp_find_header(in, "Authorization") != NULL &&
	    evhttp_find_header(in, "x-content-sha256") != NULL)
		s->saw_signature++;
	evhttp_add_header(out, "opc-request-id", "req-1");
	if (s->mode == 2) {
		evbuffer_add_printf(b, "{\"code\":\"NotAuthorizedOrNotFound\",\"message\":\"nope\"}");
		evhttp_send_reply(req, 404, "Not Found", b);
	} else if (s->mode == 1) {
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
	char code[64], message[200];
	int cancel_in_page;
	int pause_in_page;
	int responses;
};

static void
resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct run *r = arg;

	search_resume(r->search);
}

static size_t
on_page(void *arg, const struct search_page *pg)
{
	struct run *r = arg;

	r->pages++;
	r->records += (int)pg->n;
	assert_string_equal(pg->request_id, "req-1");
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
	event_base_loopexit(r->base, NULL);
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
	struct search_callbacks cb = { on_page, on_done, on_resp, NULL, r };
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
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
	memset(&oc, 0, sizeof(oc));
	oc.config_file = cfg;
	oc.endpoint = ep;
	c = oci_client_new(base, http, &oc, &err);
	if (c == NULL)
		fail_msg("%s", err.msg);
	assert_string_equal(oci_client_region(c), "us-ashburn-1");
	assert_string_equal(oci_client_endpoint(c), ep);
	search_opts_default(&so);
	so.limit = 3;
	so.source_name = "unit";
	r->base = base;
	r->search = search_start(c, "search \"ocid1.compartment.oc1..x/_Audit\"", 1741943400000,
	    1741943460000, &so, &cb);
	assert_non_null(r->search);
	event_base_dispatch(base);
	oci_client_free(c);
	http_free(http);
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
	free(s.page1);
	free(s.page2);

	/* cancel from inside the page callback: no done callback, nothing leaks */
	setup_srv(&s, 0);
	memset(&r, 0, sizeof(r));
	r.cancel_in_page = 1;
	run_search(&s, &r);
	assert_int_equal(r.pages, 1);
	assert_int_equal(r.done, 0);
	free(s.page1);
	free(s.page2);
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
	signer_auth_cleanup(&a);
	oci_headers_cleanup(&h);
	oci_client_free(c);

	/* session token: keyId ST$<file contents without the trailing newline> */
	snprintf(path, sizeof(path), "%s/token", t.dir);
	write_file(path, "eyJhbGciOi.eyJleHAiOjF9.c2ln\n");
	c = client_for(&t, BASE_CFG "[sess]\nsecurity_token_file=@/token\n", "sess", &err);
	if (c == NULL)
		fail_msg("%s", err.msg);
	assert_true(oci_client_token_based(c));
	assert_int_equal(oci_client_sign(c, "GET", "https://h.example/x", NULL, 0, &h, &err), 0);
	assert_null(header(&h, "x-content-sha256")); /* GET signs no body headers */
	assert_int_equal(signer_parse_authorization(header(&h, "Authorization"), &a), 0);
	assert_string_equal(a.key_id, "ST$eyJhbGciOi.eyJleHAiOjF9.c2ln");
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
		cmocka_unit_test(test_loop_pages),
		cmocka_unit_test(test_loop_errors),
		cmocka_unit_test(test_jwt_times),
		cmocka_unit_test(test_oci_client),
	};
	log_init();
	log_set_level(LOG_LVL_WARNING);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
