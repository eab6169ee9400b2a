/* test_http.c — lib/http against a real evhttp server on 127.0.0.1, same event loop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

#include <signal.h>

#include "http.h"

struct fixture {
	struct event_base *base;
	struct evhttp *srv;
	struct http *http;
	int port;
	int done;
	long status;
	int ok, timed_out, truncated;
	size_t body_len;
	char body[256];
	char hdr[64];
	char echoed[256];
};

static void
srv_cb(struct evhttp_request *req, void *arg)
{
	struct fixture *f = arg;
	const char *uri = evhttp_request_get_uri(req);
	struct evbuffer *out = evbuffer_new();

	if (strcmp(uri, "/hello") == 0) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "X-Thing", "  value 1 ");
		evbuffer_add_printf(out, "hello");
		evhttp_send_reply(req, 200, "OK", out);
	} else if (strcmp(uri, "/echo") == 0) {
		struct evbuffer *in = evhttp_request_get_input_buffer(req);
		size_t n = evbuffer_get_length(in);
		const char *ct = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
		snprintf(f->echoed, sizeof(f->echoed), "%s|%.*s", ct ? ct : "-", (int)n,
		    (const char *)evbuffer_pullup(in, -1));
		evbuffer_add_printf(out, "{\"got\":%zu}", n);
		evhttp_send_reply(req, 201, "Created", out);
	} else if (strcmp(uri, "/sum") == 0) {
		/* length, a hash of the body and its Content-Length header */
		struct evbuffer *in = evhttp_request_get_input_buffer(req);
		size_t n = evbuffer_get_length(in), i;
		const unsigned char *p = evbuffer_pullup(in, -1);
		const char *cl = evhttp_find_header(evhttp_request_get_input_headers(req),
		    "Content-Length");
		uint64_t h = 14695981039346656037ULL;
		for (i = 0; i < n; i++)
			h = (h ^ p[i]) * 1099511628211ULL;
		snprintf(f->echoed, sizeof(f->echoed), "%zu|%016llx|%s", n,
		    (unsigned long long)h, cl ? cl : "-");
		evhttp_send_reply(req, 200, "OK", out);
	} else if (strcmp(uri, "/big") == 0) {
		/* 2 MiB: more than any cap below, sent in many reads */
		static char chunk[65536];
		memset(chunk, 'b', sizeof(chunk));
		for (int i = 0; i < 32; i++)
			evbuffer_add(out, chunk, sizeof(chunk));
		evhttp_send_reply(req, 200, "OK", out);
	} else if (strcmp(uri, "/slow") == 0) {
		/* never answers: the client must time out */
		evbuffer_free(out);
		return;
	} else {
		evhttp_send_reply(req, 404, "Not Found", out);
	}
	evbuffer_free(out);
}

static void
done_cb(void *arg, const struct http_response *r)
{
	struct fixture *f = arg;
	const char *h = http_response_header(r, "x-thing");

	f->done++;
	f->ok = r->ok;
	f->status = r->status;
	f->timed_out = r->timed_out;
	f->truncated = r->truncated;
	f->body_len = r->body_len;
	snprintf(f->body, sizeof(f->body), "%.*s", (int)r->body_len, r->body);
	snprintf(f->hdr, sizeof(f->hdr), "%s", h ? h : "");
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct evhttp_bound_socket *bs;
	struct sockaddr_storage ss;
	ev_socklen_t len = sizeof(ss);

	f->base = event_base_new();
	f->srv = evhttp_new(f->base);
	evhttp_set_gencb(f->srv, srv_cb, f);
	bs = evhttp_bind_socket_with_handle(f->srv, "127.0.0.1", 0);
	assert_non_null(bs);
	getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&ss, &len);
	f->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	f->http = http_new(f->base);
	assert_non_null(f->http);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	http_free(f->http);
	evhttp_free(f->srv);
	event_base_free(f->base);
	free(f);
	return 0;
}

/* Runs the loop until the callback ran want times (bounded by a 10 s safety timer). */
static void
run_until(struct fixture *f, int want)
{
	for (int i = 0; i < 2000 && f->done < want; i++) {
		struct timeval tv = { 0, 5000 };
		event_base_loopexit(f->base, &tv);
		event_base_dispatch(f->base);
	}
}

