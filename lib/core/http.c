/*
 * http.c — libcurl multi-socket on libevent (the pattern of curl's hiperfifo.c example).
 *
 * curl tells us which sockets to watch (socket callback) and when to wake it (timer
 * callback); libevent tells curl when a socket is ready or the timer fired
 * (curl_multi_socket_action); finished transfers are reaped with curl_multi_info_read
 * and handed to their owner's callback.  We never call into libcurl from inside curl's
 * own callbacks.
 */
#include "http.h"
#include "timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <event2/event.h>

#ifndef OCI_LOGFWD_VERSION
#define OCI_LOGFWD_VERSION "dev"
#endif

#define DEFAULT_TIMEOUT_MS 30000
#define DEFAULT_MAX_RESPONSE (16u * 1024 * 1024)
#define MAX_HEADERS 64

struct http {
	struct event_base *base;
	CURLM *multi;
	struct event *timer;
	struct http_xfer *xfers; /* doubly linked list of running transfers */
	size_t running;
	int in_reap;             /* guards against freeing while reaping */
};

/* Bodies above this go through 256 KiB curl buffers instead of curl's defaults. */
#define HTTP_BIG_BODY (256u * 1024)

struct http_xfer {
	struct http *h;
	struct http_xfer *prev, *next;
	CURL *easy;
	struct curl_slist *req_headers;
	http_done_fn done;
	void *arg;
	char *body;              /* response body */
	size_t body_len, body_cap, body_max;
	int body_overflow;
	int discard_excess;
	size_t req_body_len;
	size_t (*body_read)(void *arg, size_t off, char *dst, size_t max);
	void *body_arg;
	size_t up_off;           /* body_read's next offset */
	struct http_header headers[MAX_HEADERS];
	size_t n_headers;
	char errbuf[CURL_ERROR_SIZE];
};

/* Per-socket state handed back to us by curl_multi_assign. */
struct sock {
	struct event *ev;
	curl_socket_t fd;
	struct http *h;
};

static void check_multi(struct http *h);

static void
free_headers(struct http_xfer *x)
{
	for (size_t i = 0; i < x->n_headers; i++) {
		free(x->headers[i].name);
		free(x->headers[i].value);
	}
	x->n_headers = 0;
}

static void
xfer_unlink(struct http_xfer *x)
{
	struct http *h = x->h;

	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		h->xfers = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
	x->prev = x->next = NULL;
	h->running--;
}

static void
xfer_free(struct http_xfer *x)
{
	if (x == NULL)
		return;
	if (x->easy != NULL) {
		curl_multi_remove_handle(x->h->multi, x->easy);
		curl_easy_cleanup(x->easy);
	}
	curl_slist_free_all(x->req_headers);
	free_headers(x);
	free(x->body);
	free(x);
}

/* --- curl -> us ------------------------------------------------------------------ */

static size_t
write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct http_xfer *x = userdata;
	size_t n = size * nmemb;

	if (x->body_len + n > x->body_max) {
		size_t room = x->body_max - x->body_len;
		x->body_overflow = 1;
		if (!x->discard_excess)
			return 0; /* makes curl fail the transfer with CURLE_WRITE_ERROR */
		/* Keep what fits, read the rest and drop it: the answer is complete (its
		 * status stands), only its body is cut. */
		if (room == 0)
			return n;
		if (write_cb(ptr, 1, room, x) != room)
			return 0;
		return n;
	}
	if (x->body_len + n + 1 > x->body_cap) {
		size_t ncap = x->body_cap ? x->body_cap : 4096;
		curl_off_t cl = -1;
		char *p;
		while (ncap < x->body_len + n + 1)
			ncap *= 2;
		/* First chunk: size the body from Content-Length when it is known and within
		 * body_max, so a 1.5 MB SearchLogs page is not grown (and copied) ten times.
		 * A body larger than announced (decoded gzip) grows by doubling from there. */
		if (x->body_cap == 0 &&
		    curl_easy_getinfo(x->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) ==
		        CURLE_OK && cl > 0 && (uint64_t)cl < x->body_max &&
		    (size_t)cl + 1 > ncap)
			ncap = (size_t)cl + 1;
		p = realloc(x->body, ncap);
		if (p == NULL)
			return 0;
		x->body = p;
		x->body_cap = ncap;
	}
	memcpy(x->body + x->body_len, ptr, n);
	x->body_len += n;
	x->body[x->body_len] = '\0';
	return n;
}

