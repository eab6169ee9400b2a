/*
 * metrics.c — see metrics.h.
 *
 * The listener is reachable by every local user, so it is hardened against a hostile
 * client: small header and body limits (a GET needs neither; a 1 GB Content-Length is
 * refused before anything is buffered), an idle timeout, GET/HEAD only, and a cap on
 * connections tied to the file descriptors left: accepting pauses, with a back-off, while
 * fewer than METRICS_FD_RESERVE descriptors are free or accept() fails (EMFILE), so that
 * the daemon's own checkpoints and transfers always get one and the loop never spins on
 * a listening socket it cannot serve.  Such pauses are logged at most once a minute.
 */
#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "backoff.h"
#include "connguard.h"
#include "log.h"
#include "timeutil.h"

#define METRICS_MAX_HEADERS (8 * 1024)
#define METRICS_MAX_BODY 1024
#define METRICS_TIMEOUT_S 10
#define METRICS_FD_RESERVE 64
#define METRICS_PAUSE_MIN_MS 100
#define METRICS_PAUSE_MAX_MS 5000
#define METRICS_LOG_EVERY_MS 60000
/* A whole request within this from accept, however slowly it trickles (connguard.h). */
#define METRICS_CONN_DEADLINE_MS 15000
/* Connections open at once; over it the oldest is closed (a scrape takes milliseconds). */
#define METRICS_MAX_CONNS 64

struct metrics_server {
	struct evhttp *http;
	struct evconnlistener *lev;
	struct event *resume;       /* re-enables accepting after a pause */
	int64_t pause_ms;           /* current back-off; 0 = accepting */
	long fd_limit;              /* RLIMIT_NOFILE at start */
	uint64_t pauses;            /* since the last log line */
	int64_t last_log_ms;
	metrics_render_fn render;
	metrics_health_fn health;
	void *arg;
	struct metrics_server *next;
	struct connguard *conns;    /* deadline and cap per connection */
};

/*
 * The listener's error callback gets the listener's argument, which evhttp owns (its
 * struct evhttp): the servers are found from their listener here.  At most two exist
 * (one during a reload that moves the listener), all on the loop thread.
 */
static struct metrics_server *servers;