static void
url(struct fixture *f, char *out, size_t n, const char *path)
{
	snprintf(out, n, "http://127.0.0.1:%d%s", f->port, path);
}

static void
test_get(void **state)
{
	struct fixture *f = *state;
	char u[128];
	struct http_request req = { 0 };

	url(f, u, sizeof(u), "/hello");
	req.url = u;
	req.tls_verify = 1;
	assert_non_null(http_submit(f->http, &req, done_cb, f));
	run_until(f, 1);
	assert_int_equal(f->done, 1);
	assert_true(f->ok);
	assert_int_equal(f->status, 200);
	assert_string_equal(f->body, "hello");
	assert_string_equal(f->hdr, "value 1");
}

static void
test_post(void **state)
{
	struct fixture *f = *state;
	char u[128];
	const char *hdrs[] = { "Content-Type: application/json" };
	struct http_request req = { 0 };

	url(f, u, sizeof(u), "/echo");
	req.url = u;
	req.headers = hdrs;
	req.n_headers = 1;
	req.body = "{\"a\":1}";
	req.body_len = 7;
	req.tls_verify = 1;
	assert_non_null(http_submit(f->http, &req, done_cb, f));
	run_until(f, 1);
	assert_int_equal(f->status, 201);
	assert_string_equal(f->body, "{\"got\":7}");
	assert_string_equal(f->echoed, "application/json|{\"a\":1}");
}

/* A streamed body: produced in slices by body_read, never one buffer on our side. */
struct gen {
	size_t calls;
	size_t max_seen;
};

static size_t
gen_read(void *arg, size_t off, char *dst, size_t max)
{
	struct gen *g = arg;
	size_t i, n = max < 3000 ? max : 3000; /* short reads: curl must ask again */

	g->calls++;
	if (max > g->max_seen)
		g->max_seen = max;
	for (i = 0; i < n; i++)
		dst[i] = (char)('A' + (off + i) % 23);
	return n;
}

static void
test_post_streamed(void **state)
{
	struct fixture *f = *state;
	char u[128], want[128];
	struct http_request req = { 0 };
	struct gen g = { 0 };
	size_t len = 700000, i;
	uint64_t h = 14695981039346656037ULL;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)('A' + i % 23)) * 1099511628211ULL;
	snprintf(want, sizeof(want), "%zu|%016llx|%zu", len, (unsigned long long)h, len);
	url(f, u, sizeof(u), "/sum");
	req.url = u;
	req.body_read = gen_read;
	req.body_arg = &g;
	req.body_len = len;
	req.tls_verify = 1;
	assert_non_null(http_submit(f->http, &req, done_cb, f));
	run_until(f, 1);
	assert_true(f->ok);
	assert_int_equal(f->status, 200);
	assert_string_equal(f->echoed, want);
	assert_true(g.calls >= len / 3000);
	/* No 256 KiB upload buffer for a streamed body: curl's default (64 KiB). */
	assert_true(g.max_seen <= 65536);
}

static void
test_not_found_and_many(void **state)
{
	struct fixture *f = *state;
	char u[128];
	struct http_request req = { 0 };

	url(f, u, sizeof(u), "/nope");
	req.url = u;
	req.tls_verify = 1;
	for (int i = 0; i < 20; i++)
		assert_non_null(http_submit(f->http, &req, done_cb, f));
	run_until(f, 20);
	assert_int_equal(f->done, 20);
	assert_int_equal(f->status, 404);
	assert_true(f->ok);
	assert_int_equal(http_running(f->http), 0);
}

static void
test_timeout(void **state)
{
	struct fixture *f = *state;
	char u[128];
	struct http_request req = { 0 };

	url(f, u, sizeof(u), "/slow");
	req.url = u;
	req.timeout_ms = 200;
	req.tls_verify = 1;
	assert_non_null(http_submit(f->http, &req, done_cb, f));
	run_until(f, 1);
	assert_int_equal(f->done, 1);
	assert_false(f->ok);
	assert_true(f->timed_out);
	assert_int_equal(f->status, 0);
}

