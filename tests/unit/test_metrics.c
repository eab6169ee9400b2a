/* test_metrics.c — Prometheus text and the /metrics, /healthz server (real HTTP on 127.0.0.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "buf.h"
#include "http.h"
#include "metrics.h"
#include "metrics_render.h"

/* The page from rows alone (no pipeline): per-source and per-sink series by content. */
static void
test_render_rows(void **state)
{
	struct source_stats ss;
	struct sink_stats ks;
	struct metrics_source_row src = { "audit", &ss };
	struct metrics_sink_row snk = { "siem", &ks, 1 };
	struct buf b;

	memset(&ss, 0, sizeof(ss));
	memset(&ks, 0, sizeof(ks));
	ss.records = 7;
	ss.cursor_ms = 1000000 - 90000; /* 90 s behind "now" below */
	ks.events_sent = 5;
	ks.events_dead_letter = 2;
	ks.requests_by_status[200] = 3;
	ks.requests_by_status[0] = 1;
	buf_init(&b, 0);
	assert_int_equal(metrics_render(&b, 1000000, &src, 1, &snk, 1), 0);
	assert_non_null(strstr(b.data, "oci_logfwd_source_records_total{source=\"audit\"} 7\n"));
	assert_non_null(strstr(b.data, "oci_logfwd_source_lag_seconds{source=\"audit\"} 90\n"));
	assert_non_null(strstr(b.data,
	    "oci_logfwd_sink_events_total{sink=\"siem\",result=\"sent\"} 5\n"));
	assert_non_null(strstr(b.data,
	    "oci_logfwd_sink_events_total{sink=\"siem\",result=\"dead_letter\"} 2\n"));
	assert_non_null(strstr(b.data,
	    "oci_logfwd_sink_requests_total{sink=\"siem\",code=\"200\"} 3\n"));
	assert_non_null(strstr(b.data,
	    "oci_logfwd_sink_requests_total{sink=\"siem\",code=\"0\"} 1\n"));
	assert_null(strstr(b.data, "code=\"404\""));
	assert_non_null(strstr(b.data, "oci_logfwd_sink_healthy{sink=\"siem\"} 1\n"));
	buf_cleanup(&b);
}

static void
test_sample_and_escaping(void **state)
{
	struct buf b;
	const char *l[] = { "sink", "a\"b\\c\nd", "code", "200", NULL };

	buf_init(&b, 0);
	assert_int_equal(metrics_family(&b, "x_total", "counter", "Things."), 0);
	assert_int_equal(metrics_sample(&b, "x_total", l, 42), 0);
	assert_int_equal(metrics_sample(&b, "y", NULL, 0.25), 0);
	assert_string_equal(b.data,
	    "# HELP x_total Things.\n# TYPE x_total counter\n"
	    "x_total{sink=\"a\\\"b\\\\c\\nd\",code=\"200\"} 42\n"
	    "y 0.25\n");
	buf_cleanup(&b);
}

static void
test_histogram(void **state)
{
	struct buf b;
	const double bounds[] = { 0.1, 1 };
	const uint64_t counts[] = { 2, 3, 1 };
	const char *l[] = { "sink", "s", NULL };

	buf_init(&b, 0);
	assert_int_equal(metrics_histogram(&b, "h", l, bounds, counts, 2, 4.5, 6), 0);
	assert_string_equal(b.data,
	    "h_bucket{sink=\"s\",le=\"0.1\"} 2\n"
	    "h_bucket{sink=\"s\",le=\"1\"} 5\n"
	    "h_bucket{sink=\"s\",le=\"+Inf\"} 6\n"
	    "h_sum{sink=\"s\"} 4.5\n"
	    "h_count{sink=\"s\"} 6\n");
	buf_cleanup(&b);
}

struct ctx {
	int healthy;
	int done;
	long status;
	char body[512];
	struct event_base *base;
};

static int
render(void *arg, struct buf *out)
{
	return metrics_sample(out, "up", NULL, 1);
}

static int
health(void *arg, struct buf *reason)
{
	struct ctx *c = arg;

	if (!c->healthy)
		buf_append_str(reason, "{\"status\":\"unhealthy\"}");
	return c->healthy;
}

static void
done(void *arg, const struct http_response *r)
{
	struct ctx *c = arg;

	c->done++;
	c->status = r->status;
	snprintf(c->body, sizeof(c->body), "%s", r->body);
	event_base_loopbreak(c->base);
}

