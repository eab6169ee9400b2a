/*
 * search.h — SearchLogs over one time window: POST {endpoint}/20190909/search?limit=N
 * [&page=TOKEN], following opc-next-page, non-blocking on the event loop (http.h), handing
 * each page's records to a callback as it arrives.
 *
 * Errors and retries are decided by HTTP status and OCI's `code` only, never by the words
 * of `message` (OCI documents neither the wording of a query-timeout 5xx nor that of an
 * expired page token):
 *   connection refused, DNS, TLS, reset, a connect timeout, 3xx, 5xx (not 501),
 *   409 IncorrectState/LockConflict, 429
 *                       retried inside the search for as long as it takes, keeping the
 *                       page token, with capped full-jitter backoff (retry_initial_ms ..
 *                       retry_max_ms; retrying() is called for each); on 429 and 503 the
 *                       wait is max(backoff, Retry-After), Retry-After capped at
 *                       retry_after_max_ms (0 or a past date = the backoff).  None of these
 *                       says the window is too big, so none becomes SEARCH_TOO_BIG
 *                       (opts.max_attempts > 0 ends a streak as SEARCH_FAILED: --probe);
 *   our own per-request timeout firing after the whole request went out on an established
 *   connection      retried likewise; max_transient_retries + 1 such timeouts in a row for
 *                       one page are SEARCH_TOO_BIG (OCI took too long to answer: the
 *                       window holds too much);
 *   a page body over max_page_bytes
 *                       the page is asked again with half the limit (down to 1; not a
 *                       failure, the limit stays halved for the rest of the window); still
 *                       too large at limit 1: SEARCH_TOO_BIG;
 *   401                 token credentials: refreshed once and retried; else SEARCH_AUTH;
 *   404                 SEARCH_NOT_FOUND (NotAuthorizedOrNotFound);
 *   400                 answering a request that carried a page token (an expired token
 *                       looks like this): the window restarts from its first page, once
 *                       (page_index starts at 0 again and the caller sees those records
 *                       again); otherwise, and the second time, SEARCH_BAD_QUERY;
 *   other 4xx, 501      SEARCH_FAILED;
 *   a page that is not the documented JSON, a page token seen before in this window (a
 *   cycle), more than max_pages pages: SEARCH_FAILED.
 * A page without `results`, or with `"results": null`, is an empty page (the Go SDK marks
 * only `summary` mandatory).  Pages are parsed with yajl's streaming parser: each
 * results[i].data object is located by byte range in the body, with no tree built, and
 * optionally parsed in that same pass (search_rec_parser: each page is lexed once).
 * Page requests of one search start at least min_page_interval_ms apart (pacing: a server
 * that answers instantly and forever cannot turn a window into a hot loop), except after a
 * page of 64 KiB or more (records: progress, not a loop).
 * Fetch ahead: page k+1's request goes out as soon as page k's answer (with its
 * opc-next-page) is in, before page k is parsed and handed over, so OCI works on the next
 * page while we parse (and, with a record parser, normalize) this one and the caller
 * queues it.  A malformed page k is then noticed after k+1 was asked for (that request
 * is cancelled with the search).  At most one page is ahead: one request in
 * flight, and its answer (whatever it is: a page, an error, a 429) waits, parked, until
 * page k is consumed, so records, retries and results keep their order.  No request goes
 * out while the search is paused.
 * Every request carries a new opc-request-id (oci.h); log lines name OCI's returned one,
 * else ours.  Strings from OCI (code, message, request id) have control characters escaped
 * (\xNN) in log lines and in the search_result handed to callbacks.  Retries are logged
 * at info at most once per 30 s per search (the caller reports each via retrying()).
 */
#ifndef OCI_LOGFWD_SEARCH_H
#define OCI_LOGFWD_SEARCH_H

#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_parse.h>

struct oci_client;
struct search;

/* One results[i].data object, {"datetime":..,"logContent":{..}}; borrowed for the page callback. */
struct search_record {
	const char *json;
	size_t len;
	const void *parsed; /* what search_rec_parser.rec_end gave, or NULL (none, or failed) */
};

