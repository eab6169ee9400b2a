/*
 * ocisim — a local stand-in for OCI Logging Search (and, with --imds, for the instance
 * metadata service and the federation endpoint), for tests, the demo and the benchmark.
 *
 *   ocisim --listen 127.0.0.1:0 --port-file F --public-key KEY.pem [options]
 *   ocisim --dump --from T --to T [--query Q] [--now T] [generator options]
 *
 * Every SearchLogs request is authenticated like OCI does (signature over the signed
 * headers, body hash, Date within 5 minutes); failures answer 401 NotAuthenticated and
 * the reason goes to --log.  Run with --help for every flag.
 */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <time.h>

#include "backoff.h"
#include "hash.h"
#include "ocisim.h"
#include "signer.h"
#include "timeutil.h"

#define MAX_KEYS 16
#define MAX_FAULTS 16
#define MAX_BODY (1024 * 1024)

struct fault {
	int status;
	unsigned every, burst;
	char retry_after[24]; /* seconds, "past", "huge", "" = none */
	char code[48];        /* OCI code; "" = the usual one for the status */
	int forge;            /* the message carries CR/LF and a forged log line */
	int echo_auth;        /* the message quotes the request's Authorization header, as a
	                       * careless gateway's error page does */
	unsigned long hits;
};

struct pending;

struct sim {
	struct event_base *base;
	struct evhttp *http;
	struct gen gen;
	struct {
		char fp[48];
		EVP_PKEY *pub;
	} keys[MAX_KEYS];
	int n_keys;
	struct pki *pki;
	struct fault faults[MAX_FAULTS];
	int n_faults;
	int64_t latency_ms;
	uint64_t max_window_records;
	int64_t page_token_ttl_ms;
	int64_t slow_query_ms;      /* --max-window-records: how long an over-large query runs */
	int omit_results;           /* pages without records leave "results" out */
	unsigned token_cycle;       /* page N's next-page token is page 1's again (0 = off) */
	size_t page_pad;            /* bytes of padding per record (in "summary") */
	struct buf page;            /* handle_search's page buffer, kept between requests:
	                             * a fresh 1.5 MB a page cost more in page faults than
	                             * writing the records did */
	uint64_t words;             /* counter behind the free-worded error messages */
	unsigned char token_secret[32];
	FILE *log;
	const char *summary_file;
	struct pending *pending;
	/* counters for the summary */
	unsigned long requests, search_requests, pages, records, auth_failures, injected,
	    imds_requests, federations, errors;
	/* most replies held back by --latency-ms at once: requests a client had in flight
	 * together (tests see several searches of one source overlap) */
	unsigned long n_pending, max_pending;
	uint64_t reqids;
};

/* A reply held back by --latency-ms. */
struct pending {
	struct sim *sim;
	struct evhttp_request *req;
	int status;
	struct evbuffer *body;
	struct event *ev;
	struct pending *next;
};

static void
slog(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
slog(struct sim *s, const char *fmt, ...)
{
	char ts[32];
	va_list ap;

	if (s->log == NULL)
		return;
	timeutil_format_rfc3339(timeutil_now_ms(), TIMEUTIL_MS, ts);
	fprintf(s->log, "%s ", ts);
	va_start(ap, fmt);
	vfprintf(s->log, fmt, ap);
	va_end(ap);
	fputc('\n', s->log);
	fflush(s->log);
}

static void
set_request_id(struct sim *s, struct evhttp_request *req)
{
	char id[120];
	uint64_t a = hash_mix64(++s->reqids), b = hash_mix64(a), c = hash_mix64(b);

	snprintf(id, sizeof(id), "%016llX%016llX/%016llX%016llX/%016llX%016llX",
	    (unsigned long long)a, (unsigned long long)(a ^ 0x5555), (unsigned long long)b,
	    (unsigned long long)(b ^ 0xaaaa), (unsigned long long)c, (unsigned long long)s->reqids);
	evhttp_add_header(evhttp_request_get_output_headers(req), "opc-request-id", id);
}

static void
pending_fire(evutil_socket_t fd, short what, void *arg)
{
	struct pending *p = arg, **pp;

	for (pp = &p->sim->pending; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	p->sim->n_pending--;
	evhttp_send_reply(p->req, p->status, NULL, p->body);
	evbuffer_free(p->body);
	event_free(p->ev);
	free(p);
}

/* Sends after delay_ms (0 = now).  Takes body. */
static void
reply_after(struct sim *s, struct evhttp_request *req, int status, struct evbuffer *body,
    int64_t delay_ms)
{
	struct pending *p;

	if (delay_ms <= 0 || (p = calloc(1, sizeof(*p))) == NULL) {
		evhttp_send_reply(req, status, NULL, body);
		evbuffer_free(body);
		return;
	}
	p->sim = s;
	p->req = req;
	p->status = status;
	p->body = body;
	p->ev = evtimer_new(s->base, pending_fire, p);
	if (p->ev == NULL) {
		free(p);
		evhttp_send_reply(req, status, NULL, body);
		evbuffer_free(body);
		return;
	}
	p->next = s->pending;
	s->pending = p;
	if (++s->n_pending > s->max_pending)
		s->max_pending = s->n_pending;
	timeutil_timer_add(p->ev, delay_ms);
}

/* Sends now, or after --latency-ms.  Takes body. */
static void
reply(struct sim *s, struct evhttp_request *req, int status, struct evbuffer *body)
{
	reply_after(s, req, status, body, s->latency_ms);
}

/*
 * A message in words no client can look for: OCI documents codes, not the wording of
 * its messages, so a client must decide by status and code alone.
 */
static const char *
free_words(struct sim *s, char *out, size_t n)
{
	static const char *const words[] = { "amber", "quill", "harbor", "lantern", "velvet",
		"orchid", "gravel", "meadow", "saffron", "tundra", "copper", "willow", "ember",
		"fjord", "marble", "nectar" };
	uint64_t x = hash_mix64(++s->words);
	size_t o = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < 5 && o + 12 < n; i++, x >>= 4)
		o += (size_t)snprintf(out + o, n - o, "%s%s", i ? " " : "", words[x & 15]);
	return out;
}

static void
send_error(struct sim *s, struct evhttp_request *req, int status, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
send_error(struct sim *s, struct evhttp_request *req, int status, const char *code,
    const char *fmt, ...)
{
	struct evbuffer *b = evbuffer_new();
	char msg[1024];
	json_t *v;
	char *text;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->errors++;
	v = json_pack("{ssss}", "code", code, "message", msg);
	text = v != NULL ? json_dumps(v, JSON_COMPACT) : NULL;
	if (b != NULL && text != NULL)
		evbuffer_add(b, text, strlen(text));
	free(text);
	json_decref(v);
	set_request_id(s, req);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	    "application/json");
	if (b == NULL) {
		evhttp_send_error(req, status, NULL);
		return;
	}
	reply(s, req, status, b);
}

static const char *
status_code_name(int status)
{
	switch (status) {
	case 301: return "MovedPermanently";
	case 302: return "Found";
	case 307: return "TemporaryRedirect";
	case 400: return "InvalidParameter";
	case 401: return "NotAuthenticated";
	case 404: return "NotAuthorizedOrNotFound";
	case 409: return "IncorrectState";
	case 429: return "TooManyRequests";
	case 500: return "InternalServerError";
	case 502: return "BadGateway";
	case 503: return "ServiceUnavailable";
	case 504: return "GatewayTimeout";
	default: return "Error";
	}
}

/* "Thu, 05 Jan 2014 21:31:40 GMT" -> epoch s; -1 when malformed. */
static int64_t
parse_imf_date(const char *v)
{
	int64_t ms;

	return v != NULL && backoff_http_date_ms(v, &ms) == 0 ? ms / 1000 : -1;
}

static int
has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word)) != NULL) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

