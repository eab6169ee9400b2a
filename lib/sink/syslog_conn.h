/*
 * syslog_conn.h — one outgoing syslog stream over TCP or TLS on the event loop
 * (libevent bufferevent; OpenSSL for TLS), for the syslog sink.
 *
 * Syslog over TCP has no application-level acknowledgement, so a send counts as done
 * (ok = 1) when its last byte has been handed to the kernel's socket (for TLS: encrypted
 * and written).  What the kernel still held when a connection then resets is lost without
 * anybody knowing; the README says what a user can do about it.
 *
 * The connection is made on the first send and again on the first send after it broke
 * (error, end of stream from the server, write timeout); pacing those attempts (backoff)
 * is the caller's, since it retries a failed send.  The host name is looked up at each
 * connect without blocking the loop (libevent's resolver: resolv.conf, /etc/hosts); the
 * first address found is used.  One send at a time.
 */
#ifndef OCI_LOGFWD_SYSLOG_CONN_H
#define OCI_LOGFWD_SYSLOG_CONN_H

#include <stddef.h>

struct event_base;
struct syslog_conn;

struct syslog_conn_opts {
	const char *url;         /* tcp://host[:port] (514) or tls://host[:port] (6514) */
	int tls_verify;          /* check the server's certificate and name */
	const char *tls_ca_file; /* NULL: the system's trust store */
	int timeout_ms;          /* connect + write stall limit; <= 0: 30 s */
};

/* ok = 1: every byte written; ok = 0: err says why (the connection is closed). */
typedef void (*syslog_conn_done_fn)(void *arg, int ok, const char *err);

/* NULL with err filled (URL malformed, TLS set-up, memory).  Does not connect yet. */
struct syslog_conn *syslog_conn_new(struct event_base *base,
    const struct syslog_conn_opts *o, char *err, size_t errlen);

/*
 * Queues data[0..len) (copied) and calls done(arg, ...) once, from the loop, never from
 * inside this call.  0, or -1 (a send is already running, or memory).
 */
int syslog_conn_send(struct syslog_conn *c, const char *data, size_t len,
    syslog_conn_done_fn done, void *arg);

/* Drops the running send without calling done; closes the connection (bytes of that
 * send not yet written are never written). */
void syslog_conn_cancel(struct syslog_conn *c);

/* 1 while connected (for tests and logs). */
int syslog_conn_connected(const struct syslog_conn *c);

/* Cancels and frees; NULL is a no-op. */
void syslog_conn_free(struct syslog_conn *c);

#endif
