/*
 * pipeline.c — see pipeline.h.
 *
 * Configurations are reference-counted: a kept sink or source borrows its section from
 * the configuration it was built from, so an old configuration lives on after a reload
 * until the last sink or source built from it is gone.
 */
#include "pipeline.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "http.h"
#include "log.h"
#include "metrics.h"
#include "metrics_render.h"
#include "normalize.h"
#include "oci.h"
#include "sink.h"
#include "source_kafka.h"
#include "timeutil.h"

#ifndef OCI_LOGFWD_VERSION
#define OCI_LOGFWD_VERSION "dev"
#endif

struct conf_ref {
	struct conf *conf;
	int users;      /* sinks and sources built from it, plus 1 while current */
	struct conf_ref *next;
};

struct sink_entry {
	struct sink *sink;
	const struct conf_sink *cfg;
	struct conf_ref *ref;
	int draining;   /* removed by a reload: gets no new events, freed once drained */
	int adopted;    /* changed by a reload: its successor took its events */
	/* Health: when it last finished an event (or held none), as the watch saw it. */
	uint64_t seen_done;
	int64_t progress_mono_ms;
	struct event *drain_deadline; /* ... or given up when this fires */
	struct pipeline *p;
	struct sink_entry *next;
};

struct source_entry {
	struct source *src;
	const struct conf_source *cfg;
	struct conf_ref *ref;
	int finished;
	/* Health: when its checkpoint last moved, as the watch saw it. */
	int64_t seen_cursor;
	int64_t progress_mono_ms;
	struct pipeline *p;
	struct source_entry *next;
};

struct pipeline {
	struct event_base *base;
	struct pipeline_opts opts;
	struct conf_ref *confs;     /* head = current */
	struct http *http;
	struct oci_client *oci;
	struct normalizer *norm;
	struct metrics_server *metrics;
	char *metrics_listen;
	struct sink_entry *sinks;
	struct source_entry *sources;
	int shutting_down;
	int finished_reported;
	int drains_pending;
	struct event *shutdown_timer;
	struct event *finish_check;
	struct event *watch;        /* daemon mode: notes progress every second (health) */
	int64_t grace_permille;     /* OCI_LOGFWD_TEST_RETRY_SCALE (tests), else 1000 */
	void (*shutdown_done)(void *arg);
	void *shutdown_arg;
	int64_t started_mono_ms;
};

/* --- configuration references ------------------------------------------------------ */

static struct conf_ref *
ref_new(struct pipeline *p, struct conf *c)
{
	struct conf_ref *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->conf = c;
	r->users = 1;
	r->next = p->confs;
	p->confs = r;
	return r;
}

static void
ref_put(struct pipeline *p, struct conf_ref *r)
{
	struct conf_ref **pp;

	if (--r->users > 0)
		return;
	for (pp = &p->confs; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	}
	conf_free(r->conf);
	free(r);
}

static const struct conf *
current(const struct pipeline *p)
{
	return p->confs->conf;
}

/* --- equality of sections (what a reload may keep) ---------------------------------- */

static int
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* --- sinks ----------------------------------------------------------------------------- */

static struct sink_entry *
find_sink(struct pipeline *p, const char *name)
{
	for (struct sink_entry *e = p->sinks; e != NULL; e = e->next)
		if (!e->draining && strcmp(e->cfg->name, name) == 0)
			return e;
	return NULL;
}

/* Unlinks and frees e; what it still holds is acknowledged ACK_CANCELLED (sink_free). */
static void
sink_entry_free(struct pipeline *p, struct sink_entry *e)
{
	struct sink_entry **pp;

	for (pp = &p->sinks; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	}
	if (e->drain_deadline != NULL)
		event_free(e->drain_deadline);
	sink_free(e->sink);
	ref_put(p, e->ref);
	free(e);
}

/*
 * The sink's space callback: its queue went from full to not full.  The sources routed
 * to it look at their sinks again now (source_wake: from the loop, not inside the sink's
 * dispatch) instead of on their fallback period.  Registered on the sink the entry owns:
 * it cannot outlive the entry, and it finds the sources through the pipeline, so a
 * source freed by a reload is never called.  A draining sink routes no source.
 */
static void
sink_has_room(void *arg)
{
	struct sink_entry *e = arg;

	if (e->draining)
		return;
	for (struct source_entry *s = e->p->sources; s != NULL; s = s->next)
		if (conf_sink_wants(e->cfg, s->cfg->name))
			source_wake(s->src);
}

/* Builds a sink entry for cfg (from the configuration ref) without linking it: a reload
 * builds every new sink before it changes anything. */