/*
 * Checks what every signed request must satisfy and rebuilds the signing string from the
 * headers as received.  0 with *auth and *ss set (caller frees), or -1 with reason.
 */
static int
check_signed(struct evhttp_request *req, const char *body, size_t len, int need_host,
    struct signer_auth *auth, char **ss, char *reason, size_t rlen)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	const char *authz = evhttp_find_header(h, "Authorization");
	const char *method = evhttp_request_get_command(req) == EVHTTP_REQ_POST ? "post" :
	    evhttp_request_get_command(req) == EVHTTP_REQ_PUT ? "put" : "get";
	int body_method = strcmp(method, "get") != 0;
	static const char *const body_hdrs[] = { "content-length", "content-type",
		"x-content-sha256" };
	struct buf b;
	char *list = NULL, *tok, *save = NULL;
	const char *date;
	int64_t d, now;
	size_t i;

	*ss = NULL;
	memset(auth, 0, sizeof(*auth));
	if (authz == NULL) {
		snprintf(reason, rlen, "no Authorization header");
		return -1;
	}
	if (signer_parse_authorization(authz, auth) != 0 || auth->headers == NULL ||
	    auth->key_id == NULL || auth->signature == NULL) {
		snprintf(reason, rlen, "Authorization header is not a complete Signature header");
		goto fail;
	}
	if (auth->algorithm == NULL || strcmp(auth->algorithm, "rsa-sha256") != 0 ||
	    (auth->version != NULL && strcmp(auth->version, "1") != 0)) {
		snprintf(reason, rlen, "unsupported signature algorithm/version");
		goto fail;
	}
	if (!has_word(auth->headers, "(request-target)") ||
	    (!has_word(auth->headers, "date") && !has_word(auth->headers, "x-date")) ||
	    (need_host && !has_word(auth->headers, "host"))) {
		snprintf(reason, rlen, "signed headers \"%s\" lack (request-target), date or host",
		    auth->headers);
		goto fail;
	}
	for (i = 0; body_method && i < 3; i++) {
		if (!has_word(auth->headers, body_hdrs[i])) {
			snprintf(reason, rlen, "a %s must sign %s (signed: \"%s\")", method,
			    body_hdrs[i], auth->headers);
			goto fail;
		}
	}
	date = evhttp_find_header(h, has_word(auth->headers, "x-date") ? "x-date" : "date");
	d = parse_imf_date(date);
	now = (int64_t)time(NULL);
	if (d < 0) {
		snprintf(reason, rlen, "Date header missing or malformed");
		goto fail;
	}
	if (d > now + 300 || d < now - 300) {
		snprintf(reason, rlen, "Date header \"%s\" is %+lld s from the server clock "
		    "(more than 5 minutes: clock skew)", date, (long long)(d - now));
		goto fail;
	}
	if (body_method) {
		char sha[48];
		const char *cl = evhttp_find_header(h, "content-length");
		const char *xs = evhttp_find_header(h, "x-content-sha256");

		signer_body_sha256(body, len, sha);
		if (xs == NULL || strcmp(xs, sha) != 0) {
			snprintf(reason, rlen, "x-content-sha256 does not match the body");
			goto fail;
		}
		if (cl == NULL || strtoull(cl, NULL, 10) != len) {
			snprintf(reason, rlen, "content-length does not match the body");
			goto fail;
		}
	}
	buf_init(&b, 256 * 1024);
	list = strdup(auth->headers);
	if (list == NULL)
		goto fail;
	for (tok = strtok_r(list, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save)) {
		if (b.len > 0)
			buf_append_char(&b, '\n');
		if (strcmp(tok, "(request-target)") == 0) {
			buf_printf(&b, "(request-target): %s %s", method, evhttp_request_get_uri(req));
		} else {
			const char *v = evhttp_find_header(h, tok);
			if (v == NULL) {
				snprintf(reason, rlen, "signed header %s is not in the request", tok);
				buf_cleanup(&b);
				goto fail;
			}
			buf_printf(&b, "%s: %s", tok, v);
		}
	}
	free(list);
	*ss = buf_steal(&b, NULL);
	if (*ss == NULL) {
		snprintf(reason, rlen, "out of memory");
		signer_auth_cleanup(auth);
		return -1;
	}
	return 0;
