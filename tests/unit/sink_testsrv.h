/*
 * sink_testsrv.h — shared by tests/unit/test_sink_*.c (included, static only): a real
 * HTTP server (evhttp) on 127.0.0.1 in the test's own event loop that records every
 * request (URI, headers, body gunzipped) and answers from a script; a conf_sink with the
 * configuration defaults; helpers to submit events and run the loop until acknowledged.
 */
#ifndef SINK_TESTSRV_H
#define SINK_TESTSRV_H

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ack.h"
#include "buf.h"
#include "gzip.h"
#include "http.h"
#include "sink.h"
#include "timeutil.h"

#define TS_MAX_REQ 4096
#define TS_MAX_SCRIPT 64

struct ts_req {
	char *uri;
	char *headers; /* "Name: value\n" lines as received */
	char *body;    /* decompressed when Content-Encoding: gzip */
	size_t body_len;
	size_t wire_len;
	int gzipped;
};

struct ts;
typedef void (*ts_answer_fn)(struct ts *t, const struct ts_req *r, int *code,
    struct buf *body);

struct ts {
	struct event_base *base;
	struct evhttp *http;
	struct http *client;
	int port;
	char url[64];
	struct ts_req req[TS_MAX_REQ];
	size_t n;
	int script[TS_MAX_SCRIPT]; /* codes in order; then 200 (or last_code) */
	size_t n_script, next;
	int after_code;            /* answer once the script is used up; 0 = 200 */
	const char *retry_after;
	ts_answer_fn answer;       /* optional: decides code/body for 2xx */
	/* acknowledgements */
	struct ack_counts counts;
	int acked;
};

static inline void
ts_on_request(struct evhttp_request *rq, void *arg)
{
	struct ts *t = arg;
	struct ts_req *r;
	struct evkeyvalq *h = evhttp_request_get_input_headers(rq);
	struct evkeyval *kv;
	struct evbuffer *in = evhttp_request_get_input_buffer(rq), *out;
	struct buf hb, raw, plain, body;
	const char *enc;
	int code = 200;

	if (t->n >= TS_MAX_REQ) {
		evhttp_send_error(rq, 500, NULL);
		return;
	}
	r = &t->req[t->n++];
	r->uri = strdup(evhttp_request_get_uri(rq));
	buf_init(&hb, 0);
	for (kv = h->tqh_first; kv != NULL; kv = kv->next.tqe_next)
		buf_printf(&hb, "%s: %s\n", kv->key, kv->value);
	r->headers = buf_steal(&hb, NULL);
	buf_init(&raw, 0);
	buf_init(&plain, 0);
	r->wire_len = evbuffer_get_length(in);
	buf_reserve(&raw, r->wire_len);
	evbuffer_remove(in, raw.data, r->wire_len);
	raw.len = r->wire_len;
	raw.data[raw.len] = '\0';
	enc = evhttp_find_header(h, "Content-Encoding");
	if (enc != NULL && strcmp(enc, "gzip") == 0) {
		r->gzipped = 1;
		gzip_decompress(raw.data, raw.len, 0, &plain);
		buf_cleanup(&raw);
		raw = plain;
	}
	r->body_len = raw.len;
	r->body = buf_steal(&raw, NULL);
	if (r->body == NULL)
		r->body = strdup("");
	if (t->next < t->n_script)
		code = t->script[t->next++];
	else if (t->after_code)
		code = t->after_code;
	buf_init(&body, 0);
	if (code >= 200 && code < 300 && t->answer != NULL)
		t->answer(t, r, &code, &body);
	else
		buf_printf(&body, "{\"status\":%d}", code);
	if (t->retry_after != NULL && code != 200)
		evhttp_add_header(evhttp_request_get_output_headers(rq), "Retry-After",
		    t->retry_after);
	out = evbuffer_new();
	evbuffer_add(out, body.data ? body.data : "", body.len);
	evhttp_send_reply(rq, code, NULL, out);
	evbuffer_free(out);
	buf_cleanup(&body);
}

static inline void
ts_start(struct ts *t)
{
	struct evhttp_bound_socket *bs;
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	memset(t, 0, sizeof(*t));
	t->base = event_base_new();
	assert_non_null(t->base);
	t->http = evhttp_new(t->base);
	assert_non_null(t->http);
	evhttp_set_gencb(t->http, ts_on_request, t);
	evhttp_set_max_body_size(t->http, 64 << 20);
	bs = evhttp_bind_socket_with_handle(t->http, "127.0.0.1", 0);
	assert_non_null(bs);
	assert_int_equal(getsockname(evhttp_bound_socket_get_fd(bs),
	    (struct sockaddr *)&sin, &sl), 0);
	t->port = ntohs(sin.sin_port);
	snprintf(t->url, sizeof(t->url), "http://127.0.0.1:%d", t->port);
	t->client = http_new(t->base);
	assert_non_null(t->client);
}

