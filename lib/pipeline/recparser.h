/*
 * recparser.h — a search_rec_parser (search.h) backed by a page normalizer
 * (normalize.h): each record of a SearchLogs page is normalized inside the page's own
 * yajl pass, and its event becomes search_record.parsed.  Used by the search source and
 * by bench/bench_page, so that the benchmark measures the daemon's own glue.
 */
#ifndef OCI_LOGFWD_RECPARSER_H
#define OCI_LOGFWD_RECPARSER_H

#include "normalize.h"
#include "search.h"

/* Fills rp to normalize with n (borrowed: n must outlive the searches that use rp).  A
 * record that fails comes without an event: the caller normalizes it alone, for the
 * reason it gives. */
void recparser_init(struct search_rec_parser *rp, struct normalizer *n);

#endif
