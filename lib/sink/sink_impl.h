/*
 * sink_impl.h — internal: what the generic engine (sink.c) shares with the per-type
 * files (sink_http.c, sink_datadog.c, ...).  Not for use outside lib/sink*.c and tests.
 *
 * A sink type is a plugin: one file that defines a `const struct sink_ops`, plus one line
 * in the registry (sink_registry.c, indexed by enum conf_sink_type).  Everything about the
 * type is in its ops:
 *
 *   - conf_keys  its own keys: a table (conf_key.h) into its private config struct,
 *                declared in sink_<type>.h; the generic config code parses them with
 *                the usual FILE:LINE errors once `type` is known, prints them with -t,
 *                compares them for a reload and frees them; a key of another type's
 *                table is an error naming the types that read it;
 *   - keys       the generic [sink] keys only some types read (url, header, the
 *                credentials, tls_*: the TY keys of conf_keys.c's table, shared with
 *                sink_auth.c and --probe); -t shows them for the type even when unset,
 *                and `url` given to a type that does not list it is an error;
 *   - required   the key it cannot work without, reported missing by conf.c;
 *   - check      what sink_new() would refuse, found at load so that -t finds it too;
 *   - auth       the Authorization schemes it accepts, in order of preference (one
 *                helper, sink_auth.c, builds the header for the sink and for --probe);
 *   - probe_*    the --probe request and how its answer is read;
 *   - classify   its retry rules for HTTP answers (NULL: sink_classify_default);
 *   - the transport: encode_item (once at submit), assemble_body or assemble (per
 *                request, so that a split re-assembles subsets without re-encoding;
 *                assemble_body streams, assemble copies), parse_2xx (per-item
 *                answers, Elasticsearch); then either the engine's HTTP POST, write
 *                (synchronous: file, stdout) or send (asynchronous, with a delivery
 *                report: sink_send_done).
 *
 * The engine owns queueing, batching, retries, rate limits, splitting, dead letters and
 * stats.  Adding a type: a CONF_SINK_* value (conf.h), its ops in one file (with its key
 * table and private config struct), and its line in sink_registry.c: parsing, -t,
 * reload equality and errors follow from the table.
 */
#ifndef OCI_LOGFWD_SINK_IMPL_H
#define OCI_LOGFWD_SINK_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "conf_key.h"
#include "sink.h"
#include "sink_body.h"
#include "sink_registry.h"
#include "sink_auth.h"

struct conf_check;
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
	/* json, source and message live in this shared blob when not NULL (else in the
	 * event's own allocation); released with the event. */
	struct sink_blob *blob;
};

/* Per-item outcome of a 2xx answer (parse_2xx). */
enum sink_item_action { SINK_ITEM_OK, SINK_ITEM_RETRY, SINK_ITEM_REJECT };

struct sink_item_result {
	enum sink_item_action action;
	int status;        /* the item's status when known */
	char reason[200];  /* for REJECT/RETRY: the vendor's reason */
};

/* What an HTTP status means for a batch (retry rules). */
enum sink_verdict {
	SINK_VERDICT_RETRY,   /* back off (Retry-After honoured) and send again */
	SINK_VERDICT_PAUSE,   /* misconfigured (URL, credentials): pause, queue kept */
	SINK_VERDICT_REJECT,  /* the events were refused: split, then dead-letter */
};

/* 408, 429, 5xx: RETRY; 401, 403, 404, 407: PAUSE; any other non-2xx: REJECT. */
enum sink_verdict sink_classify_default(long status);

