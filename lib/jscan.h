/*
 * jscan.h — a fast validating JSON SAX parser over one complete buffer, driving yajl's
 * callback table.
 *
 * Why: the benchmark (bench/run.sh, issue 7) profiled yajl's lexer at 46 % of the
 * daemon's instructions (plus 13 % in yajl_parse): every SearchLogs page is parsed twice
 * (search_parse_page to find the records, then normalize_record per record), and yajl
 * lexes byte by byte through a state machine.  jscan accepts the same grammar as yajl 2
 * (JSON plus \v and \f as whitespace), decodes strings the way yajl does, and keeps the
 * two things its users rely on: yajl_callbacks semantics (strings without escapes point
 * into the input, escaped ones are decoded into a scratch buffer valid until the next
 * escaped string; numbers are passed as text to yajl_number; a callback returning 0
 * stops the parse) and yajl_get_bytes_consumed() positions, via jscan_consumed().
 * Only the whole-buffer case is supported (no incremental feeding).  One difference:
 * with JSCAN_MULTIPLE, yajl accepts an unterminated string or literal after a complete
 * value at the very end of the input (`{} "ab`); jscan rejects it (premature EOF).
 */
#ifndef OCI_LOGFWD_JSCAN_H
#define OCI_LOGFWD_JSCAN_H

#include <stddef.h>
#include <yajl/yajl_parse.h>

/* Deeper nesting is an error ("nesting too deep"); above NORMALIZE_MAX_DEPTH on purpose,
 * so the normalizer's own, more specific, check fires first. */
#define JSCAN_MAX_DEPTH 1024

/* Flags for jscan_parse. */
#define JSCAN_VALIDATE_UTF8 1  /* yajl's default: reject invalid UTF-8 lead/continuation bytes */
#define JSCAN_MULTIPLE      2  /* yajl_allow_multiple_values: consecutive top-level values */

struct jscan;

/* Returns a new parser (caller frees with jscan_free), or NULL when out of memory. */
struct jscan *jscan_new(void);
/* Frees js; NULL is a no-op. */
void jscan_free(struct jscan *js);

/*
 * Parses in[0..len) (need not be NUL-terminated) as one JSON value (several with
 * JSCAN_MULTIPLE) with optional whitespace around, calling cb's callbacks with ctx.
 * yajl_integer and yajl_double are ignored: numbers go to yajl_number (may be NULL).
 * Returns 0; 1 when a callback returned 0 (stopped); -1 when the text is not valid
 * JSON (or memory runs out), with jscan_error() saying why.  Reusable after any result.
 */
int jscan_parse(struct jscan *js, const yajl_callbacks *cb, void *ctx, const char *in,
    size_t len, int flags);

/* During a callback: bytes of the input consumed, as yajl_get_bytes_consumed() (just
 * after the token that triggered the callback); after an error: where it was found. */
size_t jscan_consumed(const struct jscan *js);

/* After jscan_parse returned -1: a one-line message such as "invalid char in JSON text"
 * (static storage inside js, valid until the next parse). */
const char *jscan_error(const struct jscan *js);

#endif