int
metrics_family(struct buf *out, const char *name, const char *type, const char *help)
{
	return buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Label values escape \, " and newline (exposition format). */
static int
append_labels(struct buf *out, const char *const *labels, const char *le)
{
	int first = 1;

	if ((labels == NULL || labels[0] == NULL) && le == NULL)
		return 0;
	if (buf_append_char(out, '{') != 0)
		return -1;
	for (size_t i = 0; labels != NULL && labels[i] != NULL && labels[i + 1] != NULL; i += 2) {
		if (!first && buf_append_char(out, ',') != 0)
			return -1;
		first = 0;
		if (buf_printf(out, "%s=\"", labels[i]) != 0)
			return -1;
		for (const char *p = labels[i + 1]; *p; p++) {
			const char *esc = NULL;
			if (*p == '\\')
				esc = "\\\\";
			else if (*p == '"')
				esc = "\\\"";
			else if (*p == '\n')
				esc = "\\n";
			if (esc ? buf_append_str(out, esc) : buf_append_char(out, *p))
				return -1;
		}
		if (buf_append_char(out, '"') != 0)
			return -1;
	}
	if (le != NULL && buf_printf(out, "%sle=\"%s\"", first ? "" : ",", le) != 0)
		return -1;
	return buf_append_char(out, '}');
}

static int
append_value(struct buf *out, double v)
{
	if (isinf(v))
		return buf_append_str(out, v > 0 ? " +Inf\n" : " -Inf\n");
	if (v == floor(v) && fabs(v) < 1e15)
		return buf_printf(out, " %.0f\n", v);
	return buf_printf(out, " %.6g\n", v);
}

int
metrics_sample(struct buf *out, const char *name, const char *const *labels, double value)
{
	if (buf_append_str(out, name) != 0 || append_labels(out, labels, NULL) != 0)
		return -1;
	return append_value(out, value);
}

int
metrics_histogram(struct buf *out, const char *name, const char *const *labels,
    const double *bounds, const uint64_t *counts, size_t n, double sum, uint64_t count)
{
	uint64_t cum = 0;
	char le[32];

	for (size_t i = 0; i <= n; i++) {
		cum += counts[i];
		if (i < n)
			snprintf(le, sizeof(le), "%g", bounds[i]);
		else
			snprintf(le, sizeof(le), "+Inf");
		if (buf_printf(out, "%s_bucket", name) != 0 ||
		    append_labels(out, labels, le) != 0 || append_value(out, (double)cum) != 0)
			return -1;
	}
	if (buf_printf(out, "%s_sum", name) != 0 || append_labels(out, labels, NULL) != 0 ||
	    append_value(out, sum) != 0)
		return -1;
	if (buf_printf(out, "%s_count", name) != 0 || append_labels(out, labels, NULL) != 0 ||
	    append_value(out, (double)count) != 0)
		return -1;
	return 0;
}

static void
reply(struct evhttp_request *req, int code, const char *reason, const char *ctype,
    const struct buf *body)
{
	struct evbuffer *b = evbuffer_new();

	if (b == NULL) {
		evhttp_send_error(req, 500, "out of memory");
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", ctype);
	if (body->len > 0)
		evbuffer_add(b, body->data, body->len);
	evhttp_send_reply(req, code, reason, b);
	evbuffer_free(b);
}

static void
handle(struct evhttp_request *req, void *arg)
{
	struct metrics_server *m = arg;
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	struct buf body;

	buf_init(&body, 64u * 1024 * 1024);
	if (path != NULL && strcmp(path, "/metrics") == 0) {
		if (m->render(m->arg, &body) != 0) {
			evhttp_send_error(req, 500, "cannot render metrics");
		} else {
			reply(req, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", &body);
		}
	} else if (path != NULL && strcmp(path, "/healthz") == 0) {
		if (m->health(m->arg, &body)) {
			buf_reset(&body);
			buf_append_str(&body, "{\"status\":\"ok\"}\n");
			reply(req, 200, "OK", "application/json", &body);
		} else {
			buf_append_char(&body, '\n');
			reply(req, 503, "Service Unavailable", "application/json", &body);
		}
	} else {
		buf_append_str(&body, "not found: try /metrics or /healthz\n");
		reply(req, 404, "Not Found", "text/plain", &body);
	}
	buf_cleanup(&body);
}

/* 1 while enough descriptors are free: the lowest free one is far enough from the limit. */
static int
fd_headroom(const struct metrics_server *m)
{
	int fd = fcntl(evconnlistener_get_fd(m->lev), F_DUPFD_CLOEXEC, 0);

	if (fd < 0)
		return 0;
	close(fd);
	return (long)fd < m->fd_limit - METRICS_FD_RESERVE;
}

static void
pause_accepting(struct metrics_server *m, const char *why)
{
	int64_t now = timeutil_mono_ms();

	evconnlistener_disable(m->lev);
	m->pause_ms = m->pause_ms == 0 ? METRICS_PAUSE_MIN_MS :
	    m->pause_ms * 2 > METRICS_PAUSE_MAX_MS ? METRICS_PAUSE_MAX_MS : m->pause_ms * 2;
	m->pauses++;
	if (m->last_log_ms == 0 || now - m->last_log_ms >= METRICS_LOG_EVERY_MS) {
		log_warning("metrics: %s: not accepting connections for a while (%llu time%s "
		    "since the last such line); the daemon's own files and transfers keep "
		    "their descriptors", why, (unsigned long long)m->pauses,
		    m->pauses == 1 ? "" : "s");
		m->pauses = 0;
		m->last_log_ms = now;
	}
	timeutil_timer_add(m->resume, m->pause_ms);
}

static void
resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct metrics_server *m = arg;

	if (!fd_headroom(m)) {
		pause_accepting(m, "file descriptors still short");
		return;
	}
	m->pause_ms = 0;
	evconnlistener_enable(m->lev);
}

/*
 * accept() failed (EMFILE, ENFILE, ENOBUFS, ...): without this the listening socket stays
 * readable and the loop calls accept() again at once, forever.
 */
static void
accept_error(struct evconnlistener *lev, void *arg)
{
	struct metrics_server *m = servers;
	char why[96];

	while (m != NULL && m->lev != lev)
		m = m->next;
	if (m == NULL) { /* not ours: cannot be, but never spin */
		evconnlistener_disable(lev);
		return;
	}

	snprintf(why, sizeof(why), "accept: %s", strerror(EVUTIL_SOCKET_ERROR()));
	pause_accepting(m, why);
}

/* evhttp calls this for every connection it accepts: the place to apply the cap. */
static struct bufferevent *
new_connection(struct event_base *base, void *arg)
{
	struct metrics_server *m = arg;

	if (m->lev != NULL && m->pause_ms == 0 && !fd_headroom(m))
		pause_accepting(m, "few file descriptors left");
	return connguard_bev(m->conns, base);
}

/* 1 when host (as in metrics_listen) is a loopback address. */
static int
is_loopback(const char *host)
{
	return strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0 ||
	    strcmp(host, "localhost") == 0;
}

struct metrics_server *
metrics_server_new(struct event_base *base, const char *listen, metrics_render_fn render,
    metrics_health_fn health, void *arg, char *err, size_t errlen)
{
	struct metrics_server *m;
	char host[256];
	const char *colon;
	long port;
	char *end;
	size_t hlen;

	colon = strrchr(listen, ':');
	if (colon == NULL) {
		snprintf(err, errlen, "metrics_listen \"%s\": expected host:port", listen);
		return NULL;
	}
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || port < 0 || port > 65535 || end == colon + 1) {
		snprintf(err, errlen, "metrics_listen \"%s\": bad port", listen);
		return NULL;
	}
	hlen = (size_t)(colon - listen);
	if (hlen >= sizeof(host)) {
		snprintf(err, errlen, "metrics_listen \"%s\": host too long", listen);
		return NULL;
	}
	memcpy(host, listen, hlen);
	host[hlen] = '\0';
	if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
		memmove(host, host + 1, hlen - 2);
		host[hlen - 2] = '\0';
	}
	if (host[0] == '\0')
		snprintf(host, sizeof(host), "127.0.0.1");

	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->render = render;
	m->health = health;
	m->arg = arg;
	m->http = evhttp_new(base);
	if (m->http == NULL) {
		snprintf(err, errlen, "out of memory");
		free(m);
		return NULL;
	}
	evhttp_set_allowed_methods(m->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_max_headers_size(m->http, METRICS_MAX_HEADERS);
	evhttp_set_max_body_size(m->http, METRICS_MAX_BODY);
	evhttp_set_timeout(m->http, METRICS_TIMEOUT_S);
	evhttp_set_bevcb(m->http, new_connection, m);
	evhttp_set_gencb(m->http, handle, m);
	{
		struct rlimit rl;
		m->fd_limit = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
		    rl.rlim_cur < 1L << 30 ? (long)rl.rlim_cur : 1L << 30;
	}
	m->resume = evtimer_new(base, resume_cb, m);
	m->conns = connguard_new(base, METRICS_MAX_CONNS, METRICS_CONN_DEADLINE_MS);
	if (m->resume == NULL || m->conns == NULL) {
		snprintf(err, errlen, "out of memory");
		if (m->resume != NULL)
			event_free(m->resume);
		connguard_free(m->conns);
		evhttp_free(m->http);
		free(m);
		return NULL;
	}
	{
		struct evhttp_bound_socket *bs =
		    evhttp_bind_socket_with_handle(m->http, host, (ev_uint16_t)port);
		if (bs == NULL) {
			snprintf(err, errlen, "metrics_listen %s: cannot listen (address in use "
			    "or not local)", listen);
			event_free(m->resume);
			evhttp_free(m->http);
			connguard_free(m->conns);
			free(m);
			return NULL;
		}
		m->lev = evhttp_bound_socket_get_listener(bs);
		evconnlistener_set_error_cb(m->lev, accept_error);
		m->next = servers;
		servers = m;
	}
	if (!is_loopback(host))
		log_warning("metrics_listen %s: reachable from beyond this host; /metrics and "
		    "/healthz have no authentication (bind 127.0.0.1 unless a firewall or a "
		    "proxy guards it)", listen);
	return m;
}

void
metrics_server_free(struct metrics_server *m)
{
	if (m == NULL)
		return;
	for (struct metrics_server **pp = &servers; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == m) {
			*pp = m->next;
			break;
		}
	}
	evhttp_free(m->http);
	connguard_free(m->conns); /* after evhttp_free: it closes the connections */
	event_free(m->resume);
	free(m);
}