struct sink_ops {
	const char *type;               /* the value of `type =` */
	/* The [sink] keys the type reads beyond the generic ones; NULL-terminated. */
	const char *const *keys;
	/*
	 * Its private config: conf_keys (NULL-name terminated, CONF_TYPE_KEY of conf_key.h)
	 * points into a struct of conf_size bytes that the config code allocates once
	 * `type` is known (`type` may come after the keys it governs), fills from the
	 * section's keys with the usual FILE:LINE errors, prints with -t where the generic
	 * table has its V_TYPEKEYS mark, compares for a reload, and frees through the table
	 * (strings and lists) with struct conf_sink.type_conf.  conf_init sets the
	 * defaults of a new one (may be NULL: all zero).  A key of another type's table is
	 * an error naming the types that read it.
	 */
	const struct key *conf_keys;
	size_t conf_size;
	void (*conf_init)(void *type_conf);
	/* The string key it cannot work without ("url", "path"; NULL = none): conf.c
	 * reports it missing first, "missing (required for type T)". */
	const char *required;
	/* Authorization schemes by preference (SINK_AUTH_END-terminated); NULL = none. */
	const enum sink_auth *auth;
	/*
	 * At load (and -t), after the generic checks: what init would refuse beyond
	 * `required`, reported with conf_check_err (conf.h); may be NULL.  The registry
	 * adds what every type shares (a `header` Authorization next to one made from auth).
	 */
	void (*check)(const struct conf_sink *cfg, struct conf_check *chk);
	/* At load: defaults that depend on other keys (conf_check_is_set); 0 or -1. */
	int (*defaults)(struct conf_sink *cfg, struct conf_check *chk);
	/* Retry rules for a non-2xx answer; NULL = sink_classify_default. */
	enum sink_verdict (*classify)(const struct conf_sink *cfg, long status);
	/*
	 * --probe over HTTP: appends the GET URL that tells whether the service takes the
	 * sink's credentials to url, and its headers with add(); 0 or -1 (memory).  The
	 * `header` lines are added by the caller.  NULL: probe_local says what is checked.
	 */
	int (*probe_request)(const struct conf_sink *cfg, struct buf *url,
	    int (*add)(void *arg, const char *name_colon, const char *value), void *arg);
	/*
	 * --probe's reading of an HTTP answer (2xx included), after the caller put "HTTP
	 * <status> from <url>" (and a body excerpt) into detail: may add to detail and fix;
	 * returns the verdict, or SINK_PROBE_GENERIC for the caller's usual reading.
	 */
	enum sink_probe_verdict (*probe_answer)(const struct conf_sink *cfg, long status,
	    const char *body, size_t len, struct buf *detail, struct buf *fix);
	/* --probe without HTTP (file, stdout, no validation endpoint). */
	enum sink_probe_verdict (*probe_local)(const struct conf_sink *cfg,
	    struct buf *detail, struct buf *fix);
	/* Sets s->url, headers (sink_add_header), limits, s->priv.  0 or -1 (err filled). */
	int (*init)(struct sink *s, struct err *err);
	void (*fini)(struct sink *s);                   /* frees s->priv; may be NULL */
	/*
	 * Appends doc's envelope item to out; 0, or -1 with a reason in err (the event is
	 * then dead-lettered).  NULL: the item is the event's JSON itself.
	 */
	int (*encode_item)(struct sink *s, const struct sink_doc *doc, struct buf *out,
	    struct err *err);
	/*
	 * 1 when encode_item reads doc->message (the one-line summary) for cfg.  NULL:
	 * never; then the producer need not write the summary and the sink stores none.
	 */
	int (*uses_summary)(const struct conf_sink *cfg);
	/*
	 * The request body for evs[0..n) (n >= 1); a type has one of the two.  assemble_body
	 * (the HTTP types) builds it as pieces that borrow the events' items (sink_body.h):
	 * curl reads them as it sends, so no batch in flight holds a copy of its events (with
	 * gzip the pieces are compressed, and only the compressed body is kept).  assemble
	 * appends it to out in one buffer (types whose transport takes one: write, send).
	 * 0 or -1 (memory).
	 */
	int (*assemble_body)(struct sink *s, struct sink_event *const *evs, size_t n,
	    struct sink_body *out);
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
	/*
	 * Asynchronous delivery without HTTP (a broker with delivery reports): starts sending
	 * body (borrowed until the outcome) for the batch token; the type reports the outcome
	 * once with sink_send_done(s, token, error), later, from the loop (never from within
	 * send).  0, or -1 with errbuf when it could not start (retried like a failed write).
	 * cancel(s, token): the engine gives the batch up (sink freed, adopted); no
	 * sink_send_done for that token afterwards.  A type has write, send, or neither (then
	 * the engine POSTs the body to url itself).
	 */
	int (*send)(struct sink *s, void *token, const char *body, size_t len, char *errbuf,
	    size_t errlen);
	void (*cancel)(struct sink *s, void *token);
	void (*reopen)(struct sink *s);                 /* SIGHUP; may be NULL */
	/* url is a byte stream's, tcp:// or tls:// (syslog), not http(s)://. */
	int stream_url;
};

