/* test_syslog.c — RFC 5424 + octet-counting framing, and the TCP stream: bytes arrive
 * as sent, a send is done once written, a dropped connection fails the send in flight
 * and the next send reconnects, a refused connect fails, cancel never calls back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "syslog_conn.h"
#include "syslog_fmt.h"

#include <signal.h>

static void
test_frame(void **state)
{
	struct syslog_msg m = {
		.pri = -1, .time_ns = 1741942805123000000LL, .hostname = "host a",
		.msgid = "oci.audit", .source = "src\"1]", .record_id = "id\\2",
		.msg = "{\"x\":1}\nline2", .msg_len = 13,
	};
	static const char want_msg[] = "<134>1 2025-03-14T09:00:05.123Z host_a oci-logfwd - "
	    "oci.audit [oci-logfwd@32473 source=\"src\\\"1\\]\" recordId=\"id\\\\2\"] "
	    "{\"x\":1}\nline2";
	struct buf b;
	char want[512];

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(buf_append_str(&b, "prefix|"), 0);
	assert_int_equal(syslog_frame(&b, &m), 0);
	snprintf(want, sizeof(want), "prefix|%zu %s", strlen(want_msg), want_msg);
	assert_string_equal(b.data, want);
	assert_int_equal(b.len, strlen(want));

	/* Everything absent: nil values, an empty SD element, no MSG. */
	buf_reset(&b);
	memset(&m, 0, sizeof(m));
	m.pri = 13;
	assert_int_equal(syslog_frame(&b, &m), 0);
	assert_string_equal(b.data, "43 <13>1 - - oci-logfwd - - [oci-logfwd@32473]");

	/* MSGID is cut at 32 bytes (RFC 5424). */
	buf_reset(&b);
	m.msgid = "0123456789012345678901234567890123456789";
	assert_int_equal(syslog_frame(&b, &m), 0);
	assert_non_null(strstr(b.data, " 01234567890123456789012345678901 ["));
	buf_cleanup(&b);
}

/* ---- a TCP receiver in the test's loop ---- */

struct rx {
	struct event_base *base;
	struct evconnlistener *lis;
	struct bufferevent *peer;
	struct buf got;
	int port;
	int n_conns;
	int drop_after;   /* close the peer once this many bytes came; 0 = never */
	/* the sender side */
	int done, ok;
	char err[256];
};

static void
rx_read(struct bufferevent *bev, void *arg)
{
	struct rx *r = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t n = evbuffer_get_length(in);

	buf_reserve(&r->got, n);
	evbuffer_remove(in, r->got.data + r->got.len, n);
	r->got.len += n;
	r->got.data[r->got.len] = '\0';
	if (r->drop_after > 0 && r->got.len >= (size_t)r->drop_after) {
		bufferevent_free(bev);
		r->peer = NULL;
		r->drop_after = 0;
	}
}

static void
rx_event(struct bufferevent *bev, short what, void *arg)
{
	struct rx *r = arg;

	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		bufferevent_free(bev);
		if (r->peer == bev)
			r->peer = NULL;
	}
}

static void
rx_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len,
    void *arg)
{
	struct rx *r = arg;

	r->n_conns++;
	if (r->peer != NULL)
		bufferevent_free(r->peer);
	r->peer = bufferevent_socket_new(r->base, fd, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(r->peer, rx_read, NULL, rx_event, r);
	bufferevent_enable(r->peer, EV_READ);
}

static void
rx_start(struct rx *r)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	memset(r, 0, sizeof(*r));
	r->base = event_base_new();
	buf_init(&r->got, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r->lis = evconnlistener_new_bind(r->base, rx_accept, r,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 16, (struct sockaddr *)&sin, sizeof(sin));
	assert_non_null(r->lis);
	getsockname(evconnlistener_get_fd(r->lis), (struct sockaddr *)&sin, &sl);
	r->port = ntohs(sin.sin_port);
}

static void
rx_stop(struct rx *r)
{
	if (r->peer != NULL)
		bufferevent_free(r->peer);
	if (r->lis != NULL)
		evconnlistener_free(r->lis);
	buf_cleanup(&r->got);
	event_base_free(r->base);
}

static void
on_done(void *arg, int ok, const char *err)
{
	struct rx *r = arg;

	r->done++;
	r->ok = ok;
	snprintf(r->err, sizeof(r->err), "%s", err ? err : "");
}

/* Runs the loop until cond holds (re-evaluated each turn) or 5 s of turns passed. */
#define RUN_UNTIL(r, cond) do { \
	for (int i_ = 0; i_ < 5000 && !(cond); i_++) { \
		struct timeval tv_ = { 0, 1000 }; \
		event_base_loopexit((r)->base, &tv_); \
		event_base_dispatch((r)->base); \
	} \
	assert_true(cond); \
} while (0)

