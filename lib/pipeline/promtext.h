/*
 * promtext.h — a parser of the Prometheus text exposition format (version 0.0.4), as
 * `oci-logfwd status` reads it from a daemon's /metrics.
 *
 * Pure: no I/O, no logging; errors go to the caller's buffer as "line N: what".  The
 * input is whatever came over the network, so every limit is explicit: a line longer
 * than PROMTEXT_MAX_LINE, more than PROMTEXT_MAX_LABELS labels, a NUL byte, a bad name,
 * an unterminated label value or a value that is not a number stops the parse.  Memory
 * is one line's copy at a time.
 */
#ifndef OCI_LOGFWD_PROMTEXT_H
#define OCI_LOGFWD_PROMTEXT_H

#include <stddef.h>

#define PROMTEXT_MAX_LINE (64 * 1024)
#define PROMTEXT_MAX_LABELS 32

struct promtext_label {
	const char *name;
	const char *value; /* unescaped (\\ \" \n) */
};

/*
 * Called for every sample, in page order.  Everything it gets is borrowed until it
 * returns.  Returns 0 to go on, -1 to stop the parse (promtext_parse then returns -1
 * with err "line N: stopped").
 */
typedef int (*promtext_sample_fn)(void *arg, const char *name,
    const struct promtext_label *labels, size_t n_labels, double value);

/*
 * Parses text[0..len) (need not be NUL-terminated): comments (# HELP, # TYPE, others)
 * and blank lines are skipped; each sample "name{l="v",...} value [timestamp]" goes to
 * fn.  Returns the number of samples (>= 0), or -1 with err filled.
 */
long promtext_parse(const char *text, size_t len, promtext_sample_fn fn, void *arg,
    char *err, size_t errlen);

/* The value of label name, or NULL. */
const char *promtext_label(const struct promtext_label *labels, size_t n, const char *name);

#endif