/* A streamed request body (body_read): curl's upload buffer is filled from the source. */
static size_t
read_cb(char *dst, size_t size, size_t nitems, void *userdata)
{
	struct http_xfer *x = userdata;
	size_t max = size * nitems, n;

	if (x->up_off >= x->req_body_len)
		return 0;
	if (max > x->req_body_len - x->up_off)
		max = x->req_body_len - x->up_off;
	n = x->body_read(x->body_arg, x->up_off, dst, max);
	if (n == 0)
		return CURL_READFUNC_ABORT; /* shorter than announced: fail, never hang */
	x->up_off += n;
	return n;
}

/* curl rewinds the body to send it again (a reused connection turned out closed). */
static int
seek_cb(void *userdata, curl_off_t off, int origin)
{
	struct http_xfer *x = userdata;

	if (origin != SEEK_SET || off < 0 || (uint64_t)off > x->req_body_len)
		return CURL_SEEKFUNC_CANTSEEK;
	x->up_off = (size_t)off;
	return CURL_SEEKFUNC_OK;
}

static size_t
header_cb(char *buffer, size_t size, size_t nitems, void *userdata)
{
	struct http_xfer *x = userdata;
	size_t n = size * nitems, nlen, vstart, vend;
	char *colon;

	/* A status line starts a new response (after 100 Continue or a redirect): only
	 * the last response's headers count. */
	if (n >= 5 && strncmp(buffer, "HTTP/", 5) == 0) {
		free_headers(x);
		return n;
	}
	colon = memchr(buffer, ':', n);
	if (colon == NULL || x->n_headers >= MAX_HEADERS)
		return n;
	nlen = (size_t)(colon - buffer);
	vstart = nlen + 1;
	while (vstart < n && (buffer[vstart] == ' ' || buffer[vstart] == '\t'))
		vstart++;
	vend = n;
	while (vend > vstart && isspace((unsigned char)buffer[vend - 1]))
		vend--;
	{
		struct http_header *hd = &x->headers[x->n_headers];
		hd->name = malloc(nlen + 1);
		hd->value = malloc(vend - vstart + 1);
		if (hd->name == NULL || hd->value == NULL) {
			free(hd->name);
			free(hd->value);
			return n; /* losing a header is better than failing the transfer */
		}
		for (size_t i = 0; i < nlen; i++)
			hd->name[i] = (char)tolower((unsigned char)buffer[i]);
		hd->name[nlen] = '\0';
		memcpy(hd->value, buffer + vstart, vend - vstart);
		hd->value[vend - vstart] = '\0';
		x->n_headers++;
	}
	return n;
}

static void
event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http *h = arg;
	int action = 0, running = 0;

	if (what & EV_READ)
		action |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	curl_multi_socket_action(h->multi, fd, action, &running);
	/* No "running == 0 -> delete the timer" here (hiperfifo has it): a completion
	 * callback run by check_multi may submit a new transfer whose 0 ms timer curl has
	 * just armed.  curl's timer callback deletes the timer itself when it wants. */
	check_multi(h);
}

static void
timer_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http *h = arg;
	int running = 0;

	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_multi(h);
}

/* CURLMOPT_TIMERFUNCTION: -1 deletes the timer, anything else (0 too) re-arms it. */
static int
multi_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct http *h = userp;

	if (timeout_ms < 0) {
		evtimer_del(h->timer);
		return 0;
	}
	timeutil_timer_add(h->timer, timeout_ms);
	return 0;
}

/* CURLMOPT_SOCKETFUNCTION: one persistent event per socket. */
static int
multi_sock_cb(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct http *h = userp;
	struct sock *s = socketp;
	short kind;

	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			event_free(s->ev);
			free(s);
			curl_multi_assign(h->multi, fd, NULL);
		}
		return 0;
	}
	kind = (short)(((what & CURL_POLL_IN) ? EV_READ : 0) |
	    ((what & CURL_POLL_OUT) ? EV_WRITE : 0) | EV_PERSIST);
	if (s == NULL) {
		s = calloc(1, sizeof(*s));
		if (s == NULL)
			return -1;
		s->fd = fd;
		s->h = h;
		s->ev = event_new(h->base, fd, kind, event_cb, h);
		if (s->ev == NULL) {
			free(s);
			return -1;
		}
		curl_multi_assign(h->multi, fd, s);
	} else {
		event_del(s->ev);
		event_assign(s->ev, h->base, fd, kind, event_cb, h);
	}
	event_add(s->ev, NULL);
	return 0;
}