/*
 * Optional (opts.rec_parser): parse each record inside the page's own yajl pass, so that
 * each page is lexed once.  page_begin (before the pass; h is its handle, text the whole
 * body; nonzero = out of memory, the page fails), then per results[i].data: rec_begin,
 * every yajl event of the object (start_map .. end_map) to cb with ctx arg (a callback
 * returning 0 fails that record only: it is fed nothing more), rec_end (record failed
 * = 1 when a callback did; returns the record's search_record.parsed, NULL for none).
 * What rec_end returns must stay valid until the next page_begin.
 */
struct search_rec_parser {
	const yajl_callbacks *cb;
	void *arg;
	int (*page_begin)(void *arg, yajl_handle h, const char *text, size_t len);
	void (*rec_begin)(void *arg);
	const void *(*rec_end)(void *arg, int failed);
};

struct search_page {
	const struct search_record *records;
	size_t n;
	const char *request_id; /* opc-request-id of this page; may be NULL */
	unsigned page_index;    /* 0 for the first page */
};

enum search_status {
	SEARCH_OK,
	SEARCH_TOO_BIG,   /* evidence of size (slow answers, a page over the cap): split the window */
	SEARCH_AUTH,      /* 401 (code/message/request id filled) or credentials unavailable */
	SEARCH_NOT_FOUND, /* 404 NotAuthorizedOrNotFound */
	SEARCH_BAD_QUERY, /* 400 */
	SEARCH_FAILED,    /* anything else, incl. a malformed page, a page-token cycle */
	SEARCH_CANCELLED,
};

/* Strings borrowed during the callback; control characters escaped. */
struct search_result {
	enum search_status status;
	long http_status;       /* last HTTP status (0 = none) */
	const char *code;       /* OCI error code, or NULL */
	const char *message;    /* OCI's message, or our description of the failure */
	const char *request_id; /* OCI's opc-request-id of the failing response, else ours */
	uint64_t records;
	unsigned pages;
	unsigned requests;
};

struct search_opts {
	int limit;                      /* 1..1000; default 1000 */
	int64_t timeout_ms;             /* per request, default 60000 */
	int64_t retry_initial_ms;       /* 1000 */
	int64_t retry_max_ms;           /* 60000 */
	unsigned max_transient_retries; /* 5: a page whose sent request timed out 1 + this many
	                                 * times in a row is SEARCH_TOO_BIG */
	int64_t retry_after_max_ms;     /* 300000: cap on a Retry-After wait */
	size_t max_page_bytes;          /* 64 MiB: a larger page is asked with half the limit */
	unsigned max_pages;             /* 100000 pages per window (per pass), else SEARCH_FAILED */
	int64_t min_page_interval_ms;   /* 10: pacing between page requests of one search */
	unsigned max_attempts;          /* 0 = retry for as long as it takes; N: SEARCH_FAILED
	                                 * after N failed attempts in a row (for --probe) */
	unsigned sample_pages;          /* 0 = all; N: the N-th page is the last one asked for
	                                 * and handed over, then SEARCH_OK (for --probe) */
	const char *source_name;        /* for log lines (log_source); may be NULL; copied */
	const struct search_rec_parser *rec_parser; /* NULL = none; borrowed for the search */
};

