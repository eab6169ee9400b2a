/*
 * queue.h — a FIFO of pointers with event and byte accounting, for a sink's backlog.
 *
 * A growable ring buffer: push at the tail, pop at the head, both O(1) amortised.  Each
 * entry carries a byte size so that the owner can bound the queue by memory as well as
 * by count.  The queue never frees the items it holds (they are the caller's); the bound
 * is advisory: queue_push succeeds past it (the sink's `block` mode accepts what the
 * producer already had in hand and pauses the producer instead), queue_full() says when
 * the bound is reached.  Single-threaded.
 */
#ifndef OCI_LOGFWD_QUEUE_H
#define OCI_LOGFWD_QUEUE_H

#include <stddef.h>
#include <stdint.h>

struct queue;

/* Returns new (caller frees with queue_free), or NULL when out of memory.
 * max_events / max_bytes: the bound queue_full() reports against (0 = unbounded). */
struct queue *queue_new(uint64_t max_events, uint64_t max_bytes);
/* Frees the queue, not the items still in it (drain first).  NULL is a no-op. */
void queue_free(struct queue *q);

/* Appends item (borrowed pointer, not NULL) of `bytes` bytes; 0, or -1 when out of
 * memory (the queue is unchanged). */
int queue_push(struct queue *q, void *item, size_t bytes);
/* Puts item back at the head (it will be popped next); 0 or -1 as queue_push. */
int queue_push_front(struct queue *q, void *item, size_t bytes);
/* Removes and returns the head item (its size into *bytes when not NULL); NULL if empty. */
void *queue_pop(struct queue *q, size_t *bytes);
/* The head item without removing it (size into *bytes when not NULL); NULL if empty. */
void *queue_peek(const struct queue *q, size_t *bytes);

uint64_t queue_events(const struct queue *q);
uint64_t queue_bytes(const struct queue *q);
/* 1 when events >= max_events or bytes >= max_bytes (a 0 bound never fills). */
int queue_full(const struct queue *q);

#endif