static void
test_conn_tcp(void **state)
{
	struct rx r;
	struct syslog_conn *c;
	struct syslog_conn_opts o = { 0 };
	char url[64], err[256];
	static char big[300000];
	static char huge[64 << 20];

	(void)state;
	signal(SIGPIPE, SIG_IGN); /* as the daemon does */
	rx_start(&r);
	snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", r.port);
	o.url = url;
	c = syslog_conn_new(r.base, &o, err, sizeof(err));
	assert_non_null(c);

	/* done comes from the loop, never from inside send. */
	assert_int_equal(syslog_conn_send(c, "5 hello", 7, on_done, &r), 0);
	assert_int_equal(r.done, 0);
	assert_int_equal(syslog_conn_send(c, "x", 1, on_done, &r), -1); /* one at a time */
	RUN_UNTIL(&r, r.done == 1);
	assert_int_equal(r.ok, 1);
	RUN_UNTIL(&r, r.got.len == 7);
	assert_string_equal(r.got.data, "5 hello");
	assert_int_equal(syslog_conn_connected(c), 1);

	/* A large send is done only once all of it was written. */
	memset(big, 'a', sizeof(big));
	assert_int_equal(syslog_conn_send(c, big, sizeof(big), on_done, &r), 0);
	RUN_UNTIL(&r, r.done == 2);
	assert_int_equal(r.ok, 1);
	RUN_UNTIL(&r, r.got.len == 7 + sizeof(big));
	assert_int_equal(r.n_conns, 1);

	/* The receiver closes an idle connection: noticed (end of stream), and the next
	 * send reconnects. */
	bufferevent_free(r.peer);
	r.peer = NULL;
	RUN_UNTIL(&r, syslog_conn_connected(c) == 0);
	r.got.len = 0;
	assert_int_equal(syslog_conn_send(c, "3 new", 5, on_done, &r), 0);
	RUN_UNTIL(&r, r.done == 3);
	assert_int_equal(r.ok, 1);
	RUN_UNTIL(&r, r.n_conns == 2 && r.got.len == 5);
	assert_string_equal(r.got.data, "3 new");

	/* The receiver resets the connection in the middle of a send larger than what the
	 * two kernels can buffer: that send fails with a reason. */
	r.drop_after = 1;
	assert_int_equal(syslog_conn_send(c, huge, sizeof(huge), on_done, &r), 0);
	RUN_UNTIL(&r, r.done == 4);
	assert_int_equal(r.ok, 0);
	assert_true(r.err[0] != '\0');
	assert_int_equal(syslog_conn_connected(c), 0);

	/* A host name (from /etc/hosts) is looked up without blocking, then connected (the
	 * IPv4 address first: the receiver listens on 127.0.0.1). */
	{
		struct syslog_conn *c2;
		int before = r.done, conns = r.n_conns;
		snprintf(url, sizeof(url), "tcp://localhost:%d", r.port);
		o.url = url;
		c2 = syslog_conn_new(r.base, &o, err, sizeof(err));
		assert_non_null(c2);
		assert_int_equal(syslog_conn_send(c2, "4 name", 6, on_done, &r), 0);
		RUN_UNTIL(&r, r.done == before + 1);
		if (!r.ok)
			fail_msg("tcp://localhost: %s", r.err);
		RUN_UNTIL(&r, r.n_conns == conns + 1);
		syslog_conn_free(c2);
		snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", r.port);
	}

	/* Cancel: no callback, the connection is closed. */
	{
		int before = r.done;
		assert_int_equal(syslog_conn_send(c, big, sizeof(big), on_done, &r), 0);
		syslog_conn_cancel(c);
		assert_int_equal(syslog_conn_connected(c), 0);
		for (int i = 0; i < 20; i++) {
			struct timeval tv = { 0, 1000 };
			event_base_loopexit(r.base, &tv);
			event_base_dispatch(r.base);
		}
		assert_int_equal(r.done, before);
	}
	syslog_conn_free(c);

	/* Nobody listening: the send fails with a reason. */
	evconnlistener_free(r.lis);
	r.lis = NULL;
	c = syslog_conn_new(r.base, &o, err, sizeof(err));
	assert_non_null(c);
	r.done = 0;
	assert_int_equal(syslog_conn_send(c, "1 x", 3, on_done, &r), 0);
	RUN_UNTIL(&r, r.done == 1);
	assert_int_equal(r.ok, 0);
	assert_non_null(strstr(r.err, "127.0.0.1"));
	syslog_conn_free(c);
	rx_stop(&r);
}

static void
test_conn_urls(void **state)
{
	struct event_base *base = event_base_new();
	struct syslog_conn_opts o = { 0 };
	char err[256];
	static const char *const bad[] = { NULL, "", "udp://h:514", "tcp://", "tcp://h:0",
	    "tcp://h:70000", "tcp://h:12x", "tcp://h:514/path", "tls://[::1", "tcp://[::1]x",
	    NULL };
	struct syslog_conn *c;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o.url = bad[i];
		err[0] = '\0';
		assert_null(syslog_conn_new(base, &o, err, sizeof(err)));
		assert_true(err[0] != '\0');
	}
	o.url = "tcp://[::1]:1514";
	c = syslog_conn_new(base, &o, err, sizeof(err));
	assert_non_null(c);
	syslog_conn_free(c);
	o.url = "tls://localhost";
	o.tls_verify = 1;
	o.tls_ca_file = "/nonexistent/ca.pem";
	assert_null(syslog_conn_new(base, &o, err, sizeof(err)));
	assert_non_null(strstr(err, "CA file"));
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame),
		cmocka_unit_test(test_conn_tcp),
		cmocka_unit_test(test_conn_urls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
