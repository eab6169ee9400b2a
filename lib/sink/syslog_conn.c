/*
 * syslog_conn.c — a syslog stream over TCP/TLS on libevent (see syslog_conn.h).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "syslog_conn.h"
#include "timeutil.h"

struct syslog_conn {
	struct event_base *base;
	char *host;
	int port;
	int tls;
	int tls_verify;
	int timeout_ms;
	SSL_CTX *ctx;
	struct evdns_base *dns;  /* the host name is looked up without blocking the loop */
	struct bufferevent *bev;
	int connected;
	/* the running send */
	syslog_conn_done_fn done;
	void *arg;
	struct event *fail_ev;   /* reports a send that failed before any I/O */
	char fail_msg[256];
};

static int
parse_url(struct syslog_conn *c, const char *url, char *err, size_t errlen)
{
	const char *h, *end, *colon;
	size_t hl;

	if (url == NULL || *url == '\0') {
		snprintf(err, errlen, "url is required (tcp://host:port or tls://host:port)");
		return -1;
	}
	if (strncmp(url, "tcp://", 6) == 0) {
		c->tls = 0;
		c->port = 514;
	} else if (strncmp(url, "tls://", 6) == 0) {
		c->tls = 1;
		c->port = 6514;
	} else {
		snprintf(err, errlen, "url must start with tcp:// or tls://");
		return -1;
	}
	h = url + 6;
	if (*h == '[') {                  /* [IPv6]:port */
		end = strchr(h, ']');
		if (end == NULL) {
			snprintf(err, errlen, "url: unterminated [ in the host");
			return -1;
		}
		h++;
		hl = (size_t)(end - h);
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL) {
			snprintf(err, errlen, "url: only host and port are allowed");
			return -1;
		}
	} else {
		colon = strchr(h, ':');
		hl = colon != NULL ? (size_t)(colon - h) : strlen(h);
		if (strchr(h, '/') != NULL) {
			snprintf(err, errlen, "url: only host and port are allowed");
			return -1;
		}
	}
	if (hl == 0) {
		snprintf(err, errlen, "url: host is missing");
		return -1;
	}
	if (colon != NULL) {
		char *e;
		long p = strtol(colon + 1, &e, 10);
		if (colon[1] == '\0' || *e != '\0' || p < 1 || p > 65535) {
			snprintf(err, errlen, "url: port must be 1-65535");
			return -1;
		}
		c->port = (int)p;
	}
	c->host = strndup(h, hl);
	if (c->host == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static void
close_bev(struct syslog_conn *c)
{
	if (c->bev != NULL) {
		bufferevent_free(c->bev);
		c->bev = NULL;
	}
	c->connected = 0;
}

static void
finish(struct syslog_conn *c, int ok, const char *msg)
{
	syslog_conn_done_fn done = c->done;

	c->done = NULL;
	if (done != NULL)
		done(c->arg, ok, msg);
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	/* A syslog receiver sends nothing back; whatever comes is read and dropped so
	 * that it cannot fill the socket's receive buffer. */
	(void)arg;
	evbuffer_drain(bufferevent_get_input(bev), evbuffer_get_length(bufferevent_get_input(bev)));
}

static void
on_write(struct bufferevent *bev, void *arg)
{
	struct syslog_conn *c = arg;

	/* Called when the output buffer is empty: everything was handed to the socket. */
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0 && c->done != NULL)
		finish(c, 1, NULL);
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	struct syslog_conn *c = arg;
	char msg[256];

	if (what & BEV_EVENT_CONNECTED) {
		c->connected = 1;
		return;
	}
	if (what & BEV_EVENT_TIMEOUT) {
		snprintf(msg, sizeof(msg), "%s %s:%d: timed out", c->connected ? "writing to" :
		    "connecting to", c->host, c->port);
	} else if (what & BEV_EVENT_EOF) {
		snprintf(msg, sizeof(msg), "%s:%d closed the connection", c->host, c->port);
	} else {
		unsigned long e = c->tls ? bufferevent_get_openssl_error(bev) : 0;
		int se = EVUTIL_SOCKET_ERROR();
		/* libevent queues OpenSSL's own errors, and for an I/O failure below TLS the
		 * SSL_get_error code (no library): that one is told as the socket's error. */
		if (e != 0 && ERR_GET_LIB(e) != 0) {
			char eb[160];
			ERR_error_string_n(e, eb, sizeof(eb));
			snprintf(msg, sizeof(msg), "TLS with %s:%d: %s", c->host, c->port, eb);
		} else {
			snprintf(msg, sizeof(msg), "%s%s %s:%d: %s", c->tls ? "TLS: " : "",
			    c->connected ? "writing to" : "connecting to", c->host, c->port,
			    se != 0 ? evutil_socket_error_to_string(se) : "connection lost");
		}
	}
	close_bev(c);
	finish(c, 0, msg);
}

