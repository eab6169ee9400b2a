/*
 * sink_impl.h — internal: what the generic engine (sink.c) shares with the per-type
 * files (sink_http.c, sink_datadog.c, ...).  Not for use outside lib/sink*.c and tests.
 *
 * A type supplies a callback table (struct sink_ops): how one event becomes an envelope
 * item (encode_item, done once at submit), how items become a request body (assemble,
 * done per request, so that a split re-assembles subsets without re-encoding), how a 2xx
 * answer is read per item (parse_2xx, Elasticsearch), or how a batch is written without
 * HTTP (write: file, stdout).  The engine owns queueing, batching, retries, rate limits,
 * splitting, dead letters and stats.
 */
#ifndef OCI_LOGFWD_SINK_IMPL_H
#define OCI_LOGFWD_SINK_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "sink.h"

struct http_response;

enum sink_kind { SINK_KIND_OTHER, SINK_KIND_AUDIT, SINK_KIND_FLOW };

/* One queued event; a single allocation holding the strings after the struct. */
struct sink_event {
	struct ack *ack;
	const char *json;    /* the event as handed over (NUL-terminated) */
	size_t json_len;
	const char *item;    /* its envelope item (== json when the type has no encode_item) */
	size_t item_len;
	const char *source;  /* source name, "" when none */
	const char *message; /* the one-line summary, NULL when none (re-encoding, adopt) */
	int64_t time_ns;
	uint64_t fingerprint;
	int64_t enq_ms;      /* monotonic ms when queued (batch_timeout) */
	size_t size;         /* bytes accounted to the queue */
	enum sink_kind kind;
};

/* Per-item outcome of a 2xx answer (parse_2xx). */
enum sink_item_action { SINK_ITEM_OK, SINK_ITEM_RETRY, SINK_ITEM_REJECT };

struct sink_item_result {
	enum sink_item_action action;
	int status;        /* the item's status when known */
	char reason[200];  /* for REJECT/RETRY: the vendor's reason */
};

struct sink_ops {
	const char *type;
	/* Sets s->url, headers (sink_add_header), limits, s->priv.  0 or -1 (err filled). */
	int (*init)(struct sink *s, struct sink_err *err);
	void (*fini)(struct sink *s);                   /* frees s->priv; may be NULL */
	/*
	 * Appends doc's envelope item to out; 0, or -1 with a reason in err (the event is
	 * then dead-lettered).  NULL: the item is the event's JSON itself.
	 */
	int (*encode_item)(struct sink *s, const struct sink_doc *doc, struct buf *out,
	    struct sink_err *err);
	/* Appends the request body for evs[0..n) (n >= 1) to out; 0 or -1 (memory). */
	int (*assemble)(struct sink *s, struct sink_event *const *evs, size_t n,
	    struct buf *out);
	/*
	 * A 2xx answer, per item: fills res[0..n).  Returns 0, or -1 when the body cannot
	 * be read (the whole batch is then retried).  NULL: every item is delivered.
	 */
	int (*parse_2xx)(struct sink *s, const struct http_response *r,
	    struct sink_event *const *evs, size_t n, struct sink_item_result *res);
	/* Delivery without HTTP (file, stdout): writes body durably; 0, or -1 with errbuf. */
	int (*write)(struct sink *s, const char *body, size_t len, char *errbuf,
	    size_t errlen);
	void (*reopen)(struct sink *s);                 /* SIGHUP; may be NULL */
	/*
	 * Asynchronous delivery without HTTP (syslog): starts sending body (valid until
	 * done or cancel); the type then calls sink_send_done(s, token, ...) exactly once,
	 * from the loop, unless cancel(s, token) came first (the batch is going away).
	 * 0, or -1 with errbuf (nothing started).
	 */
	int (*send)(struct sink *s, const char *body, size_t len, void *token, char *errbuf,
	    size_t errlen);
	void (*cancel)(struct sink *s, void *token);
};

#define SINK_MAX_HEADERS 48

/* The fields a type may read or set; the engine's own state lives in sink.c. */
struct sink_common {
	const struct conf_sink *cfg;
	char *url;                        /* set by init (HTTP types) */
	char *headers[SINK_MAX_HEADERS];  /* "Name: value", heap */
	size_t n_headers;
	int lim_events;                   /* per request, after the vendor's cap */
	size_t lim_bytes;                 /* body bytes before compression */
	size_t per_item_overhead;         /* separator bytes per item in the body */
	size_t body_overhead;             /* fixed bytes per body ("[" "]") */
	int item_is_json;                 /* skip encode_item: the item is the event */
	size_t max_response;              /* response bytes the type reads; 0 = 64 KiB */
	void *priv;                       /* the type's state */
};

/* The engine's sink starts with the common part, so a type can reach it. */
struct sink_common *sink_common(struct sink *s);
/* The loop the sink runs on (for a type's own I/O). */
struct event_base *sink_event_base(struct sink *s);
/* ok = 1: the batch send started by ops->send is delivered; 0: failed (err), retried. */
void sink_send_done(struct sink *s, void *token, int ok, const char *err);

/* Adds a request header, printf-style; 0 or -1 (too many, memory). */
int sink_add_header(struct sink_common *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Adds "Authorization: Basic base64(user:password)"; 0 or -1. */
int sink_add_basic_auth(struct sink_common *c, const char *user, const char *password);
/* Adds cfg's `header` lines; 0 or -1 with err (malformed line). */
int sink_add_config_headers(struct sink_common *c, struct sink_err *err);
/*
 * Sets c->url: url when it has a path beyond "/", else url + default_path.  0 or -1
 * (memory, url NULL: err says the key is required).
 */
int sink_set_url(struct sink_common *c, const char *url, const char *default_path,
    struct sink_err *err);

/* Helpers shared by the encoders. */
enum sink_kind sink_kind_parse(const char *kind);
const char *sink_kind_name(enum sink_kind k);
/* Appends "dst joined with commas/newlines": items of evs[0..n) separated by sep. */
int sink_join_items(struct buf *out, struct sink_event *const *evs, size_t n,
    const char *open, const char *sep, const char *close);

extern const struct sink_ops sink_http_ops;
extern const struct sink_ops sink_datadog_ops;
extern const struct sink_ops sink_splunk_ops;
extern const struct sink_ops sink_elasticsearch_ops;
extern const struct sink_ops sink_loki_ops;
extern const struct sink_ops sink_file_ops;
extern const struct sink_ops sink_stdout_ops;
extern const struct sink_ops sink_otlp_ops;
extern const struct sink_ops sink_syslog_ops;

#endif
