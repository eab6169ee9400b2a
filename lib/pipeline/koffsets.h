/*
 * koffsets.h — which offsets of one Kafka partition may be committed.
 *
 * Messages are handed to the sinks in offset order.  Consecutive messages read together
 * form a batch [first, last] with one ack (ack.h); the consumer seals the batch when it
 * has routed its last message.  A batch is finished when its ack fires.  Finished
 * batches leave from the head only, so the offset that may be committed (last + 1 of the
 * batch that left) moves contiguously: a later batch that finishes first waits for the
 * earlier ones, and a batch whose events a sink cancelled (shutdown) never leaves: the
 * commit stays before it and whoever reads the partition next reads it again.
 *
 * Messages that route nothing (bad ones, dead-lettered by the caller) still belong to
 * the open batch's range: the commit passes them with it.  Single-threaded.
 */
#ifndef OCI_LOGFWD_KOFFSETS_H
#define OCI_LOGFWD_KOFFSETS_H

#include <stdint.h>

struct ack;
struct koffsets;

/* New, nothing acknowledged (koffsets_next = -1); NULL when out of memory. */
struct koffsets *koffsets_new(void);
/* Outstanding acks are abandoned (their events may still finish).  NULL is a no-op. */
void koffsets_free(struct koffsets *o);
/* The ack under which to route the message at offset (greater than any before): the
 * open batch's, extended to it, or a new batch's.  NULL when out of memory. */
struct ack *koffsets_add(struct koffsets *o, int64_t offset);
/* Closes the open batch, if any (it may finish at once). */
void koffsets_seal(struct koffsets *o);
/* The offset after the contiguously acknowledged messages (what to commit); -1 = none. */
int64_t koffsets_next(const struct koffsets *o);
/* Nothing is held and the partition is known to end at off (nothing to read). */
void koffsets_set_next(struct koffsets *o, int64_t off);
/* 1 while a batch is open, unfinished, or cancelled (held). */
int koffsets_busy(const struct koffsets *o);
/* 1 once an event was dead-lettered or dropped by a sink. */
int koffsets_losses(const struct koffsets *o);

#endif