/* Reaps finished transfers and runs their callbacks. */
static void
check_multi(struct http *h)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
		struct http_xfer *x = NULL;
		struct http_response r;
		CURLcode rc;
		long status = 0;
		double secs = 0;

		memset(&r, 0, sizeof(r));

		if (msg->msg != CURLMSG_DONE)
			continue;
		rc = msg->data.result;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (x == NULL)
			continue;
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME, &secs);
		{
			/* Request header bytes went out (so a connection, TLS included, was
			 * up) and the upload count says the body went out whole. */
			curl_off_t up = 0;
			long req_size = 0;
			curl_easy_getinfo(x->easy, CURLINFO_REQUEST_SIZE, &req_size);
			curl_easy_getinfo(x->easy, CURLINFO_SIZE_UPLOAD_T, &up);
			r.request_sent = req_size > 0 && up >= (curl_off_t)x->req_body_len;
		}

		r.ok = (rc == CURLE_OK && status > 0);
		r.status = r.ok ? status : 0;
		r.timed_out = (rc == CURLE_OPERATION_TIMEDOUT);
		r.too_large = x->body_overflow && !x->discard_excess;
		r.xfer_ = x;
		if (!r.ok) {
			if (x->body_overflow && !x->discard_excess)
				r.error = "response body too large";
			else if (x->errbuf[0] != '\0')
				r.error = x->errbuf;
			else
				r.error = curl_easy_strerror(rc);
		}
		r.body = x->body != NULL ? x->body : "";
		r.body_len = x->body_len;
		r.truncated = x->body_overflow && x->discard_excess;
		r.headers = x->headers;
		r.n_headers = x->n_headers;
		r.seconds = secs;

		xfer_unlink(x);
		curl_multi_remove_handle(h->multi, x->easy);
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
		/* The callback may submit new transfers or cancel others: x is off the
		 * list already, and curl_multi_info_read copes with handles removed
		 * meanwhile. */
		x->done(x->arg, &r);
		xfer_free(x);
	}
}

/* --- API ---------------------------------------------------------------------------- */

struct http *
http_new(struct event_base *base)
{
	struct http *h;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return NULL;
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		goto fail;
	h->base = base;
	h->multi = curl_multi_init();
	if (h->multi == NULL)
		goto fail;
	h->timer = evtimer_new(base, timer_event_cb, h);
	if (h->timer == NULL)
		goto fail;
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, multi_sock_cb);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, multi_timer_cb);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	/* Keep enough idle connections for several sinks with several requests each. */
	curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, 64L);
	return h;
fail:
	if (h != NULL) {
		if (h->multi != NULL)
			curl_multi_cleanup(h->multi);
		free(h);
	}
	curl_global_cleanup();
	return NULL;
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	while (h->xfers != NULL) {
		struct http_xfer *x = h->xfers;
		xfer_unlink(x);
		xfer_free(x);
	}
	/* curl_multi_cleanup closes the cached connections; their socket callbacks
	 * (CURL_POLL_REMOVE) free our per-socket state. */
	curl_multi_cleanup(h->multi);
	event_free(h->timer);
	free(h);
	curl_global_cleanup();
}

