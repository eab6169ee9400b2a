/*
 * sink_body.h — a request body kept as pieces: bytes borrowed from the batch's events
 * (their envelope items, alive as long as the batch) and the envelope bytes around them,
 * which the body owns ("glue").  An HTTP sink builds each batch's body this way and curl
 * reads the pieces as it sends (http.h, body_read), so no sink holds a contiguous copy of
 * every batch in flight: with 4 sinks and 2 requests each that was 8 buffers of 1 MiB
 * (make bench, massif), a third of the daemon's heap.  A retry reads the same pieces again;
 * a split or a per-item retry builds new pieces from its events.
 *
 * Building: append envelope bytes to sink_body_glue() with the buf_* functions, and an
 * event's bytes with sink_body_ref(); sink_body_end() once at the end.  Pure module.
 */
#ifndef OCI_LOGFWD_SINK_BODY_H
#define OCI_LOGFWD_SINK_BODY_H

#include <stddef.h>

#include "buf.h"

struct sink_piece {
	const char *ref;   /* borrowed bytes, or NULL: glue.data + off */
	size_t off;
	size_t len;
};

struct sink_body {
	struct buf glue;          /* the owned bytes, in order */
	struct sink_piece *pc;    /* the pieces, in order */
	size_t n, cap;
	size_t marked;            /* glue bytes already in a piece */
	size_t len;               /* body bytes (after sink_body_end) */
	/* sink_body_read's position: piece, offset inside it, body offset */
	size_t rd_piece, rd_in, rd_off;
};

void sink_body_init(struct sink_body *b);
/* Empties b for a new body; keeps its allocations. */
void sink_body_reset(struct sink_body *b);
void sink_body_cleanup(struct sink_body *b);

/* Where owned bytes go: anything appended here comes before the next sink_body_ref. */
struct buf *sink_body_glue(struct sink_body *b);
/* Makes room for n more pieces (a builder that knows its count: no regrowing); 0 or -1. */
int sink_body_reserve(struct sink_body *b, size_t n);
/* Appends n borrowed bytes at p (valid as long as the body is read); 0 or -1 (memory). */
int sink_body_ref(struct sink_body *b, const char *p, size_t n);
/* Ends the body (the glue appended last becomes its last piece); 0 or -1 (memory). */
int sink_body_end(struct sink_body *b);

/*
 * Copies up to max bytes of the ended body from offset off into dst; returns how many
 * (0 only at or past the end).  Sequential reads are O(1) each; any other offset (curl
 * rewinding to send the body again) walks from the start.
 */
size_t sink_body_read(struct sink_body *b, size_t off, char *dst, size_t max);

/*
 * The ended body as one contiguous run: the glue itself when it is the whole body (no
 * copy), else the pieces copied into scratch (reset first).  NULL when out of memory.
 */
const char *sink_body_flat(const struct sink_body *b, struct buf *scratch, size_t *len);

#endif
