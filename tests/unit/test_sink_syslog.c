/* test_sink_syslog.c — the syslog sink in the engine: events become octet-counted RFC 5424
 * frames on one TCP stream (MSGID, structured data, MSG event or summary), a batch is
 * acknowledged once written; no receiver: retried, then dead-lettered at retry_max_time;
 * a sink freed while a batch is being written acknowledges it cancelled; a reload hands
 * a half-written batch to the successor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <signal.h>

#include "sink_syslog.h"
#include "sink_testsrv.h"

struct rx {
	struct evconnlistener *lis;
	struct bufferevent *peer;
	struct buf got;
	int port;
	int no_read;   /* accept, never read: a send stays in flight */
};

static void
rx_read(struct bufferevent *bev, void *arg)
{
	struct rx *r = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t n = evbuffer_get_length(in);

	assert_int_equal(buf_reserve(&r->got, n), 0);
	evbuffer_remove(in, r->got.data + r->got.len, n);
	r->got.len += n;
	r->got.data[r->got.len] = '\0';
}

static void
rx_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len,
    void *arg)
{
	struct rx *r = arg;

	if (r->peer != NULL)
		bufferevent_free(r->peer);
	r->peer = bufferevent_socket_new(evconnlistener_get_base(l), fd, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(r->peer, rx_read, NULL, NULL, r);
	if (!r->no_read)
		bufferevent_enable(r->peer, EV_READ);
}

static void
rx_start(struct rx *r, struct event_base *base)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	memset(r, 0, sizeof(*r));
	buf_init(&r->got, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r->lis = evconnlistener_new_bind(base, rx_accept, r, LEV_OPT_CLOSE_ON_FREE |
	    LEV_OPT_REUSEABLE, 16, (struct sockaddr *)&sin, sizeof(sin));
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
}

/* Splits octet-counted frames; returns how many complete ones (each exactly LEN bytes)
 * arrived so far. */
static size_t
frames(const struct buf *b, char **out, size_t max)
{
	size_t off = 0, n = 0;

	while (off < b->len) {
		char *end;
		unsigned long len = strtoul(b->data + off, &end, 10);
		assert_true(end > b->data + off && *end == ' ');
		off = (size_t)(end - b->data) + 1;
		if (off + len > b->len)
			break; /* the rest has not arrived yet */
		if (n < max)
			out[n] = strndup(b->data + off, len);
		n++;
		off += len;
	}
	return n;
}

static void
test_stream(void **state)
{
	struct ts t;
	struct rx r;
	struct conf_sink k;
	struct sink_syslog_conf tc = { 0 };
	struct err err;
	struct sink *s;
	char url[64], *f[64], want[160];
	size_t n, i;

	(void)state;
	ts_start(&t);
	rx_start(&r, t.base);
	snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", r.port);
	ts_cfg(&k, CONF_SINK_SYSLOG, url);
	k.type_conf = &tc;
	tc.hostname = "fwd1";
	k.batch_max_events = 7; /* several batches, written one after the other */
	s = sink_new(t.base, NULL, &k, NULL, &err);
	assert_non_null(s);
	ts_send(&t, s, 40, 0);
	assert_int_equal(t.counts.delivered, 40);
	/* Delivered means written: the frames are (or are about to be) at the receiver. */
	for (int spin = 0; spin < 1000 && frames(&r.got, NULL, 0) < 40; spin++)
		event_base_loop(t.base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	n = frames(&r.got, f, 64);
	assert_int_equal(n, 40);
	for (i = 0; i < n; i++) {
		/* ts_doc: event i is audit when even, flow when odd; its id is e-<i>. */
		unsigned id;
		char *sd = strstr(f[i], "[oci-logfwd@32473 source=\"src\" recordId=\"e-");
		assert_non_null(sd);
		assert_int_equal(sscanf(sd, "[oci-logfwd@32473 source=\"src\" recordId=\"e-%u\"]",
		    &id), 1);
		snprintf(want, sizeof(want), "<134>1 %s fwd1 oci-logfwd - %s ",
		    "2020-12-16T11:44:40", (id % 2) ? "oci.vcn_flow" : "oci.audit");
		assert_memory_equal(f[i], want, 20);
		assert_non_null(strstr(f[i], (id % 2) ? " oci.vcn_flow [" : " oci.audit ["));
		assert_non_null(strstr(f[i], " fwd1 oci-logfwd - "));
		snprintf(want, sizeof(want), "] {\"message\":\"m%u\",\"event\":{\"id\":\"e-%u\"}",
		    id, id);
		assert_non_null(strstr(f[i], want));
		free(f[i]);
	}
	assert_int_equal(sink_stats(s)->events_sent, 40);
	sink_free(s);

	/* syslog_message = summary: MSG is the one-line summary. */
	r.got.len = 0;
	tc.summary = 1;
	s = sink_new(t.base, NULL, &k, NULL, &err);
	assert_non_null(s);
	ts_send(&t, s, 3, 0);
	assert_int_equal(t.counts.delivered, 3);
	for (int spin = 0; spin < 1000 && frames(&r.got, NULL, 0) < 3; spin++)
		event_base_loop(t.base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	n = frames(&r.got, f, 64);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++) {
		size_t l = strlen(f[i]);
		assert_true(l > 9 && strcmp(f[i] + l - 9, "] summary") == 0);
		free(f[i]);
	}
	sink_free(s);
	rx_stop(&r);
	ts_stop(&t);
}

static void
test_no_receiver_and_cancel(void **state)
{
	struct ts t;
	struct rx r;
	struct conf_sink k;
	struct err err;
	struct sink *s;
	char url[64];
	int port;

	(void)state;
	ts_start(&t);
	rx_start(&r, t.base);
	port = r.port;
	evconnlistener_free(r.lis); /* nobody listens on port now */
	r.lis = NULL;
	snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", port);
	ts_cfg(&k, CONF_SINK_SYSLOG, url);
	k.retry_max_time_ms = 200;
	s = sink_new(t.base, NULL, &k, NULL, &err);
	assert_non_null(s);
	ts_send(&t, s, 5, 0);
	assert_int_equal(t.counts.dead_letter, 5);
	assert_true(sink_stats(s)->retries > 0);
	assert_true(sink_stats(s)->requests_by_status[0] > 0);
	sink_free(s);

	/* A receiver that never reads: a large batch stays in flight; freeing the sink
	 * acknowledges it cancelled (not delivered), and nothing calls back afterwards. */
	rx_start(&r, t.base);
	r.no_read = 1;
	snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", r.port);
	ts_cfg(&k, CONF_SINK_SYSLOG, url);
	k.batch_max_bytes = 64LL << 20;
	k.batch_max_events = 100000;
	s = sink_new(t.base, NULL, &k, NULL, &err);
	assert_non_null(s);
	{
		struct ack *a = ack_new(ts_acked, &t);
		struct buf b;
		struct sink_doc d;
		buf_init(&b, 0);
		t.acked = 0;
		for (unsigned i = 0; i < 300; i++) {
			ts_doc(&b, &d, i, "audit", 100000);
			sink_submit(s, &d, a);
		}
		buf_cleanup(&b);
		sink_flush(s);
		ack_seal(a);
		for (int spin = 0; spin < 200; spin++)
			event_base_loop(t.base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		assert_int_equal(t.acked, 0);           /* 30 MB cannot all be written */
		assert_true(sink_stats(s)->inflight_events > 0);
		sink_free(s);
		assert_int_equal(t.acked, 1);
		assert_int_equal(t.counts.cancelled, 300);
		assert_int_equal(t.counts.delivered, 0);
	}
	for (int spin = 0; spin < 50; spin++)
		event_base_loop(t.base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	rx_stop(&r);
	ts_stop(&t);
}

/* Reload: a sink whose batch is stuck half-written hands every event to its successor
 * (sink_adopt); the stuck send is cancelled, the successor delivers each event, and the
 * producer's acknowledgement says delivered for all, once. */
static void
test_adopt_in_flight(void **state)
{
	struct ts t;
	struct rx stuck, good;
	struct conf_sink k1, k2;
	struct err err;
	struct sink *a, *b;
	struct ack *ack;
	struct buf bb;
	struct sink_doc d;
	char url1[64], url2[64];

	(void)state;
	ts_start(&t);
	rx_start(&stuck, t.base);
	stuck.no_read = 1;
	rx_start(&good, t.base);
	snprintf(url1, sizeof(url1), "tcp://127.0.0.1:%d", stuck.port);
	snprintf(url2, sizeof(url2), "tcp://127.0.0.1:%d", good.port);
	ts_cfg(&k1, CONF_SINK_SYSLOG, url1);
	k1.batch_max_bytes = 64LL << 20;
	k1.batch_max_events = 100000;
	k2 = k1;
	k2.url = url2;
	a = sink_new(t.base, NULL, &k1, NULL, &err);
	b = sink_new(t.base, NULL, &k2, NULL, &err);
	assert_non_null(a);
	assert_non_null(b);
	ack = ack_new(ts_acked, &t);
	buf_init(&bb, 0);
	t.acked = 0;
	for (unsigned i = 0; i < 300; i++) {
		ts_doc(&bb, &d, i, "flow", 100000);
		sink_submit(a, &d, ack);
	}
	buf_cleanup(&bb);
	sink_flush(a);
	ack_seal(ack);
	for (int spin = 0; spin < 200; spin++)
		event_base_loop(t.base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	assert_int_equal(t.acked, 0);
	assert_true(sink_stats(a)->inflight_events > 0);
	assert_int_equal(sink_adopt(b, a), 0);
	sink_free(a);                 /* holds nothing any more: acknowledges nothing */
	assert_int_equal(t.acked, 0);
	ts_run(&t);
	assert_int_equal(t.counts.delivered, 300);
	assert_int_equal(t.counts.cancelled, 0);
	assert_int_equal(sink_stats(b)->events_sent, 300);
	/* ...and each arrived whole at the successor's receiver. */
	for (int spin = 0; spin < 100000 && frames(&good.got, NULL, 0) < 300; spin++)
		event_base_loop(t.base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	assert_int_equal(frames(&good.got, NULL, 0), 300);
	sink_free(b);
	rx_stop(&stuck);
	rx_stop(&good);
	ts_stop(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_no_receiver_and_cancel),
		cmocka_unit_test(test_adopt_in_flight),
	};
	signal(SIGPIPE, SIG_IGN); /* as the daemon does */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