static void
get(struct ctx *c, struct http *h, int port, const char *path)
{
	char url[128];
	struct http_request req = { 0 };

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	req.url = url;
	req.tls_verify = 1;
	c->done = 0;
	assert_non_null(http_submit(h, &req, done, c));
	while (!c->done)
		event_base_loop(c->base, EVLOOP_ONCE);
}

static void
test_server(void **state)
{
	struct ctx c = { 0 };
	struct metrics_server *m = NULL;
	struct http *h;
	char err[256], listen[64];
	int port = 0;

	c.base = event_base_new();
	h = http_new(c.base);
	/* find a free port by trying a few */
	for (int p = 39100; p < 39200 && m == NULL; p++) {
		snprintf(listen, sizeof(listen), "127.0.0.1:%d", p);
		m = metrics_server_new(c.base, listen, render, health, &c, err, sizeof(err));
		port = p;
	}
	assert_non_null(m);
	c.healthy = 1;
	get(&c, h, port, "/metrics");
	assert_int_equal(c.status, 200);
	assert_string_equal(c.body, "up 1\n");
	get(&c, h, port, "/healthz");
	assert_int_equal(c.status, 200);
	c.healthy = 0;
	get(&c, h, port, "/healthz");
	assert_int_equal(c.status, 503);
	assert_non_null(strstr(c.body, "unhealthy"));
	get(&c, h, port, "/other");
	assert_int_equal(c.status, 404);

	assert_null(metrics_server_new(c.base, "nonsense", render, health, &c, err, sizeof(err)));
	assert_non_null(strstr(err, "host:port"));
	assert_null(metrics_server_new(c.base, listen, render, health, &c, err, sizeof(err)));
	metrics_server_free(m);
	http_free(h);
	event_base_free(c.base);
}


/*
 * Sends req raw to port and returns the status line's code (0 = no answer within about
 * 5 s, the connection closed, or not HTTP), pumping base meanwhile.
 */
static int
raw_status(struct event_base *base, int port, const char *req, size_t len)
{
	struct sockaddr_in sa;
	char buf[256];
	size_t off = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0), code = 0;

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	for (int i = 0; i < 500; i++) {
		struct pollfd pf = { fd, POLLIN | (off < len ? POLLOUT : 0), 0 };
		event_base_loop(base, EVLOOP_NONBLOCK);
		if (poll(&pf, 1, 10) <= 0)
			continue;
		if ((pf.revents & POLLOUT) && off < len) {
			ssize_t w = send(fd, req + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w > 0)
				off += (size_t)w;
			else if (w < 0)
				off = len; /* refused mid-way: read what it said */
		}
		if (pf.revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
			if (r > 0) {
				buf[r] = '\0';
				if (sscanf(buf, "HTTP/1.%*d %d", &code) != 1)
					code = 0;
			}
			break;
		}
	}
	close(fd);
	return code;
}

/* A body is refused by its announced size, before it is read (the
 * client sends none, so waiting for it would time out); huge headers are refused; POST
 * is not served. */
static void
test_limits(void **state)
{
	struct ctx c = { 0 };
	struct metrics_server *m = NULL;
	char err[256], listen[64];
	static const char big_post[] =
	    "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n";
	static const char small_post[] =
	    "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab";
	char *big_hdr;
	int port = 0, n;

	c.base = event_base_new();
	for (int p = 39200; p < 39300 && m == NULL; p++) {
		snprintf(listen, sizeof(listen), "127.0.0.1:%d", p);
		m = metrics_server_new(c.base, listen, render, health, &c, err, sizeof(err));
		port = p;
	}
	assert_non_null(m);
	assert_int_equal(raw_status(c.base, port, big_post, strlen(big_post)), 413);
	/* evhttp answers a method it is not allowed to serve with 501. */
	assert_int_equal(raw_status(c.base, port, small_post, strlen(small_post)), 501);
	big_hdr = malloc(70000);
	assert_non_null(big_hdr);
	n = snprintf(big_hdr, 70000, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: ");
	memset(big_hdr + n, 'a', 60000);
	memcpy(big_hdr + n + 60000, "\r\n\r\n", 5);
	assert_int_equal(raw_status(c.base, port, big_hdr, strlen(big_hdr)) / 100, 4);
	free(big_hdr);
	metrics_server_free(m);
	event_base_free(c.base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_and_escaping),
		cmocka_unit_test(test_render_rows),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_server),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