struct http_xfer *
http_submit(struct http *h, const struct http_request *req, http_done_fn done,
    void *arg)
{
	struct http_xfer *x;
	const char *method = req->method;
	long timeout = req->timeout_ms > 0 ? (long)req->timeout_ms : DEFAULT_TIMEOUT_MS;

	x = calloc(1, sizeof(*x));
	if (x == NULL)
		return NULL;
	x->h = h;
	x->done = done;
	x->arg = arg;
	x->body_max = req->max_response ? req->max_response : DEFAULT_MAX_RESPONSE;
	x->discard_excess = req->discard_excess;
	x->req_body_len = req->body != NULL || req->body_read != NULL ? req->body_len : 0;
	x->body_read = req->body_read;
	x->body_arg = req->body_arg;
	x->easy = curl_easy_init();
	if (x->easy == NULL)
		goto fail;

	for (size_t i = 0; i < req->n_headers; i++) {
		struct curl_slist *l = curl_slist_append(x->req_headers, req->headers[i]);
		if (l == NULL)
			goto fail;
		x->req_headers = l;
	}
	/* No "Expect: 100-continue" round trip before large bodies: it costs a
	 * round trip (or a 1 s stall with servers that ignore it) on every batch. */
	{
		struct curl_slist *l = curl_slist_append(x->req_headers, "Expect:");
		if (l == NULL)
			goto fail;
		x->req_headers = l;
	}
	if (method == NULL)
		method = req->body != NULL || req->body_read != NULL ? "POST" : "GET";

	curl_easy_setopt(x->easy, CURLOPT_URL, req->url);
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->req_headers);
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
	curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(x->easy, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(x->easy, CURLOPT_CONNECTTIMEOUT_MS, timeout < 10000 ? timeout : 10000L);
	curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->easy, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(x->easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x->easy, CURLOPT_USERAGENT, "oci-logfwd/" OCI_LOGFWD_VERSION);
	/* SearchLogs pages (~1.5 MB) and batch bodies (~0.75 MB) are large: 256 KiB buffers
	 * instead of curl's 16 KiB (receive) and 64 KiB (send) cut the recv/poll/send calls
	 * per transfer ~10x (make bench: 23,000 syscalls per 100k records before).  Each
	 * buffer is allocated per transfer, so only where a large body goes that way (a
	 * sink's answer is kept up to 64 KiB, a search's request is small): else 4 sinks with
	 * 2 requests in flight held 4 MiB of them (make bench, massif).  A streamed body
	 * (body_read) keeps curl's 64 KiB upload buffer: it is filled straight from the
	 * source, and 8 requests in flight held 2 MiB of 256 KiB ones.  Nor is it faster
	 * (make bench, 300k records, medians of 3 alternated: 256 KiB 5.91 vs 6.05 us CPU a
	 * record with 1 sink, 8.68 vs 8.66 with 4, noise), and 16 KiB, small enough for L1
	 * between our copy and the kernel's, costs more syscalls than it saves: 6.00 vs 5.63,
	 * 9.89 vs 8.79. */
	if (req->max_response == 0 || req->max_response > HTTP_BIG_BODY)
		curl_easy_setopt(x->easy, CURLOPT_BUFFERSIZE, 256L * 1024);
	if (req->body_len > HTTP_BIG_BODY && req->body_read == NULL)
		curl_easy_setopt(x->easy, CURLOPT_UPLOAD_BUFFERSIZE, 256L * 1024);
	if (!req->tls_verify) {
		curl_easy_setopt(x->easy, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(x->easy, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (req->tls_ca_file != NULL)
		curl_easy_setopt(x->easy, CURLOPT_CAINFO, req->tls_ca_file);

	if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(x->easy, CURLOPT_HTTPGET, 1L);
	} else {
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(x->easy, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(x->easy, CURLOPT_POST, 1L);
		if (x->body_read != NULL) {
			/* No POSTFIELDS: the size gives Content-Length, the read callback
			 * the bytes. */
			curl_easy_setopt(x->easy, CURLOPT_READFUNCTION, read_cb);
			curl_easy_setopt(x->easy, CURLOPT_READDATA, x);
			curl_easy_setopt(x->easy, CURLOPT_SEEKFUNCTION, seek_cb);
			curl_easy_setopt(x->easy, CURLOPT_SEEKDATA, x);
		} else {
			curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS,
			    req->body != NULL ? req->body : "");
		}
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)x->req_body_len);
	}

	if (curl_multi_add_handle(h->multi, x->easy) != CURLM_OK)
		goto fail;
	x->next = h->xfers;
	if (h->xfers != NULL)
		h->xfers->prev = x;
	h->xfers = x;
	h->running++;
	return x;
fail:
	if (x->easy != NULL) {
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
	}
	curl_slist_free_all(x->req_headers);
	free(x);
	return NULL;
}

void
http_cancel(struct http_xfer *x)
{
	if (x == NULL)
		return;
	xfer_unlink(x);
	xfer_free(x);
}

size_t
http_running(const struct http *h)
{
	return h->running;
}

char *
http_response_take_body(const struct http_response *r, size_t *len)
{
	struct http_xfer *x = r->xfer_;
	char *b;

	*len = 0;
	if (x == NULL || x->body == NULL)
		return NULL;
	b = x->body;
	*len = x->body_len;
	x->body = NULL;
	x->body_len = x->body_cap = 0;
	return b;
}

void
http_flush(struct http *h)
{
	int running = 0;

	/* No check_multi(): completion callbacks must not run inside the caller's. */
	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
}

const char *
http_response_header(const struct http_response *r, const char *name)
{
	for (size_t i = 0; i < r->n_headers; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}