/* Forgets the requests recorded so far. */
static inline void
ts_reset(struct ts *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->req[i].uri);
		free(t->req[i].headers);
		free(t->req[i].body);
	}
	t->n = 0;
}

static inline void
ts_stop(struct ts *t)
{
	ts_reset(t);
	http_free(t->client);
	evhttp_free(t->http);
	event_base_free(t->base);
}

/* 1 when request i carries the header line exactly (case-insensitive name). */
static inline int
ts_has_header(const struct ts *t, size_t i, const char *name, const char *value)
{
	char want[512];
	const char *p = t->req[i].headers;
	size_t nl = strlen(name);

	snprintf(want, sizeof(want), ": %s\n", value);
	while (p != NULL && *p) {
		if (strncasecmp(p, name, nl) == 0 && strncmp(p + nl, want, strlen(want)) == 0)
			return 1;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

/* A conf_sink with conf.c's defaults. */
static inline void
ts_cfg(struct conf_sink *k, enum conf_sink_type type, const char *url)
{
	memset(k, 0, sizeof(*k));
	k->name = "t";
	k->type = type;
	k->url = (char *)url;
	k->format = CONF_FORMAT_ECS;
	k->batch_max_events = 500;
	k->batch_max_bytes = 1024 * 1024;
	k->batch_timeout_ms = 1000;
	k->max_in_flight = 2;
	k->timeout_ms = 5000;
	k->retry_initial_ms = 10;
	k->retry_max_delay_ms = 100;
	k->queue_max_events = 100000;
	k->queue_max_bytes = 64LL * 1024 * 1024;
	k->tls_verify = 1;
	k->dead_letter = "/dev/null";
}

static inline void
ts_acked(void *arg, const struct ack_counts *c)
{
	struct ts *t = arg;

	t->counts = *c;
	t->acked = 1;
}

static inline void
ts_tick(evutil_socket_t fd, short what, void *arg)
{
}

/* Runs the loop until the ack fired (or fails the test after 10 s). */
static inline void
ts_run(struct ts *t)
{
	int64_t end = timeutil_mono_ms() + 10000;
	struct timeval tv = {0, 10000};
	struct event *tick = event_new(t->base, -1, EV_PERSIST, ts_tick, NULL);

	event_add(tick, &tv);
	while (!t->acked && timeutil_mono_ms() < end)
		event_base_loop(t->base, EVLOOP_ONCE);
	event_free(tick);
	assert_true(t->acked);
}

/* A test event: {"event":{"id":"e-<i>"},"oci":{"source":"src"},"n":i[,"pad":"..."]}. */
static inline void
ts_doc(struct buf *b, struct sink_doc *d, unsigned i, const char *kind, size_t pad)
{
	buf_reset(b);
	buf_printf(b, "{\"message\":\"m%u\",\"event\":{\"id\":\"e-%u\"},\"oci\":{\"source\":"
	    "\"src\"},\"n\":%u", i, i, i);
	if (pad > 0) {
		buf_append_str(b, ",\"pad\":\"");
		while (pad-- > 0)
			buf_append_char(b, 'p');
		buf_append_char(b, '"');
	}
	buf_append_char(b, '}');
	memset(d, 0, sizeof(*d));
	d->json = b->data;
	d->len = b->len;
	d->message = "summary";
	d->time_ns = 1608119080003000000LL + (int64_t)i * 1000000;
	d->kind = kind;
	d->source = "src";
	d->fingerprint = 0x1158fbde00000000ULL + i;
}

/* Submits n events to s (then flushes and seals) and runs until all are acknowledged. */
static inline void
ts_send(struct ts *t, struct sink *s, unsigned n, size_t pad)
{
	struct ack *a;
	struct buf b;
	struct sink_doc d;
	unsigned i;

	t->acked = 0;
	a = ack_new(ts_acked, t);
	assert_non_null(a);
	buf_init(&b, 0);
	for (i = 0; i < n; i++) {
		ts_doc(&b, &d, i, (i % 2) ? "flow" : "audit", pad);
		sink_submit(s, &d, a);
	}
	buf_cleanup(&b);
	sink_flush(s);
	ack_seal(a);
	ts_run(t);
}

/* Number of elements of a JSON array body. */
static inline size_t
ts_array_len(const char *body)
{
	json_error_t e;
	json_t *j = json_loads(body, 0, &e);
	size_t n;

	assert_non_null(j);
	assert_true(json_is_array(j));
	n = json_array_size(j);
	json_decref(j);
	return n;
}

#endif