/* The keys every HTTP type reads (for struct sink_ops.keys). */
#define SINK_HTTP_KEYS "url", "header", "tls_verify", "tls_ca_file"

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
	const char *target;               /* what logs name when url is NULL (file: path) */
	void *priv;                       /* the type's state */
};

/* The outcome of an asynchronous send: error NULL = delivered, else retried with backoff
 * (error is logged and shown as the sink's last error).  Ignored for a token cancelled. */
void sink_send_done(struct sink *s, void *token, const char *error);
/*
 * The outcome of an asynchronous send item by item (a broker whose delivery reports are
 * per message): res[0..n) in the order of the batch's events (as assemble got them):
 * SINK_ITEM_OK delivered, SINK_ITEM_REJECT dead-lettered alone with its reason (a
 * permanent error for that one event: too large), SINK_ITEM_RETRY sent again in a body
 * rebuilt from the retried events only, with backoff.  The engine may rewrite the
 * reasons (credentials masked).  Ignored for a token cancelled, as sink_send_done.
 */
void sink_send_done_items(struct sink *s, void *token, struct sink_item_result *res);

/*
 * The type's service refused the sink's credentials (a Kafka broker's SASL failure); why
 * says which cause and the fix (the sink's last error: no secret in it).  The sink is
 * unhealthy and sink_refused() is 1 until the next delivery; one-shot runs give up.
 */
void sink_set_refused(struct sink *s, const char *why);

/* sink_new with the ops given (tests; sink_new takes them from the registry). */
struct sink *sink_new_ops(struct event_base *base, struct http *http,
    const struct conf_sink *cfg, const struct sink_ops *ops, const char *state_dir,
    struct err *err);

/* The engine's sink starts with the common part, so a type can reach it. */
struct sink_common *sink_common(struct sink *s);
/* The loop the sink runs on (for a type's own I/O: send). */
struct event_base *sink_event_base(struct sink *s);

/* Adds a request header, printf-style; 0 or -1 (too many, memory). */
int sink_add_header(struct sink_common *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Adds the Authorization header of the type's auth schemes (sink_auth.h), if any key
 * for one is set; 0 or -1 (memory, too many). */
int sink_add_auth(struct sink_common *c, const enum sink_auth *schemes);
/* Adds cfg's `header` lines; 0 or -1 with err (malformed line). */
int sink_add_config_headers(struct sink_common *c, struct err *err);
/*
 * Sets c->url: url when it has a path beyond "/", else url + default_path.  0 or -1
 * (memory, url NULL: err says the key is required).
 */
int sink_set_url(struct sink_common *c, const char *url, const char *default_path,
    struct err *err);

/* Helpers shared by the encoders. */
enum sink_kind sink_kind_parse(const char *kind);
const char *sink_kind_name(enum sink_kind k);
/* Appends "dst joined with commas/newlines": items of evs[0..n) separated by sep. */
int sink_join_items(struct buf *out, struct sink_event *const *evs, size_t n,
    const char *open, const char *sep, const char *close);
/* The same as pieces: the items are referenced, not copied. */
int sink_body_join_items(struct sink_body *out, struct sink_event *const *evs, size_t n,
    const char *open, const char *sep, const char *close);

/* check, for types that send token or username/password, not both. */
void sink_check_token_or_basic(const struct conf_sink *cfg, struct conf_check *chk);
/* Length of "scheme://authority" at the start of url; 0 when there is no "://". */
size_t sink_url_origin_len(const char *url);
/*
 * For probe_request: appends the service base of a sink URL to out: cut at marker (the
 * API path the sink posts to) when present; a URL with no path is its origin; any other
 * path is kept (a reverse proxy's prefix).  No trailing slash.
 */
void sink_url_base(const char *url, const char *marker, struct buf *out);

/* The registry (sink_registry.c): the ops of type t; NULL when t is out of range. */
const struct sink_ops *sink_ops_for(enum conf_sink_type t);

extern const struct sink_ops sink_http_ops;
extern const struct sink_ops sink_datadog_ops;
extern const struct sink_ops sink_splunk_ops;
extern const struct sink_ops sink_elasticsearch_ops;
extern const struct sink_ops sink_loki_ops;
extern const struct sink_ops sink_file_ops;
extern const struct sink_ops sink_stdout_ops;
extern const struct sink_ops sink_otlp_ops;
extern const struct sink_ops sink_syslog_ops;
extern const struct sink_ops sink_kafka_ops;

#endif
