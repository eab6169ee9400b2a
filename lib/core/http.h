/*
 * http.h — non-blocking HTTP on the libevent loop: libcurl's multi-socket interface
 * (curl's hiperfifo pattern).  Every request to OCI or to a sink goes through here.
 *
 * One struct http per event_base; it owns the CURLM and so shares connections (keep-alive,
 * HTTP/2 multiplexing where the server offers it) between all requests.  Proxies come from
 * the usual environment variables (libcurl reads http_proxy, https_proxy, no_proxy).
 *
 * A request is submitted with its completion callback; the callback runs exactly once,
 * from the event loop, unless the transfer is cancelled first.  Nothing here sleeps,
 * retries or logs bodies: callers classify the response and decide.
 */
#ifndef OCI_LOGFWD_HTTP_H
#define OCI_LOGFWD_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct http;
struct http_xfer;

struct http_request {
	const char *method;        /* "GET", "POST", "PUT"; NULL = GET, or POST with a body */
	const char *url;
	const char *const *headers;/* "Name: value" strings, copied at submit */
	size_t n_headers;
	const void *body;          /* borrowed until the callback runs or the cancel */
	size_t body_len;
	/*
	 * Instead of body (which must then be NULL): a body of body_len bytes that curl
	 * reads as it sends, so that it need not exist as one buffer.  body_read copies up to
	 * max bytes from offset off into dst and returns how many (0 only past the end); off
	 * goes back to 0 when curl sends the body anew (a kept-alive connection found
	 * closed).  What it reads must stay valid and unchanged until the callback runs or
	 * the cancel.
	 */
	size_t (*body_read)(void *arg, size_t off, char *dst, size_t max);
	void *body_arg;
	int64_t timeout_ms;        /* whole transfer; 0 = 30 s */
	int tls_verify;            /* 0 disables peer and host verification */
	const char *tls_ca_file;   /* NULL = system store */
	size_t max_response;       /* cap on the body kept; 0 = 16 MiB; more is an error */
	int discard_excess;        /* 1: body bytes past max_response are read and dropped
	                            * (the response is still judged by its status) */
};

/* One response header (names lower-cased). */
struct http_header {
	char *name;
	char *value;
};

struct http_response {
	int ok;                   /* 1 when an HTTP response arrived (any status) */
	long status;              /* HTTP status, 0 when no response arrived */
	int timed_out;            /* the transfer hit timeout_ms */
	const char *error;        /* curl's error text when !ok; else NULL */
	const char *body;         /* NUL-terminated; borrowed until the callback returns */
	size_t body_len;
	int truncated;            /* discard_excess cut the body at max_response */
	const struct http_header *headers; /* last response's headers (after 100-continue) */
	size_t n_headers;
	double seconds;           /* total transfer time */
	int request_sent;         /* a connection was established and the whole request went
	                           * out (tells a slow answer from a connect failure/timeout) */
	int too_large;            /* the body exceeded max_response (then !ok) */
	struct http_xfer *xfer_;  /* private: for http_response_take_body */
};

/* The callback: resp and everything in it is borrowed until it returns. */
typedef void (*http_done_fn)(void *arg, const struct http_response *resp);

/* Returns new, or NULL (curl_global_init or memory failed). */
struct http *http_new(struct event_base *base);
/* Cancels every transfer still running (their callbacks do not run) and frees. */
void http_free(struct http *h);

/*
 * Starts a request.  Returns a handle (owned by http; valid until the callback runs or
 * http_cancel) or NULL when it could not even be started (out of memory, bad option).
 */
struct http_xfer *http_submit(struct http *h, const struct http_request *req,
    http_done_fn done, void *arg);
/* Stops a transfer; its callback never runs.  NULL is a no-op. */
void http_cancel(struct http_xfer *x);

/*
 * Lets curl act now (start or write just-submitted requests) rather than on the next loop
 * turn, so that a request goes on the wire before the caller does long work.  Runs no
 * completion callback (those come from the loop as usual).
 */
void http_flush(struct http *h);

/* Transfers running now. */
size_t http_running(const struct http *h);

/*
 * Takes the response body (NUL-terminated, heap; caller frees) out of the transfer, so that
 * it outlives the callback without a copy; r->body keeps pointing at it.  Only inside the
 * callback.  NULL when there is no body (*len = 0).
 */
char *http_response_take_body(const struct http_response *r, size_t *len);

/* Case-insensitive header lookup in a response; NULL when absent. */
const char *http_response_header(const struct http_response *r, const char *name);

#endif
