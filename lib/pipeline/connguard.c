/*
 * connguard.c — see connguard.h.
 *
 * evhttp (libevent 2.1) gives no hook when it creates a connection, only the bufferevent
 * callback before it: the connection object is found one loop turn later as the
 * bufferevent's callback argument (evhttp sets it right after our callback returns), and
 * its close callback then tells when it goes.  A reference on the bufferevent keeps that
 * lookup safe even when evhttp has already freed the connection (its callbacks are then
 * cleared): nothing here ever touches freed memory.
 */
#include "connguard.h"
#include "timeutil.h"

#include <stdlib.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

struct conn {
	struct connguard *g;
	struct bufferevent *bev;          /* referenced until the conn is freed */
	struct evhttp_connection *evcon;  /* once adopted */
	struct event *timer;              /* adopt (at once), then the deadline */
	struct conn *prev, *next;         /* oldest first */
};

struct connguard {
	struct event_base *base;
	size_t max;
	int64_t deadline_ms;
	struct conn *head, *tail;
	size_t n_adopted;
	uint64_t closed;
};

static void
unlink_conn(struct conn *c)
{
	struct connguard *g = c->g;

	if (c->prev)
		c->prev->next = c->next;
	else
		g->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		g->tail = c->prev;
	if (c->evcon != NULL)
		g->n_adopted--;
}

static void
drop(struct conn *c)
{
	unlink_conn(c);
	event_free(c->timer);
	bufferevent_decref(c->bev);
	free(c);
}

/* evhttp frees the connection (client gone, reply done, server freed). */
static void
on_close(struct evhttp_connection *evcon, void *arg)
{
	drop(arg);
}

/* evhttp's connection if it still has one on this bufferevent, else NULL. */
static struct evhttp_connection *
evcon_of(struct bufferevent *bev)
{
	bufferevent_event_cb ecb;
	void *arg = NULL;

	bufferevent_getcb(bev, NULL, NULL, &ecb, &arg);
	return ecb != NULL ? arg : NULL;
}

/* Closes c's connection now (deadline or cap). */
static void
close_conn(struct conn *c)
{
	/* From the bufferevent, not c->evcon: NULL if evhttp freed it (however it did). */
	struct evhttp_connection *evcon = evcon_of(c->bev);

	c->g->closed++;
	if (evcon != NULL) {
		evhttp_connection_set_closecb(evcon, NULL, NULL);
		evhttp_connection_free(evcon);
	}
	drop(c);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	struct connguard *g = c->g;

	if (c->evcon != NULL) { /* the deadline */
		close_conn(c);
		return;
	}
	/* Adopt: the connection evhttp made around our bufferevent. */
	if ((c->evcon = evcon_of(c->bev)) == NULL) { /* already gone */
		drop(c);
		return;
	}
	g->n_adopted++;
	evhttp_connection_set_closecb(c->evcon, on_close, c);
	/* Keep the connection within the deadline counted from its accept (a loop turn ago). */
	timeutil_timer_add(c->timer, g->deadline_ms);
	/* Over the cap: the oldest go (they had the most time). */
	while (g->n_adopted > g->max && g->head != NULL && g->head->evcon != NULL)
		close_conn(g->head);
}

struct connguard *
connguard_new(struct event_base *base, size_t max, int64_t deadline_ms)
{
	struct connguard *g = calloc(1, sizeof(*g));

	if (g == NULL)
		return NULL;
	g->base = base;
	g->max = max < 1 ? 1 : max;
	g->deadline_ms = deadline_ms < 1 ? 1 : deadline_ms;
	return g;
}

struct bufferevent *
connguard_bev(struct connguard *g, struct event_base *base)
{
	struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	struct conn *c;
	struct timeval now = {0, 0};

	if (bev == NULL || g == NULL)
		return bev;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->timer = evtimer_new(g->base, on_timer, c)) == NULL) {
		free(c);
		return bev; /* untracked, as evhttp's own would be */
	}
	c->g = g;
	c->bev = bev;
	bufferevent_incref(bev);
	c->prev = g->tail;
	if (g->tail)
		g->tail->next = c;
	else
		g->head = c;
	g->tail = c;
	evtimer_add(c->timer, &now);
	return bev;
}

size_t
connguard_open(const struct connguard *g)
{
	return g ? g->n_adopted : 0;
}

uint64_t
connguard_closed(const struct connguard *g)
{
	return g ? g->closed : 0;
}

void
connguard_free(struct connguard *g)
{
	if (g == NULL)
		return;
	/* evhttp_free closed the adopted ones (on_close); these were not adopted yet. */
	while (g->head != NULL)
		drop(g->head);
	free(g);
}