struct search_callbacks {
	/*
	 * Hands over page->n records; returns how many it consumed (0..n).  Fewer than n
	 * means "no room now": the search keeps the rest of the page, pauses itself, and
	 * hands the remaining records over again (same page_index, records advanced) after
	 * search_resume() (a resume inside this callback does not count).  The next page may
	 * already be on its way (fetch ahead), but it is not handed over, nor another one
	 * requested, before this page is consumed.  An empty page is handed over too (n 0).
	 */
	size_t (*page)(void *arg, const struct search_page *page);
	/* exactly once, unless cancelled; the search is freed right after it returns */
	void (*done)(void *arg, const struct search_result *res);
	void (*response)(void *arg, long http_status); /* optional: every HTTP response (0 = transport error) */
	/*
	 * Optional: a retry was scheduled (429, 5xx, 3xx, 409, connection errors, timeouts):
	 * why says what failed (http_status 0 = no HTTP answer, code, message, request id;
	 * strings borrowed for the call; why->status is SEARCH_FAILED, meaning nothing),
	 * delay_ms when the next attempt goes.  The search keeps its place (cursor and
	 * page token) and retries for as long as it takes; the caller reports it (log,
	 * metrics, health).
	 */
	void (*retrying)(void *arg, const struct search_result *why, int64_t delay_ms);
	/*
	 * Optional: page page_index, asked with limit 1, is still over max_page_bytes: it is
	 * one record that can never be fetched (bytes: at least its size; request_id: its
	 * opc-request-id).  Return 0 once it is recorded (dead-lettered): the search skips it
	 * by its opc-next-page and goes on.  Non-zero: the page is asked again after a
	 * backoff.  Without this callback such a page ends the search SEARCH_TOO_BIG.
	 */
	void *arg;
	/* (after arg: existing positional initializers stay valid) */
	int (*oversize)(void *arg, unsigned page_index, uint64_t bytes, const char *request_id);
};

/* Fills the defaults listed in struct search_opts. */
void search_opts_default(struct search_opts *o);

/*
 * Searches [start_ms, end_ms) (epoch ms; sent as RFC 3339 with milliseconds and Z).
 * query is copied.  Returns a handle, or NULL (out of memory, bad arguments) in which case
 * no callback runs.  The first request starts from the event loop, never inside this call.
 */
struct search *search_start(struct oci_client *c, const char *query, int64_t start_ms,
    int64_t end_ms, const struct search_opts *opts, const struct search_callbacks *cb);
/* Don't request the next page until resumed (backpressure); safe inside the page callback. */
void search_pause(struct search *s);
/* Lets the next page be requested (from the loop) if one is due. */
void search_resume(struct search *s);
/* Stops and frees; no callback after.  Safe inside the page callback; not after done. */
void search_cancel(struct search *s);

/* ---- pure helpers, exposed for tests ---- */

/*
 * Locates results[i].data objects in a SearchLogs response body.  *recs is a growing array
 * (caller frees; may start NULL/0) filled with ranges into body; *n set (0 when `results`
 * is missing or null).  0, or -1 with a message in err when the body is not the documented
 * JSON (not an object, results not an array, an element without a data object, invalid
 * JSON, trailing garbage).
 */
int search_parse_page(const char *body, size_t len, struct search_record **recs,
    size_t *cap, size_t *n, char *err, size_t errlen);
/* The same, with each record also fed to rp (may be NULL) in the same pass. */
int search_parse_page_rp(const char *body, size_t len, const struct search_rec_parser *rp,
    struct search_record **recs, size_t *cap, size_t *n, char *err, size_t errlen);

/* Reads {"code","message"} from an OCI error body: new strings (caller frees) or NULL. */
void search_parse_error(const char *body, size_t len, char **code, char **message);

enum search_action {
	SEARCH_ACT_DONE,      /* 2xx */
	SEARCH_ACT_RATE,      /* 429: retry for as long as it takes, honouring Retry-After */
	SEARCH_ACT_TRANSIENT, /* transport error, 3xx, 5xx, 409 IncorrectState/LockConflict:
	                       * retry for as long as it takes (503: Retry-After too) */
	SEARCH_ACT_REAUTH,    /* 401: refresh token credentials once, else final */
	SEARCH_ACT_FINAL,     /* stop with *final (a 400 may first restart the window) */
};
/* What to do with an HTTP status (0 = transport error) and OCI's code (may be NULL). */
enum search_action search_classify(long http_status, const char *code,
    enum search_status *final);

/*
 * Copies in into out (size n > 0), escaping bytes below 0x20 and 0x7f as \xNN, truncated
 * (never mid-escape) to fit; NULL gives "-".  Returns out.
 */
char *search_escape(const char *in, char *out, size_t n);

#endif
