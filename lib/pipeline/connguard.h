/*
 * connguard.h — limits for the connections of an evhttp server (the metrics listener):
 * a deadline for each connection from its accept, and a cap on how many are open.
 *
 * evhttp's own timeout is an idle timeout, reset by every byte: a client trickling one
 * header byte every few seconds holds a connection for hours, and a few hundred such
 * clients hold /metrics and /healthz.  Here every connection is closed DEADLINE after it
 * was accepted, whatever it does, and when more than MAX are open the oldest is closed:
 * a scrape takes milliseconds, so a new client always gets served while slow ones wait
 * their turn to be dropped.
 *
 * Use: connguard_bev as (or inside) the evhttp_set_bevcb callback; connguard_free after
 * evhttp_free.  Loop thread only.
 */
#ifndef OCI_LOGFWD_CONNGUARD_H
#define OCI_LOGFWD_CONNGUARD_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct bufferevent;
struct connguard;

/* NULL when out of memory.  max >= 1, deadline_ms >= 1. */
struct connguard *connguard_new(struct event_base *base, size_t max, int64_t deadline_ms);
/*
 * A new bufferevent for a connection evhttp is accepting (as evhttp would make it), now
 * tracked; NULL when out of memory (evhttp then makes an untracked one).
 */
struct bufferevent *connguard_bev(struct connguard *g, struct event_base *base);
/* Connections open and tracked (tests, metrics). */
size_t connguard_open(const struct connguard *g);
/* Connections closed for their deadline or for the cap, since the start. */
uint64_t connguard_closed(const struct connguard *g);
/* After evhttp_free (which closes every connection): frees what is left. */
void connguard_free(struct connguard *g);

#endif
