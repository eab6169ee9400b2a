/*
 * search.h — SearchLogs over one time window: POST {endpoint}/20190909/search?limit=N
 * [&page=TOKEN], following opc-next-page, non-blocking on the event loop (http.h), handing
 * each page's records to a callback as it arrives.
 *
 * Errors and retries:
 *   429                 retried forever, waiting Retry-After when given, else backoff
 *                       (rate limiting says nothing about the window's size);
 *   5xx (not 501), 409 IncorrectState, timeouts, connection errors
 *                       retried with backoff up to max_transient_retries per page, then
 *                       SEARCH_TOO_BIG (the caller should split the window).  A 5xx whose
 *                       message says the query timed out is SEARCH_TOO_BIG at once;
 *   401                 token credentials: refreshed once and retried; else SEARCH_AUTH;
 *   404                 SEARCH_NOT_FOUND (NotAuthorizedOrNotFound);
 *   400                 SEARCH_BAD_QUERY, except an invalid/expired page token, which is
 *                       SEARCH_TOO_BIG (re-reading a smaller window is the cure);
 *   a page that is not the documented JSON, or a repeating page token: SEARCH_FAILED.
 * Pages are parsed with yajl's streaming parser: each results[i].data object is located
 * by byte range in the body, with no tree built.
 */
#ifndef OCI_LOGFWD_SEARCH_H
#define OCI_LOGFWD_SEARCH_H

#include <stddef.h>
#include <stdint.h>

struct oci_client;
struct search;

/* One results[i].data object, {"datetime":..,"logContent":{..}}; borrowed for the page callback. */
struct search_record {
	const char *json;
	size_t len;
};

struct search_page {
	const struct search_record *records;
	size_t n;
	const char *request_id; /* opc-request-id of this page; may be NULL */
	unsigned page_index;    /* 0 for the first page */
};

enum search_status {
	SEARCH_OK,
	SEARCH_TOO_BIG,   /* timeouts, 5xx beyond the retry budget, expired page token: split the window */
	SEARCH_AUTH,      /* 401 (code/message/request id filled) or credentials unavailable */
	SEARCH_NOT_FOUND, /* 404 NotAuthorizedOrNotFound */
	SEARCH_BAD_QUERY, /* 400 */
	SEARCH_FAILED,    /* anything else, incl. a malformed page */
	SEARCH_CANCELLED,
};

/* Strings borrowed during the done callback. */
struct search_result {
	enum search_status status;
	long http_status;       /* last HTTP status (0 = none) */
	const char *code;       /* OCI error code, or NULL */
	const char *message;    /* OCI's message, or our description of the failure */
	const char *request_id; /* opc-request-id of the failing response, or NULL */
	uint64_t records;
	unsigned pages;
	unsigned requests;
};

struct search_opts {
	int limit;                      /* 1..1000; default 1000 */
	int64_t timeout_ms;             /* per request, default 60000 */
	int64_t retry_initial_ms;       /* 1000 */
	int64_t retry_max_ms;           /* 60000 */
	unsigned max_transient_retries; /* 5 */
	const char *source_name;        /* for log lines (log_source); may be NULL; copied */
};

struct search_callbacks {
	/*
	 * Hands over page->n records; returns how many it consumed (0..n).  Fewer than n
	 * means "no room now": the search keeps the rest of the page, pauses itself, and
	 * hands the remaining records over again (same page_index, records advanced) after
	 * search_resume().  The next page is not requested before the page is consumed.
	 */
	size_t (*page)(void *arg, const struct search_page *page);
	/* exactly once, unless cancelled; the search is freed right after it returns */
	void (*done)(void *arg, const struct search_result *res);
	void (*response)(void *arg, long http_status); /* optional: every HTTP response (0 = transport error) */
	/*
	 * Optional: a retry was scheduled (429, 5xx, 3xx, 409, connection errors, timeouts):
	 * why says what failed (status, code, message, request id; strings borrowed for the
	 * call), delay_ms when the next attempt goes.  The search keeps its place (cursor and
	 * page token) and retries for as long as it takes; the caller reports it (log,
	 * metrics, health).
	 */
	void (*retrying)(void *arg, const struct search_result *why, int64_t delay_ms);
	void *arg;
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
 * (caller frees; may start NULL/0) filled with ranges into body; *n set.  0, or -1 with a
 * message in err when the body is not the documented JSON (not an object, no results
 * array, an element without a data object, invalid JSON or UTF-8, trailing garbage).
 */
int search_parse_page(const char *body, size_t len, struct search_record **recs,
    size_t *cap, size_t *n, char *err, size_t errlen);

/* Reads {"code","message"} from an OCI error body: new strings (caller frees) or NULL. */
void search_parse_error(const char *body, size_t len, char **code, char **message);

enum search_action {
	SEARCH_ACT_DONE,      /* 2xx */
	SEARCH_ACT_RATE,      /* 429: retry forever */
	SEARCH_ACT_TRANSIENT, /* retry up to the budget, then SEARCH_TOO_BIG */
	SEARCH_ACT_REAUTH,    /* 401: refresh token credentials once, else final */
	SEARCH_ACT_FINAL,     /* stop with *final */
};
/* What to do with an HTTP status (0 = transport error) and OCI's code/message (may be NULL). */
enum search_action search_classify(long http_status, const char *code, const char *message,
    enum search_status *final);

/* Epoch ms -> "2025-03-14T09:00:00.000Z" (24 chars + NUL). */
void search_format_time(int64_t ms, char out[32]);

#endif