fail:
	free(list);
	signer_auth_cleanup(auth);
	return -1;
}

/* Authenticates a service request: 0, or -1 with reason. */
static int
authenticate(struct sim *s, struct evhttp_request *req, const char *body, size_t len,
    char *reason, size_t rlen)
{
	struct signer_auth a;
	char *ss = NULL;
	EVP_PKEY *key = NULL;
	int rc = -1, i;

	if (check_signed(req, body, len, 1, &a, &ss, reason, rlen) != 0)
		return -1;
	if (strncmp(a.key_id, "ST$", 3) == 0) {
		key = pki_token_key(s->pki, a.key_id + 3, (int64_t)time(NULL), reason, rlen);
		if (key == NULL)
			goto done;
		if (!signer_verify_raw(key, ss, strlen(ss), a.signature)) {
			snprintf(reason, rlen, "signature does not verify with the session key bound "
			    "to the security token");
			goto done;
		}
		rc = 0;
		goto done;
	} else {
		const char *fp = strrchr(a.key_id, '/');
		int slashes = 0;
		const char *c;

		for (c = a.key_id; *c != '\0'; c++)
			slashes += *c == '/';
		if (fp == NULL || slashes != 2) {
			snprintf(reason, rlen, "keyId \"%.200s\" is not <tenancy>/<user>/<fingerprint>",
			    a.key_id);
			goto done;
		}
		fp++;
		for (i = 0; i < s->n_keys; i++)
			if (strcmp(s->keys[i].fp, fp) == 0)
				key = s->keys[i].pub;
		if (key == NULL) {
			snprintf(reason, rlen, "no API key with fingerprint %.60s is known for this "
			    "user (wrong fingerprint in keyId?)", fp);
			goto done;
		}
		if (!signer_verify_raw(key, ss, strlen(ss), a.signature)) {
			snprintf(reason, rlen, "signature does not verify with the public key of "
			    "fingerprint %s (signed with a different private key?)", fp);
			goto done;
		}
		rc = 0;
	}
done:
	free(ss);
	signer_auth_cleanup(&a);
	return rc;
}

/* --- page tokens: stateless, HMAC'd, with an expiry --- */

static void
body_tag(const char *start, const char *end, const char *query, char out[17])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int i;

	memset(md, 0, sizeof(md));
	if (c != NULL && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1) {
		EVP_DigestUpdate(c, start, strlen(start) + 1);
		EVP_DigestUpdate(c, end, strlen(end) + 1);
		EVP_DigestUpdate(c, query, strlen(query));
		EVP_DigestFinal_ex(c, md, &mdlen);
	}
	EVP_MD_CTX_free(c);
	for (i = 0; i < 8; i++)
		snprintf(out + i * 2, 3, "%02x", md[i]);
}

static void
token_mac(struct sim *s, const char *payload, char out[25])
{
	unsigned char mac[32];
	unsigned int n = 0;
	int i;

	HMAC(EVP_sha256(), s->token_secret, 32, (const unsigned char *)payload, strlen(payload),
	    mac, &n);
	for (i = 0; i < 12; i++)
		snprintf(out + i * 2, 3, "%02x", mac[i]);
}

/* pos: the next record; pageno: the page the token asks for (1 = second page); first:
 * page 1's position (what --token-cycle points back to). */
static void
make_token(struct sim *s, uint64_t pos, const char *tag, unsigned pageno, uint64_t first,
    char *out, size_t n)
{
	char payload[160], mac[25];
	int64_t exp = s->page_token_ttl_ms > 0 ? timeutil_now_ms() + s->page_token_ttl_ms : 0;

	snprintf(payload, sizeof(payload), "%llu-%lld-%s-%u-%llu", (unsigned long long)pos,
	    (long long)exp, tag, pageno, (unsigned long long)first);
	token_mac(s, payload, mac);
	snprintf(out, n, "%s-%s", payload, mac);
}

/* 0 with *pos, *pageno, *first; 1 expired, -1 invalid. */
static int
check_token(struct sim *s, const char *tok, const char *tag, uint64_t *pos,
    unsigned *pageno, uint64_t *first)
{
	char payload[160], mac[25], *dash;
	unsigned long long p, f;
	long long exp;
	unsigned pn;
	char t[17];

	if (strlen(tok) >= sizeof(payload))
		return -1;
	snprintf(payload, sizeof(payload), "%s", tok);
	dash = strrchr(payload, '-');
	if (dash == NULL)
		return -1;
	*dash = '\0';
	token_mac(s, payload, mac);
	if (strcmp(mac, dash + 1) != 0)
		return -1;
	if (sscanf(payload, "%llu-%lld-%16[0-9a-f]-%u-%llu", &p, &exp, t, &pn, &f) != 5 ||
	    strcmp(t, tag) != 0)
		return -1;
	if (exp != 0 && timeutil_now_ms() > exp)
		return 1;
	*pos = p;
	*pageno = pn;
	*first = f;
	return 0;
}

static unsigned
query_kinds(const char *q)
{
	int audit = strstr(q, "/_Audit\"") != NULL;
	int logs = strstr(q, "ocid1.loggroup.") != NULL || strstr(q, "ocid1.log.") != NULL;

	if (audit && !logs)
		return GEN_AUDIT;
	if (logs && !audit)
		return GEN_FLOW;
	return GEN_ALL;
}