static struct sink_entry *
sink_entry_build(struct pipeline *p, const struct conf_sink *cfg, struct conf_ref *ref,
    char *err, size_t errlen)
{
	struct sink_entry *e = calloc(1, sizeof(*e));
	struct err serr;

	if (e == NULL) {
		snprintf(err, errlen, "[sink %s] out of memory", cfg->name);
		return NULL;
	}
	e->sink = sink_new(p->base, p->http, cfg, ref->conf->daemon.state_dir, &serr);
	if (e->sink == NULL) {
		snprintf(err, errlen, "[sink %s] %.768s", cfg->name, serr.msg);
		free(e);
		return NULL;
	}
	e->cfg = cfg;
	e->ref = ref;
	ref->users++;
	e->p = p;
	sink_set_space_cb(e->sink, sink_has_room, e);
	return e;
}

static void
sink_entry_link(struct pipeline *p, struct sink_entry *e)
{
	e->next = p->sinks;
	p->sinks = e;
}

/* Frees an entry that was built but never linked (a reload that is not applied). */
static void
sink_entry_unbuild(struct pipeline *p, struct sink_entry *e)
{
	sink_free(e->sink);
	ref_put(p, e->ref);
	free(e);
}

static struct sink_entry *
sink_entry_new(struct pipeline *p, const struct conf_sink *cfg, struct conf_ref *ref,
    char *err, size_t errlen)
{
	struct sink_entry *e = sink_entry_build(p, cfg, ref, err, errlen);

	if (e != NULL)
		sink_entry_link(p, e);
	return e;
}

static void
removed_sink_drained(void *arg)
{
	struct sink_entry *e = arg;

	log_sink(LOG_LVL_INFO, e->cfg->name, "removed by reload: drained, stopped");
	sink_entry_free(e->p, e);
}

/*
 * A removed sink that cannot drain (it is down) would hold every source's checkpoint, and
 * with it every other sink, forever.  The operator removed it: after shutdown_timeout it
 * is given up.  Its events are acknowledged ACK_CANCELLED (sink_free), never as done: no
 * checkpoint moves past them, so their records are read again — by the source re-reading
 * the window, at the latest at the next start — and go to the sinks that want them now.
 */
static void
removed_sink_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct sink_entry *e = arg;
	const struct sink_stats *st = sink_stats(e->sink);

	log_sink(LOG_LVL_WARNING, e->cfg->name,
	    "removed by reload but not drained within shutdown_timeout: giving it up with "
	    "%llu undelivered events; they stay unacknowledged (no checkpoint moves past "
	    "them) and their records will be read again (when the source re-reads the "
	    "window, at the latest at the next start)",
	    (unsigned long long)(st->queue_events + st->inflight_events));
	sink_entry_free(e->p, e);
}

/* --- sources --------------------------------------------------------------------------- */

static void check_finished(struct pipeline *p);

static void
source_finished(void *arg, struct source *src)
{
	struct pipeline *p = arg;

	for (struct source_entry *e = p->sources; e != NULL; e = e->next)
		if (e->src == src)
			e->finished = 1;
	/* Finish outside the source's own callback chain. */
	event_active(p->finish_check, EV_TIMEOUT, 0);
}

/* 1 when some source searches OCI Logging (streaming sources need no OCI client). */
static int
needs_oci(const struct conf *c)
{
	for (size_t i = 0; i < c->n_sources; i++)
		if (c->sources[i].type == CONF_SOURCE_SEARCH)
			return 1;
	return 0;
}

/* Builds a source for cfg against the OCI client oci, not linked and not started. */
static struct source_entry *
source_entry_build(struct pipeline *p, const struct conf_source *cfg, struct conf_ref *ref,
    struct oci_client *oci, char *err, size_t errlen)
{
	struct source_entry *e = calloc(1, sizeof(*e));
	struct source_env env;
	char serr[512];

	if (e == NULL) {
		snprintf(err, errlen, "[source %s] out of memory", cfg->name);
		return NULL;
	}
	memset(&env, 0, sizeof(env));
	env.base = p->base;
	env.oci = oci;
	env.norm = p->norm;
	env.state_dir = ref->conf->daemon.state_dir;
	env.mode = p->opts.mode;
	env.from_ms = p->opts.from_ms;
	env.to_ms = p->opts.to_ms;
	env.dryrun_out = p->opts.dryrun_out;
	env.dryrun_format = p->opts.dryrun_format;
	env.finished = source_finished;
	env.arg = p;
	env.shutdown_timeout_ms = ref->conf->daemon.shutdown_timeout_ms;
	env.search_ops = p->opts.search_ops;
	{
		const char *scale = getenv("OCI_LOGFWD_TEST_RETRY_SCALE");
		/* An hour makes a test pass only if every pause ends by a wake-up. */
		const char *fallback = getenv("OCI_LOGFWD_TEST_BACKPRESSURE_FALLBACK_MS");
		if (scale != NULL)
			env.retry_scale_permille = atoll(scale);
		if (fallback != NULL)
			env.backpressure_fallback_ms = atoll(fallback);
	}
	e->src = source_new(cfg, &env, serr, sizeof(serr));
	if (e->src == NULL) {
		snprintf(err, errlen, "[source %s] %s", cfg->name, serr);
		free(e);
		return NULL;
	}
	e->cfg = cfg;
	e->ref = ref;
	ref->users++;
	e->p = p;
	return e;
}