static void
test_refused(void **state)
{
	struct fixture *f = *state;
	struct http_request req = { 0 };

	req.url = "http://127.0.0.1:1/";
	req.tls_verify = 1;
	assert_non_null(http_submit(f->http, &req, done_cb, f));
	run_until(f, 1);
	assert_int_equal(f->done, 1);
	assert_false(f->ok);
	assert_false(f->timed_out);
}

static void
test_cancel(void **state)
{
	struct fixture *f = *state;
	char u[128];
	struct http_request req = { 0 };
	struct http_xfer *x;

	url(f, u, sizeof(u), "/slow");
	req.url = u;
	req.tls_verify = 1;
	x = http_submit(f->http, &req, done_cb, f);
	assert_non_null(x);
	for (int i = 0; i < 10; i++) { /* let it connect and send */
		struct timeval tv = { 0, 5000 };
		event_base_loopexit(f->base, &tv);
		event_base_dispatch(f->base);
	}
	http_cancel(x);
	assert_int_equal(http_running(f->http), 0);
	for (int i = 0; i < 20; i++) {
		struct timeval tv = { 0, 5000 };
		event_base_loopexit(f->base, &tv);
		event_base_dispatch(f->base);
	}
	assert_int_equal(f->done, 0);
}

/* A transfer submitted from inside a completion callback must run (regression). */
static char chain_url[128];

static void
chain_cb(void *arg, const struct http_response *r)
{
	struct fixture *f = arg;
	struct http_request req = { 0 };

	f->done++;
	f->status = r->status;
	if (f->done < 5) {
		req.url = chain_url;
		req.tls_verify = 1;
		assert_non_null(http_submit(f->http, &req, chain_cb, f));
	}
}

static void
test_submit_from_callback(void **state)
{
	struct fixture *f = *state;
	struct http_request req = { 0 };

	url(f, chain_url, sizeof(chain_url), "/hello");
	req.url = chain_url;
	req.tls_verify = 1;
	assert_non_null(http_submit(f->http, &req, chain_cb, f));
	/* event_base_dispatch returns only when nothing is pending: the chain must not stall */
	for (int i = 0; i < 200 && f->done < 5; i++)
		event_base_loop(f->base, EVLOOP_ONCE);
	assert_int_equal(f->done, 5);
	assert_int_equal(f->status, 200);
}

static void
test_response_cap(void **state)
{
	struct fixture *f = *state;
	char u[128];
	struct http_request req = { 0 };

	url(f, u, sizeof(u), "/hello");
	req.url = u;
	req.max_response = 3;
	req.tls_verify = 1;
	assert_non_null(http_submit(f->http, &req, done_cb, f));
	run_until(f, 1);
	assert_false(f->ok);
}

/* discard_excess: a body over the cap is cut, the response (status) stands. */
static void
test_response_discard_excess(void **state)
{
	struct fixture *f = *state;
	char u[128];
	struct http_request req = { 0 };

	url(f, u, sizeof(u), "/big");
	req.url = u;
	req.max_response = 1000;
	req.discard_excess = 1;
	req.tls_verify = 1;
	assert_non_null(http_submit(f->http, &req, done_cb, f));
	run_until(f, 1);
	assert_true(f->ok);
	assert_int_equal(f->status, 200);
	assert_true(f->truncated);
	assert_int_equal(f->body_len, 1000);
	assert_int_equal(f->body[0], 'b');
	/* Without it, the same answer is an error (the OCI client's choice). */
	req.discard_excess = 0;
	assert_non_null(http_submit(f->http, &req, done_cb, f));
	run_until(f, 2);
	assert_false(f->ok);
	/* Under the cap: whole, not truncated. */
	url(f, u, sizeof(u), "/hello");
	req.discard_excess = 1;
	assert_non_null(http_submit(f->http, &req, done_cb, f));
	run_until(f, 3);
	assert_true(f->ok);
	assert_false(f->truncated);
	assert_string_equal(f->body, "hello");
}

int
main(void)
{
	/* The in-process server writes to connections the client dropped (a cap hit). */
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_post, setup, teardown),
		cmocka_unit_test_setup_teardown(test_post_streamed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_found_and_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_response_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_response_discard_excess, setup, teardown),
		cmocka_unit_test_setup_teardown(test_submit_from_callback, setup, teardown),
	};
	return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
