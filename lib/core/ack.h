/*
 * ack.h — delivery accounting between a producer (a source's window) and the sinks.
 *
 * A producer creates one ack per unit it must see finished (a search window), hands it
 * with every event it routes, and seals it when it has routed the last event.  Each sink
 * that accepts an event calls ack_add(a, 1) at once and ack_done(a, result) exactly once
 * later: delivered, dead-lettered or dropped.  When the ack is sealed and nothing is
 * outstanding, the producer's callback runs once — then, and only then, may the producer
 * move its checkpoint past the window.
 *
 * Single-threaded (the event loop); not thread-safe.
 */
#ifndef OCI_LOGFWD_ACK_H
#define OCI_LOGFWD_ACK_H

#include <stdint.h>

/*
 * ACK_CANCELLED: the sink went away (shutdown) before the event was delivered; the
 * producer must not count the event as done (its checkpoint must not pass it).
 */
enum ack_result { ACK_DELIVERED, ACK_DEAD_LETTER, ACK_DROPPED, ACK_CANCELLED };

struct ack_counts {
	uint64_t delivered, dead_letter, dropped, cancelled;
};

struct ack;

/* Runs once, when sealed and all events are finished; the ack is freed after it returns. */
typedef void (*ack_done_fn)(void *arg, const struct ack_counts *counts);

/* Returns new, or NULL when out of memory. */
struct ack *ack_new(ack_done_fn fn, void *arg);
/* n more events outstanding. */
void ack_add(struct ack *a, uint32_t n);
/* One outstanding event finished; may run the callback and free a. */
void ack_done(struct ack *a, enum ack_result r);
/* n outstanding events finished alike (a delivered batch's run of one window's events):
 * ack_done n times in one call; n = 0 does nothing. */
void ack_done_n(struct ack *a, enum ack_result r, uint32_t n);
/* The producer routes no more events; may run the callback and free a. */
void ack_seal(struct ack *a);
/*
 * The producer goes away: its callback will never run; a is freed when the last
 * outstanding event finishes (or now, if none is).  Use instead of ack_seal.
 */
void ack_abandon(struct ack *a);
/* Events still outstanding (tests, stats). */
uint32_t ack_outstanding(const struct ack *a);

#endif