static void
source_entry_link(struct pipeline *p, struct source_entry *e)
{
	e->next = p->sources;
	p->sources = e;
}

/* Frees an entry that was never linked nor started (it writes no checkpoint). */
static void
source_entry_unbuild(struct pipeline *p, struct source_entry *e)
{
	source_free(e->src);
	ref_put(p, e->ref);
	free(e);
}

static struct source_entry *
source_entry_new(struct pipeline *p, const struct conf_source *cfg, struct conf_ref *ref,
    char *err, size_t errlen)
{
	struct source_entry *e = source_entry_build(p, cfg, ref, p->oci, err, errlen);

	if (e != NULL)
		source_entry_link(p, e);
	return e;
}

static void
source_entry_free(struct pipeline *p, struct source_entry *e)
{
	struct source_entry **pp;

	for (pp = &p->sources; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	}
	source_free(e->src);
	ref_put(p, e->ref);
	free(e);
}

/* Points every source at the (non-draining) sinks that want it. */
static int
set_routes(struct pipeline *p)
{
	size_t n = 0;
	struct sink **sinks;
	const struct conf_sink **cfgs;
	int rc = 0;

	for (struct sink_entry *k = p->sinks; k != NULL; k = k->next)
		n++;
	sinks = calloc(n ? n : 1, sizeof(*sinks));
	cfgs = calloc(n ? n : 1, sizeof(*cfgs));
	if (sinks == NULL || cfgs == NULL) {
		free(sinks);
		free(cfgs);
		return -1;
	}
	for (struct source_entry *s = p->sources; s != NULL; s = s->next) {
		size_t m = 0;
		for (struct sink_entry *k = p->sinks; k != NULL; k = k->next) {
			if (k->draining || !conf_sink_wants(k->cfg, s->cfg->name))
				continue;
			sinks[m] = k->sink;
			cfgs[m] = k->cfg;
			m++;
		}
		if (source_set_routes(s->src, sinks, cfgs, m) != 0)
			rc = -1;
	}
	free(sinks);
	free(cfgs);
	return rc;
}

/* --- one-shot completion ---------------------------------------------------------------- */

static void
all_drained_once(void *arg)
{
	struct sink_entry *e = arg;
	struct pipeline *p = e->p;

	if (--p->drains_pending > 0 || p->finished_reported)
		return;
	p->finished_reported = 1;
	{
		int failed = 0, refused = 0;
		for (struct source_entry *s = p->sources; s != NULL; s = s->next) {
			int l = source_had_losses(s->src);
			refused |= l == SOURCE_REFUSED;
			failed |= l != 0;
		}
		for (struct sink_entry *k = p->sinks; k != NULL; k = k->next) {
			const struct sink_stats *st = sink_stats(k->sink);
			if (st->events_dead_letter > 0 || st->events_dropped > 0)
				failed = 1;
			refused |= sink_refused(k->sink);
		}
		if (p->opts.finished != NULL)
			p->opts.finished(p->opts.arg, refused ? PIPELINE_REFUSED : failed);
	}
}

static void
finish_check_cb(evutil_socket_t fd, short what, void *arg)
{
	check_finished(arg);
}

static void
check_finished(struct pipeline *p)
{
	if (p->finished_reported || p->drains_pending > 0)
		return;
	for (struct source_entry *e = p->sources; e != NULL; e = e->next)
		if (!e->finished)
			return;
	/* Every source is done: wait for the sinks to drain, then report. */
	p->drains_pending = 1; /* guard while registering */
	for (struct sink_entry *k = p->sinks; k != NULL; k = k->next)
		p->drains_pending++;
	for (struct sink_entry *k = p->sinks; k != NULL; k = k->next)
		sink_when_drained(k->sink, all_drained_once, k);
	{
		struct sink_entry guard;
		guard.p = p;
		all_drained_once(&guard);
	}
}

/* --- health: progress ------------------------------------------------------------------ */

/*
 * Health comes from progress, not from the last status code: a source whose checkpoint
 * does not move (stuck paging, waiting out a long Retry-After, a window that cannot
 * finish) and a sink that holds events but finishes none are unhealthy even while every
 * answer they get is a 2xx or a promise to retry.  The watch notes once a second when
 * each one last made progress; the limits say how long no progress is normal.
 */
static int64_t
source_stuck_ms(const struct pipeline *p, const struct conf_source *c)
{
	/* A caught-up source moves its checkpoint every interval; a large window may take
	 * a while to page through. */
	return 3 * c->interval_ms + c->window_ms / 10 + 60000 * p->grace_permille / 1000;
}

static int64_t
sink_stuck_ms(const struct pipeline *p, const struct conf_sink *k)
{
	int64_t per_try = k->timeout_ms > k->retry_max_delay_ms ? k->timeout_ms :
	    k->retry_max_delay_ms;

	return 3 * per_try + k->batch_timeout_ms + 60000 * p->grace_permille / 1000;
}