static int
inject_fault(struct sim *s, struct evhttp_request *req)
{
	int i;

	for (i = 0; i < s->n_faults; i++) {
		struct fault *f = &s->faults[i];
		unsigned long n = s->search_requests;

		if (n < f->every || (n - f->every) % f->every >= f->burst)
			continue;
		f->hits++;
		s->injected++;
		if (f->retry_after[0] != '\0') {
			char ra[40];
			if (strcmp(f->retry_after, "past") == 0)
				snprintf(ra, sizeof(ra), "Sun, 06 Nov 1994 08:49:37 GMT");
			else if (strcmp(f->retry_after, "huge") == 0)
				snprintf(ra, sizeof(ra), "999999999");
			else
				snprintf(ra, sizeof(ra), "%s", f->retry_after);
			evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", ra);
		}
		if (f->status >= 300 && f->status < 400)
			evhttp_add_header(evhttp_request_get_output_headers(req), "Location",
			    "http://127.0.0.1:9/elsewhere");
		slog(s, "fault: request %lu answered %d", n, f->status);
		{
			char w[100];
			const char *auth = f->echo_auth ? evhttp_find_header(
			    evhttp_request_get_input_headers(req), "Authorization") : NULL;
			send_error(s, req, f->status, f->code[0] != '\0' ? f->code :
			    status_code_name(f->status), "%s%s%s%s", auth != NULL ?
			    "request had Authorization: " : "", auth != NULL ? auth : "",
			    free_words(s, w, sizeof(w)),
			    f->forge ? "\r\nnotice: finished: everything delivered\n" : "");
		}
		return 1;
	}
	return 0;
}

static void
handle_search(struct sim *s, struct evhttp_request *req, const char *body, size_t len)
{
	struct evkeyvalq q;
	const char *uri = evhttp_request_get_uri(req), *qs, *lim, *page;
	char reason[512], tag[17], next[200], ts[32], te[32];
	json_t *v = NULL;
	const char *start_s, *end_s, *query;
	int64_t start, end, now;
	uint64_t kmin, kmax, pos, k, first = 0;
	unsigned kinds, n = 0, pageno = 0;
	char w[100];
	long limit = 100;
	struct buf out = s->page; /* borrowed until done: */
	struct evbuffer *eb;

	s->search_requests++;
	TAILQ_INIT(&q);
	buf_reset(&out);
	if (authenticate(s, req, body, len, reason, sizeof(reason)) != 0) {
		s->auth_failures++;
		slog(s, "401 for %s: %s", uri, reason);
		send_error(s, req, 401, "NotAuthenticated", "The required information to complete "
		    "authentication was not provided or was incorrect. (ocisim: %s)", reason);
		goto done;
	}
	if (inject_fault(s, req))
		goto done;
	qs = strchr(uri, '?');
	if (qs != NULL && evhttp_parse_query_str(qs + 1, &q) != 0) {
		send_error(s, req, 400, "InvalidParameter", "Malformed query string");
		goto done;
	}
	lim = evhttp_find_header(&q, "limit");
	page = evhttp_find_header(&q, "page");
	if (lim != NULL) {
		char *e;
		limit = strtol(lim, &e, 10);
		if (*e != '\0' || limit < 1 || limit > 1000) {
			send_error(s, req, 400, "InvalidParameter",
			    "limit must be an integer between 1 and 1000");
			goto done;
		}
	}
	v = json_loadb(body, len, 0, NULL);
	start_s = json_string_value(json_object_get(v, "timeStart"));
	end_s = json_string_value(json_object_get(v, "timeEnd"));
	query = json_string_value(json_object_get(v, "searchQuery"));
	if (v == NULL || !json_is_object(v)) {
		send_error(s, req, 400, "CannotParseRequest", "The request body is not valid JSON");
		goto done;
	}
	if (start_s == NULL || end_s == NULL || query == NULL) {
		send_error(s, req, 400, "MissingParameter",
		    "timeStart, timeEnd and searchQuery are required");
		goto done;
	}
	if (parse_time(start_s, &start) != 0 || parse_time(end_s, &end) != 0 || end <= start) {
		send_error(s, req, 400, "InvalidParameter",
		    "timeStart and timeEnd must be RFC 3339 times with timeStart < timeEnd");
		goto done;
	}
	if (strncmp(query, "search", 6) != 0) {
		send_error(s, req, 400, "InvalidParameter", "Invalid search query: %.200s", query);
		goto done;
	}
	if (end - start > 14LL * 86400 * 1000) {
		/* OCI refuses a time range over 14 days */
		slog(s, "400: span of %lld s is over 14 days", (long long)((end - start) / 1000));
		send_error(s, req, 400, "InvalidParameter", "%s", free_words(s, w, sizeof(w)));
		goto done;
	}
	kinds = query_kinds(query);
	gen_range(&s->gen, start, end, &kmin, &kmax);
	if (s->max_window_records > 0 && kmax - kmin > s->max_window_records) {
		/* What OCI does with an over-large query is not documented; what a client can
		 * see is that it takes long: answer (500, free words) after --slow-query-ms. */
		struct evbuffer *sb = evbuffer_new();
		slog(s, "slow query: window [%s, %s) holds %llu records (> %llu): answering in "
		    "%lld ms", start_s, end_s, (unsigned long long)(kmax - kmin),
		    (unsigned long long)s->max_window_records, (long long)s->slow_query_ms);
		s->errors++;
		if (sb != NULL)
			evbuffer_add_printf(sb, "{\"code\":\"InternalServerError\",\"message\":"
			    "\"%s\"}", free_words(s, w, sizeof(w)));
		set_request_id(s, req);
		if (sb == NULL)
			evhttp_send_error(req, 500, NULL);
		else
			reply_after(s, req, 500, sb, s->slow_query_ms);
		goto done;
	}
	body_tag(start_s, end_s, query, tag);
	pos = kmin;
	if (page != NULL) {
		int r = check_token(s, page, tag, &pos, &pageno, &first);
		if (r == 1) {
			slog(s, "400: page token expired");
			send_error(s, req, 400, "InvalidParameter", "%s", free_words(s, w, sizeof(w)));
			goto done;
		}
		if (r != 0 || pos < kmin || pos > kmax) {
			slog(s, "400: bad page token");
			send_error(s, req, 400, "InvalidParameter", "%s", free_words(s, w, sizeof(w)));
			goto done;
		}
	}
	now = timeutil_now_ms();
	if (buf_append_str(&out, "{\"results\":[") != 0)
		goto oom;
	for (k = pos; k < kmax && n < (unsigned)limit; k++) {
		size_t before = out.len;
		int r;

		if (n > 0 && buf_append_str(&out, ",") != 0)
			goto oom;
		if (buf_append_str(&out, "{\"data\":") != 0)
			goto oom;
		r = gen_record(&s->gen, k, kinds, now, &out);
		if (r < 0)
			goto oom;
		if (r == 0) {
			out.len = before; /* skipped: undo the separator */
			out.data[out.len] = '\0';
			continue;
		}
		if (buf_append_char(&out, '}') != 0)
			goto oom;
		n++;
	}
	if (n == 0 && s->omit_results) {
		/* only summary is mandatory (Go SDK): an empty page may come without results */
		buf_reset(&out);
		if (buf_append_str(&out, "{\"summary\":{\"resultCount\":0,\"fieldCount\":0") != 0)
			goto oom;
	} else if (buf_printf(&out, "],\"summary\":{\"resultCount\":%u,\"fieldCount\":0", n) != 0) {
		goto oom;
	}
	if (s->page_pad > 0 && n > 0) {
		/* --page-pad: a large page whose records are unchanged */
		size_t i, total = s->page_pad * n;
		if (buf_append_str(&out, ",\"pad\":\"") != 0)
			goto oom;
		for (i = 0; i < total; i++)
			if (buf_append_char(&out, 'p') != 0)
				goto oom;
		if (buf_append_char(&out, '"') != 0)
			goto oom;
	}
	if (buf_append_str(&out, "}}") != 0)
		goto oom;
	if (k < kmax) {
		if (pageno == 0)
			first = k;
		if (s->token_cycle > 0 && pageno + 1 > s->token_cycle) /* back to page 1's token */
			make_token(s, first, tag, 1, first, next, sizeof(next));
		else
			make_token(s, k, tag, pageno + 1, first, next, sizeof(next));
		evhttp_add_header(evhttp_request_get_output_headers(req), "opc-next-page", next);
	}
	s->pages++;
	s->records += n;
	timeutil_format_rfc3339(start, TIMEUTIL_MS, ts);
	timeutil_format_rfc3339(end, TIMEUTIL_MS, te);
	if (s->log != NULL && s->pages % 100 == 1)
		slog(s, "page %lu: [%s, %s) pos %llu: %u records%s", s->pages, ts, te,
		    (unsigned long long)pos, n, k < kmax ? " (more)" : "");
	eb = evbuffer_new();
	if (eb == NULL || evbuffer_add(eb, out.data, out.len) != 0) {
		if (eb != NULL)
			evbuffer_free(eb);
		goto oom;
	}
	set_request_id(s, req);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	    "application/json");
	reply(s, req, 200, eb);
	goto done;
