/*
 * sink_arena.h — allocations handed out in order from 64 KiB chunks, each chunk freed when
 * the last of its allocations is (the sinks' events and the blobs shared between sinks).
 *
 * Why: a page routes ~1000 events at once and a delivered batch frees 500 at once,
 * bursts that glibc's tcache does not hold (malloc, free and their consolidation were ~8 %
 * of the daemon's cycles with 4 sinks, make bench), and events allocated one by one end
 * up scattered over the heap, so that every later pass over a batch (forming it, copying
 * its items into curl's upload buffer, finishing it) missed the cache on each one.  From
 * an arena, a batch's events and their bytes are neighbours, read as one stream.
 *
 * Memory: events leave roughly in the order they came, so a chunk goes soon after its
 * last allocation does.  One held back (a retry, a per-item retry) keeps its chunk: at
 * most the chunk of every such allocation, which is never more than the batches they
 * belong to took in the first place.  An allocation larger than a quarter of a chunk gets
 * its own malloc.  Single-threaded.  Pure module.
 */
#ifndef OCI_LOGFWD_SINK_ARENA_H
#define OCI_LOGFWD_SINK_ARENA_H

#include <stddef.h>

#define SINK_ARENA_CHUNK (64u * 1024)

struct sink_arena_chunk;

struct sink_arena {
	struct sink_arena_chunk *cur; /* where the next allocation goes; NULL: none yet */
	int keep_empty;               /* keep cur when its last allocation goes (reused) */
};

/* keep_empty: 1 for an arena that allocates all the time (a sink's), 0 for one that
 * must hold no memory once everything is released (the shared blobs'). */
void sink_arena_init(struct sink_arena *a, int keep_empty);
/* n bytes, 8-aligned; NULL when out of memory. */
void *sink_arena_alloc(struct sink_arena *a, size_t n);
/* Releases p (from any arena, or NULL); frees its chunk when it was the last in it. */
void sink_arena_free(void *p);
/* a allocates no more: its chunk goes with its last allocation (now, if none is left). */
void sink_arena_cleanup(struct sink_arena *a);

#endif