static void
watch_progress(struct pipeline *p)
{
	int64_t now = timeutil_mono_ms();

	for (struct source_entry *e = p->sources; e != NULL; e = e->next) {
		int64_t cur = source_stats(e->src)->cursor_ms;
		if (e->progress_mono_ms == 0 || cur != e->seen_cursor) {
			e->seen_cursor = cur;
			e->progress_mono_ms = now;
		}
	}
	for (struct sink_entry *k = p->sinks; k != NULL; k = k->next) {
		const struct sink_stats *st = sink_stats(k->sink);
		uint64_t done = st->events_sent + st->events_dead_letter + st->events_dropped;
		if (k->progress_mono_ms == 0 || done != k->seen_done ||
		    st->queue_events + st->inflight_events == 0) {
			k->seen_done = done;
			k->progress_mono_ms = now;
		}
	}
}

/*
 * One-shot modes: a sink whose service refuses its credentials or URL would never drain
 * (it keeps its events, paused): the run ends now, with PIPELINE_REFUSED; what it holds
 * is not acknowledged, so no checkpoint moves past it.
 */
static void
check_refused(struct pipeline *p)
{
	for (struct sink_entry *k = p->sinks; k != NULL; k = k->next) {
		if (p->finished_reported || !sink_refused(k->sink))
			continue;
		p->finished_reported = 1;
		log_sink(LOG_LVL_ERROR, k->cfg->name, "the service refused the sink's credentials "
		    "or URL (see above): giving up this run (what is not delivered is read again "
		    "next time)");
		if (p->opts.finished != NULL)
			p->opts.finished(p->opts.arg, PIPELINE_REFUSED);
	}
}

static void
watch_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pipeline *p = arg;

	watch_progress(p);
	if (p->opts.mode != SOURCE_MODE_DAEMON)
		check_refused(p);
}

/* --- building ---------------------------------------------------------------------------- */

/* Replaces the running metrics listener by m (NULL = none) listening on listen. */
static void
swap_metrics(struct pipeline *p, struct metrics_server *m, const char *listen)
{
	metrics_server_free(p->metrics);
	free(p->metrics_listen);
	p->metrics = m;
	p->metrics_listen = NULL;
	if (m == NULL)
		return;
	p->metrics_listen = strdup(listen);
	log_info("metrics on http://%s/metrics and /healthz", listen);
}

static int
start_metrics(struct pipeline *p, const struct conf *c, char *err, size_t errlen)
{
	struct metrics_server *m;

	if (c->daemon.metrics_listen == NULL || c->daemon.metrics_listen[0] == '\0')
		return 0;
	m = metrics_server_new(p->base, c->daemon.metrics_listen,
	    (metrics_render_fn)pipeline_render_metrics, (metrics_health_fn)pipeline_health, p,
	    err, errlen);
	if (m == NULL)
		return -1;
	swap_metrics(p, m, c->daemon.metrics_listen);
	return 0;
}

struct pipeline *
pipeline_new(struct event_base *base, struct conf *conf, const struct pipeline_opts *opts,
    struct err *perr)
{
	struct pipeline *p = calloc(1, sizeof(*p));
	struct conf_ref *ref;
	struct oci_err oerr;
	char *err = perr->msg;
	size_t errlen = sizeof(perr->msg);