oom:
	send_error(s, req, 500, "InternalServerError", "out of memory");
done:
	json_decref(v);
	evhttp_clear_headers(&q);
	s->page = out;
}

static void
handle_imds(struct sim *s, struct evhttp_request *req, const char *path)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	const char *a = evhttp_find_header(h, "Authorization");
	const char *ctype;
	struct evbuffer *eb;
	struct buf out;

	s->imds_requests++;
	if (a == NULL || strcmp(a, "Bearer Oracle") != 0) {
		slog(s, "IMDS 401: %s without \"Authorization: Bearer Oracle\"", path);
		send_error(s, req, 401, "NotAuthenticated", "IMDS v2 needs the header "
		    "Authorization: Bearer Oracle");
		return;
	}
	buf_init(&out, 0);
	if (pki_imds(s->pki, path, &out, &ctype) != 0) {
		buf_cleanup(&out);
		send_error(s, req, 404, "NotFound", "No such metadata path");
		return;
	}
	eb = evbuffer_new();
	if (eb != NULL)
		evbuffer_add(eb, out.data, out.len);
	buf_cleanup(&out);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", ctype);
	if (eb == NULL) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	reply(s, req, 200, eb);
}

static void
handle_federation(struct sim *s, struct evhttp_request *req, const char *body, size_t len)
{
	struct signer_auth a;
	char reason[512] = "", *ss = NULL;
	struct buf out;
	struct evbuffer *eb;
	int status;

	s->federations++;
	if (check_signed(req, body, len, 0, &a, &ss, reason, sizeof(reason)) != 0) {
		s->auth_failures++;
		slog(s, "federation 401: %s", reason);
		send_error(s, req, 401, "NotAuthenticated", "Federation request not authenticated "
		    "(ocisim: %s)", reason);
		return;
	}
	buf_init(&out, 0);
	status = pki_federate(s->pki, a.key_id, ss, a.signature, body, len, &out, reason,
	    sizeof(reason));
	free(ss);
	signer_auth_cleanup(&a);
	if (status != 200) {
		if (status == 401)
			s->auth_failures++;
		slog(s, "federation %d: %s", status, reason);
		buf_cleanup(&out);
		send_error(s, req, status, status_code_name(status), "Federation refused (ocisim: "
		    "%s)", reason);
		return;
	}
	/* The Host tells which region's auth endpoint the client chose (tests). */
	slog(s, "federation: issued token %u (Host %.200s)", pki_tokens_issued(s->pki),
	    evhttp_find_header(evhttp_request_get_input_headers(req), "Host") ?
	    evhttp_find_header(evhttp_request_get_input_headers(req), "Host") : "-");
	eb = evbuffer_new();
	if (eb != NULL)
		evbuffer_add(eb, out.data, out.len);
	buf_cleanup(&out);
	set_request_id(s, req);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	    "application/json");
	if (eb == NULL) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	reply(s, req, 200, eb);
}