static void
on_fail(evutil_socket_t fd, short what, void *arg)
{
	struct syslog_conn *c = arg;

	(void)fd;
	(void)what;
	finish(c, 0, c->fail_msg);
}

static int
is_ip_literal(const char *h)
{
	unsigned char a[16];

	return inet_pton(AF_INET, h, a) == 1 || inet_pton(AF_INET6, h, a) == 1;
}

static int
start_connect(struct syslog_conn *c, char *err, size_t errlen)
{
	struct timeval tv;

	if (c->tls) {
		SSL *ssl = SSL_new(c->ctx);
		if (ssl == NULL) {
			snprintf(err, errlen, "TLS: cannot create a session");
			return -1;
		}
		if (!is_ip_literal(c->host))
			SSL_set_tlsext_host_name(ssl, c->host);
		if (c->tls_verify) {
			X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);
			int rc = is_ip_literal(c->host) ? X509_VERIFY_PARAM_set1_ip_asc(vp, c->host)
			    : X509_VERIFY_PARAM_set1_host(vp, c->host, 0);
			if (rc != 1) {
				SSL_free(ssl);
				snprintf(err, errlen, "TLS: cannot set the name to verify");
				return -1;
			}
		}
		/* The bufferevent owns ssl from here (BEV_OPT_CLOSE_ON_FREE). */
		c->bev = bufferevent_openssl_socket_new(c->base, -1, ssl,
		    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
		if (c->bev == NULL)
			SSL_free(ssl);
	} else {
		c->bev = bufferevent_socket_new(c->base, -1, BEV_OPT_CLOSE_ON_FREE);
	}
	if (c->bev == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	tv = timeutil_timeval(c->timeout_ms);
	bufferevent_set_timeouts(c->bev, NULL, &tv);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect_hostname(c->bev, c->dns, AF_UNSPEC, c->host,
	    c->port) != 0) {
		int dns = bufferevent_socket_get_dns_error(c->bev);
		snprintf(err, errlen, "connecting to %s:%d: %s", c->host, c->port,
		    dns != 0 ? evutil_gai_strerror(dns) : "cannot start");
		close_bev(c);
		return -1;
	}
	return 0;
}

struct syslog_conn *
syslog_conn_new(struct event_base *base, const struct syslog_conn_opts *o, char *err,
    size_t errlen)
{
	struct syslog_conn *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->base = base;
	c->tls_verify = o->tls_verify;
	c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 30000;
	if (parse_url(c, o->url, err, errlen) != 0)
		goto fail;
	c->fail_ev = event_new(base, -1, 0, on_fail, c);
	/* resolv.conf and /etc/hosts, as the system resolver reads them. */
	c->dns = evdns_base_new(base, EVDNS_BASE_INITIALIZE_NAMESERVERS);
	if (c->fail_ev == NULL || c->dns == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (c->tls) {
		c->ctx = SSL_CTX_new(TLS_client_method());
		if (c->ctx == NULL) {
			snprintf(err, errlen, "TLS: cannot create a context");
			goto fail;
		}
		SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION);
		if (c->tls_verify) {
			SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
			if ((o->tls_ca_file != NULL ?
			    SSL_CTX_load_verify_locations(c->ctx, o->tls_ca_file, NULL) :
			    SSL_CTX_set_default_verify_paths(c->ctx)) != 1) {
				snprintf(err, errlen, "TLS: cannot load the CA file %s",
				    o->tls_ca_file != NULL ? o->tls_ca_file : "(system)");
				goto fail;
			}
		}
	}
	return c;
fail:
	syslog_conn_free(c);
	return NULL;
}

int
syslog_conn_send(struct syslog_conn *c, const char *data, size_t len,
    syslog_conn_done_fn done, void *arg)
{
	if (c->done != NULL)
		return -1;
	c->done = done;
	c->arg = arg;
	if (c->bev == NULL &&
	    start_connect(c, c->fail_msg, sizeof(c->fail_msg)) != 0) {
		event_active(c->fail_ev, 0, 0);
		return 0;
	}
	if (evbuffer_add(bufferevent_get_output(c->bev), data, len) != 0) {
		c->done = NULL;
		return -1;
	}
	return 0;
}

void
syslog_conn_cancel(struct syslog_conn *c)
{
	if (c->done == NULL)
		return;
	c->done = NULL;
	event_del(c->fail_ev);
	/* Part of that send may be on the wire already: the stream cannot go on after it
	 * without a broken frame, so the connection goes too. */
	close_bev(c);
}

int
syslog_conn_connected(const struct syslog_conn *c)
{
	return c->connected;
}

void
syslog_conn_free(struct syslog_conn *c)
{
	if (c == NULL)
		return;
	close_bev(c);
	if (c->dns != NULL)
		evdns_base_free(c->dns, 0);
	if (c->fail_ev != NULL)
		event_free(c->fail_ev);
	SSL_CTX_free(c->ctx);
	free(c->host);
	free(c);
}