	perr->kind = ERR_OTHER;
	if (p == NULL) {
		conf_free(conf);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->base = base;
	p->opts = *opts;
	p->started_mono_ms = timeutil_mono_ms();
	ref = ref_new(p, conf);
	if (ref == NULL) {
		conf_free(conf);
		free(p);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->http = http_new(base);
	p->norm = normalizer_new();
	p->finish_check = event_new(base, -1, 0, finish_check_cb, p);
	p->watch = event_new(base, -1, EV_PERSIST, watch_cb, p);
	{
		const char *scale = getenv("OCI_LOGFWD_TEST_RETRY_SCALE");
		p->grace_permille = scale != NULL && atoll(scale) > 0 ? atoll(scale) : 1000;
	}
	if (p->http == NULL || p->norm == NULL || p->finish_check == NULL || p->watch == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	/* Streaming sources need no OCI credentials: only a search source makes a client. */
	p->oci = needs_oci(conf) ? oci_client_new(base, p->http, &conf->oci, &oerr) : NULL;
	if (p->oci == NULL && needs_oci(conf)) {
		err_set(perr, ERR_UNAVAILABLE, "OCI credentials: %s", oerr.msg);
		goto fail;
	}
	if (opts->mode != SOURCE_MODE_DRYRUN) {
		for (size_t i = 0; i < conf->n_sinks; i++)
			if (sink_entry_new(p, &conf->sinks[i], ref, err, errlen) == NULL) {
				perr->kind = ERR_CONFIG;
				goto fail;
			}
	}
	for (size_t i = 0; i < conf->n_sources; i++)
		if (source_entry_new(p, &conf->sources[i], ref, err, errlen) == NULL)
			goto fail;
	if (set_routes(p) != 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (opts->mode == SOURCE_MODE_DAEMON && start_metrics(p, conf, err, errlen) != 0)
		goto fail;
	for (struct source_entry *e = p->sources; e != NULL; e = e->next)
		source_start(e->src);
	if (opts->mode != SOURCE_MODE_DRYRUN) { /* one-shot runs: check_refused */
		struct timeval sec = { 1, 0 };
		watch_progress(p);
		event_add(p->watch, &sec);
	}
	return p;
fail:
	pipeline_free(p);
	return NULL;
}

/*
 * A reload in two phases.  Phase one builds everything new or changed (the OCI client,
 * every added or changed sink, every added or changed source, the metrics listener)
 * without touching what runs; if anything fails, all of it is freed and the running
 * configuration stays whole, exactly as for a file with a syntax error.  Phase two
 * cannot fail for want of a resource it has not already got: it swaps.
 *
 * A changed source is built in phase one only to check that it can be (its checkpoint
 * readable): the running one writes its checkpoint when it is freed in phase two, and the
 * one that replaces it must start from that, so it is built again there.
 */
struct staged_sink {
	struct sink_entry *built;
	struct sink_entry *replaces; /* the running sink of the same name, NULL = added */
};

static void
unstage(struct pipeline *p, struct staged_sink *ss, size_t nss, struct source_entry **sources,
    size_t nsrc)
{
	for (size_t i = 0; i < nss; i++)
		if (ss[i].built != NULL)
			sink_entry_unbuild(p, ss[i].built);
	for (size_t i = 0; i < nsrc; i++)
		if (sources[i] != NULL)
			source_entry_unbuild(p, sources[i]);
}

static struct source_entry *
find_source(struct pipeline *p, const char *name)
{
	for (struct source_entry *e = p->sources; e != NULL; e = e->next)
		if (strcmp(e->cfg->name, name) == 0)
			return e;
	return NULL;
}

/* Starts the drain (and its deadline) of a sink that no longer gets events. */
static void
drain_removed(struct pipeline *p, struct sink_entry *e, int64_t timeout_ms)
{
	e->p = p;
	sink_when_drained(e->sink, removed_sink_drained, e);
	if (e->drain_deadline == NULL) {
		e->drain_deadline = evtimer_new(p->base, removed_sink_deadline, e);
		if (e->drain_deadline != NULL)
			timeutil_timer_add(e->drain_deadline, timeout_ms);
	}
}

int
pipeline_reload(struct pipeline *p, struct conf *newconf, struct err *perr)
{
	char *err = perr->msg;
	size_t errlen = sizeof(perr->msg);
	const struct conf *old = current(p);
	struct conf_ref *ref;
	int oci_changed = !conf_oci_eq(&old->oci, &newconf->oci) ||
	    (p->oci == NULL) != !needs_oci(newconf);
	int added = 0, removed = 0, kept = 0, changed = 0, adopted = 0;
	struct oci_client *oc = NULL;
	struct metrics_server *ms = NULL;
	int metrics_changed = !str_eq(p->metrics_listen, newconf->daemon.metrics_listen);
	struct staged_sink *ss = NULL;
	struct source_entry **srcs = NULL; /* per newconf source: built in phase one */
	unsigned char *rebuild = NULL;     /* ... replacing a running one: built again */
	size_t nss = 0;

	perr->kind = ERR_OTHER;
	/* ---- phase one: build, change nothing ---- */
	if (oci_changed && needs_oci(newconf)) {
		struct oci_err oerr;
		oc = oci_client_new(p->base, p->http, &newconf->oci, &oerr);
		if (oc == NULL) {
			err_set(perr, ERR_UNAVAILABLE, "OCI credentials: %s", oerr.msg);
			conf_free(newconf);
			return -1;
		}
	}
	/* At the head: builds take their settings from it; an abort unlinks it again. */
	ref = ref_new(p, newconf);
	ss = calloc(newconf->n_sinks ? newconf->n_sinks : 1, sizeof(*ss));
	srcs = calloc(newconf->n_sources ? newconf->n_sources : 1, sizeof(*srcs));
	rebuild = calloc(newconf->n_sources ? newconf->n_sources : 1, 1);
	if (ref == NULL || ss == NULL || srcs == NULL || rebuild == NULL) {
		snprintf(err, errlen, "out of memory");
		goto abort;
	}
	for (size_t i = 0; i < newconf->n_sinks; i++) {
		const struct conf_sink *nk = &newconf->sinks[i];
		struct sink_entry *cur = find_sink(p, nk->name);
		if (cur != NULL && conf_sink_eq(nk, cur->cfg))
			continue;
		ss[nss].replaces = cur;
		ss[nss].built = sink_entry_build(p, nk, ref, err, errlen);
		if (ss[nss].built == NULL) {
			perr->kind = ERR_CONFIG;
			goto abort;
		}
		nss++;
	}
	for (size_t i = 0; i < newconf->n_sources; i++) {
		const struct conf_source *ns = &newconf->sources[i];
		struct source_entry *cur = find_source(p, ns->name);
		if (!oci_changed && cur != NULL && conf_source_eq(ns, cur->cfg))
			continue;
		rebuild[i] = cur != NULL;
		srcs[i] = source_entry_build(p, ns, ref, oc != NULL ? oc : p->oci, err, errlen);
		if (srcs[i] == NULL)
			goto abort;
	}
	if (metrics_changed && p->opts.mode == SOURCE_MODE_DAEMON &&
	    newconf->daemon.metrics_listen != NULL && newconf->daemon.metrics_listen[0] != '\0') {
		/* A new address is bound before the old one is closed, so that a reload
		 * whose address is taken changes nothing. */
		ms = metrics_server_new(p->base, newconf->daemon.metrics_listen,
		    (metrics_render_fn)pipeline_render_metrics,
		    (metrics_health_fn)pipeline_health, p, err, errlen);
		if (ms == NULL)
			goto abort;
	}

	/* ---- phase two: swap ---- */
	/* The new configuration becomes current; the old one lives as long as something
	 * built from it does. */
	for (struct conf_ref *r = ref->next; r != NULL; r = r->next) {
		if (r->conf == old) {
			ref_put(p, r); /* drop its "current" reference */
			break;
		}
	}
	if (oci_changed) {
		/* Every source is rebuilt against the new client (srcs holds trial builds
		 * of all of them): the old ones stop first, writing their checkpoints. */
		while (p->sources != NULL) {
			log_source(LOG_LVL_INFO, p->sources->cfg->name, "stopped by reload");
			source_entry_free(p, p->sources);
		}
		oci_client_free(p->oci);
		p->oci = oc;
		oc = NULL;
	}

	/* Sinks: removed ones drain; changed ones hand their events to their successor
	 * (or, if they cannot, drain as removed); added ones start. */
	for (struct sink_entry *e = p->sinks; e != NULL; e = e->next) {
		if (e->draining)
			continue;
		if (conf_find_sink(newconf, e->cfg->name) == NULL) {
			e->draining = 1;
			removed++;
		}
	}
	for (size_t i = 0; i < nss; i++) {
		struct sink_entry *o = ss[i].replaces;
		sink_entry_link(p, ss[i].built);
		if (o == NULL) {
			added++;
			continue;
		}
		changed++;
		o->draining = 1;
		{
			const struct sink_stats *st = sink_stats(o->sink);
			unsigned long long held = st->queue_events + st->inflight_events;
			if (sink_adopt(ss[i].built->sink, o->sink) == 0) {
				log_sink(LOG_LVL_INFO, o->cfg->name, "changed by reload: handed its "
				    "%llu queued events to the new settings", held);
				o->adopted = 1;
				adopted++;
			} else {
				log_sink(LOG_LVL_INFO, o->cfg->name, "changed by reload: its %llu "
				    "queued events cannot move to the new settings; draining them "
				    "with the old ones first", held);
			}
		}
	}
	for (struct sink_entry *e = p->sinks; e != NULL; e = e->next)
		if (!e->draining)
			kept++;
	kept -= added + changed;

	/* Sources: stop changed and removed ones (their in-flight work stays
	 * unacknowledged, so their checkpoint holds it); start new ones. */
	{
		struct source_entry *e = p->sources, *next;
		for (; e != NULL; e = next) {
			const struct conf_source *ns = conf_find_source(newconf, e->cfg->name);
			next = e->next;
			if (ns == NULL || !conf_source_eq(ns, e->cfg)) {
				log_source(LOG_LVL_INFO, e->cfg->name, "stopped by reload");
				source_entry_free(p, e);
			}
		}
	}
	for (size_t i = 0; i < newconf->n_sources; i++) {
		struct source_entry *e = srcs[i];
		if (e == NULL)
			continue;
		srcs[i] = NULL;
		if (!rebuild[i]) {
			source_entry_link(p, e);
		} else {
			source_entry_unbuild(p, e);
			e = source_entry_new(p, &newconf->sources[i], ref, err, errlen);
			if (e == NULL) {
				/* Built a moment ago from the same file: memory, or the
				 * checkpoint just written became unreadable. */
				log_error("reload: %s (the source is not started)", err);
				continue;
			}
		}
		source_start(e->src);
	}
	set_routes(p);
	/* Now that nothing routes to them: adopted sinks hold nothing and go at once;
	 * the others drain. */
	{
		struct sink_entry *e = p->sinks, *next;
		for (; e != NULL; e = next) {
			next = e->next;
			if (e->adopted)
				sink_entry_free(p, e);
			else if (e->draining && !e->p->shutting_down)
				drain_removed(p, e, newconf->daemon.shutdown_timeout_ms);
		}
	}
	if (metrics_changed)
		swap_metrics(p, ms, newconf->daemon.metrics_listen);
	free(ss);
	free(srcs);
	free(rebuild);
	log_notice("configuration reloaded: sinks kept %d, added %d, removed %d, changed %d "
	    "(%d handed over their queue)", kept, added, removed, changed, adopted);
	return 0;

abort:
	unstage(p, ss, nss, srcs, srcs != NULL ? newconf->n_sources : 0);
	free(ss);
	free(srcs);
	free(rebuild);
	metrics_server_free(ms);
	oci_client_free(oc);
	if (ref != NULL)
		ref_put(p, ref); /* frees newconf */
	else
		conf_free(newconf);
	return -1;
}

/* --- shutdown ------------------------------------------------------------------------- */

static void
shutdown_finish(struct pipeline *p)
{
	void (*done)(void *) = p->shutdown_done;

	if (done == NULL)
		return;
	p->shutdown_done = NULL;
	if (p->shutdown_timer != NULL)
		evtimer_del(p->shutdown_timer);
	done(p->shutdown_arg);
}

static void
shutdown_drained(void *arg)
{
	struct pipeline *p = arg;

	if (--p->drains_pending <= 0)
		shutdown_finish(p);
}

static void
shutdown_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct pipeline *p = arg;

	log_warning("shutdown_timeout reached with events still queued: they stay "
	    "unacknowledged and are pulled again at the next start");
	shutdown_finish(p);
}

void
pipeline_shutdown(struct pipeline *p, int64_t timeout_ms, void (*done)(void *arg), void *arg)
{
	p->shutting_down = 1;
	p->shutdown_done = done;
	p->shutdown_arg = arg;
	for (struct source_entry *e = p->sources; e != NULL; e = e->next)
		source_stop_polling(e->src);
	p->shutdown_timer = evtimer_new(p->base, shutdown_timeout, p);
	if (p->shutdown_timer != NULL)
		timeutil_timer_add(p->shutdown_timer, timeout_ms);
	p->drains_pending = 1;
	for (struct sink_entry *k = p->sinks; k != NULL; k = k->next) {
		/* A removed sink still draining now waits like the others: freed by its own
		 * deadline, it would never report drained and hold the stop until the
		 * timeout. */
		if (k->drain_deadline != NULL)
			evtimer_del(k->drain_deadline);
		p->drains_pending++;
		sink_when_drained(k->sink, shutdown_drained, p);
	}
	shutdown_drained(p);
}

void
pipeline_free(struct pipeline *p)
{
	if (p == NULL)
		return;
	/* Sources first: they abandon what is still in flight and write checkpoints that
	 * hold it; then sinks cancel what they still have. */
	while (p->sources != NULL)
		source_entry_free(p, p->sources);
	while (p->sinks != NULL)
		sink_entry_free(p, p->sinks);
	metrics_server_free(p->metrics);
	free(p->metrics_listen);
	oci_client_free(p->oci);
	normalizer_free(p->norm);
	http_free(p->http);
	if (p->shutdown_timer != NULL)
		event_free(p->shutdown_timer);
	if (p->finish_check != NULL)
		event_free(p->finish_check);
	if (p->watch != NULL)
		event_free(p->watch);
	while (p->confs != NULL) {
		struct conf_ref *r = p->confs;
		p->confs = r->next;
		conf_free(r->conf);
		free(r);
	}
	free(p);
}

void
pipeline_reopen(struct pipeline *p)
{
	for (struct sink_entry *k = p->sinks; k != NULL; k = k->next)
		sink_reopen(k->sink);
}

/* --- observability ------------------------------------------------------------------- */

/* A removed sink still draining under the name of its replacement: one series per name. */
static int
shadowed(const struct pipeline *p, const struct sink_entry *k)
{
	if (!k->draining)
		return 0;
	for (const struct sink_entry *o = p->sinks; o != NULL; o = o->next)
		if (!o->draining && strcmp(o->cfg->name, k->cfg->name) == 0)
			return 1;
	return 0;
}

void
pipeline_stats_line(struct pipeline *p, struct buf *out)
{
	int64_t now = timeutil_now_ms();
	const char *sep = "";

	for (struct source_entry *e = p->sources; e != NULL; e = e->next) {
		const struct source_stats *st = source_stats(e->src);
		buf_printf(out, "%ssource %s: %llu records, lag %llds", sep, e->cfg->name,
		    (unsigned long long)st->records, (long long)((now - st->cursor_ms) / 1000));
		if (st->late_records)
			buf_printf(out, ", %llu late", (unsigned long long)st->late_records);
		if (st->gaps)
			buf_printf(out, ", %llu gaps", (unsigned long long)st->gaps);
		sep = "; ";
	}
	for (struct sink_entry *k = p->sinks; k != NULL; k = k->next) {
		const struct sink_stats *st = sink_stats(k->sink);
		buf_printf(out, "%ssink %s: %llu sent, %llu retries, %llu dead-lettered, "
		    "%llu dropped, queue %llu%s", sep, k->cfg->name,
		    (unsigned long long)st->events_sent, (unsigned long long)st->retries,
		    (unsigned long long)st->events_dead_letter,
		    (unsigned long long)st->events_dropped, (unsigned long long)st->queue_events,
		    sink_healthy(k->sink) ? "" : " (UNHEALTHY)");
		sep = "; ";
	}
}

int
pipeline_render_metrics(struct pipeline *p, struct buf *out)
{
	struct metrics_source_row *src = NULL;
	struct metrics_sink_row *snk = NULL;
	size_t nsrc = 0, nsnk = 0;
	int rc = -1;

	for (struct source_entry *e = p->sources; e != NULL; e = e->next)
		nsrc++;
	for (struct sink_entry *k = p->sinks; k != NULL; k = k->next)
		nsnk++;
	src = calloc(nsrc ? nsrc : 1, sizeof(*src));
	snk = calloc(nsnk ? nsnk : 1, sizeof(*snk));
	if (src == NULL || snk == NULL)
		goto out;
	nsrc = nsnk = 0;
	for (struct source_entry *e = p->sources; e != NULL; e = e->next) {
		src[nsrc].name = e->cfg->name;
		src[nsrc++].st = source_stats(e->src);
	}
	for (struct sink_entry *k = p->sinks; k != NULL; k = k->next) {
		if (shadowed(p, k))
			continue;
		snk[nsnk].name = k->cfg->name;
		snk[nsnk].st = sink_stats(k->sink);
		snk[nsnk++].healthy = sink_healthy(k->sink);
	}
	rc = metrics_render(out, timeutil_now_ms(), src, nsrc, snk, nsnk);
	{
		/* Streaming sources: lag per partition, rebalances, partitions owned. */
		struct ksource *ks[64];
		size_t nk = 0;
		for (struct source_entry *e = p->sources; e != NULL && nk < 64; e = e->next)
			if (source_kafka(e->src) != NULL)
				ks[nk++] = source_kafka(e->src);
		if (nk > 0)
			rc |= ksource_metrics(ks, nk, out);
	}
out:
	free(src);
	free(snk);
	return rc;
}

/* One entry of the /healthz body: {"source"|"sink": name, "reason": ..., ...}. */
static void
health_problem(struct buf *b, int *first, const char *kind, const char *name,
    const char *reason, const char *error)
{
	buf_printf(b, "%s{\"%s\":", *first ? "" : ",", kind);
	buf_append_json_string(b, name, strlen(name));
	buf_append_str(b, ",\"reason\":");
	buf_append_json_string(b, reason, strlen(reason));
	if (error != NULL && error[0] != '\0') {
		buf_append_str(b, ",\"error\":");
		buf_append_json_string(b, error, strlen(error));
	}
	buf_append_char(b, '}');
	*first = 0;
}

int
pipeline_health(struct pipeline *p, struct buf *reason)
{
	int64_t now = timeutil_now_ms(), mono = timeutil_mono_ms();
	int first = 1;
	char why[192];

	watch_progress(p);
	buf_append_str(reason, "{\"status\":\"unhealthy\",\"problems\":[");
	for (struct source_entry *e = p->sources; e != NULL; e = e->next) {
		const struct source_stats *st = source_stats(e->src);
		int64_t still = mono - e->progress_mono_ms;
		if (!source_healthy(e->src) && source_kafka(e->src) != NULL) {
			snprintf(why, sizeof(why), "no Kafka broker reachable for %lld s",
			    st->last_success_mono_ms > 0 ?
			    (long long)((mono - st->last_success_mono_ms) / 1000) :
			    (long long)((mono - p->started_mono_ms) / 1000));
		} else if (!source_healthy(e->src)) {
			snprintf(why, sizeof(why), "no successful search for %lld s",
			    st->last_success_mono_ms > 0 ?
			    (long long)((mono - st->last_success_mono_ms) / 1000) :
			    (long long)((mono - p->started_mono_ms) / 1000));
		} else if (still > source_stuck_ms(p, e->cfg)) {
			snprintf(why, sizeof(why), "checkpoint has not moved for %lld s (stuck "
			    "paging, waiting out a Retry-After, or held back by a sink)",
			    (long long)(still / 1000));
		} else {
			continue;
		}
		health_problem(reason, &first, "source", e->cfg->name, why, st->last_error);
	}
	for (struct sink_entry *k = p->sinks; k != NULL; k = k->next) {
		const struct sink_stats *st = sink_stats(k->sink);
		unsigned long long held = st->queue_events + st->inflight_events;
		int64_t still = mono - k->progress_mono_ms;
		int failing = st->failing_since_ms > 0 &&
		    now - st->failing_since_ms > 3 * k->cfg->retry_max_delay_ms;
		if (shadowed(p, k))
			continue;
		if (!sink_healthy(k->sink) || failing)
			snprintf(why, sizeof(why), "failing or paused, %llu events held", held);
		else if (still > sink_stuck_ms(p, k->cfg))
			snprintf(why, sizeof(why), "no event delivered for %lld s, %llu events "
			    "held", (long long)(still / 1000), held);
		else
			continue;
		health_problem(reason, &first, "sink", k->cfg->name, why, st->last_error);
	}
	buf_append_str(reason, "]}");
	return first;
}