static void
on_request(struct evhttp_request *req, void *arg)
{
	struct sim *s = arg;
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	const char *uri = evhttp_request_get_uri(req);
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	char path[512];
	size_t len = evbuffer_get_length(in), plen;
	char *body;

	s->requests++;
	{
		/* Large pages otherwise stall ~40 ms each on Nagle vs the client's delayed ACK. */
		struct bufferevent *bev = evhttp_connection_get_bufferevent(
		    evhttp_request_get_connection(req));
		int one = 1;
		if (bev != NULL)
			setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	plen = strcspn(uri, "?");
	if (plen >= sizeof(path)) {
		evhttp_send_error(req, 414, NULL);
		return;
	}
	memcpy(path, uri, plen);
	path[plen] = '\0';
	body = malloc(len + 1);
	if (body == NULL) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	evbuffer_copyout(in, body, len);
	body[len] = '\0';
	if (strcmp(path, "/20190909/search") == 0) {
		if (cmd != EVHTTP_REQ_POST)
			send_error(s, req, 405, "MethodNotAllowed", "Use POST");
		else
			handle_search(s, req, body, len);
	} else if (s->pki != NULL && strncmp(path, "/opc/v2/", 8) == 0 && cmd == EVHTTP_REQ_GET) {
		handle_imds(s, req, path + 7);
	} else if (s->pki != NULL && strcmp(path, "/v1/x509") == 0 && cmd == EVHTTP_REQ_POST) {
		handle_federation(s, req, body, len);
	} else {
		send_error(s, req, 404, "NotFound", "No such path: %.200s", path);
	}
	free(body);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct sim *s = arg;

	slog(s, "signal %d: exiting", (int)sig);
	event_base_loopexit(s->base, NULL);
}

static void
summary(struct sim *s)
{
	FILE *f;

	fprintf(stderr, "ocisim: requests=%lu search_requests=%lu pages=%lu records=%lu "
	    "auth_failures=%lu faults_injected=%lu imds_requests=%lu federations=%lu "
	    "tokens_issued=%u errors=%lu\n", s->requests, s->search_requests, s->pages,
	    s->records, s->auth_failures, s->injected, s->imds_requests, s->federations,
	    pki_tokens_issued(s->pki), s->errors);
	if (s->summary_file == NULL)
		return;
	f = fopen(s->summary_file, "w");
	if (f == NULL)
		return;
	fprintf(f, "{\"requests\":%lu,\"search_requests\":%lu,\"pages\":%lu,\"records\":%lu,"
	    "\"auth_failures\":%lu,\"faults_injected\":%lu,\"imds_requests\":%lu,"
	    "\"federations\":%lu,\"tokens_issued\":%u,\"errors\":%lu,"
	    "\"max_concurrent\":%lu}\n", s->requests,
	    s->search_requests, s->pages, s->records, s->auth_failures, s->injected,
	    s->imds_requests, s->federations, pki_tokens_issued(s->pki), s->errors,
	    s->max_pending);
	fclose(f);
}

static int
parse_duration_ms(const char *v, int64_t *ms)
{
	char *e;
	double d = strtod(v, &e);

	if (e == v || d < 0)
		return -1;
	if (*e == '\0' || strcmp(e, "s") == 0)
		*ms = (int64_t)(d * 1000);
	else if (strcmp(e, "ms") == 0)
		*ms = (int64_t)d;
	else if (strcmp(e, "m") == 0)
		*ms = (int64_t)(d * 60000);
	else if (strcmp(e, "h") == 0)
		*ms = (int64_t)(d * 3600000);
	else
		return -1;
	return 0;
}

static int
parse_fault(struct sim *s, const char *spec)
{
	char tmp[128], *tok, *save = NULL;
	struct fault f;

	memset(&f, 0, sizeof(f));
	f.every = f.burst = 1;

	if (s->n_faults >= MAX_FAULTS || strlen(spec) >= sizeof(tmp))
		return -1;
	snprintf(tmp, sizeof(tmp), "%s", spec);
	tok = strtok_r(tmp, ":", &save);
	if (tok == NULL)
		return -1;
	f.status = atoi(tok);
	if (f.status < 300 || f.status > 599)
		return -1;
	while ((tok = strtok_r(NULL, ":", &save)) != NULL) {
		if (strncmp(tok, "every=", 6) == 0)
			f.every = (unsigned)strtoul(tok + 6, NULL, 10);
		else if (strncmp(tok, "burst=", 6) == 0)
			f.burst = (unsigned)strtoul(tok + 6, NULL, 10);
		else if (strncmp(tok, "retry-after=", 12) == 0 &&
		    strlen(tok + 12) < sizeof(f.retry_after))
			snprintf(f.retry_after, sizeof(f.retry_after), "%s", tok + 12);
		else if (strcmp(tok, "forge") == 0)
			f.forge = 1;
		else if (strcmp(tok, "echo-auth") == 0)
			f.echo_auth = 1;
		else if (strncmp(tok, "code=", 5) == 0 && strlen(tok + 5) < sizeof(f.code))
			snprintf(f.code, sizeof(f.code), "%s", tok + 5);
		else
			return -1;
	}
	if (f.every == 0 || f.burst == 0 || f.burst > f.every)
		return -1;
	s->faults[s->n_faults++] = f;
	return 0;
}

static int
parse_ingest(struct sim *s, const char *spec)
{
	char tmp[128], *tok, *save = NULL;

	if (strlen(spec) >= sizeof(tmp))
		return -1;
	snprintf(tmp, sizeof(tmp), "%s", spec);
	for (tok = strtok_r(tmp, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (strncmp(tok, "audit=", 6) == 0) {
			if (parse_duration_ms(tok + 6, &s->gen.audit_delay_ms) != 0)
				return -1;
		} else if (strncmp(tok, "flow=", 5) == 0) {
			if (parse_duration_ms(tok + 5, &s->gen.flow_delay_ms) != 0)
				return -1;
		} else {
			return -1;
		}
	}
	return 0;
}

static int
parse_rate(struct sim *s, const char *v)
{
	char *e;
	unsigned long long num = strtoull(v, &e, 10), den = 1;

	if (*e == '/')
		den = strtoull(e + 1, &e, 10);
	if (*e != '\0' || num == 0 || den == 0 || num > 1000000 || den > 1000000)
		return -1;
	s->gen.rate_num = num;
	s->gen.rate_den = den;
	return 0;
}

static int
add_key(struct sim *s, const char *path)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k;

	if (f == NULL || s->n_keys >= MAX_KEYS) {
		if (f != NULL)
			fclose(f);
		return -1;
	}
	k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (k == NULL || signer_key_fingerprint(k, s->keys[s->n_keys].fp) != 0) {
		EVP_PKEY_free(k);
		return -1;
	}
	s->keys[s->n_keys++].pub = k;
	return 0;
}

static void
usage(FILE *f)
{
	fputs("usage: ocisim [options]\n"
	    "  --listen HOST:PORT        listen address (port 0 = ephemeral; default 127.0.0.1:0)\n"
	    "  --port-file FILE          write the bound port there\n"
	    "  --public-key PEM          accept API-key signatures by this key (repeatable; matched\n"
	    "                            by the fingerprint in keyId)\n"
	    "  --seed N                  generator seed (default 1)\n"
	    "  --rate N[/D]              records per second of log time (default 10; 50000/3600 ok)\n"
	    "  --flow-share F            share of flow-log records, 0..1 (default 0.7)\n"
	    "  --records-file NDJSON     serve these records instead of generating\n"
	    "  --tenancy OCID            tenancy in records and the instance certificate\n"
	    "  --fault STATUS[:every=N][:burst=B][:retry-after=S][:code=C]   e.g.\n"
	    "                            429:every=7:retry-after=1, 503:burst=3:every=50,\n"
	    "                            409:code=LockConflict, 302 (3xx..5xx; S = seconds, past\n"
	    "                            or huge; :forge = CR/LF and a forged log line in the\n"
	    "                            message; :echo-auth = the message quotes the request's\n"
	    "                            Authorization header; counts search requests;\n"
	    "                            repeatable)\n"
	    "  --latency-ms N            delay every response\n"
	    "  --max-window-records N    a window holding more is a slow query: answered (500)\n"
	    "                            only after --slow-query-ms (default 30000)\n"
	    "  --omit-results            empty pages carry only summary (no \"results\")\n"
	    "  --token-cycle N           page N's opc-next-page is page 1's token again\n"
	    "  --page-pad BYTES          BYTES of padding per record on a page (in summary)\n"
	    "  --page-token-ttl-ms N     page tokens expire (400 InvalidParameter)\n"
	    "  --ingest-delay audit=600s,flow=90s   records become searchable at time + delay\n"
	    "  --imds                    serve /opc/v2/... (IMDS) and /v1/x509 (federation)\n"
	    "  --region R                IMDS region (default us-ashburn-1)\n"
	    "  --token-ttl-s N           security token lifetime (default 1200)\n"
	    "  --summary-file FILE       JSON counters at exit (also a line on stderr)\n"
	    "  --log FILE                reasons for 401s, faults, pages\n"
	    "  --dump --from T --to T [--query Q] [--now T]   print the NDJSON a search returns\n", f);
}

int
main(int argc, char **argv)
{
	struct sim s;
	const char *listen = "127.0.0.1:0", *port_file = NULL, *records_file = NULL;
	const char *from = NULL, *to = NULL, *dump_query = "search \"x\"", *now_s = NULL;
	const char *region = "us-ashburn-1", *log_path = NULL;
	int64_t token_ttl = 1200, from_ms, to_ms, dump_now;
	int dump = 0, imds = 0, i, rc = 1;
	struct evhttp_bound_socket *bound;
	struct event *sig_term = NULL, *sig_int = NULL;
	char host[256], *colon, err[256] = "";
	struct pending *p;

	memset(&s, 0, sizeof(s));
	s.gen.seed = 1;
	s.gen.rate_num = 10;
	s.gen.rate_den = 1;
	s.gen.flow_share = 0.7;
	s.gen.audit_delay_ms = -1;
	s.gen.flow_delay_ms = -1;
	s.slow_query_ms = 30000;
	buf_init(&s.page, 0);
	s.gen.tenancy = "ocid1.tenancy.oc1..aaaaaaaa5x3rbq4n2cwzf7ky6mhd2tj4vgl7qo3ep5sxa6zub2kqnyw3ia";
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int used = 1;

		if (strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "--dump") == 0) {
			dump = 1;
			used = 0;
		} else if (strcmp(a, "--imds") == 0) {
			imds = 1;
			used = 0;
		} else if (strcmp(a, "--omit-results") == 0) {
			s.omit_results = 1;
			used = 0;
		} else if (v == NULL) {
			fprintf(stderr, "ocisim: %s needs a value (or unknown option)\n", a);
			return 64;
		} else if (strcmp(a, "--listen") == 0) {
			listen = v;
		} else if (strcmp(a, "--port-file") == 0) {
			port_file = v;
		} else if (strcmp(a, "--public-key") == 0) {
			if (add_key(&s, v) != 0) {
				fprintf(stderr, "ocisim: cannot load public key %s\n", v);
				return 64;
			}
		} else if (strcmp(a, "--seed") == 0) {
			s.gen.seed = strtoull(v, NULL, 10);
		} else if (strcmp(a, "--rate") == 0) {
			if (parse_rate(&s, v) != 0)
				goto bad;
		} else if (strcmp(a, "--flow-share") == 0) {
			s.gen.flow_share = strtod(v, NULL);
			if (s.gen.flow_share < 0 || s.gen.flow_share > 1)
				goto bad;
		} else if (strcmp(a, "--records-file") == 0) {
			records_file = v;
		} else if (strcmp(a, "--tenancy") == 0) {
			s.gen.tenancy = v;
		} else if (strcmp(a, "--fault") == 0) {
			if (parse_fault(&s, v) != 0)
				goto bad;
		} else if (strcmp(a, "--latency-ms") == 0) {
			s.latency_ms = strtoll(v, NULL, 10);
		} else if (strcmp(a, "--max-window-records") == 0) {
			s.max_window_records = strtoull(v, NULL, 10);
		} else if (strcmp(a, "--slow-query-ms") == 0) {
			s.slow_query_ms = strtoll(v, NULL, 10);
		} else if (strcmp(a, "--token-cycle") == 0) {
			s.token_cycle = (unsigned)strtoul(v, NULL, 10);
		} else if (strcmp(a, "--page-pad") == 0) {
			s.page_pad = (size_t)strtoull(v, NULL, 10);
		} else if (strcmp(a, "--page-token-ttl-ms") == 0) {
			s.page_token_ttl_ms = strtoll(v, NULL, 10);
		} else if (strcmp(a, "--ingest-delay") == 0) {
			if (parse_ingest(&s, v) != 0)
				goto bad;
		} else if (strcmp(a, "--region") == 0) {
			region = v;
		} else if (strcmp(a, "--token-ttl-s") == 0) {
			token_ttl = strtoll(v, NULL, 10);
		} else if (strcmp(a, "--summary-file") == 0) {
			s.summary_file = v;
		} else if (strcmp(a, "--log") == 0) {
			log_path = v;
		} else if (strcmp(a, "--from") == 0) {
			from = v;
		} else if (strcmp(a, "--to") == 0) {
			to = v;
		} else if (strcmp(a, "--query") == 0) {
			dump_query = v;
		} else if (strcmp(a, "--now") == 0) {
			now_s = v;
		} else {
			fprintf(stderr, "ocisim: unknown option %s\n", a);
			usage(stderr);
			return 64;
		}
		i += used;
		continue;
bad:
		fprintf(stderr, "ocisim: bad value for %s: %s\n", a, v);
		return 64;
	}
	if (records_file != NULL && gen_load_file(&s.gen, records_file, err, sizeof(err)) != 0) {
		fprintf(stderr, "ocisim: %s\n", err);
		return 66;
	}
	if (dump) {
		struct buf b;
		uint64_t k, kmin, kmax;
		unsigned kinds = query_kinds(dump_query);

		if (parse_time(from, &from_ms) != 0 || parse_time(to, &to_ms) != 0) {
			fprintf(stderr, "ocisim: --dump needs --from and --to (RFC 3339 or epoch ms)\n");
			return 64;
		}
		dump_now = timeutil_now_ms();
		if (now_s != NULL && parse_time(now_s, &dump_now) != 0)
			return 64;
		gen_range(&s.gen, from_ms, to_ms, &kmin, &kmax);
		buf_init(&b, 0);
		for (k = kmin; k < kmax; k++) {
			buf_reset(&b);
			if (gen_record(&s.gen, k, kinds, dump_now, &b) > 0) {
				fwrite(b.data, 1, b.len, stdout);
				fputc('\n', stdout);
			}
		}
		buf_cleanup(&b);
		gen_free_file(&s.gen);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (log_path != NULL) {
		s.log = fopen(log_path, "a");
		if (s.log == NULL) {
			fprintf(stderr, "ocisim: cannot open %s: %s\n", log_path, strerror(errno));
			return 73;
		}
	}
	if (RAND_bytes(s.token_secret, sizeof(s.token_secret)) != 1)
		return 1;
	if (imds) {
		s.pki = pki_new(s.gen.tenancy, region, token_ttl);
		if (s.pki == NULL) {
			fprintf(stderr, "ocisim: cannot create the instance certificates\n");
			return 1;
		}
	}
	snprintf(host, sizeof(host), "%s", listen);
	colon = strrchr(host, ':');
	if (colon == NULL) {
		fprintf(stderr, "ocisim: --listen needs HOST:PORT\n");
		return 64;
	}
	*colon = '\0';
	signal(SIGPIPE, SIG_IGN);
	s.base = event_base_new();
	s.http = s.base != NULL ? evhttp_new(s.base) : NULL;
	if (s.http == NULL)
		goto out;
	evhttp_set_max_body_size(s.http, MAX_BODY);
	evhttp_set_allowed_methods(s.http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT);
	evhttp_set_gencb(s.http, on_request, &s);
	bound = evhttp_bind_socket_with_handle(s.http, host, (ev_uint16_t)atoi(colon + 1));
	if (bound == NULL) {
		fprintf(stderr, "ocisim: cannot listen on %s\n", listen);
		goto out;
	}
	{
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int port = 0;

		if (getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&ss, &sl) == 0)
			port = ntohs(ss.ss_family == AF_INET6 ?
			    ((struct sockaddr_in6 *)&ss)->sin6_port : ((struct sockaddr_in *)&ss)->sin_port);
		fprintf(stderr, "ocisim: listening on %s:%d%s\n", host, port,
		    imds ? " (with IMDS and federation)" : "");
		if (port_file != NULL) {
			char tmp[1024];
			FILE *f;
			snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
			f = fopen(tmp, "w");
			if (f == NULL || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0 ||
			    rename(tmp, port_file) != 0) {
				fprintf(stderr, "ocisim: cannot write %s\n", port_file);
				goto out;
			}
		}
	}
	slog(&s, "listening on %s", listen);
	sig_term = evsignal_new(s.base, SIGTERM, on_signal, &s);
	sig_int = evsignal_new(s.base, SIGINT, on_signal, &s);
	if (sig_term == NULL || sig_int == NULL || evsignal_add(sig_term, NULL) != 0 ||
	    evsignal_add(sig_int, NULL) != 0)
		goto out;
	event_base_dispatch(s.base);
	summary(&s);
	rc = 0;
out:
	while ((p = s.pending) != NULL) {
		s.pending = p->next;
		evbuffer_free(p->body);
		event_free(p->ev);
		free(p);
	}
	if (sig_term != NULL)
		event_free(sig_term);
	if (sig_int != NULL)
		event_free(sig_int);
	if (s.http != NULL)
		evhttp_free(s.http);
	if (s.base != NULL)
		event_base_free(s.base);
	for (i = 0; i < s.n_keys; i++)
		EVP_PKEY_free(s.keys[i].pub);
	pki_free(s.pki);
	gen_free_file(&s.gen);
	buf_cleanup(&s.page);
	if (s.log != NULL)
		fclose(s.log);
	return rc;
}
