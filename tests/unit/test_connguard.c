/*
 * test_connguard.c — the per-connection deadline and the connection cap of an evhttp
 * server (the metrics listener's), in milliseconds: a client trickling header bytes
 * faster than the idle timeout is closed at its deadline; beyond the cap the oldest
 * connections are closed and a new client is served at once; everything is freed with
 * the server, adopted or not (valgrind).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "backoff.h"
#include "connguard.h"
#include "timeutil.h"

struct srv {
	struct event_base *base;
	struct evhttp *http;
	struct connguard *g;
	int port;
};

static struct bufferevent *
bevcb(struct event_base *base, void *arg)
{
	return connguard_bev(((struct srv *)arg)->g, base);
}

static void
handle(struct evhttp_request *req, void *arg)
{
	struct evbuffer *b = evbuffer_new();

	evbuffer_add_printf(b, "ok\n");
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

static void
srv_start(struct srv *s, size_t max, int64_t deadline_ms)
{
	struct evhttp_bound_socket *bs;
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	s->base = event_base_new();
	s->http = evhttp_new(s->base);
	s->g = connguard_new(s->base, max, deadline_ms);
	assert_non_null(s->g);
	evhttp_set_timeout(s->http, 10); /* the idle timeout a trickle defeats */
	evhttp_set_bevcb(s->http, bevcb, s);
	evhttp_set_gencb(s->http, handle, s);
	bs = evhttp_bind_socket_with_handle(s->http, "127.0.0.1", 0);
	assert_non_null(bs);
	assert_int_equal(getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&sin,
	    &sl), 0);
	s->port = ntohs(sin.sin_port);
}

static void
srv_stop(struct srv *s)
{
	evhttp_free(s->http);
	connguard_free(s->g);
	event_base_free(s->base);
}

static int
dial(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* 1 when the server closed fd (EOF or reset); never blocks. */
static int
closed(int fd)
{
	char c;
	ssize_t r = recv(fd, &c, 1, MSG_DONTWAIT | MSG_PEEK);

	return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

static void
pump(struct srv *s, int64_t ms)
{
	int64_t end = timeutil_mono_ms() + ms;

	while (timeutil_mono_ms() < end) {
		event_base_loop(s->base, EVLOOP_NONBLOCK);
		usleep(2000);
	}
}

/* A header byte every 50 ms (the idle timeout is 10 s): closed at the 300 ms deadline. */
static void
test_deadline(void **state)
{
	struct srv s;
	int fd, i;
	const char *req = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ";

	srv_start(&s, 8, 300);
	fd = dial(s.port);
	assert_int_equal(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
	for (i = 0; i < 200 && !closed(fd); i++) { /* 10 s: "never" */
		pump(&s, 50);
		(void)send(fd, "a", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	assert_true(closed(fd));
	assert_int_equal(connguard_closed(s.g), 1);
	pump(&s, 20);
	assert_int_equal(connguard_open(s.g), 0);
	close(fd);
	srv_stop(&s);
}

/* Cap 4: six idle clients leave four open (the two oldest closed); a new one is served. */
static void
test_cap(void **state)
{
	struct srv s;
	int fds[6], fd, i;
	const char *req = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	char buf[256];
	ssize_t r = 0;

	srv_start(&s, 4, 60000);
	for (i = 0; i < 6; i++) {
		fds[i] = dial(s.port);
		pump(&s, 20); /* accepted in order */
	}
	assert_int_equal(connguard_open(s.g), 4);
	assert_true(closed(fds[0]) && closed(fds[1]));
	for (i = 2; i < 6; i++)
		assert_false(closed(fds[i]));
	fd = dial(s.port);
	assert_int_equal(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
	for (i = 0; i < 500 && r <= 0; i++) {
		pump(&s, 10);
		r = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	}
	assert_true(r > 0);
	buf[r] = '\0';
	assert_non_null(strstr(buf, "HTTP/1.1 200"));
	assert_true(closed(fds[2])); /* the oldest made room */
	close(fd);
	for (i = 0; i < 6; i++)
		close(fds[i]);
	pump(&s, 20);
	srv_stop(&s);
}

/* Freed with the server: connections adopted or just accepted (valgrind: no leak). */
static void
test_free_with_open(void **state)
{
	struct srv s;
	int a, b;

	srv_start(&s, 4, 60000);
	a = dial(s.port);
	pump(&s, 20);               /* a adopted */
	b = dial(s.port);
	event_base_loop(s.base, EVLOOP_NONBLOCK | EVLOOP_ONCE); /* b accepted, maybe not adopted */
	srv_stop(&s);
	close(a);
	close(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_free_with_open),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
