/* metrics.c — see metrics.h. */
#include "metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

struct metrics_server {
	struct evhttp *http;
	metrics_render_fn render;
	metrics_health_fn health;
	void *arg;
};

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
	evhttp_set_gencb(m->http, handle, m);
	if (evhttp_bind_socket(m->http, host, (ev_uint16_t)port) != 0) {
		snprintf(err, errlen, "metrics_listen %s: cannot listen (address in use or "
		    "not local)", listen);
		evhttp_free(m->http);
		free(m);
		return NULL;
	}
	return m;
}

void
metrics_server_free(struct metrics_server *m)
{
	if (m == NULL)
		return;
	evhttp_free(m->http);
	free(m);
}
